// stm's block-level access lists against ethereumjs's own generator, byte for byte, on
// every block of a Prague dev chain (anvil, started here): transfers, token calls, a
// reverting call, an in-block deployment, a BLOCKHASH call. ethereumjs builds a list only
// under Prague-or-later rules, so historic mainnet blocks cannot be checked this way
// (docs/bal.md says which cases are covered and why).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@ethereumjs/util';
import { buildChain, type BuiltChain } from '../rpc/anvilBlocks.js';
import { startAnvil, type AnvilNode } from '../rpc/anvilNode.js';
import { stm } from '../helpers/cliRunner.js';
import { vmBlockAccessList } from '../helpers/vmBal.js';
import { loadBlock } from '../../src/data/blockLocator.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { buildBlockAccessList } from '../../src/bal/buildBal.js';

let node: AnvilNode;
let chain: BuiltChain;
let cache: string;

before(async () => {
  node = await startAnvil({ hardfork: 'prague' });
  chain = await buildChain(node);
  cache = mkdtempSync(join(tmpdir(), 'stm-bal-test-'));
  const fetched = await stm(['fetch', '--range', `1..${chain.busyBlock}`, '--rpc', node.url], { STM_CACHE_DIR: cache });
  assert.equal(fetched.code, 0, fetched.stderr);
});

after(async () => {
  await node?.stop();
  if (cache !== undefined) rmSync(cache, { recursive: true, force: true });
});

test('on every block of a Prague dev chain, stm\'s access list is byte-identical to the one ethereumjs builds while executing', async () => {
  let checked = 0;
  let accounts = 0;
  for (let n = 1n; n <= chain.busyBlock; n++) {
    const data = loadBlock(n, { chainId: 31337, env: { ...process.env, STM_CACHE_DIR: cache } });
    const replay = await replaySerial(data, { runs: 1, warmup: 0, threads: 2 });
    const ours = buildBlockAccessList(replay);
    const theirs = await vmBlockAccessList(data);
    assert.deepEqual(ours.toJSON(), theirs.toJSON(), `block ${n}: the JSON forms differ`);
    assert.equal(bytesToHex(ours.serialize()), bytesToHex(theirs.serialize()), `block ${n}: the RLP differs`);
    checked++;
    accounts += ours.raw().length;
  }
  assert.equal(checked, Number(chain.busyBlock));
  process.stderr.write(`# cross-checked ${checked} Prague blocks (${accounts} account entries in all), byte-identical\n`);
});
