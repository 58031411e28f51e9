#!/usr/bin/env node
// The header fields the block data proves by itself (transactions root, block hash,
// transaction hashes; src/verify/headerFields.ts), and the ancestor-hash check of reading,
// over the bundled fixtures and the shared set (../shared/fixtures/ethereum, or
// $STM_SHARED_FIXTURES), without replaying: one line per block with the time the three
// checks took, then "N ok, M not". Much cheaper than `npm run replay:shared`; exit 1 when
// any block fails. Needs a build (`npm run build`).
//
//   node dist/scripts/replay/check-headers-shared.js      bundled + shared
//   node dist/scripts/replay/check-headers-shared.js DIR… these fixture folders
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { readBlockDir } from '../../src/data/fixtureStore.js';
import { createBlockContext } from '../../src/exec/blockContext.js';
import { checkHeaderFields } from '../../src/verify/headerFields.js';

// Compiled to dist/scripts/replay/: the repository is three levels up.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const shared = resolve(process.env.STM_SHARED_FIXTURES ?? join(repo, '..', 'shared', 'fixtures', 'ethereum'));
const roots = process.argv.length > 2 ? process.argv.slice(2) : [join(repo, 'fixtures', 'ethereum'), shared].filter((dir) => existsSync(dir));
let ok = 0;
let bad = 0;
for (const root of roots) {
  for (const name of readdirSync(root).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b))) {
    let line: string;
    try {
      const ctx = createBlockContext(readBlockDir(join(root, name), BigInt(name), { kind: 'fixtures', dir: root }));
      const started = performance.now();
      const c = await checkHeaderFields(ctx);
      const ms = performance.now() - started;
      const good = [c.transactionsRoot, c.blockHash, c.txHashes].every((check) => check.status === 'ok');
      if (good) ok++;
      else bad++;
      line = `${good ? '✓' : '✗'} ${name} (${ctx.hardfork}, ${ctx.txs.length} txs): transactions root ${c.transactionsRoot.status}, block hash ${c.blockHash.status}, tx hashes ${c.txHashes.status}${c.txHashes.status === 'mismatch' ? ` (${c.txHashes.note})` : ''} · ${ms.toFixed(1)} ms`;
    } catch (error) {
      bad++;
      const e = error as { shortMessage?: string; message?: string };
      line = `✗ ${name}: ${e.shortMessage ?? e.message}`;
    }
    console.log(`${line}  ${root}`);
  }
}
console.log(`${ok} ok, ${bad} not`);
process.exitCode = bad > 0 ? 1 : 0;
