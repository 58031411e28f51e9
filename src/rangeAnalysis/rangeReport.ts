/**
 * The analyze report: every figure of `stm analyze` as one plain, JSON-ready document
 * (`--json`, and what the tables, the heatmap and the HTML page are drawn from). The
 * schema is documented field by field in docs/analyze.md; a change that breaks a reader
 * bumps ANALYZE_SCHEMA_VERSION.
 */
import type { SchedulerName } from '../parallel/types.js';
import type { GraphReport } from '../report/replayReport.js';
import type { MachineInfo } from '../report/machine.js';
import type { Heat } from './hotspots.js';
import type { SimulationReport } from '../simulate/simulateBlock.js';
import type { BalFigures } from '../replay/balFigures.js';

export const ANALYZE_SCHEMA_VERSION = 1;

/** ok: verified (and parallel = serial); mismatch: replay differs from the chain; parallel-differs; error: not loaded or not replayed. */
export type BlockStatus = 'ok' | 'mismatch' | 'parallel-differs' | 'error';

export interface HeatEntry extends Heat {
  /** Address (contracts) or location key (slots). */
  key: string;
  /** The address's name from the known-address table, "coinbase", or null. */
  name: string | null;
  /** Human-readable location ("0xabc… slot 0x3"); for contracts the address. */
  description: string;
  /** Blocks in which it has edges, critical-path time or conflicts. */
  blocks: number;
}

export interface AnalyzedParallel {
  scheduler: SchedulerName;
  threads: number;
  speedup: number;
  efficiency: number;
  ceilingT: number;
  conflicts: { total: number; validation: number; estimate: number };
  reexecutions: number;
  reexecutionRate: number;
  waves: number;
  highestIncarnation: number;
  /** OCC: rounds of parallel execution; null for the other schedulers. */
  rounds: number | null;
  fallback: { mode: 'none' | 'serial'; reason: string | null };
  equalsSerial: boolean;
  parallelMs: number;
  serialMs: number;
}

export interface AnalyzedBlock {
  number: string;
  status: BlockStatus;
  /** Why the block failed (status "error"), else null. */
  error: { message: string; exitCode: number } | null;
  hash: string | null;
  hardfork: string | null;
  coinbase: string | null;
  txCount: number | null;
  gasUsed: string | null;
  /** Median serial time of the measured runs, ms. */
  serialMs: number | null;
  verified: boolean | null;
  dependencies: { all: GraphReport; storageOnly: GraphReport } | null;
  parallel: AnalyzedParallel | null;
  /** Every contract with edges, critical-path time or conflicts in this block, hottest first (by edges). */
  contracts: HeatEntry[];
  /** The block's 20 hottest locations by edges (and any with conflicts). */
  slots: HeatEntry[];
  /** The time-weighted critical path (tx indices). */
  criticalPath: number[];
  /** dependsOn[j]: the earlier transactions j depends on (full graph). */
  dependsOn: number[][];
  /** Median serial time per transaction, ms. */
  txMs: number[];
  /** Incarnations per transaction in the executor's first measured run; null without it. */
  incarnations: number[] | null;
  /** Each transaction that ran more than once: its incarnations, the locations that aborted it and the transactions that last wrote them before it (from the serial graph); null without the executor. */
  reexecuted: ReexecutedTx[] | null;
  simulation: SimulationReport | null;
  /** The block-level access list: size, items, ceiling_bal(T) (src/replay/balFigures.ts); null when the block did not replay. */
  bal?: BalFigures | null;
  /** The block's chain (eth_chainId); null when the block did not load. */
  chainId: number | null;
  /** Who built it: the fee recipient is `coinbase`; `extraData` (hex) and the name read from it. */
  builder: BuilderFields | null;
  /** The first 10% of the transactions against the rest (docs/metrics.md). */
  topOfBlock: TopOfBlock | null;
  /** ceiling(∞) and ceiling(T) by time with one contract's (slot's) edges removed, for each one whose removal changes either; null unless --what-if. */
  whatIf: BlockWhatIf | null;
}

export interface ReexecutedTx {
  tx: number;
  incarnations: number;
  /** Per aborted incarnation: the location that aborted it. */
  abortedBy: string[];
  /** Per aborted incarnation: the last transaction before this one to write that location in the serial order (null when none did). */
  abortedByTx: Array<number | null>;
}

export interface BuilderFields {
  extraData: string;
  /** extraData as text when it is printable ASCII/UTF-8 (a builder's name), else null. */
  extraDataText: string | null;
}

export interface TopOfBlock {
  /** Transactions in the top: ceil(10% of the block), at least 1 (0 for an empty block). */
  topTxs: number;
  /** Transactions with a dependency (full graph) among the top and among the rest. */
  dependentTop: number;
  dependentRest: number;
  /** Share of the time-weighted critical path's weight spent in top / rest transactions (sums to 1; 0 and 0 for an empty block). */
  criticalShareTop: number;
  criticalShareRest: number;
}

/** Ceilings by time, all locations, with a contract's (slot's) edges removed. */
export interface WhatIfCeilings {
  infinite: number;
  threads: number;
}

export interface BlockWhatIf {
  /** The ceilings by time on the full graph with the same weights (the record's txMs), which the gains divide by. */
  base: WhatIfCeilings;
  /** Contract address → ceilings without its locations' edges; only contracts whose removal changes a ceiling. */
  contracts: Record<string, WhatIfCeilings>;
  /** Location key → ceilings without that location's edges; only locations whose removal changes a ceiling. */
  slots: Record<string, WhatIfCeilings>;
}

/** One row of the what-if table: a contract (slot) and what making it commutative would buy across the range. */
export interface WhatIfEntry {
  key: string;
  name: string | null;
  description: string;
  /** Blocks in which it has dependency edges. */
  blocks: number;
  /** Gains (ceiling after / before, by time) over every replayed block of the range (1 where it changes nothing). */
  meanGainInfinite: number;
  medianGainInfinite: number;
  meanGainThreads: number;
  medianGainThreads: number;
  /** The median over the blocks where it has edges only. */
  medianGainInfiniteWhereHot: number;
  maxGainInfinite: number;
  /** Per replayed block (report order): [number, ceiling(∞) after, ceiling(T) after] for the blocks where it changes a ceiling. */
  perBlock: Array<{ number: string; infinite: number; threads: number; gainInfinite: number; gainThreads: number }>;
}

/** One row of the builders table: the blocks of one fee recipient. */
export interface BuilderEntry {
  feeRecipient: string;
  /** Known name of the fee recipient, else the most common readable extraData, else null. */
  name: string | null;
  /** The readable extraData texts seen, most common first (at most 3). */
  extraData: string[];
  blocks: number;
  txs: number;
  medianDependentTxs: number | null;
  medianCeilingTByTime: number | null;
  medianConflicts: number | null;
  /** Medians over its blocks of the top-of-block split. */
  medianDependentTop: number | null;
  medianDependentRest: number | null;
  medianCriticalShareTop: number | null;
}

export interface AnalyzeSummary {
  blocks: number;
  ok: number;
  failed: number;
  mismatched: number;
  /** Medians over the blocks that replayed (null when none). */
  median: {
    ceilingInfiniteByTime: number | null;
    ceilingTByTime: number | null;
    speedup: number | null;
    efficiency: number | null;
  };
}

/** The options that shape the figures of a report (they must agree between merged results files). */
export interface ReportOptions {
  threads: number;
  runs: number;
  warmup: number;
  parallel: boolean;
  fallback: boolean;
  scheduler: SchedulerName;
  heat: 'edges' | 'conflicts';
  simulate: number[];
  /** --what-if K (0: not asked). */
  whatIf: number;
}

export interface AnalyzeReport {
  schemaVersion: typeof ANALYZE_SCHEMA_VERSION;
  tool: { name: 'stm'; version: string };
  machine: MachineInfo;
  options: ReportOptions;
  blocks: AnalyzedBlock[];
  /** Across the blocks: contracts and slots ranked three ways (top 20 each). */
  rankings: {
    contractsByEdges: HeatEntry[];
    contractsByCriticalPath: HeatEntry[];
    contractsByConflicts: HeatEntry[];
    slotsByEdges: HeatEntry[];
    slotsByCriticalPath: HeatEntry[];
    slotsByConflicts: HeatEntry[];
  };
  /** The heatmap: rows = blocks (in `blocks` order), columns = contracts, cells[row][col] = the measure. */
  heatmap: { measure: 'edges' | 'conflicts'; blocks: string[]; contracts: Array<{ address: string; name: string | null }>; cells: number[][] };
  summary: AnalyzeSummary;
  /** With --what-if K: the top K contracts and top K locations by critical-path time, ranked by mean gain. */
  whatIf: { k: number; contracts: WhatIfEntry[]; slots: WhatIfEntry[] } | null;
  /** Blocks grouped by fee recipient, most blocks first. */
  builders: BuilderEntry[];
  /** Chain ids of the blocks (one, normally). */
  chainIds: number[];
  /** Per-transaction arrays (criticalPath, dependsOn, txMs, incarnations, reexecuted) are kept for this many blocks (the lowest numbers); the other blocks have them empty. The results file keeps them for every block. */
  detailBlocks: number;
  /** 0 all blocks ok; 1 a block failed or differed; 2 or 3 when every block failed (the first failure's code). */
  exitCode: number;
}
