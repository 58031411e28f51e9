// The same end-to-end path through the Sei profile: anvil runs as chain 1329 (pacific-1)
// with Cancun rules, and code is put at Sei's bank precompile address 0x…1002. The block
// verifies per receipt (Sei's roots are not Ethereum tries), the call to the precompile is
// an opaque transaction whose effects come from the node's diffMode trace, and the
// parallel replay equals the serial one with it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChain, SEI_BANK_PRECOMPILE, type BuiltChain } from './anvilBlocks.js';
import { startAnvil, type AnvilNode } from './anvilNode.js';
import { QUICK, stm } from '../helpers/cliRunner.js';
import { readCacheEntry } from '../../src/cache/blockCache.js';
import { profileFor } from '../../src/chain/profiles.js';

let node: AnvilNode;
let chain: BuiltChain;
const cache = mkdtempSync(join(tmpdir(), 'stm-sei-test-'));

before(async () => {
  node = await startAnvil({ chainId: 1329, hardfork: 'cancun' });
  chain = await buildChain(node, { precompile: true });
});

after(async () => {
  await node?.stop();
  rmSync(cache, { recursive: true, force: true });
});

test('a Sei block is fetched with --chain-id 1329; the precompile call is opaque and the rest verifies receipt by receipt', async () => {
  const block = String(chain.busyBlock);
  const fetched = await stm(['fetch', '--block', block, '--rpc', node.url, '--chain-id', '1329', '--json'], { STM_CACHE_DIR: cache });
  assert.equal(fetched.code, 0, fetched.stderr);
  const line = (JSON.parse(fetched.stdout) as { blocks: Array<{ opaqueTxs: number; check: { ok: boolean; receipts: string; receiptsRoot: string } }> }).blocks[0]!;
  assert.equal(line.opaqueTxs, 1);
  assert.deepEqual([line.check.ok, line.check.receipts, line.check.receiptsRoot], [true, '✓', 'n/a']);

  const data = readCacheEntry(join(cache, '1329', block), chain.busyBlock, 1329);
  assert.equal(profileFor(data).name, 'Sei pacific-1');
  assert.deepEqual(data.rules, { sstoreSetGas: 20_000 }, 'the SSTORE cost that matched the receipts is recorded');
  const opaque = data.opaque![0]!;
  assert.equal(opaque.index, chain.precompileIndex);
  assert.match(opaque.reason, new RegExp(SEI_BANK_PRECOMPILE.slice(2)));

  const replay = await stm(['replay', '--block', block, '--chain-id', '1329', ...QUICK, '--no-fallback', '--tx', String(chain.precompileIndex), '--json'], { STM_CACHE_DIR: cache });
  assert.equal(replay.code, 0, replay.stderr);
  const report = JSON.parse(replay.stdout) as {
    verification: { receipts: { status: string }; receiptsRoot: { status: string; note: string | null } };
    outcome: { parallelEqualsSerial: boolean | null };
    tx: { writes: Array<{ location: string }> };
  };
  assert.equal(report.verification.receipts.status, 'ok');
  assert.equal(report.verification.receiptsRoot.status, 'n/a');
  assert.equal(report.outcome.parallelEqualsSerial, true);
  assert.ok(
    report.tx.writes.some((w) => w.location.startsWith(`s:${SEI_BANK_PRECOMPILE}:`)),
    'the opaque transaction writes the slot its trace shows',
  );
});

test('a node of another chain is refused for --chain-id 1329', async () => {
  const result = await stm(['fetch', '--block', '1', '--rpc', node.url, '--chain-id', '1328'], { STM_CACHE_DIR: cache });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^stm: the node at http:\/\/127\.0\.0\.1:\d+ serves chain 1329, not chain 1328/);
});
