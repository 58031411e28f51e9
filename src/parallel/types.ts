/**
 * What the parallel executor reports for one block (the shape the CLI, the JSON report,
 * analyze and bench read). Definitions of each figure: docs/metrics.md.
 */
import type { Spread } from '../analysis/stats.js';

export interface ConflictCounts {
  /** Aborted incarnations, all causes. */
  total: number;
  /** Aborted because validation found a read that changed. */
  validation: number;
  /** Aborted because execution read an ESTIMATE (and waited for the writer). */
  estimate: number;
}

export interface LocationConflicts {
  /** Location key (src/state/locations.ts). */
  location: string;
  /** "0xabc… slot 0x…", "balance 0xabc…". */
  description: string;
  conflicts: number;
}

export interface ParallelTxDetail {
  /** Incarnations run (1 = ran once). */
  incarnations: number;
  /** The location that aborted each aborted incarnation, in order. */
  abortedBy: string[];
}

export interface ParallelDifference {
  txIndex?: number;
  location?: string;
  field: string;
  serial: string;
  parallel: string;
}

/** The schedulers stm runs on the same workers and memory (docs/schedulers.md). */
export const SCHEDULERS = ['blockstm', 'occ', 'locks', 'bal'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

export interface ParallelSummary {
  scheduler: SchedulerName;
  threads: number;
  /** More threads than cores. */
  oversubscribed: boolean;
  parallelMs: Spread;
  /** Median serial / median parallel, measured in the same process, interleaved. */
  speedup: number;
  /** ceiling(T) by time at this thread count. */
  ceilingT: number;
  /** speedup / ceilingT. */
  efficiency: number;
  conflicts: ConflictCounts;
  reexecutions: number;
  reexecutionRate: number;
  /** Re-execution waves: Block-STM and locks, the highest incarnation reached; OCC, rounds after the first (docs/metrics.md). */
  waves: number;
  /** Highest incarnation number any transaction reached (0 = none ran twice). */
  highestIncarnation: number;
  /** OCC only: rounds of parallel execution, and transactions run serially after the cap on rounds. */
  rounds?: number;
  serialTail?: number;
  /** Block-STM only: the recipients learned hot in the median run (blockStmPolicy.ts, "Hot recipients"). */
  hotRecipients?: string[];
  /**
   * mode 'serial': the block ran serially (with --fallback when the fallback rules said so,
   * or always when a worker failed), for `reason`. `advice`: why a production executor would
   * run this block serially (docs/executor.md, "Fallback"), whether or not it was applied.
   */
  fallback: { mode: 'none' | 'serial'; reason?: string; advice?: string };
  /** The executor's measured runs happened (false: fallback or failure; its counts are then not figures). */
  executorRan: boolean;
  /**
   * Not in any time above. workerStartMs: starting the worker threads (0 when an earlier
   * replay in this process did); stateDistributionMs: from handing the block to the workers
   * until every one had it loaded and warm; stateHandOffMs: the main thread's part of that;
   * waitedMs: how long the parallel replay waited for both (less when they ran beside the
   * serial replay).
   */
  setup: { workerStartMs: number; stateDistributionMs: number; stateHandOffMs: number; waitedMs: number; poolReused: boolean };
  topLocations: LocationConflicts[];
  perTx: ParallelTxDetail[];
  /** Parallel receipts and post-state equal the serial ones. */
  equalsSerial: boolean;
  firstDifference?: ParallelDifference;
  /** The serial runs interleaved with the parallel ones (the speedup's numerator). */
  serialMsInterleaved: Spread;
  /** Those runs one by one, with each transaction's time (absent when none were run, e.g. in tests). */
  serialRuns?: SerialTiming[];
  /** measureBound: this machine's 2-thread bound m per measured run (the serial replay alone / beside a worker replaying the block too); null or absent otherwise. */
  bound?: Spread | null;
  /**
   * measureBound: speedup / m per measured run, which is the main thread's serial replay
   * beside the worker's / the parallel run (the serial run alone cancels out); null or
   * absent otherwise.
   */
  speedupPerBound?: Spread | null;
  /** Runs behind each figure of serialMsInterleaved and parallelMs (their mean): 1, or more on a short block when a minimum measured time was asked for (src/replay/measurementPlan.ts). */
  runsPerRound?: number;
  /** The executor's warm-up runs before the measured ones: --warmup, or more on a small block or in a cold process (measurementPlan.ts, WarmupRuns). */
  warmupRuns?: number;
  /**
   * Garbage-collection time per transaction in the median parallel run, every thread
   * summed (ms; docs/metrics.md); null when the executor did not run.
   */
  gcMsPerTx?: number | null;
  /** bal only: M = (S - A) / (S - L) (docs/metrics.md); undefined when not computable. */
  balScore?: number;
}

/** One serial run's times (the block's, and each transaction's, ms), and what must not vary between runs. */
export interface SerialTiming {
  executionMs: number;
  txMs: number[];
  gasUsed: bigint[];
  postStateSize: number;
}
