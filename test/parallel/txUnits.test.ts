// Units (src/parallel/txUnits.ts, src/exec/unitRun.ts): which transactions run together,
// what a unit's transactions see of each other, what the unit reads from below and writes,
// and that a unit whose wallet overdraws fails in parallel as serial replay does, never ✓.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createBlockContext } from '../../src/exec/blockContext.js';
import { ReplayVm } from '../../src/exec/replayVm.js';
import { UnitSource } from '../../src/exec/unitRun.js';
import type { CommutativeSender } from '../../src/exec/commutativeUpdates.js';
import { UNIT_MAX_TXS, blockUnits, formUnits } from '../../src/parallel/txUnits.js';
import { closeSharedPool } from '../../src/parallel/workerPool.js';
import { runInvalidBlock } from '../helpers/invalidBlockRun.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { replayParallel } from '../../src/replay/replayParallel.js';
import { ZERO_BYTES, type LocationValue } from '../../src/state/locations.js';
import { SUMMED, makeVersion, type StateSource } from '../../src/state/stateSource.js';
import { ETHER, syntheticBlock, testAccount, testAddress } from '../helpers/syntheticBlock.js';

after(() => closeSharedPool());

const sender = { balanceKey: 'b:x', nonceKey: 'n:x', nonce: 0n, minBalance: 0n } as CommutativeSender;

test('units: runs of consecutive plain transfers that commute, at most UNIT_MAX_TXS each; none when no run has two', () => {
  const plan = [sender, sender, undefined, sender, sender, sender, sender, sender, sender, sender, sender, sender, sender];
  const plain = (tx: number) => tx !== 4;
  // 0-1 | 2 (strict) | 3 | 4 (call data) | 5-12 (eight) ...
  assert.deepEqual([...formUnits(plan, plain)!], [0, 2, 3, 4, 5, 13]);
  const long = Array.from({ length: 2 * UNIT_MAX_TXS + 1 }, () => sender);
  assert.deepEqual([...formUnits(long, () => true)!], [0, UNIT_MAX_TXS, 2 * UNIT_MAX_TXS, 2 * UNIT_MAX_TXS + 1]);
  assert.equal(formUnits([sender, undefined, sender], () => true), undefined);
  assert.equal(formUnits([sender, sender], () => false), undefined);
});

/** A source below the unit: fixed values, each read counted. */
function below(values: Record<string, LocationValue>): StateSource & { count: Map<string, number> } {
  const count = new Map<string, number>();
  return {
    lastVersion: 0,
    lastContributors: undefined,
    count,
    preValue: (key) => values[key]!,
    read(key) {
      count.set(key, (count.get(key) ?? 0) + 1);
      this.lastVersion = key.startsWith('b:coinbase') ? SUMMED : makeVersion(1, 0);
      return values[key]!;
    },
  };
}

test('a unit sees its own writes and credits, reads each location from below once, and writes every last value with credits folded in', () => {
  const source = below({ 'b:a': 100n, 'n:a': 7n, 'b:coinbase': 50n, 's:0x00000000000000000000000000000000000000aa:01': Uint8Array.of(9) });
  const unit = new UnitSource(source, 3);
  assert.equal(unit.read('b:a'), 100n);
  unit.apply({ keys: ['n:a'], values: [8n], creditKeys: ['b:a', 'b:coinbase'], creditDeltas: [-30n, 5n] });
  assert.equal(unit.read('n:a'), 8n, 'its own write');
  assert.equal(unit.read('b:a'), 70n, 'below plus its credits');
  assert.equal(unit.lastVersion, SUMMED);
  unit.apply({ keys: [], values: [], creditKeys: ['b:coinbase', 'b:a'], creditDeltas: [5n, -10n] });
  assert.equal(unit.read('b:coinbase'), 60n);
  assert.equal(source.count.get('b:a'), 1, 'one read from below per location');
  assert.deepEqual(unit.reads.keys, ['b:a', 'b:coinbase']);
  assert.deepEqual(unit.reads.summedKeys, ['b:coinbase']);
  assert.deepEqual(unit.reads.summedValues, [50n]);
  unit.apply({ keys: ['b:a'], values: [55n], creditKeys: [], creditDeltas: [] });
  unit.apply({ keys: [], values: [], creditKeys: ['b:a'], creditDeltas: [1n] });
  const merged = unit.merged();
  assert.deepEqual(merged.keys, ['n:a', 'b:a']);
  assert.deepEqual(merged.values, [8n, 56n], 'a written balance with a later credit is one write');
  assert.deepEqual(merged.creditKeys, ['b:coinbase']);
  assert.deepEqual(merged.creditDeltas, [10n]);
});

test('a wipe in a unit: the account\'s storage reads zero unless written after it, its earlier slot writes are gone, and the wipe comes first', () => {
  const address = '0x00000000000000000000000000000000000000aa';
  const slot = (n: string) => `s:${address}:${n}`;
  const unit = new UnitSource(below({ [slot('01')]: Uint8Array.of(9), [slot('02')]: Uint8Array.of(4) }), 0);
  unit.apply({ keys: [slot('01')], values: [Uint8Array.of(1)], creditKeys: [], creditDeltas: [] });
  unit.apply({ keys: [`w:${address}`], values: [true], creditKeys: [], creditDeltas: [] });
  assert.equal(unit.read(slot('01')), ZERO_BYTES);
  assert.equal(unit.read(slot('02')), ZERO_BYTES);
  unit.apply({ keys: [slot('02')], values: [Uint8Array.of(3)], creditKeys: [], creditDeltas: [] });
  assert.deepEqual(unit.read(slot('02')), Uint8Array.of(3));
  assert.deepEqual(unit.merged().keys, [`w:${address}`, slot('02')]);
  assert.deepEqual(unit.reads.keys, [], 'nothing of the wiped account was read from below');
});

const wallet = testAccount(81);
const funder = testAccount(82);

/** Ten plain transfers: from one wallet (0.1 ETH each), but tx 3, which sends the wallet `funded` ETH from another sender. */
function payouts(walletBalance: bigint, funded: bigint) {
  return syntheticBlock({
    prestate: { [wallet.address]: { balance: `0x${walletBalance.toString(16)}`, nonce: 3 }, [funder.address]: { balance: `0x${(100n * ETHER).toString(16)}`, nonce: 0 } },
    txs: Array.from({ length: 10 }, (_, i) => (i === 3 ? { from: funder, to: wallet.address, value: funded } : { from: wallet, to: testAddress(0x7100 + i), value: ETHER / 10n })),
  });
}

test('a payout block runs as units and equals serial at 1, 2, 4 and 8 threads, with and without stress', async () => {
  // 0.35 ETH pays three transfers; the fourth waits for the funding at tx 3, in the same unit.
  const data = payouts((35n * ETHER) / 100n, ETHER);
  const serial = await replaySerial(data, { runs: 1, warmup: 0, threads: 2 });
  assert.deepEqual([...blockUnits(serial.ctx, serial.replay.lazyPlan)!], [0, 8, 10]);
  for (const threads of [1, 2, 4, 8]) {
    for (const seed of [undefined, 3]) {
      const stress = seed === undefined ? undefined : { seed, delayProbability: 0.2, maxDelayUs: 300, drainProbability: 0.3 };
      const parallel = await replayParallel(serial, { threads, fallback: false, runs: 1, warmup: 0, interleaveSerial: false, ...(stress ? { stress } : {}) });
      assert.ok(parallel.equalsSerial, `${threads} threads, seed ${seed}: ${JSON.stringify(parallel.firstDifference)}`);
    }
  }
});

test('a transfer to a contract that other transactions of the block also pay is not grouped; one to a contract nobody else pays is', () => {
  const game = testAddress(0x9a3e); // paid twice: its code may count the payments in its storage
  const safe = testAddress(0x5afe); // a wallet contract paid once
  const stop = '0x00'; // STOP: code all the same
  const data = syntheticBlock({
    prestate: { [wallet.address]: { balance: `0x${(10n * ETHER).toString(16)}`, nonce: 0 }, [game]: { balance: '0x0', nonce: 1, code: stop }, [safe]: { balance: '0x0', nonce: 1, code: stop } },
    txs: [
      ...[0x7200, 0x7201].map((n) => ({ from: wallet, to: testAddress(n), value: ETHER / 10n, gasLimit: 30_000n })),
      { from: wallet, to: game, value: ETHER / 10n, gasLimit: 30_000n },
      { from: wallet, to: safe, value: ETHER / 10n, gasLimit: 30_000n },
      { from: wallet, to: testAddress(0x7202), value: ETHER / 10n, gasLimit: 30_000n },
      { from: wallet, to: game, value: ETHER / 10n, gasLimit: 30_000n },
    ],
  });
  const ctx = createBlockContext(data);
  const plan = ctx.txs.map(() => sender);
  // 0-1 | 2 (the game) | 3-4 (the safe, an EOA) | 5 (the game)
  assert.deepEqual([...blockUnits(ctx, plan)!], [0, 2, 3, 5, 6]);
});

test('a wallet that overdraws inside a unit fails in parallel as it does serially: never equal, never ✓', async () => {
  // 0.35 ETH and nothing from the funder: the wallet's fourth transfer (tx 4) cannot be paid.
  const data = payouts((35n * ETHER) / 100n, 0n);
  await assert.rejects(replaySerial(data, { runs: 1, warmup: 0, threads: 2 }), /enough funds|balance/i, 'serial replay refuses the block');
  const ctx = createBlockContext(data);
  const replay = await ReplayVm.create(ctx);
  const units = blockUnits(ctx, replay.commutativePlan)!;
  for (const threads of [1, 2, 4]) {
    await assert.rejects(runInvalidBlock(ctx, replay, threads, 950 + threads, { units }), /transactions 0–7 \(run as one unit\) failed in parallel execution.*(enough funds|balance)/i, `${threads} threads`);
  }
});
