/**
 * TxState, the state one transaction sees and where its read and write sets are recorded
 * (src/state/txState.ts), on a real BlockState over a PreState, without a VM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Account, Address, hexToBytes } from '@ethereumjs/util';
import { BlockState } from '../../src/state/blockState.js';
import { PreState } from '../../src/state/preState.js';
import { PRE_STATE, SUMMED, makeVersion } from '../../src/state/stateSource.js';
import { CREDIT_BASE, TxState, type WriteSet } from '../../src/state/txState.js';

const ALICE = '0x' + 'a1'.repeat(20);
const BOB = '0x' + 'b2'.repeat(20);
const COINBASE = '0x' + 'c0'.repeat(20);
const CONTRACT = '0x' + 'cc'.repeat(20);
const NOBODY = '0x' + '00'.repeat(19) + '09';
const SLOT = new Uint8Array(32);
SLOT[31] = 1;
const SLOT_KEY = 's:' + CONTRACT + ':0x' + '00'.repeat(31) + '01';

const at = (hex: string): Address => new Address(hexToBytes(hex as `0x${string}`));

function world(): { pre: PreState; block: BlockState } {
  const pre = new PreState({
    [ALICE]: { balance: '0x64', nonce: 1 }, // 100 wei
    [BOB]: { balance: '0x0a', nonce: 0 }, // 10 wei
    [COINBASE]: { balance: '0x3e8' }, // 1000 wei
    [CONTRACT]: { balance: '0x0', nonce: 1, code: '0x6000', storage: { '0x01': '0x2a' } },
  });
  return { pre, block: new BlockState(pre) };
}

function txState(block: BlockState, txIndex: number): TxState {
  const state = new TxState({ coinbase: COINBASE, deletesEmptyAccounts: true, lazyDebits: true });
  state.begin(txIndex, block);
  return state;
}

function writesOf(writes: WriteSet): Record<string, unknown> {
  return Object.fromEntries(writes.keys.map((key, i) => [key, writes.values[i]]));
}

test('the first read of a location goes to the source and is recorded with its version; later reads are served locally', async () => {
  const { block } = world();
  const tx0 = txState(block, 0);
  assert.equal((await tx0.getAccount(at(ALICE)))!.balance, 100n);
  assert.equal((await tx0.getAccount(at(ALICE)))!.balance, 100n);
  assert.deepEqual(tx0.readSet.keys, ['e:' + ALICE, 'b:' + ALICE], 'existence and balance, each once');
  assert.deepEqual(tx0.readSet.versions, [PRE_STATE, PRE_STATE]);

  const alice = (await tx0.getAccount(at(ALICE)))!;
  alice.balance = 90n;
  await tx0.putAccount(at(ALICE), alice);
  block.commit(0, tx0.finish());

  const tx1 = txState(block, 1);
  assert.equal((await tx1.getAccount(at(ALICE)))!.balance, 90n);
  assert.equal(tx1.readVersionOf('b:' + ALICE), makeVersion(0, 0), 'the balance tx 0 wrote');
  assert.equal(tx1.readVersionOf('e:' + ALICE), PRE_STATE);
});

test('a write that leaves a value as it was is no write (ethereumjs rewrites every CALL target)', async () => {
  const { block } = world();
  const tx = txState(block, 0);
  const bob = (await tx.getAccount(at(BOB)))!;
  await tx.putAccount(at(BOB), bob);
  await tx.getStorage(at(CONTRACT), SLOT); // SSTORE reads the slot first
  await tx.putStorage(at(CONTRACT), SLOT, hexToBytes('0x2a'));
  assert.deepEqual(tx.finish().keys, []);
});

test('a write to a location never read (a blind write) always counts: its original is unknown', async () => {
  const { block } = world();
  const tx = txState(block, 0);
  await tx.putStorage(at(CONTRACT), SLOT, hexToBytes('0x2a'));
  assert.deepEqual(tx.finish().keys, [SLOT_KEY]);
  assert.deepEqual(tx.readSet.keys, []);
});

test('revert unwinds every write since its checkpoint; commit keeps them', async () => {
  const { block } = world();
  const tx = txState(block, 0);
  await tx.checkpoint();
  await tx.putStorage(at(CONTRACT), SLOT, hexToBytes('0x07'));
  await tx.checkpoint();
  await tx.putStorage(at(CONTRACT), SLOT, hexToBytes('0x08'));
  await tx.modifyAccountFields(at(BOB), { nonce: 5n });
  await tx.revert();
  assert.deepEqual(await tx.getStorage(at(CONTRACT), SLOT), hexToBytes('0x07'));
  assert.equal((await tx.getAccount(at(BOB)))!.nonce, 0n);
  await tx.commit();
  assert.deepEqual(writesOf(tx.finish()), { [SLOT_KEY]: hexToBytes('0x07') });
});

test('a transfer into a balance the transaction has not read is a commutative credit, not a read and a write', async () => {
  const { block } = world();
  const tx = txState(block, 0);
  assert.equal(tx.creditBalance(BOB, 5n), true);
  const writes = tx.finish();
  assert.deepEqual(writes.keys, []);
  assert.deepEqual(writes.creditKeys, ['b:' + BOB]);
  assert.deepEqual(writes.creditDeltas, [5n]);
  assert.deepEqual(tx.readSet.keys, [], 'nothing read');
  block.commit(0, writes);

  // A later transaction that reads the balance sees base + credits, a SUMMED read naming tx 0.
  const next = txState(block, 1);
  assert.equal((await next.getAccount(at(BOB)))!.balance, 15n);
  assert.equal(next.readVersionOf('b:' + BOB), SUMMED);
  assert.deepEqual(next.readSet.summed.get('b:' + BOB), { value: 15n, contributors: [0] });
});

test('a credited balance read later in the same transaction becomes an ordinary read and write; a revert brings the credit back', async () => {
  const { block } = world();
  const tx = txState(block, 0);
  await tx.checkpoint();
  assert.equal(tx.creditBalance(BOB, 5n), true);
  await tx.checkpoint();
  assert.equal((await tx.getAccount(at(BOB)))!.balance, 15n);
  assert.equal(tx.creditBalance(BOB, 1n), false, 'a read balance takes transfers as ordinary writes');
  await tx.revert();
  await tx.commit();
  const writes = tx.finish();
  assert.deepEqual(writes.creditKeys, ['b:' + BOB]);
  assert.deepEqual(writes.creditDeltas, [5n]);
  assert.deepEqual(writes.keys, []);
});

test('transfers to the coinbase are ordinary; the fee paid after execution (phase "post") is a credit', async () => {
  const { block } = world();
  const tx = txState(block, 0);
  assert.equal(tx.creditBalance(COINBASE, 1n), false, 'a transfer to the coinbase is an ordinary read and write');
  tx.phase = 'post';
  const coinbase = (await tx.getAccount(at(COINBASE)))!;
  assert.equal(coinbase.balance, CREDIT_BASE, 'a placeholder balance: the real one is not read');
  coinbase.balance += 21n;
  await tx.putAccount(at(COINBASE), coinbase);
  const writes = tx.finish();
  assert.deepEqual(writes.creditKeys, ['b:' + COINBASE]);
  assert.deepEqual(writes.creditDeltas, [21n]);
  assert.deepEqual(tx.readSet.keys, ['e:' + COINBASE], 'only that the coinbase exists');
});

test('clearing storage writes the wipe marker first and zeroes the slots touched; a read after it is zero', async () => {
  const { block } = world();
  const tx = txState(block, 3);
  assert.deepEqual(await tx.getStorage(at(CONTRACT), SLOT), hexToBytes('0x2a'));
  assert.deepEqual(tx.readSet.keys, ['w:' + CONTRACT, SLOT_KEY], 'the first storage read also reads the wipe marker');
  await tx.clearStorage(at(CONTRACT));
  assert.equal((await tx.getStorage(at(CONTRACT), SLOT)).length, 0);
  const writes = tx.finish();
  assert.equal(writes.keys[0], 'w:' + CONTRACT, 'wipes come first');
  assert.equal(writes.values[0], 4, 'the wipe token names the transaction (index + 1)');
  assert.deepEqual(writes.values[writes.keys.indexOf(SLOT_KEY)], new Uint8Array(0));
  block.commit(3, writes);

  const next = txState(block, 4);
  assert.equal((await next.getStorage(at(CONTRACT), SLOT)).length, 0);
  assert.equal(next.readVersionOf(SLOT_KEY), makeVersion(3, 0), 'the wipe is the slot\'s last writer');
});

test('deleting an account that never existed writes nothing; deleting one that did clears every field', async () => {
  const { block } = world();
  const tx = txState(block, 0);
  await tx.deleteAccount(at(NOBODY));
  assert.deepEqual(tx.finish().keys, []);
  await tx.deleteAccount(at(BOB));
  const writes = writesOf(tx.finish());
  assert.equal(writes['e:' + BOB], false);
  assert.equal(writes['b:' + BOB], 0n);
  assert.equal(writes['w:' + BOB], 1);
});

test('a fresh account object writes existence, nonce and balance; fields of an account known not to exist need no read', async () => {
  const { block } = world();
  const tx = txState(block, 0);
  assert.equal(await tx.getAccount(at(NOBODY)), undefined);
  await tx.putAccount(at(NOBODY), new Account(0n, 7n));
  const writes = writesOf(tx.finish());
  assert.deepEqual(writes, { ['e:' + NOBODY]: true, ['b:' + NOBODY]: 7n });
  assert.deepEqual(tx.readSet.keys, ['e:' + NOBODY], 'only existence was read');
});
