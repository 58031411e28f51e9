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
import type { BalFigures } from '../bal/balFigures.js';

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
  simulation: SimulationReport | null;
  /** The block-level access list: size, items, ceiling_bal(T) (src/bal/balFigures.ts); null when the block did not replay. */
  bal?: BalFigures | null;
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

export interface AnalyzeReport {
  schemaVersion: typeof ANALYZE_SCHEMA_VERSION;
  tool: { name: 'stm'; version: string };
  machine: MachineInfo;
  options: { threads: number; runs: number; warmup: number; parallel: boolean; fallback: boolean; scheduler: SchedulerName; heat: 'edges' | 'conflicts'; simulate: number[] };
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
  /** 0 all blocks ok; 1 a block failed or differed; 2 or 3 when every block failed (the first failure's code). */
  exitCode: number;
}
