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
// Per executor: its incarnations, its busy time over the serial time of its transactions
// (each round's serial run gives the per-transaction times), and its final incarnations'
// own time (inside ReplayVm.run) over the same. The process's CPU per wall ms, serial and
// parallel, and per thread (Linux: /proc/self/task/*/schedstat) the ms on a CPU and the ms
// runnable but waiting for one, in the parallel run and in this machine's bound measured in
// the same round (the main thread's serial replay beside worker 0's: replayParallel's
// measureBound). "The worker" is the busiest thread besides the main one; the rest is V8's
// own threads (GC helpers, the optimising compiler) and libuv's.
// The executor first warms up as stm replay warms a cold process (WarmupRuns, WARM asked, default 3).
// Block-STM applies commutative sender updates unless STRICT=1.
// MAIN=0: the main thread only coordinates (the workers' own cost per transaction, beside the serial time).
// STALLS=1: per run, how worker 0's time above serial is spread over its transactions.
// Run: npm run build && THREADS=2 RUNS=7 [MAIN_TAKES_ANY=1] [MAIN=0] [STALLS=1] node dist/scripts/executor/measure-run-split.js [--fixtures DIR] block [scheduler]
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { median } from '../../src/analysis/stats.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { recipientsOf } from '../../src/replay/replayParallel.js';
import { runSerial } from '../../src/exec/serialExecutor.js';
import { WarmupRuns } from '../../src/replay/measurementPlan.js';
import { runBlockStm } from '../../src/parallel/blockStmScheduler.js';
import { blockUnits, unitsOption } from '../../src/parallel/txUnits.js';
import { chooseChunkSize } from '../../src/parallel/executionRun.js';
import { runOcc } from '../../src/parallel/occScheduler.js';
import { runLocks } from '../../src/parallel/lockScheduler.js';
import { gcMs } from '../../src/parallel/gcClock.js';
import { closeSharedPool, sharedPool } from '../../src/parallel/workerPool.js';
import { threadTimes, threadTimesSince } from './threadCpu.js';

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
  executed: number[][];
  txMs: number[];
  runMs: number[];
  serialCpu: number;
  sched: ReturnType<typeof threadTimesSince>;
  together: number;
  togetherSched: ReturnType<typeof threadTimesSince> | undefined;
  parallelCpu: number;
  reexec: number;
  gc: number[];
  serialGc: number;
  mainFirstTask: number;
  workerFirstClaim: number;
  claimsDoneToEnd: number;
}
const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;
/** A pause of a few event-loop turns: the GC clock's entries arrive there. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
const runOptions = () => ({ runId: runId++, blockKey, timeoutMs: 60_000, senders, recipients, chunkSize, gasLimits, ...(process.env.MAIN === '0' ? {} : { mainReplay: serial.replay }), maxReexecutions: Infinity, ...(scheduler === 'blockstm' && process.env.STRICT !== '1' ? { commutative: serial.replay.lazyPlan, ...unitsOption(blockUnits(ctx, serial.replay.lazyPlan)) } : {}) });
const runOnce = (options: ReturnType<typeof runOptions>) =>
  scheduler === 'occ' ? runOcc(pool, ctx.pre, ctx.txs.length, options)
    : scheduler === 'locks' ? runLocks(pool, ctx.pre, ctx.txs.length, { ...options, declaredPreds: serial.analysis.graph.preds })
    : runBlockStm(pool, ctx.pre, ctx.txs.length, options);
// The executor warmed as stm replay warms a cold process's (WarmupRuns; WARM asked, default 3).
const warming = new WarmupRuns(Number(process.env.WARM ?? 3), ctx.txs.length, 'executor');
while (warming.another()) warming.ran((await runOnce(runOptions())).elapsedMs);
const rows: Row[] = [];
for (let i = 0; i < runs + 2; i++) {
  await settle();
  const gcBefore = gcMs();
  const cpuSerial = process.cpuUsage();
  const serialRun = await runSerial(serial.replay);
  const serialCpu = cpuMs(process.cpuUsage(cpuSerial));
  const serialMs = serialRun.executionMs;
  const txMs = serialRun.txs.map((tx) => tx.timeMs);
  await settle();
  const serialGc = gcMs() - gcBefore;
  const options = runOptions();
  const cpuParallel = process.cpuUsage();
  const schedBefore = threadTimes();
  const r = await runOnce(options);
  const parallelCpu = cpuMs(process.cpuUsage(cpuParallel));
  const sched = threadTimesSince(schedBefore);
  // This machine's bound in the same round: the main thread's serial replay while worker 0 replays serially over and over (replayParallel's measureBound), with the same per-thread accounting.
  let together = NaN;
  let togetherSched: ReturnType<typeof threadTimesSince> | undefined;
  if (pool.size > 0) {
    await settle();
    const beside = pool.replaySeriallyBeside(blockKey, 60_000);
    const before = threadTimes();
    try {
      together = (await runSerial(serial.replay)).executionMs;
      togetherSched = threadTimesSince(before);
    } finally {
      await beside.stop();
    }
  }
  const { edges } = r.stats;
  const claimed = edges.workerFirstClaimMs.filter((ms) => ms >= 0);
  const done = edges.workerClaimsDoneMs.filter((ms) => ms >= 0);
  if (i >= 2) {
    rows.push({
      serialMs, elapsed: r.elapsedMs, coord: r.stats.coordinatorBusyMs, busy: r.stats.workerBusyMs, executed: r.stats.executed, txMs, runMs: r.outcomes.map((o) => o.timeMs), serialCpu, parallelCpu, sched, together, togetherSched, reexec: r.stats.incarnations.reduce((a, b) => a + b - 1, 0), gc: r.stats.gcMs, serialGc,
      mainFirstTask: edges.mainFirstTaskMs,
      workerFirstClaim: claimed.length === 0 ? NaN : Math.min(...claimed),
      claimsDoneToEnd: done.length === 0 ? NaN : r.elapsedMs - Math.max(...done),
    });
  }
}
const m = (f: (row: Row) => number): number => median(rows.map(f));
/** Per executor w, over the rows: the transactions of its final incarnations (each once). */
const finalTxs = (r: Row, w: number): number[] => [...new Set(r.executed[w]!)];
const sumOf = (txs: number[], ms: number[]): number => txs.reduce((sum, tx) => sum + ms[tx]!, 0);
const perExecutor = (f: (r: Row, w: number) => number, digits = 2): string => rows[0]!.busy.map((_, w) => m((r) => f(r, w)).toFixed(digits)).join(' / ');
if (process.env.STALLS === '1') {
  // Where worker 0's own time above its transactions' serial time goes: a few long stalls or all transactions a little.
  for (const r of rows) {
    const txs = finalTxs(r, 0);
    const excess = txs.map((tx) => r.runMs[tx]! - r.txMs[tx]!).sort((a, b) => b - a);
    const top = (k: number) => excess.slice(0, k).reduce((a, b) => a + b, 0).toFixed(1);
    console.log(`worker 0: ${txs.length} transactions, ${top(txs.length)} ms above their serial time, the 5 largest ${excess.slice(0, 5).map((x) => x.toFixed(2)).join(' ')} ms, the 10 largest ${top(10)} ms; it waited for a CPU ${r.sched.worker[1].toFixed(1)} ms, V8's own threads ran ${r.sched.rest[0].toFixed(1)} ms`);
  }
}
console.log(`block ${block} ${scheduler} threads ${threads} chunk ${chunkSize} txs ${ctx.txs.length}`);
console.log(`serial ${m((r) => r.serialMs).toFixed(1)} ms (its transactions ${m((r) => r.txMs.reduce((a, b) => a + b, 0)).toFixed(1)} ms)  parallel ${m((r) => r.elapsed).toFixed(1)} ms  speedup ${(m((r) => r.serialMs) / m((r) => r.elapsed)).toFixed(2)}  re-executions ${m((r) => r.reexec)}`);
console.log(`coordinator ${m((r) => r.coord).toFixed(1)} ms  executor busy: ${perExecutor((r, w) => r.busy[w]!, 1)} ms (workers, then main)`);
console.log(
  `per executor: incarnations ${perExecutor((r, w) => r.executed[w]!.length, 0)}; busy / the serial time of their transactions ${perExecutor((r, w) => r.busy[w]! / sumOf(r.executed[w]!, r.txMs))}; ` +
    `the final incarnations' own time / serial ${perExecutor((r, w) => sumOf(finalTxs(r, w), r.runMs) / sumOf(finalTxs(r, w), r.txMs))}, at the median transaction ${perExecutor((r, w) => median(finalTxs(r, w).map((tx) => r.runMs[tx]! / r.txMs[tx]!)))}`,
);
console.log(`process CPU per wall ms (all threads, V8's own included): serial ${m((r) => r.serialCpu / r.serialMs).toFixed(2)}, parallel ${m((r) => r.parallelCpu / r.elapsed).toFixed(2)}`);
const sched = (f: (r: Row) => ReturnType<typeof threadTimesSince>) => {
  const t = (g: (s: ReturnType<typeof threadTimesSince>) => number) => m((r) => g(f(r))).toFixed(1);
  return `main ${t((s) => s.main[0])} / ${t((s) => s.main[1])}, worker ${t((s) => s.worker[0])} / ${t((s) => s.worker[1])}, V8's and libuv's threads ${t((s) => s.rest[0])} / ${t((s) => s.rest[1])}`;
};
console.log(`threads in the parallel run, ms on a CPU / ms runnable and waiting for one: ${sched((r) => r.sched)}`);
if (rows[0]!.togetherSched !== undefined) {
  const bound = m((r) => r.serialMs / r.together);
  console.log(`the bound in the same rounds: serial alone ${m((r) => r.serialMs).toFixed(1)} ms, beside worker 0's serial replays ${m((r) => r.together).toFixed(1)} ms (m ${bound.toFixed(2)}, bound ${(2 * bound).toFixed(2)}); its threads: ${sched((r) => r.togetherSched!)}`);
  // On two saturated cores a run's wall time is its CPU over the CPU the machine gives per
  // wall ms, so the share of the bound is what one serial replay costs beside another over
  // what the parallel run costs, times the ratio of their CPU per wall ms.
  const onCpu = (s: ReturnType<typeof threadTimesSince>): number => s.main[0] + s.worker[0] + s.rest[0];
  const parCpu = m((r) => onCpu(r.sched));
  const perReplay = m((r) => onCpu(r.togetherSched!) / 2);
  const parRate = m((r) => onCpu(r.sched) / r.elapsed);
  const pairRate = m((r) => onCpu(r.togetherSched!) / r.together);
  const split = (f: (s: ReturnType<typeof threadTimesSince>) => number) => `${m((r) => f(r.sched)).toFixed(1)} vs ${m((r) => f(r.togetherSched!) / 2).toFixed(1)}`;
  console.log(
    `CPU per block: the parallel run ${parCpu.toFixed(1)} ms on a CPU (${parRate.toFixed(2)} per wall ms), one serial replay beside another ${perReplay.toFixed(1)} ms (${pairRate.toFixed(2)}); ` +
      `JS threads ${split((s) => s.main[0] + s.worker[0])}, V8's and libuv's ${split((s) => s.rest[0])} ms; ` +
      `share of the bound ${m((r) => r.serialMs / r.elapsed / (2 * (r.serialMs / r.together))).toFixed(2)} measured, ${((perReplay / parCpu) * (parRate / pairRate)).toFixed(2)} from CPU`,
  );
}
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
