// One block run back to back in one process, in a steady state: MODE=parallel (Block-STM at
// THREADS threads, default 2, as blockStmRunner.ts runs it), serial (the serial replay
// alone) or pair (the main thread's serial replay while worker 0 replays the block serially
// over and over: the condition this machine's bound measures, replayParallel's
// measureBound). WARM runs first (default 10, and on as stm replay warms a cold process), then RUNS (default 200); prints the mean
// wall time per run, the median run, and per run each thread's CPU (threadCpu.ts).
//
// Unlike the product's plan (serial and parallel runs interleaved, a short block's runs
// batched: src/replay/measurementPlan.ts), nothing else runs between the runs, so two
// checkouts compare within ~2% (ab-steady.ts), and under `node --cpu-prof --cpu-prof-dir=D`
// every thread's profile covers the same runs (compare-profiles.ts reads them).
// Run: npm run build && [MODE=parallel|serial|pair] [RUNS=200] [WARM=10] [WINDOWS=…] node dist/scripts/executor/steady-runs.js [--fixtures DIR] block
import { median, quantile } from '../../src/analysis/stats.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { runSerial } from '../../src/exec/serialExecutor.js';
import { closeSharedPool } from '../../src/parallel/workerPool.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { WarmupRuns } from '../../src/replay/measurementPlan.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { blockStmRunner, loadIntoPool } from './blockStmRunner.js';
import { threadTimes, threadTimesSince } from './threadCpu.js';

const args = process.argv.slice(2);
const fixturesDir = args[0] === '--fixtures' ? args.splice(0, 2)[1]! : bundledFixturesDir();
if (args[0] === undefined) {
  console.error('usage: [MODE=parallel|serial|pair] [RUNS=200] node dist/scripts/executor/steady-runs.js [--fixtures DIR] block');
  process.exit(2);
}
const block = BigInt(args[0]);
const mode = process.env.MODE ?? 'parallel';
const runs = Number(process.env.RUNS ?? 200);
const warm = Number(process.env.WARM ?? 10);
const threads = Number(process.env.THREADS ?? 2);
if (!['parallel', 'serial', 'pair'].includes(mode)) {
  console.error(`MODE must be parallel, serial or pair (not ${mode})`);
  process.exit(2);
}

const serial = await replaySerial(loadBlock(block, { fixturesDir }), { runs: 3, warmup: 2, threads });
let once: () => Promise<number>;
let stop = async (): Promise<void> => {};
if (mode === 'parallel') {
  const run = await blockStmRunner(serial, threads);
  once = async () => (await run()).elapsedMs;
} else {
  once = async () => (await runSerial(serial.replay)).executionMs;
  if (mode === 'pair') {
    const { pool, blockKey } = await loadIntoPool(serial, 2);
    const beside = pool.replaySeriallyBeside(blockKey, 3_600_000);
    stop = async () => void (await beside.stop());
  }
}
// At least WARM runs, then on as stm replay warms a cold process's path (WarmupRuns: the
// executor's to 100,000 transactions within 4 s; before 2026-12-05 this was 10 runs, still
// short of the executor's steady state on the payout blocks).
const warming = new WarmupRuns(warm, serial.ctx.txs.length, mode === 'parallel' ? 'executor' : 'serial');
while (warming.another()) warming.ran(await once());
const started = performance.now();
const cpuBefore = threadTimes();
const times: number[] = [];
for (let i = 0; i < runs; i++) times.push(await once());
const wall = (performance.now() - started) / runs;
const cpu = threadTimesSince(cpuBefore);
await stop();
await closeSharedPool();
console.log(`block ${block} ${mode}${mode === 'parallel' ? ` ${threads} threads` : ''}: ${runs} runs, ${wall.toFixed(2)} ms per run (wall), median run ${median(times).toFixed(2)} ms`);
// The spread: stm replay's figure on a short block is the mean of a few back-to-back runs, so a slow tail counts.
const at = (q: number): string => quantile(times, q).toFixed(2);
console.log(`  runs: mean ${(times.reduce((a, b) => a + b, 0) / runs).toFixed(2)} ms; 10th, 25th, 75th, 90th percentile ${at(0.1)}, ${at(0.25)}, ${at(0.75)}, ${at(0.9)} ms`);
// WINDOWS=10,20,40,…: the median run of each window of measured runs (runs 1–10, 11–20, …):
// with WARM=0, how far from its steady state a fresh process starts (docs/executor.md,
// "The executor's warm-up, again").
const windows = (process.env.WINDOWS ?? '').split(',').filter((w) => w !== '').map(Number);
if (windows.length > 0) console.log(`  median run by window: ${windows.map((end, i) => `${windows[i - 1] ?? 0}–${end}: ${median(times.slice(windows[i - 1] ?? 0, end)).toFixed(2)} ms`).join(', ')}`);
const perRun = ([on, wait]: [number, number]): string => `${(on / runs).toFixed(2)} / ${(wait / runs).toFixed(2)}`;
console.log(`  per run, ms on a CPU / waiting for one: main ${perRun(cpu.main)}, worker ${perRun(cpu.worker)}, V8's and libuv's threads ${perRun(cpu.rest)}`);
