/**
 * The simulator's calibration data: what measure-simulator.ts writes (one JSON document)
 * and fit-simulator.ts reads. Per bundled block, the simulator's inputs and, per thread
 * count, the executor's measured runs with its counters.
 */

/** One measured round: a serial figure and a Block-STM figure right after it (on a short block each the mean of a batch of back-to-back runs, as stm replay measures; the counters likewise per run). */
export interface CalibrationRun {
  serialMs: number;
  parallelMs: number;
  coordinatorBusyMs: number;
  /** Busy time per executor: the workers, then the main thread. */
  workerBusyMs: number[];
  reexecutions: number;
  conflicts: number;
  /** Time of every final incarnation, summed. */
  finalTxMs: number;
  /** When the main thread began its first task, and worker 0 claimed its first transaction (-1: none), ms after the run's start (RunStats.edges); absent before 2026-12-05. */
  mainFirstTaskMs?: number;
  workerFirstClaimMs?: number;
}

/** The medians of a block's measured runs at one thread count. */
export interface ThreadMeasurement {
  threads: number;
  chunkSize: number;
  warmupMs: number[];
  /** Serial median / the median of the warm-up runs after the first: what the measured fallback (fallback.ts) judges. */
  warmupSpeedup: number;
  serialMs: number;
  parallelMs: number;
  speedup: number;
  coordinatorBusyMs: number;
  workerBusyMs: number[];
  reexecutions: number;
  conflicts: number;
  finalTxMs: number;
  runs: CalibrationRun[];
}

export interface CalibrationBlock {
  block: number;
  txs: number;
  /** Cores other processes used while waiting to start, and during the runs. */
  foreignCoresBefore: number;
  foreignCores: number;
  attempt: number;
  serialMs: number;
  txTimesMs: number[];
  /** Decimal strings (bigint). */
  gasUsed: string[];
  gasLimits: string[];
  senders: string[];
  /** The dependency graph the executor schedules against ("transfers commute", docs/metrics.md): preds[j], the transactions j waits for. */
  preds: number[][];
  /** Per transaction: its sender updates commute (it does not wait for its sender's previous transaction). */
  independent: boolean[];
  /** Per transaction: its recipient, null for a creation (the executor learns hot recipients from them). Absent in data recorded before 2026-12-02. */
  recipients?: Array<string | null>;
  /** Per transaction: the locations its serial run read and wrote (readWriteLocations). */
  locations: number[];
  /** The executor's units (src/parallel/txUnits.ts: first transaction of each, then the count) and each one's locations; absent before 2026-12-04 or when none. */
  units?: { starts: number[]; locations: number[] };
  measured: ThreadMeasurement[];
}

export interface Calibration {
  threads: number[];
  runs: number;
  warmup: number;
  quiet: number;
  blocks: CalibrationBlock[];
}
