// stm's block-level access lists against ethereumjs's own generator, byte for byte, on
// every block of a Prague dev chain (anvil, started here): transfers, token calls, a
// reverting call, an in-block deployment, a BLOCKHASH call, and a block of the EIP's edge
// cases (edgeBlocks.ts: restoring and reverted writes, a net-zero balance, a precompile, a
// change undone at a later index, BALANCE/EXTCODESIZE probes, SELFDESTRUCT, a contract
// destroyed in its constructor, zero-value and self transfers, an unused access list, an
// EIP-7702 delegation). ethereumjs builds a list only
// under Prague-or-later rules, so historic mainnet blocks cannot be checked this way
// (docs/bal.md says which cases are covered and why).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@ethereumjs/util';
import { buildChain, type BuiltChain } from '../rpc/anvilBlocks.js';
import { buildEdgeBlocks } from './edgeBlocks.js';
import { startAnvil, type AnvilNode } from '../rpc/anvilNode.js';
import { stm } from '../helpers/cliRunner.js';
import { vmBlockAccessList } from '../helpers/vmBal.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { buildBlockAccessList } from '../../src/bal/buildBal.js';

let node: AnvilNode;
let chain: BuiltChain;
let cache: string;
let lastBlock: bigint;
let edge: Awaited<ReturnType<typeof buildEdgeBlocks>>;

before(async () => {
  node = await startAnvil({ hardfork: 'prague' });
  chain = await buildChain(node);
  edge = await buildEdgeBlocks(node);
  lastBlock = edge.edgeBlock;
  cache = mkdtempSync(join(tmpdir(), 'stm-bal-test-'));
  const fetched = await stm(['fetch', '--range', `1..${lastBlock}`, '--rpc', node.url], { STM_CACHE_DIR: cache });
  assert.equal(fetched.code, 0, fetched.stderr);
});

after(async () => {
  await node?.stop();
  if (cache !== undefined) rmSync(cache, { recursive: true, force: true });
});

test('on every block of a Prague dev chain, stm\'s access list is byte-identical to the one ethereumjs builds while executing', async () => {
  let checked = 0;
  let accounts = 0;
  for (let n = 1n; n <= lastBlock; n++) {
    const data = loadBlock(n, { chainId: 31337, env: { ...process.env, STM_CACHE_DIR: cache } });
    const replay = await replaySerial(data, { runs: 1, warmup: 0, threads: 2 });
    const ours = buildBlockAccessList(replay);
    const theirs = await vmBlockAccessList(data);
    assert.deepEqual(ours.toJSON(), theirs.toJSON(), `block ${n}: the JSON forms differ`);
    assert.equal(bytesToHex(ours.serialize()), bytesToHex(theirs.serialize()), `block ${n}: the RLP differs`);
    checked++;
    accounts += ours.raw().length;
  }
  assert.equal(checked, Number(lastBlock));
  assert.ok(chain.busyBlock < lastBlock);
  process.stderr.write(`# cross-checked ${checked} Prague blocks (${accounts} account entries in all), byte-identical\n`);
});

test('the edge-case block shows the EIP\'s rules: restored and reverted writes are reads, net-zero balances no change, a change undone later stays two changes, probes listed, an unused access list not, a 7702 delegation a code and nonce change', async () => {
  const data = loadBlock(edge.edgeBlock, { chainId: 31337, env: { ...process.env, STM_CACHE_DIR: cache } });
  const bal = buildBlockAccessList(await replaySerial(data, { runs: 1, warmup: 0, threads: 2 })).toJSON();
  const account = (address: string) => bal.find((a) => a.address === address);
  const restore = account(edge.at.restore!)!;
  assert.deepEqual(restore.storageChanges, [], 'slot 0 written 1 then back to 0: no change');
  assert.ok(restore.storageReads.includes('0x') && restore.storageReads.includes('0x05'));
  const revertWrite = account(edge.at.revertWrite!)!;
  assert.deepEqual([revertWrite.storageChanges, revertWrite.storageReads], [[], ['0x01']], 'a reverted write is a read');
  assert.deepEqual(account(edge.at.bounce!)!.balanceChanges, [], 'value in and out in one transaction: no balance change');
  assert.deepEqual(account(edge.at.giveBack!)!.balanceChanges, [], 'SELFDESTRUCT hands the value straight back: no balance change');
  const toggle = account(edge.at.toggle!)!.storageChanges;
  assert.deepEqual(toggle.map((s) => [s.slot, s.slotChanges.map((c) => c.postValue)]), [['0x', ['0x01', '0x']]], 'changed at one index, undone at a later one');
  const probed = account(edge.probed)!;
  assert.deepEqual([probed.balanceChanges, probed.nonceChanges, probed.codeChanges, probed.storageChanges, probed.storageReads], [[], [], [], [], []]);
  assert.ok(account('0x0000000000000000000000000000000000000002') !== undefined, 'the sha256 precompile is listed');
  assert.equal(account(edge.unused), undefined, 'an address only named in an access list is not listed');
  const authority = account(edge.authority)!;
  assert.equal(authority.codeChanges.length, 1, 'the EIP-7702 delegation is a code change of the authority');
  assert.ok(authority.codeChanges[0]!.newCode.startsWith('0xef0100'), 'a delegation designator');
  assert.equal(authority.nonceChanges.length, 1, 'the authorization bumps the authority\'s nonce');
});
