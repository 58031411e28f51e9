// stm analyze over a range fetched from a real node (anvil on 127.0.0.1): blocks replayed
// on 2 worker threads, each fetching its own block (fetching overlaps replay), every
// block's record in the results file, the node's chain id recorded, and a rerun that
// replays nothing and makes the same report offline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChain, type BuiltChain } from './anvilBlocks.js';
import { startAnvil, type AnvilNode } from './anvilNode.js';
import { QUICK, stm } from '../helpers/cliRunner.js';

let node: AnvilNode;
let chain: BuiltChain;
let dir: string;

before(async () => {
  node = await startAnvil({ hardfork: 'prague' });
  chain = await buildChain(node);
  dir = mkdtempSync(join(tmpdir(), 'stm-rpc-analyze-'));
});

after(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('analyze --rpc --jobs 2 --results: each worker fetches and replays its blocks; a rerun replays nothing', { timeout: 180_000 }, async () => {
  const range = `1..${chain.busyBlock}`;
  const results = join(dir, 'r.jsonl');
  const env = { STM_CACHE_DIR: join(dir, 'cache') };
  const first = await stm(['analyze', '--range', range, '--rpc', node.url, '--no-parallel', '--jobs', '2', '--results', results, ...QUICK, '--json'], env);
  assert.equal(first.code, 0, first.stderr);
  const report = JSON.parse(first.stdout);
  assert.equal(report.blocks.length, Number(chain.busyBlock));
  assert.deepEqual(report.chainIds, [31337]);
  const busy = report.blocks.find((b: { number: string }) => b.number === String(chain.busyBlock));
  assert.equal(busy.txCount, chain.busyTxs);
  assert.equal(busy.status, 'ok');
  assert.equal(readFileSync(results, 'utf8').trimEnd().split('\n').length, 1 + Number(chain.busyBlock));
  assert.doesNotMatch(readFileSync(results, 'utf8'), new RegExp(node.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  // The node is gone: everything comes from the results file.
  const again = await stm(['analyze', '--range', range, '--rpc', 'http://127.0.0.1:1', '--no-parallel', '--results', results, ...QUICK, '--json'], env);
  assert.equal(again.code, 0, again.stderr);
  const second = JSON.parse(again.stdout);
  assert.deepEqual(second.blocks, report.blocks);
});
