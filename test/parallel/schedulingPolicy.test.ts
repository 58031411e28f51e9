// One Block-STM scheduling policy (src/parallel/blockStmPolicy.ts) for the executor and the
// simulator: driven with the same block, both dispatch the same tasks in the same order —
// all of them at 1 thread, where nothing depends on timing. At 2 threads the executors
// claim every first incarnation from a shared queue (blockStmPolicy.ts), in the same
// order for both, and dispatch hands out re-executions only (when results arrive depends
// on the clock, real or virtual).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadBlock } from '../../src/source/blockLocator.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { independentOfSender } from '../../src/exec/commutativeUpdates.js';
import { runBlockStm } from '../../src/parallel/blockStmScheduler.js';
import { HEAVY_BLOCK_SHARE, TaskSlots, chooseChunkSize } from '../../src/parallel/taskSlots.js';
import { BlockStmPolicy, DONE, READY, REEXECUTION_PATIENCE, claimsFirstIncarnations, firstIncarnationOrder, previousSameSender, recipientIds } from '../../src/parallel/blockStmPolicy.js';
import { closeSharedPool, sharedPool } from '../../src/parallel/workerPool.js';
import { replaySerial, type SerialReplay } from '../../src/replay/replayBlock.js';
import { DEFAULT_MODEL, simulateBlockStm } from '../../src/simulate/simulateBlock.js';
import { fullOnly } from '../helpers/testTiers.js';

after(() => closeSharedPool());

type Trace = Array<[number, number, number[]]>;

async function executorTrace(serial: SerialReplay, threads: number): Promise<Trace> {
  const { ctx, replay } = serial;
  const trace: Trace = [];
  const { pool } = await sharedPool(threads - 1);
  const blockKey = `policy:${ctx.data.number}`;
  await pool.load(blockKey, ctx.data, { keys: ctx.senderPublicKeys }, 60_000, 0);
  const gasLimits = ctx.txs.map((tx) => tx.gasLimit);
  await runBlockStm(pool, ctx.pre, ctx.txs.length, {
    runId: 7000 + threads,
    blockKey,
    timeoutMs: 60_000,
    maxReexecutions: Number.POSITIVE_INFINITY,
    senders: ctx.data.block.transactions.map((tx) => tx.from.toLowerCase()),
    chunkSize: chooseChunkSize(gasLimits),
    gasLimits: gasLimits.map(Number),
    mainReplay: replay,
    commutative: replay.lazyPlan,
    onDispatch: (call, executor, txs) => trace.push([call, executor, [...txs]]),
  });
  return trace;
}

function simulatorTrace(serial: SerialReplay, threads: number): Trace {
  const { ctx, analysis } = serial;
  const trace: Trace = [];
  const gasLimits = ctx.txs.map((tx) => tx.gasLimit);
  simulateBlockStm(analysis.commutativeGraph, serial.txTimesMs, ctx.data.block.transactions.map((tx) => tx.from.toLowerCase()), threads, DEFAULT_MODEL, {
    chunk: chooseChunkSize(gasLimits),
    gasLimits: gasLimits.map(Number),
    independent: independentOfSender(serial.replay.lazyPlan),
    onDispatch: (call, executor, txs) => trace.push([call, executor, [...txs]]),
  });
  return trace;
}

for (const block of [19933597n, 12300570n, 18426253n]) {
  test(`block ${block}: the executor and the simulator dispatch the same tasks in the same order at 1 thread; at 2 both claim first incarnations and dispatch only re-executions`, block === 19933597n ? {} : fullOnly, async () => {
    const serial = await replaySerial(loadBlock(block, { fixturesDir: bundledFixturesDir() }), { runs: 1, warmup: 0 });
    const one = await executorTrace(serial, 1);
    assert.ok(one.length > 0);
    assert.deepEqual(one, simulatorTrace(serial, 1));
    const n = serial.ctx.txs.length;
    for (const two of [await executorTrace(serial, 2), simulatorTrace(serial, 2)]) {
      // Every dispatched transaction is a re-execution: at most one dispatch per re-execution, none of an unclaimed one.
      assert.ok(two.flatMap(([, , txs]) => txs).length < n, 'first incarnations are claimed, not dispatched');
    }
  });
}

test('a transaction whose sender updates commute waits for its sender\'s previous one only when both call the same recipient', () => {
  const senders = ['a', 'a', 'a', 'b', 'a', 'a'];
  const recipients = recipientIds(['x', 'y', 'y', 'y', null, null]);
  // Strict: each waits for its sender's previous transaction.
  assert.deepEqual([...previousSameSender(senders)], [-1, 0, 1, -1, 2, 4]);
  // Commutative, no recipients known: none waits.
  const independent = [true, true, true, true, true, true];
  assert.deepEqual([...previousSameSender(senders, independent)], [-1, -1, -1, -1, -1, -1]);
  // Commutative, with recipients: tx 2 calls y as tx 1 did; creations (and units of several transfers) have no recipient.
  assert.deepEqual([...previousSameSender(senders, independent, recipients)], [-1, -1, 1, -1, -1, -1]);
  // A strict transaction waits whatever it calls.
  assert.deepEqual([...previousSameSender(senders, [true, true, true, true, false, true], recipients)], [-1, -1, 1, -1, 2, -1]);
});

test('first incarnations are claimed heavy ones first (beyond the first chunks), then in index order; with the main thread alone they are dispatched', () => {
  const gasLimits = [2_000_000, 21_000, 50_000, 21_000, 21_000, 1_500_000, 21_000, 3_000_000, 21_000];
  const two = new TaskSlots(1, true, gasLimits.length, 1, gasLimits); // horizon: 2 executors × 2 tasks of 1
  assert.equal(claimsFirstIncarnations(two), true);
  assert.deepEqual(firstIncarnationOrder(two, gasLimits.length), [5, 7, 0, 1, 2, 3, 4, 6, 8]);
  assert.equal(claimsFirstIncarnations(new TaskSlots(0, true, gasLimits.length, 1, gasLimits)), false);
  assert.deepEqual(firstIncarnationOrder(new TaskSlots(1, true, 3, 1, undefined), 3), [0, 1, 2]);
});

test('heavy is large for its block: a limit above 1M that is a small share of the block, with work after it, is claimed in index order', () => {
  // 200 of 50k, ten bots' limits of 1.2M (each 3.75% of the block's 32M), 200 of 50k.
  const small = (k: number): number[] => Array.from({ length: k }, () => 50_000);
  const bots = [...small(200), ...Array.from({ length: 10 }, () => 1_200_000), ...small(200)];
  const slots = new TaskSlots(1, true, bots.length, 1, bots);
  assert.equal(bots.filter((_, tx) => slots.isHeavy(tx)).length, 0, `none is ${HEAVY_BLOCK_SHARE * 100}% of the block, and 10M of work follows them`);
  assert.deepEqual(firstIncarnationOrder(slots, bots.length), bots.map((_, tx) => tx));
  // The same limit as the block's last transaction: started last, it would run alone at the end.
  const last = [...small(400), 1_200_000];
  assert.equal(firstIncarnationOrder(new TaskSlots(1, true, last.length, 1, last), last.length)[0], 400);
  // 2.5M among 30 small ones is a large share of the block: claimed first wherever it is.
  const share = [...small(15), 2_500_000, ...small(15)];
  assert.equal(firstIncarnationOrder(new TaskSlots(1, true, share.length, 1, share), share.length)[0], 15);
});

test('a hot chain: a call aborted by the one before it follows it with no patience, and its aborted followers go behind it on its executor in one task', () => {
  const n = 6;
  const status = new Int8Array(n);
  const incarnation = new Int32Array(n);
  const slots = new TaskSlots(1, true, n, 2, undefined);
  const policy = new BlockStmPolicy(status, incarnation, slots, new Int32Array(n).fill(-1), new Int32Array(n).fill(0));
  const tasks: Array<[number, number[]]> = [];
  const deliver = (executor: number, txs: number[]): void => void tasks.push([executor, [...txs]]);
  const done = (tx: number): void => {
    slots.release(slots.taskExecutor[tx]!, tx);
    status[tx] = DONE;
    policy.wakeDependents(tx);
  };
  const abort = (tx: number, by: number): void => {
    slots.release(slots.taskExecutor[tx]!, tx);
    incarnation[tx]!++;
    policy.makeRunnable(tx, by);
  };
  policy.dispatch(deliver);
  assert.deepEqual(tasks.flatMap(([, txs]) => txs).sort(), [0, 1, 2, 3, 4, 5]);
  for (const tx of [0, 4, 5]) done(tx);
  // Three calls aborted by the previous call to the same address: it is hot from the third.
  assert.equal(policy.hotFollower(3), -1);
  abort(1, 0);
  abort(2, 1);
  // The third was aborted before, REEXECUTION_PATIENCE times now, each time by the call it
  // follows: ready at once, not deferred to the commit index.
  incarnation[3] = REEXECUTION_PATIENCE - 1;
  abort(3, 2);
  assert.equal(status[3], READY);
  assert.equal(policy.hotFollower(3), 4);
  assert.equal(policy.hotFollower(4), 5);
  // Its done followers, aborted with it, go behind it on its executor, in order.
  abort(4, 3);
  abort(5, 4);
  tasks.length = 0;
  policy.dispatch(deliver);
  const order = tasks.flatMap(([executor, txs]) => txs.map((tx) => [executor, tx] as const));
  const holder = order.find(([, tx]) => tx === 3)![0];
  assert.deepEqual(order.filter(([e, tx]) => e === holder && tx >= 3).map(([, tx]) => tx), [3, 4, 5]);
});
