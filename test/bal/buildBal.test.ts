// The access list stm builds from a serial replay, on real mainnet blocks: it is a valid
// EIP-7928 list (ethereumjs's structure checks), its RLP round-trips to the same hash, and
// its indices follow the EIP: 0 = the prelude's system writes, 1..n = the transactions,
// n + 1 = the withdrawals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex, createBlockLevelAccessListFromRLP, createBlockLevelAccessListFromJSON, validateBlockAccessListStructure } from '@ethereumjs/util';
import { loadBlock } from '../../src/source/blockLocator.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { buildBlockAccessList } from '../../src/bal/buildBal.js';
import { summarizeBal } from '../../src/bal/balSummary.js';
import { fullOnly } from '../helpers/testTiers.js';

const BEACON_ROOTS = '0x000f3df6d732807ef1319fb7b8bb8522d0beac02';

test('the access list of cancun block 19933597 is valid, round-trips through RLP and JSON, and places the prelude at 0 and the withdrawals at n + 1', async () => {
  const replay = await replaySerial(loadBlock(19933597n, { fixturesDir: bundledFixturesDir() }), { runs: 1, warmup: 0 });
  const bal = buildBlockAccessList(replay);
  validateBlockAccessListStructure(bal);
  assert.equal(bytesToHex(createBlockLevelAccessListFromRLP(bal.serialize()).hash()), bytesToHex(bal.hash()));
  assert.equal(bytesToHex(createBlockLevelAccessListFromJSON(bal.toJSON()).hash()), bytesToHex(bal.hash()));

  const n = replay.ctx.txs.length;
  const json = bal.toJSON();
  const beacon = json.find((a) => a.address === BEACON_ROOTS)!;
  // The fixture's pre-state lists the beacon-roots contract only when a transaction touched
  // it; without its code the prelude addresses it and writes nothing, as ethereumjs does.
  assert.ok(beacon !== undefined, 'the beacon-roots contract is listed (addressed at index 0)');
  assert.ok(beacon.storageChanges.every((s) => s.slotChanges.every((c) => c.blockAccessIndex === '0x00')));
  const coinbase = json.find((a) => a.address === replay.ctx.coinbase)!;
  assert.ok(coinbase.balanceChanges.length >= n - 5, 'the fee recipient\'s balance changes at (nearly) every transaction');
  const withdrawals = replay.ctx.block.withdrawals ?? [];
  assert.ok(withdrawals.length > 0);
  for (const w of withdrawals) {
    const account = json.find((a) => a.address === w.address.toString())!;
    assert.ok(account.balanceChanges.some((c) => Number.parseInt(c.blockAccessIndex, 16) === n + 1), `withdrawal to ${w.address} at index n + 1`);
  }
  const summary = summarizeBal(bal, replay.ctx.block.header.gasLimit);
  assert.equal(summary.counts.accounts, json.length);
  assert.ok(summary.withinLimit && summary.items <= summary.maxItems);
  assert.ok(summary.gzipBytes < summary.rlpBytes);
});

test('a storage write that restores the value a slot had before its transaction is a read, never a change', fullOnly, async () => {
  // Every bundled block: no change entry repeats the value before it (per slot, in index order, from the pre-state).
  for (const number of [5283152n, 13217637n, 19933597n]) {
    const replay = await replaySerial(loadBlock(number, { fixturesDir: bundledFixturesDir() }), { runs: 1, warmup: 0 });
    for (const account of buildBlockAccessList(replay).toJSON()) {
      for (const { slot, slotChanges } of account.storageChanges) {
        const key = 's:' + account.address + ':0x' + slot.slice(2).padStart(64, '0');
        let before = bytesToHex(replay.ctx.pre.get(key) as Uint8Array);
        for (const change of slotChanges) {
          assert.notEqual(change.postValue, before, `block ${number}: ${account.address} slot ${slot} at ${change.blockAccessIndex} repeats its value`);
          before = change.postValue;
        }
        assert.ok(!account.storageReads.includes(slot), 'a changed slot is not also a read');
      }
      for (const field of ['balanceChanges', 'nonceChanges'] as const) {
        const values = account[field].map((c) => ('postBalance' in c ? c.postBalance : c.postNonce));
        for (let i = 1; i < values.length; i++) assert.notEqual(values[i], values[i - 1], `block ${number}: ${account.address} ${field} repeats a value`);
      }
    }
  }
});
