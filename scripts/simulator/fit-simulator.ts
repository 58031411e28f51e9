// Fits and checks the simulator's constants (docs/simulator.md) on the data of
// dist/scripts/simulator/measure-simulator.js. The blocks are split in two halves by their rank in block
// order (even ranks: fit; odd ranks: check). On the fit half, the main thread's costs are
// taken from the executor's counters (least squares, below), then the slowdown factors and
// the worker's costs are chosen by coordinate descent on a grid to minimise the mean
// |log(predicted / measured)| at 1 and 2 threads (no fallback on either side). Then every
// block's error is printed, with the executor's default fallback too (measured: 1 where
// decideFallback or the median warm-up run below 0.95× sends the block to the serial path),
// and the medians on each half.
// The start of a run (runStartUs, workerStartUs) is taken from the runs' own edges where the
// data records them (see direct()).
// Run: npm run build && node dist/scripts/simulator/fit-simulator.js simulator-calibration.json [more.json …] [--no-fit] [--model='{"slowdown":1.2}']
import { readFileSync } from 'node:fs';
import { MEASURED_FALLBACK_BELOW, decideFallback } from '../../src/parallel/fallback.js';
import { MIN_ROUND_MS } from '../../src/replay/measurementPlan.js';
import { DEFAULT_MODEL, simulateBlock, type SimulateInput, type SimulationModel } from '../../src/simulate/simulateBlock.js';
import type { DependencyGraph } from '../../src/analysis/dependencyGraph.js';
import { median } from '../../src/analysis/stats.js';
import type { Calibration, CalibrationBlock, ThreadMeasurement } from './calibration.js';

// Several files (measured in different windows) are fitted together: each block once per
// file, in the same half in every file, so that one window's noise weighs less.
const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const fit = !process.argv.includes('--no-fit');
const datasets = (files.length === 0 ? ['simulator-calibration.json'] : files).map((file) => JSON.parse(readFileSync(file, 'utf8')) as Calibration);
const data: Calibration = { ...datasets[0]!, blocks: datasets.flatMap((d) => d.blocks) };
const blockNumbers = [...new Set(data.blocks.map((b) => b.block))].sort((a, b) => a - b);

function graphOf(preds: number[][]): DependencyGraph {
  const succs = preds.map((): number[] => []);
  preds.forEach((ps, j) => ps.forEach((p) => succs[p]!.push(j)));
  return { txCount: preds.length, preds, succs, edgeCount: preds.reduce((s, p) => s + p.length, 0) };
}
type Half = 'fit' | 'check';
interface Block extends CalibrationBlock {
  half: Half;
  input: Omit<SimulateInput, 'threads'> & { gasUsed: bigint[]; gasLimits: bigint[] };
}
const blocks: Block[] = data.blocks.map((b) => ({
  ...b,
  half: blockNumbers.indexOf(b.block) % 2 === 0 ? ('fit' as const) : ('check' as const),
  input: { graph: graphOf(b.preds), txTimesMs: b.txTimesMs, gasUsed: b.gasUsed.map(BigInt), gasLimits: b.gasLimits.map(BigInt), senders: b.senders, serialMs: b.serialMs, ...(b.independent === undefined ? {} : { independent: b.independent }), ...(b.recipients === undefined ? {} : { recipients: b.recipients }), locations: b.locations, ...(b.units === undefined ? {} : { units: { starts: Int32Array.from(b.units.starts), locations: b.units.locations } }) },
}));

/** Measured speedup with the executor's default fallback, from the no-fallback runs. */
function measuredWithFallback(b: Block, m: ThreadMeasurement): number {
  if (decideFallback(b.txs, b.input.gasUsed, m.threads, b.senders, b.independent) !== undefined) return 1;
  if (m.warmupSpeedup < MEASURED_FALLBACK_BELOW) return 1; // the median warm-up run, at one thread too (src/replay/replayParallel.ts)
  return m.speedup;
}

interface Row {
  block: number;
  txs: number;
  half: Half;
  threads: number;
  measured: number;
  predicted: number;
  measuredFb: number;
  predictedFb: number;
  reexecMeasured: number;
  reexecPredicted: number;
}
function evaluate(model: SimulationModel, which?: Half): Row[] {
  const rows: Row[] = [];
  for (const b of blocks) {
    if (which !== undefined && b.half !== which) continue;
    const sim = simulateBlock({ ...b.input, threads: b.measured.map((m) => m.threads), model });
    b.measured.forEach((m, i) => {
      const p = sim.points[i]!;
      rows.push({ block: b.block, txs: b.txs, half: b.half, threads: m.threads, measured: m.speedup, predicted: p.blockStm, measuredFb: measuredWithFallback(b, m), predictedFb: p.withFallback, reexecMeasured: m.reexecutions, reexecPredicted: p.reexecutions });
    });
  }
  return rows;
}
/** The median, NaN for none (a half without blocks at a thread count). */
const medianOrNaN = (xs: number[]): number => (xs.length === 0 ? NaN : median(xs));
const err = (p: number, m: number): number => p / m - 1;
/**
 * The fit's objective: the mean |log(predicted / measured)| at each thread count, summed.
 * (The median |error| it used before fitted the fit half to 5.7% and left the check half
 * at 15.8% on 2026-12-02's data: a median ignores the blocks it gets badly wrong.)
 */
function score(model: SimulationModel): number {
  const rows = evaluate(model, 'fit');
  const mean = (t: number): number => {
    const xs = rows.filter((r) => r.threads === t).map((r) => Math.abs(Math.log(r.predicted / r.measured)));
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  return data.threads.reduce((s, t) => s + mean(t), 0);
}

/** Least squares y ≈ Σ c_k x_k (no intercept) over rows of [y, x1, x2, …]. */
function leastSquares(rows: number[][]): number[] {
  const k = rows[0]!.length - 1;
  const A: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const v = new Array<number>(k).fill(0);
  for (const [y, ...x] of rows) for (let i = 0; i < k; i++) {
    v[i] += x[i] * y;
    for (let j = 0; j < k; j++) A[i][j] += x[i] * x[j];
  }
  // Gaussian elimination (k is 1 or 2).
  for (let i = 0; i < k; i++) for (let r = i + 1; r < k; r++) {
    const f = A[r][i] / A[i][i];
    for (let j = i; j < k; j++) A[r][j] -= f * A[i][j];
    v[r] -= f * v[i];
  }
  const c = new Array<number>(k).fill(0);
  for (let i = k - 1; i >= 0; i--) c[i] = (v[i] - A[i].slice(i + 1).reduce((s, a, j) => s + a * c[i + 1 + j], 0)) / A[i][i];
  return c;
}

/**
 * The constants measured directly, from the fit half's counters (median runs):
 * - coordinator time per result at one thread (only the main thread's own results):
 *   coordinatorBusyMs ≈ n·coordinatorUs + locationUs·Σ locations read and written;
 * - messageLocationUs: what a worker's result costs the main thread beyond that, per
 *   location, at two threads;
 * - slowdown1: final incarnations' time / serial tx time at one thread;
 * - mainTaskUs: the main thread's time between its tasks at one thread (elapsed − executing −
 *   coordinating) ≈ n·mainTaskUs + gapShare·Σ tx time (gapShare belongs to slowdown1);
 * - slowdown and taskUs at two threads: final incarnations' time ≈ slowdown·Σ tx time +
 *   (per-transaction cost inside the timed part on a worker)·n, the rest of taskUs being
 *   outside it (not measured here: fitted below).
 */
function direct(half?: Half) {
  const rows = blocks.filter((b) => half === undefined || b.half === half);
  const at = (b: Block, t: number): ThreadMeasurement => b.measured.find((m) => m.threads === t)!;
  const has = (b: Block, t: number): boolean => b.measured.some((m) => m.threads === t);
  const sumTx = (b: Block): number => b.txTimesMs.reduce((a, x) => a + x, 0);
  const one = rows.filter((b) => has(b, 1));
  const sumLoc = (b: Block): number => b.locations.reduce((a, x) => a + x, 0);
  const [coordinatorMs, locationMs] = leastSquares(one.map((b) => [at(b, 1).coordinatorBusyMs, b.txs, sumLoc(b)]));
  const slowdown1 = medianOrNaN(one.map((b) => at(b, 1).finalTxMs / sumTx(b)));
  // The main thread's time between its tasks at one thread (elapsed − executing − coordinating):
  // per task and per ms of transaction time.
  const [gapPerTxMs, gapShare] = leastSquares(one.map((b) => [at(b, 1).parallelMs - at(b, 1).workerBusyMs.reduce((a, x) => a + x, 0) - at(b, 1).coordinatorBusyMs, b.txs, sumTx(b)]));
  const two = rows.filter((b) => has(b, 2) && at(b, 2).reexecutions <= b.txs * 0.05);
  const [slowdown, perTxMs] = leastSquares(two.map((b) => [at(b, 2).finalTxMs, sumTx(b), b.txs]));
  // The workers' share of the results (by busy time), and of their locations, at two threads.
  const message = two.map((b) => {
    const m = at(b, 2);
    const results = b.txs + m.reexecutions;
    const busy = m.workerBusyMs;
    const workerShare = busy.slice(0, -1).reduce((a, x) => a + x, 0) / busy.reduce((a, x) => a + x, 0);
    const own = results * coordinatorMs + locationMs * sumLoc(b) * (results / b.txs);
    const workerLocations = sumLoc(b) * (results / b.txs) * workerShare;
    return workerLocations > 50 ? ((m.coordinatorBusyMs - own) / workerLocations) * 1000 : NaN;
  }).filter((x) => Number.isFinite(x));
  // The start of a run at two threads (RunStats.edges, recorded since 2026-12-05), from the
  // blocks measured in batches of back-to-back runs (serial run under MIN_ROUND_MS, as stm
  // replay measures them): the main thread's first task (runStartUs; runStartTxUs 0) and
  // worker 0's first claim after it (workerStartUs), medians of the blocks' median rounds.
  // A longer block's run starts after a serial one, with a worker that slept (0.4–1.3 ms on
  // 2026-12-05's data): under 1% of such a run, while a short block's figure is all
  // back-to-back runs. Taken from every block (the fit half has too few short ones).
  const seen = (xs: Array<number | undefined>): number[] => xs.filter((x): x is number => x !== undefined && x >= 0);
  const batched = blocks.filter((b) => has(b, 2) && b.serialMs < MIN_ROUND_MS && seen(at(b, 2).runs.map((r) => r.mainFirstTaskMs)).length > 0);
  const runStartMs = medianOrNaN(batched.map((b) => median(seen(at(b, 2).runs.map((r) => r.mainFirstTaskMs)))));
  const workerStartMs = medianOrNaN(
    batched.flatMap((b) => {
      const gaps = at(b, 2).runs.flatMap((r) => (r.workerFirstClaimMs !== undefined && r.workerFirstClaimMs >= 0 && r.mainFirstTaskMs !== undefined && r.mainFirstTaskMs >= 0 ? [r.workerFirstClaimMs - r.mainFirstTaskMs] : []));
      return gaps.length === 0 ? [] : [median(gaps)];
    }),
  );
  return {
    runStartUs: runStartMs * 1000,
    workerStartUs: workerStartMs * 1000,
    coordinatorUs: coordinatorMs * 1000,
    locationUs: locationMs * 1000,
    messageLocationUs: medianOrNaN(message),
    slowdown1,
    slowdown,
    workerTimedUs: perTxMs * 1000,
    mainTaskUs: gapPerTxMs * 1000,
    gapShare,
  };
}
const measuredDirect = direct('fit');
console.log('measured directly on the fit half:', JSON.stringify(measuredDirect, (k, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v)));
console.log('measured directly on all blocks:  ', JSON.stringify(direct(), (k, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v)));

// The main thread's handling of results and its time between tasks are taken as measured on
// the fit half; the factors and the worker's per-transaction costs, which the counters do not
// separate from contention, are fitted to the fit half's speedups.
const grids = {
  slowdown: Array.from({ length: 21 }, (_, i) => 1 + i * 0.025),
  slowdown1: Array.from({ length: 13 }, (_, i) => 0.96 + i * 0.01),
  taskUs: [0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100],
  resultUs: [5, 10, 20, 30, 40, 50, 75, 100],
};
const given = process.argv.find((a) => a.startsWith('--model='));
let model: SimulationModel = { ...DEFAULT_MODEL, ...(given === undefined ? {} : (JSON.parse(given.slice('--model='.length)) as Partial<SimulationModel>)) };
if (fit) {
  const r = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
  model = { ...model, coordinatorUs: r(Math.max(0, measuredDirect.coordinatorUs), 1), locationUs: r(measuredDirect.locationUs, 2), messageLocationUs: r(measuredDirect.messageLocationUs, 2), mainTaskUs: r(measuredDirect.mainTaskUs, 1) };
  // The start of a run, where the data has it (recorded since 2026-12-05).
  if (Number.isFinite(measuredDirect.runStartUs)) model = { ...model, runStartUs: r(measuredDirect.runStartUs, 0), runStartTxUs: 0 };
  if (Number.isFinite(measuredDirect.workerStartUs)) model = { ...model, workerStartUs: r(Math.max(0, measuredDirect.workerStartUs), 0) };
  let best = score(model);
  for (let round = 0; round < 6; round++) {
    let improved = false;
    for (const [key, values] of Object.entries(grids)) {
      for (const v of values) {
        const candidate = { ...model, [key]: v };
        const s = score(candidate);
        if (s < best - 1e-9) {
          best = s;
          model = candidate;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
}
console.log(`model ${JSON.stringify(model)}${fit ? ' (fitted on the fit half)' : ' (as given)'}`);
const rows = evaluate(model);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
console.log('block     txs half  T measured predicted err     | with fallback: measured predicted err | re-exec measured/predicted');
for (const r of rows) {
  console.log(
    `${String(r.block).padStart(9)} ${String(r.txs).padStart(5)} ${r.half.padEnd(5)} ${r.threads} ${r.measured.toFixed(2).padStart(8)} ${r.predicted.toFixed(2).padStart(9)} ${pct(err(r.predicted, r.measured)).padStart(7)} | ${r.measuredFb.toFixed(2).padStart(8)} ${r.predictedFb.toFixed(2).padStart(9)} ${pct(err(r.predictedFb, r.measuredFb)).padStart(7)} | ${r.reexecMeasured}/${r.reexecPredicted}`,
  );
}
for (const t of data.threads) {
  for (const half of ['fit', 'check', undefined] as const) {
    const rs = rows.filter((r) => r.threads === t && (half === undefined || r.half === half));
    const e = rs.map((r) => Math.abs(err(r.predicted, r.measured)));
    const ef = rs.map((r) => Math.abs(err(r.predictedFb, r.measuredFb)));
    const signed = rs.map((r) => err(r.predicted, r.measured));
    console.log(`T=${t} ${(half ?? 'all').padEnd(5)} (${rs.length} blocks): median |error| no fallback ${pct(medianOrNaN(e))} (signed ${pct(medianOrNaN(signed))}), with fallback ${pct(medianOrNaN(ef))}`);
  }
}
