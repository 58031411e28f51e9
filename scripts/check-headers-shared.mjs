#!/usr/bin/env node
// The header fields the block data proves by itself (transactions root, block hash,
// transaction hashes; src/verify/headerFields.ts), and the ancestor-hash check of reading,
// over the bundled fixtures and the shared set (../shared/fixtures/ethereum, or
// $STM_SHARED_FIXTURES), without replaying: one line per block with the time the three
// checks took, then "N ok, M not". Much cheaper than `npm run replay:shared`; exit 1 when
// any block fails. Needs a build (`npm run build`).
//
//   node scripts/check-headers-shared.mjs                 bundled + shared
//   node scripts/check-headers-shared.mjs DIR…            these fixture folders
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { readBlockDir } = await import(join(repo, 'dist/src/data/fixtureStore.js'));
const { createBlockContext } = await import(join(repo, 'dist/src/exec/blockContext.js'));
const { checkHeaderFields } = await import(join(repo, 'dist/src/verify/headerFields.js'));

const shared = resolve(process.env.STM_SHARED_FIXTURES ?? join(repo, '..', 'shared', 'fixtures', 'ethereum'));
const roots = process.argv.length > 2 ? process.argv.slice(2) : [join(repo, 'fixtures', 'ethereum'), shared].filter((dir) => existsSync(dir));
let ok = 0;
let bad = 0;
for (const root of roots) {
  for (const name of readdirSync(root).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b))) {
    let line;
    try {
      const ctx = createBlockContext(readBlockDir(join(root, name), BigInt(name), { kind: 'fixtures', dir: root }));
      const started = performance.now();
      const c = await checkHeaderFields(ctx);
      const ms = performance.now() - started;
      const good = [c.transactionsRoot, c.blockHash, c.txHashes].every((check) => check.status === 'ok');
      good ? ok++ : bad++;
      line = `${good ? '✓' : '✗'} ${name} (${ctx.hardfork}, ${ctx.txs.length} txs): transactions root ${c.transactionsRoot.status}, block hash ${c.blockHash.status}, tx hashes ${c.txHashes.status}${c.txHashes.status === 'mismatch' ? ` (${c.txHashes.note})` : ''} · ${ms.toFixed(1)} ms`;
    } catch (error) {
      bad++;
      line = `✗ ${name}: ${error.shortMessage ?? error.message}`;
    }
    console.log(`${line}  ${root}`);
  }
}
console.log(`${ok} ok, ${bad} not`);
process.exitCode = bad > 0 ? 1 : 0;
