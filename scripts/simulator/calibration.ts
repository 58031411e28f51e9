/**
 * The simulator's calibration data: what measure-simulator.ts writes (one JSON document)
 * and fit-simulator.ts reads. Per bundled block, the simulator's inputs and, per thread
 * count, the executor's measured runs with its counters.
 */

/** One measured run: a serial replay and a Block-STM run right after it. */
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
}

/** The medians of a block's measured runs at one thread count. */
export interface ThreadMeasurement {
  threads: number;
  chunkSize: number;
  warmupMs: number[];
  bestWarmupSpeedup: number;
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
  /** The dependency graph: preds[j], the transactions j waits for. */
  preds: number[][];
  measured: ThreadMeasurement[];
}

export interface Calibration {
  threads: number[];
  runs: number;
  warmup: number;
  quiet: number;
  blocks: CalibrationBlock[];
}
