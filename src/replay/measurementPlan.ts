/**
 * How a block's runs are measured: how long it is warmed up first (serial replay and
 * executor alike), how many runs `stm replay` measures when the user did not say (`--runs`
 * absent): the measurement plan for short blocks (figures that average back-to-back runs,
 * more rounds), the caps on rounds added while a median is uncertain (the rule:
 * uncertainMedian in src/analysis/stats.ts), and the heap settling before each batch.
 * replayBlock.ts and replayParallel.ts run the plan; docs/metrics.md ("Speedup") describes it.
 */
import { collectYoungGeneration, gcEntriesArrived } from '../parallel/gcClock.js';
import { ranThrough, type ExecutionPath } from '../exec/pathWarmth.js';

/**
 * Warm-up runs (when any are asked for) go on past --warmup until they have executed this
 * many transactions, so that the code that runs once per transaction is as warm as on a
 * large block when the measured runs start…
 * - The serial replay: a fresh replay of a small block is slow for its first runs, whatever
 *   ran before it in the process (3356896, 176 transactions: 59 48 54 40 40 41 41 46 24 16
 *   16 ms in its first runs, then ~16; 5891667: 36 24 23 24 26 15 11, then ~12). Its
 *   per-transaction times feed the ceilings by time and the simulator, which took such a
 *   block's transactions for twice their size (docs/simulator.md).
 * - The executor: its per-transaction code (the coordinator, multi-version memory, the
 *   workers' result path) runs once per transaction, so a small block warms it little per
 *   run: at 3 warm-up runs a block of 380 ~50 µs transfers (5891667) measured 0.64×, at 10
 *   runs 1.07×…
 */
export const WARMUP_MIN_TXS = 4000;
/** …as long as the extra runs take at most this long in all (a large block is warm after a few; the default replay stays quick). */
export const WARMUP_EXTRA_MS = 300;
/**
 * Per path: until this process has run `minTxs` transactions through it (serial replay or
 * executor, src/exec/pathWarmth.ts), a block's warm-up goes on past WARMUP_MIN_TXS, for at
 * most `extraMs` per block (then WARMUP_EXTRA_MS again): a process's first block pays it,
 * the next ones are warm.
 * V8 compiles a path's code on background threads long after its first run. Beside a
 * serial run that costs nothing, the other core is idle; beside a parallel run on two
 * cores it takes a share of a busy core. Fresh processes, 2026-12-03: the parallel runs of
 * 3356896 took 45, 37, 28, 23, 23, 20 ms by tens of runs while its serial runs stayed
 * within their noise; on eight blocks, alternating per block, warming each path to 12,000
 * transactions cut the median parallel time ×0.871 (serial ×1.017; docs/executor.md,
 * "Warm-up to a steady state"). The executor's code goes on being compiled for ~100,000
 * transactions (2026-12-05: back-to-back parallel runs of 11814555 took 21.4, 18.5, 16.1,
 * 15.7 ms by runs 20–40, 40–80, 80–160, 160–320, with V8's threads on 12.7 ms of CPU a
 * run after 10 runs and 5.0 after 300; `--trace-opt`: ~100 functions still optimised per
 * 100 runs after 80, in the EVM's opcode handlers and the executor's per-run code), so its
 * measured speedup on a process's first block came out 7–30% low (docs/executor.md,
 * "The executor's warm-up, again").
 */
export const PROCESS_WARMUP: Readonly<Record<ExecutionPath, { minTxs: number; extraMs: number }>> = {
  serial: { minTxs: 12_000, extraMs: 1_500 },
  executor: { minTxs: 100_000, extraMs: 4_000 },
};

/**
 * A block's warm-up runs on one path, serial or parallel: the `asked` ones (--warmup),
 * then more while this block has run fewer than WARMUP_MIN_TXS transactions or this
 * process fewer than PROCESS_WARMUP[path].minTxs through the path, within WARMUP_EXTRA_MS
 * (or PROCESS_WARMUP[path].extraMs while the process is cold); none when none were asked for.
 * `while (warmup.another()) warmup.ran(await runOnce())`.
 */
export class WarmupRuns {
  done = 0;
  private lastMs = 0;
  private extraStarted = -1;
  constructor(
    readonly asked: number,
    private readonly txs: number,
    private readonly path: ExecutionPath,
  ) {}
  /** Whether to run one more. */
  another(): boolean {
    if (this.done < this.asked) return true;
    if (this.asked === 0) return false;
    if (this.extraStarted < 0) this.extraStarted = performance.now();
    const warmth = PROCESS_WARMUP[this.path];
    const coldProcess = ranThrough(this.path) < warmth.minTxs;
    if (!coldProcess && this.done * this.txs >= WARMUP_MIN_TXS) return false;
    const cap = coldProcess ? warmth.extraMs : WARMUP_EXTRA_MS;
    return performance.now() - this.extraStarted + this.lastMs <= cap;
  }
  /** One ran, taking `ms`. */
  ran(ms: number): void {
    this.done++;
    this.lastMs = ms;
  }
  /** The next run goes past --warmup. */
  get extra(): boolean {
    return this.done >= this.asked;
  }
}

/**
 * The measured rounds when the caller asks for a minimum of measured time (`minMeasuredMs`:
 * stm replay without --runs). A round is one serial and one parallel figure; on a block
 * whose serial run is short, each figure is the mean of several back-to-back runs
 * (`perRound`, so that a figure spans at least MIN_ROUND_MS), and there are more rounds
 * than `runs`, until the serial side spans `minMeasuredMs` (at most MAX_MEASURED_ROUNDS),
 * and more while either side's median is uncertain (replayParallel's measured loop).
 * A single run of a 5 ms block is a draw of GC and timer noise: one young-generation
 * collection (1–2 ms) lands in it or not, so the runs of the bundled blocks under 20 ms
 * lay 15–40% from their median on a quiet machine, with 30 runs or after 20 warm-up runs
 * alike. Otherwise (`minMeasuredMs` undefined, an explicit --runs N, bench): N rounds of
 * one run.
 */
export const MIN_MEASURED_MS = 600;
export const MIN_ROUND_MS = 25;
export const MAX_MEASURED_ROUNDS = 30;
export const MAX_RUNS_PER_ROUND = 1000;
/** Rounds added while a median is uncertain stop once the serial runs add up to this, ms. */
export const MAX_MEASURING_MS = 5000;
/** A reference serial run this long or longer plans the rounds itself (a figure is one run unless the block is under MIN_ROUND_MS warm). */
export const ESTIMATE_BELOW_MS = 4 * MIN_ROUND_MS;

export function measurementPlan(runs: number, serialMs: number, minMeasuredMs: number | undefined): { rounds: number; perRound: number } {
  if (minMeasuredMs === undefined) return { rounds: runs, perRound: 1 };
  const perRound = serialMs > 0 ? Math.min(MAX_RUNS_PER_ROUND, Math.max(1, Math.ceil(MIN_ROUND_MS / serialMs))) : MAX_RUNS_PER_ROUND;
  const roundMs = perRound * serialMs;
  const enough = roundMs > 0 ? Math.ceil(minMeasuredMs / roundMs) : MAX_MEASURED_ROUNDS;
  return { rounds: Math.max(runs, Math.min(MAX_MEASURED_ROUNDS, enough)), perRound };
}

/**
 * A young-generation collection on the main thread, now, before a batch of runs of a short
 * block: otherwise the garbage one side left (the parallel runs' messages and results) is
 * collected during the other side's next runs, and on a block of a few milliseconds one
 * such collection (1–3 ms) is a third of a figure. Then the event loop's turns that hand
 * the collections' entries to the GC clock (gcEntriesArrived), which otherwise ran at the
 * start of the batch's first run: on 5891667 the main thread's first task came 0.44 ms
 * after the start of the first parallel run of a batch, 0.25 ms with them done before (a
 * first version of scripts/executor/batch-positions.ts, which shows a batch run by run).
 */
export async function settleHeap(): Promise<void> {
  collectYoungGeneration();
  await gcEntriesArrived();
}
