// Calibration data for the Block-STM simulator (docs/simulator.md): for every bundled block
// with >= MIN_TXS transactions, the simulator's inputs (dependency graph, per-transaction
// serial times, gas, gas limits, senders) and, at each thread count, the executor's
// measured runs (no fallback; as replayParallel runs them: worker pool of T-1 workers, the
// main thread executing too, hot recipients learned, warm-up runs, then serial and parallel runs interleaved,
// a short block's in batches as stm replay measures them) with
// the coordinator's counters (coordinatorBusyMs, workerBusyMs) and the time of each final
// incarnation. Written as one JSON document (OUT, default simulator-calibration.json) that
// dist/scripts/simulator/fit-simulator.js reads.
//
// The machine is shared: before each block the script waits until other processes use
// less than QUIET cores (measured from /proc/stat minus this process's own CPU), and it
// re-measures a block when other processes used more than that during its runs. The
// foreign load of each block is recorded.
// Run: npm run build && THREADS=1,2 RUNS=7 WARMUP=3 node dist/scripts/simulator/measure-simulator.js [block ...]
import { readFileSync, writeFileSync } from 'node:fs';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { median } from '../../src/analysis/stats.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { MIN_MEASURED_MS, WarmupRuns, measurementPlan, settleHeap } from '../../src/replay/measurementPlan.js';
import { recipientsOf } from '../../src/replay/replayParallel.js';
import { runSerial } from '../../src/exec/serialExecutor.js';
import { chooseChunkSize, runBlockStm } from '../../src/parallel/blockStmScheduler.js';
import { closeSharedPool, sharedPool } from '../../src/parallel/workerPool.js';
import type { SerialReplay } from '../../src/replay/replayBlock.js';
import { independentOfSender } from '../../src/exec/commutativeUpdates.js';
import { readWriteLocations, unitLocations } from '../../src/simulate/simulateBlock.js';
import { blockUnits } from '../../src/parallel/txUnits.js';
import type { Calibration, CalibrationBlock, CalibrationRun, ThreadMeasurement } from './calibration.js';

/** The executor's units of the block and their locations (CalibrationBlock.units), when it has any. */
function unitsRecord(serial: SerialReplay): { units?: { starts: number[]; locations: number[] } } {
  const starts = blockUnits(serial.ctx, serial.replay.lazyPlan);
  return starts === undefined ? {} : { units: { starts: [...starts], locations: unitLocations(serial.run.txs, starts) } };
}

/** The mean of the times that were seen (≥ 0), -1 when none was. */
function meanSeen(ms: number[]): number {
  const seen = ms.filter((x) => x >= 0);
  return seen.length === 0 ? -1 : seen.reduce((a, b) => a + b, 0) / seen.length;
}

/** The mean of a batch of back-to-back runs, field by field. */
function meanRun(batch: CalibrationRun[]): CalibrationRun {
  const mean = (f: (r: CalibrationRun) => number): number => batch.reduce((s, r) => s + f(r), 0) / batch.length;
  return {
    serialMs: mean((r) => r.serialMs),
    parallelMs: mean((r) => r.parallelMs),
    coordinatorBusyMs: mean((r) => r.coordinatorBusyMs),
    workerBusyMs: batch[0]!.workerBusyMs.map((_, w) => mean((r) => r.workerBusyMs[w]!)),
    reexecutions: mean((r) => r.reexecutions),
    conflicts: mean((r) => r.conflicts),
    finalTxMs: mean((r) => r.finalTxMs),
    mainFirstTaskMs: meanSeen(batch.map((r) => r.mainFirstTaskMs!)),
    workerFirstClaimMs: meanSeen(batch.map((r) => r.workerFirstClaimMs!)),
  };
}

const threadsList = (process.env.THREADS ?? '1,2').split(',').map(Number);
const runs = Number(process.env.RUNS ?? 7);
const warmup = Number(process.env.WARMUP ?? 3);
const minTxs = Number(process.env.MIN_TXS ?? 50);
const quiet = Number(process.env.QUIET ?? 0.2); // cores other processes may use
const out = process.env.OUT ?? 'simulator-calibration.json';
const dir = process.env.FIXTURES ?? bundledFixturesDir();
const manifest = JSON.parse(readFileSync(dir + '/ethereum/manifest.json', 'utf8')) as Array<{ number: number; txCount: number }>;
const only = process.argv.slice(2).map(Number);

/** CPU seconds used by everything on the machine (all cores), from /proc/stat. */
function machineCpuSeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3]! + (fields[4] ?? 0);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - idle) / 100; // USER_HZ = 100
}
function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
/** Starts a meter; its stop() returns the cores other processes used on average meanwhile. */
function foreignMeter(): () => number {
  const m0 = machineCpuSeconds();
  const o0 = ownCpuSeconds();
  const t0 = performance.now();
  return () => Math.max(0, (machineCpuSeconds() - m0 - (ownCpuSeconds() - o0)) / ((performance.now() - t0) / 1000));
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function waitQuiet(): Promise<number> {
  for (;;) {
    const stop = foreignMeter();
    await sleep(3000);
    const foreign = stop();
    if (foreign < quiet) return foreign;
    console.error(`  waiting: other processes use ${foreign.toFixed(2)} cores`);
    await sleep(30_000);
  }
}

let runId = 1;
async function measureThreads(serial: SerialReplay, threads: number, senders: string[], recipients: Array<string | null>, gasLimits: bigint[]): Promise<ThreadMeasurement> {
  const { ctx } = serial;
  const { pool } = await sharedPool(threads - 1);
  const blockKey = `${ctx.data.chainId}:${ctx.data.number}:${ctx.data.block.hash}`;
  const timeoutMs = Math.max(30_000, serial.serialMs.max * 50);
  await pool.load(blockKey, ctx.data, { keys: ctx.senderPublicKeys }, timeoutMs, 3);
  const chunkSize = chooseChunkSize(gasLimits);
  const units = blockUnits(ctx, serial.replay.lazyPlan);
  const once = () =>
    runBlockStm(pool, ctx.pre, ctx.txs.length, {
      runId: runId++,
      blockKey,
      timeoutMs,
      senders,
      recipients,
      chunkSize,
      gasLimits: gasLimits.map(Number),
      mainReplay: serial.replay,
      commutative: serial.replay.lazyPlan,
      ...(units === undefined ? {} : { units }),
      maxReexecutions: Number.POSITIVE_INFINITY,
    });
  // Warmed up as stm replay warms the executor (WarmupRuns: past WARMUP on a small block or in a cold process).
  const warmupMs: number[] = [];
  const warming = new WarmupRuns(warmup, ctx.txs.length, 'executor');
  while (warming.another()) {
    warmupMs.push((await once()).elapsedMs);
    warming.ran(warmupMs[warmupMs.length - 1]!);
  }
  // Measured as stm replay measures (replayParallel.ts, measurementPlan.ts): on a short block
  // each figure is the mean of `perRound` back-to-back runs started on a collected young
  // generation, and there are more rounds; the counters are per run, averaged likewise.
  const { rounds, perRound } = measurementPlan(runs, serial.serialMs.median, MIN_MEASURED_MS);
  const rows: CalibrationRun[] = [];
  for (let i = 0; i < rounds; i++) {
    if (perRound > 1) await settleHeap();
    let serialMs = 0;
    for (let j = 0; j < perRound; j++) serialMs += (await runSerial(serial.replay)).executionMs;
    if (perRound > 1) await settleHeap();
    const batch: CalibrationRun[] = [];
    for (let j = 0; j < perRound; j++) {
      const r = await once();
      batch.push({
        serialMs: serialMs / perRound,
        parallelMs: r.elapsedMs,
        coordinatorBusyMs: r.stats.coordinatorBusyMs,
        workerBusyMs: r.stats.workerBusyMs,
        reexecutions: r.stats.incarnations.reduce((s, x) => s + x - 1, 0),
        conflicts: r.stats.conflictsValidation + r.stats.conflictsEstimate,
        finalTxMs: r.outcomes.reduce((s, o) => s + (o?.timeMs ?? 0), 0),
        mainFirstTaskMs: r.stats.edges.mainFirstTaskMs,
        workerFirstClaimMs: r.stats.edges.workerFirstClaimMs[0] ?? -1,
      });
    }
    rows.push(meanRun(batch));
  }
  const med = (key: Exclude<keyof CalibrationRun, 'workerBusyMs' | 'mainFirstTaskMs' | 'workerFirstClaimMs'>): number => median(rows.map((row) => row[key]));
  const serialMedian = med('serialMs');
  return {
    threads,
    chunkSize,
    warmupMs,
    warmupSpeedup: serial.serialMs.median / median(warmupMs.length > 1 ? warmupMs.slice(1) : warmupMs),
    serialMs: serialMedian,
    parallelMs: med('parallelMs'),
    speedup: serialMedian / med('parallelMs'),
    coordinatorBusyMs: med('coordinatorBusyMs'),
    workerBusyMs: Array.from({ length: rows[0]!.workerBusyMs.length }, (_, w) => median(rows.map((row) => row.workerBusyMs[w]!))),
    reexecutions: med('reexecutions'),
    conflicts: med('conflicts'),
    finalTxMs: med('finalTxMs'),
    runs: rows,
  };
}

const blocks: CalibrationBlock[] = [];
for (const entry of manifest) {
  if (only.length ? !only.includes(entry.number) : entry.txCount < minTxs) continue;
  let result: CalibrationBlock;
  for (let attempt = 1; ; attempt++) {
    const before = await waitQuiet();
    const stop = foreignMeter();
    const data = loadBlock(BigInt(entry.number), { fixturesDir: dir });
    const serial = await replaySerial(data, { runs: 5, warmup, threads: 2 });
    const senders = serial.ctx.data.block.transactions.map((tx) => tx.from.toLowerCase());
    const gasLimits = serial.ctx.txs.map((tx) => tx.gasLimit);
    const recipients = recipientsOf(serial.ctx.data);
    const measured: ThreadMeasurement[] = [];
    for (const t of threadsList) measured.push(await measureThreads(serial, t, senders, recipients, gasLimits));
    const foreign = stop();
    result = {
      block: entry.number,
      txs: entry.txCount,
      foreignCoresBefore: before,
      foreignCores: foreign,
      attempt,
      serialMs: serial.serialMs.median,
      txTimesMs: serial.txTimesMs,
      gasUsed: serial.gasUsed.map(String),
      gasLimits: gasLimits.map(String),
      senders,
      preds: serial.analysis.commutativeGraph.preds.map((p) => [...p]),
      independent: independentOfSender(serial.replay.lazyPlan),
      recipients,
      locations: readWriteLocations(serial.run.txs),
      ...unitsRecord(serial),
      measured,
    };
    if (foreign < quiet || attempt >= 3) break;
    console.error(`  ${entry.number}: other processes used ${foreign.toFixed(2)} cores during the runs; again`);
  }
  blocks.push(result);
  const figures = result.measured.map((m) => `T=${m.threads} ${m.speedup.toFixed(2)}x (warm ${m.warmupSpeedup.toFixed(2)}) coord ${m.coordinatorBusyMs.toFixed(1)} ms busy ${m.workerBusyMs.map((b) => b.toFixed(0)).join('/')} reexec ${m.reexecutions} final ${(m.finalTxMs / result.txTimesMs.reduce((a, b) => a + b, 0)).toFixed(2)}`);
  console.log(`${String(result.block).padStart(9)} ${String(result.txs).padStart(5)} serial ${result.serialMs.toFixed(1).padStart(6)} ms  ${figures.join('  ')}  foreign ${result.foreignCores.toFixed(2)}`);
  const calibration: Calibration = { threads: threadsList, runs, warmup, quiet, blocks };
  writeFileSync(out, JSON.stringify(calibration) + '\n');
}
await closeSharedPool();
