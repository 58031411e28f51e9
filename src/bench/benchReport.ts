/**
 * The bench report: what `stm bench --out FILE` writes and what a baseline is (a baseline
 * is simply a report accepted with --update-baseline). Schema in docs/bench.md; every
 * figure is defined in docs/metrics.md.
 *
 * Two kinds of figure: timings and the ratios made from them (speedup, efficiency), which
 * vary from run to run and are compared with a tolerance; and deterministic figures
 * (dependency edges, gas-weighted ceilings), which depend only on the block and stm's
 * definitions and must not change at all unless a change of definition is meant.
 */
import type { SchedulerName } from '../parallel/types.js';
import type { Spread } from '../analysis/stats.js';
import type { MachineInfo } from '../report/machine.js';
import type { SuiteEntrySource, Tolerance } from './suite.js';

export const BENCH_SCHEMA_VERSION = 1;

/** Machine-independent figures of one entry at one thread count. */
export interface DeterministicFigures {
  /** Dependency edges, all locations. */
  edges: number;
  /** Dependency edges, storage-only view. */
  storageEdges: number;
  dependentTxs: number;
  longestChain: number;
  /** ceiling(∞) weighted by gas. */
  ceilingInfiniteByGas: number;
  /** ceiling(T) weighted by gas, at this entry's thread count. */
  ceilingTByGas: number;
}

export interface BenchEntryResult {
  /** `<name>@<threads>t` (Block-STM) or `<name>@<threads>t:<scheduler>`: the key a baseline is matched on. */
  id: string;
  name: string;
  source: SuiteEntrySource;
  threads: number;
  /** Absent in reports written before schedulers were selectable: blockstm. */
  scheduler?: SchedulerName;
  txs: number;
  /** Total gas used, decimal string. */
  gasUsed: string;
  /** The serial replay matched the chain (synthetic blocks: their own header). */
  verified: boolean;
  /** Every measured parallel run equalled the serial replay. */
  equalsSerial: boolean;
  /** Serial runs interleaved with the parallel ones, ms. */
  serialMs: Spread;
  parallelMs: Spread;
  /** median serial / median parallel (same process, interleaved). */
  speedup: number;
  /** ceiling(T) by time at this thread count (varies a little: it uses measured times). */
  ceilingT: number;
  /** speedup / ceilingT. */
  efficiency: number;
  /**
   * This machine's 2-thread bound m, measured in this entry's runs: after each parallel run
   * the block replayed serially on the main thread while a worker replays it over and over;
   * m = the serial run alone / beside the worker's (1 on two free cores, less when they are
   * shared). Null or
   * absent when not measured (--no-machine-bound, one thread).
   */
  machineBound?: Spread | null;
  /**
   * The speedup with the machine's load taken out: the median over the measured runs of
   * speedup / m, i.e. of (the main thread's serial replay beside the worker's) / (the parallel run), both
   * measured moments apart; null without m.
   */
  speedupPerBound?: number | null;
  conflicts: { total: number; validation: number; estimate: number };
  reexecutions: number;
  waves: number;
  fallback: { mode: 'none' | 'serial'; reason?: string };
  setup: { contextMs: number; vmMs: number; generateMs: number; workerStartMs: number; stateDistributionMs: number; poolReused: boolean };
  deterministic: DeterministicFigures;
  /**
   * Earlier measurements of this entry that failed the gate on timing alone, oldest first;
   * this result is the re-measurement that was judged (confirmRegressions.ts). Absent when
   * the first measurement was judged.
   */
  earlierAttempts?: EarlierAttempt[];
}

/** An attempt the gate re-measured: its ratios and why it failed. */
export interface EarlierAttempt {
  speedup: number;
  efficiency: number;
  speedupPerBound: number | null;
  parallelMs: Spread;
  reasons: string[];
}

export interface BenchReport {
  schemaVersion: typeof BENCH_SCHEMA_VERSION;
  kind: 'stm-bench';
  stmVersion: string;
  createdAt: string;
  machine: MachineInfo;
  suite: { name: string; file: string | null };
  /**
   * machineBound: each entry measured this machine's 2-thread bound; confirm: re-measurements
   * allowed for an entry failing on timing alone (both absent in reports written before).
   */
  settings: { runs: number; warmup: number; fallback: boolean; tolerance: Tolerance; machineBound?: boolean; confirm?: number };
  /** Worker start-up over the whole run (the pool starts once and is reused; it restarts only for another thread count). */
  setup: { workerStarts: number; workerStartMs: number };

  entries: BenchEntryResult[];
  /** Wall time of the whole run, ms. */
  totalMs: number;
}
