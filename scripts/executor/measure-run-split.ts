// Where the time of a parallel run goes: per run of one block at THREADS threads, the
// elapsed time, the coordinator's message handling on the main thread, and each
// executor's busy time (workers, then the main thread) and GC time, beside the serial time
// and the serial replay's own GC. GC entries reach the clock on a later turn of the event
// loop, so each side starts after a short pause: without it the serial run's collections
// were counted in the parallel run's main thread (13217637: 194 ms of main-thread GC at 1
// thread, 61 ms with the pause, against 54 ms in the serial replay).
// Then the start and the end of a run (RunStats.edges): when the main thread began its first
// task and a worker claimed its first transaction, and the time from the last worker
// finding the claim queue empty to the run's end (runs of claims only).
// Block-STM applies commutative sender updates unless STRICT=1.
// Run: npm run build && THREADS=2 RUNS=7 [MAIN_TAKES_ANY=1] node dist/scripts/executor/measure-run-split.js [--fixtures DIR] block [scheduler]
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { median } from '../../src/analysis/stats.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { recipientsOf } from '../../src/replay/replayParallel.js';
import { runSerial } from '../../src/exec/serialExecutor.js';
import { runBlockStm } from '../../src/parallel/blockStmScheduler.js';
import { chooseChunkSize } from '../../src/parallel/executionRun.js';
import { runOcc } from '../../src/parallel/occScheduler.js';
import { runLocks } from '../../src/parallel/lockScheduler.js';
import { gcMs } from '../../src/parallel/gcClock.js';
import { closeSharedPool, sharedPool } from '../../src/parallel/workerPool.js';

const args = process.argv.slice(2);
let dir = bundledFixturesDir();
if (args[0] === '--fixtures') { dir = args[1]; args.splice(0, 2); }
const block = BigInt(args[0] ?? 19933597);
const scheduler = args[1] ?? 'blockstm';
const threads = Number(process.env.THREADS ?? 2);
const runs = Number(process.env.RUNS ?? 7);
const data = loadBlock(block, { fixturesDir: dir });
const serial = await replaySerial(data, { runs: 3, warmup: 2, threads });
const { ctx } = serial;
const { pool } = await sharedPool(threads - 1);
const blockKey = `${ctx.data.chainId}:${ctx.data.number}:${ctx.data.block.hash}`;
await pool.load(blockKey, ctx.data, { keys: ctx.senderPublicKeys }, 60_000, 3);
const senders = ctx.data.block.transactions.map((tx) => tx.from.toLowerCase());
const recipients = recipientsOf(ctx.data);
const chunkSize = chooseChunkSize(ctx.txs.map((tx) => tx.gasLimit));
// As stm runs it; MAIN_TAKES_ANY=1 lets the main thread take any transaction (no gas limits given).
const gasLimits = process.env.MAIN_TAKES_ANY ? undefined : ctx.txs.map((tx) => Number(tx.gasLimit));
let runId = 1;
interface Row {
  serialMs: number;
  elapsed: number;
  coord: number;
  busy: number[];
  reexec: number;
  gc: number[];
  serialGc: number;
  mainFirstTask: number;
  workerFirstClaim: number;
  claimsDoneToEnd: number;
}
/** A pause of a few event-loop turns: the GC clock's entries arrive there. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
const rows: Row[] = [];
for (let i = 0; i < runs + 2; i++) {
  await settle();
  const gcBefore = gcMs();
  const serialMs = (await runSerial(serial.replay)).executionMs;
  await settle();
  const serialGc = gcMs() - gcBefore;
  const options = { runId: runId++, blockKey, timeoutMs: 60_000, senders, recipients, chunkSize, gasLimits, mainReplay: serial.replay, maxReexecutions: Infinity, ...(scheduler === 'blockstm' && process.env.STRICT !== '1' ? { commutative: serial.replay.lazyPlan } : {}) };
  const r = scheduler === 'occ' ? await runOcc(pool, ctx.pre, ctx.txs.length, options)
    : scheduler === 'locks' ? await runLocks(pool, ctx.pre, ctx.txs.length, { ...options, declaredPreds: serial.analysis.graph.preds })
    : await runBlockStm(pool, ctx.pre, ctx.txs.length, options);
  const { edges } = r.stats;
  const claimed = edges.workerFirstClaimMs.filter((ms) => ms >= 0);
  const done = edges.workerClaimsDoneMs.filter((ms) => ms >= 0);
  if (i >= 2) {
    rows.push({
      serialMs, elapsed: r.elapsedMs, coord: r.stats.coordinatorBusyMs, busy: r.stats.workerBusyMs, reexec: r.stats.incarnations.reduce((a, b) => a + b - 1, 0), gc: r.stats.gcMs, serialGc,
      mainFirstTask: edges.mainFirstTaskMs,
      workerFirstClaim: claimed.length === 0 ? NaN : Math.min(...claimed),
      claimsDoneToEnd: done.length === 0 ? NaN : r.elapsedMs - Math.max(...done),
    });
  }
}
const m = (f: (row: Row) => number): number => median(rows.map(f));
console.log(`block ${block} ${scheduler} threads ${threads} chunk ${chunkSize} txs ${ctx.txs.length}`);
console.log(`serial ${m((r) => r.serialMs).toFixed(1)} ms  parallel ${m((r) => r.elapsed).toFixed(1)} ms  speedup ${(m((r) => r.serialMs) / m((r) => r.elapsed)).toFixed(2)}  re-executions ${m((r) => r.reexec)}`);
console.log(`coordinator ${m((r) => r.coord).toFixed(1)} ms  executor busy: ${rows[0]!.busy.map((_, w) => m((r) => r.busy[w]).toFixed(1)).join(' / ')} ms (workers, then main)`);
console.log(`GC ${rows[0]!.gc.map((_, w) => m((r) => r.gc[w]!).toFixed(1)).join(' / ')} ms (workers, then the main thread); serial replay ${m((r) => r.serialGc).toFixed(1)} ms`);
const known = (f: (row: Row) => number): string => {
  const values = rows.map(f).filter((v) => Number.isFinite(v) && v >= 0);
  return values.length === 0 ? '–' : `${median(values).toFixed(2)} ms`;
};
console.log(
  `start: the main thread's first task ${known((r) => r.mainFirstTask)}, a worker's first claim ${known((r) => r.workerFirstClaim)}; ` +
    `end: from the last worker finding the claim queue empty to the run's end ${known((r) => r.claimsDoneToEnd)} (medians)`,
);
await closeSharedPool();
