/**
 * `stm analyze` without the terminal: replay each block (serially, then on the
 * executor unless told not to), keep only the figures (the replay's VM and state are
 * dropped before the next block), rank contracts and slots across the range, build the
 * heatmap, and decide the exit code. A block that cannot be loaded or replayed becomes a
 * row with status "error" and the rest continue; Ctrl-C is not such a failure.
 */
import { median } from '../analysis/stats.js';
import type { BlockData } from '../data/blockData.js';
import { ExitCode, InterruptedError, StmError } from '../errors.js';
import { replayParallel } from '../parallel/replayParallel.js';
import { balFigures } from '../bal/balFigures.js';
import type { SchedulerName } from '../parallel/types.js';
import type { ParallelSummary } from '../parallel/types.js';
import { replaySerial, type SerialReplay } from '../replay/replayBlock.js';
import type { MachineInfo } from '../report/machine.js';
import { hardforkName, type GraphReport } from '../report/replayReport.js';
import type { GraphSummary } from '../analysis/blockAnalysis.js';
import { describeLocation, locationAddress } from '../state/locations.js';
import { simulateBlock } from '../simulate/simulateBlock.js';
import { blockHotspots, rankHeat, type Heat, type HeatMeasure } from './hotspots.js';
import { addressName } from './knownAddresses.js';
import { ANALYZE_SCHEMA_VERSION, type AnalyzeReport, type AnalyzedBlock, type AnalyzedParallel, type BlockStatus, type HeatEntry } from './report.js';

export interface AnalyzeOptions {
  threads: number;
  runs: number;
  warmup: number;
  /** Run the parallel executor (default true; --no-parallel). */
  parallel: boolean;
  fallback: boolean;
  /** The parallel scheduler (default blockstm; --scheduler). */
  scheduler?: SchedulerName;
  heat: 'edges' | 'conflicts';
  /** Thread counts to simulate (empty: no simulation). */
  simulate: number[];
  /** Columns of the heatmap (hottest contracts), default 12. */
  heatmapColumns?: number;
  checkpoint?: () => void;
  /** (block number, index, total, phase, done, total) while a block runs. */
  progress?: (number: bigint, index: number, count: number, phase: string, done: number, total: number) => void;
}

export interface AnalyzeInput {
  numbers: bigint[];
  load: (number: bigint) => Promise<BlockData>;
  options: AnalyzeOptions;
  machine: MachineInfo;
  toolVersion: string;
}

const RANK_SIZE = 20;
const SLOTS_PER_BLOCK = 20;

export async function analyzeRange(input: AnalyzeInput): Promise<AnalyzeReport> {
  const { options } = input;
  const blocks: AnalyzedBlock[] = [];
  const contractHeat: Array<Map<string, Heat>> = [];
  const locationHeat: Array<Map<string, Heat>> = [];
  const coinbases = new Map<string, string>();
  for (let index = 0; index < input.numbers.length; index++) {
    const number = input.numbers[index]!;
    const progress = (phase: string, done: number, total: number): void => options.progress?.(number, index, input.numbers.length, phase, done, total);
    progress('loading', 0, 1);
    const { block, contracts, locations } = await analyzeOne(number, input.load, options, progress);
    blocks.push(block);
    contractHeat.push(contracts);
    locationHeat.push(locations);
    if (block.coinbase !== null) coinbases.set(block.coinbase, block.coinbase);
    options.checkpoint?.();
  }
  const nameOf = (address: string): string | null => addressName(address) ?? (coinbases.has(address) ? 'coinbase' : null);
  const contractTotals = sumHeat(contractHeat);
  const locationTotals = sumHeat(locationHeat);
  const contractEntries = (by: HeatMeasure): HeatEntry[] =>
    rankHeat(contractTotals.sum, by)
      .filter(([, heat]) => heat[by] > 0)
      .slice(0, RANK_SIZE)
      .map(([address, heat]) => ({ key: address, name: nameOf(address), description: address, ...roundHeat(heat), blocks: contractTotals.blocks.get(address) ?? 0 }));
  const slotEntries = (by: HeatMeasure): HeatEntry[] =>
    rankHeat(locationTotals.sum, by)
      .filter(([, heat]) => heat[by] > 0)
      .slice(0, RANK_SIZE)
      .map(([key, heat]) => ({ key, name: nameOf(locationAddress(key)), description: describeLocation(key), ...roundHeat(heat), blocks: locationTotals.blocks.get(key) ?? 0 }));

  const heat = options.heat;
  const columns = rankHeat(contractTotals.sum, heat)
    .filter(([, h]) => h[heat] > 0)
    .slice(0, options.heatmapColumns ?? 12)
    .map(([address]) => address);
  const heatmap = {
    measure: heat,
    blocks: blocks.map((b) => b.number),
    contracts: columns.map((address) => ({ address, name: nameOf(address) })),
    cells: contractHeat.map((map) => columns.map((address) => map.get(address)?.[heat] ?? 0)),
  };

  const replayed = blocks.filter((b) => b.dependencies !== null);
  const withParallel = blocks.filter((b) => b.parallel !== null);
  const medianOf = (values: number[]): number | null => (values.length === 0 ? null : median(values));
  const failed = blocks.filter((b) => b.status === 'error');
  const mismatched = blocks.filter((b) => b.status === 'mismatch' || b.status === 'parallel-differs');
  return {
    schemaVersion: ANALYZE_SCHEMA_VERSION,
    tool: { name: 'stm', version: input.toolVersion },
    machine: input.machine,
    options: { threads: options.threads, runs: options.runs, warmup: options.warmup, parallel: options.parallel, fallback: options.fallback, scheduler: options.scheduler ?? 'blockstm', heat, simulate: [...options.simulate] },
    blocks,
    rankings: {
      contractsByEdges: contractEntries('edges'),
      contractsByCriticalPath: contractEntries('criticalMs'),
      contractsByConflicts: contractEntries('conflicts'),
      slotsByEdges: slotEntries('edges'),
      slotsByCriticalPath: slotEntries('criticalMs'),
      slotsByConflicts: slotEntries('conflicts'),
    },
    heatmap,
    summary: {
      blocks: blocks.length,
      ok: blocks.filter((b) => b.status === 'ok').length,
      failed: failed.length,
      mismatched: mismatched.length,
      median: {
        ceilingInfiniteByTime: medianOf(replayed.map((b) => b.dependencies!.all.ceilings.byTime.infinite)),
        ceilingTByTime: medianOf(replayed.map((b) => b.dependencies!.all.ceilings.byTime.threads)),
        speedup: medianOf(withParallel.map((b) => b.parallel!.speedup)),
        efficiency: medianOf(withParallel.map((b) => b.parallel!.efficiency)),
      },
    },
    exitCode: analyzeExitCode(blocks),
  };
}

/** 0 every block ok; 1 some block failed, did not verify, or parallel differed; when every block failed to load or replay, the first failure's own code (2 input, 3 environment). */
export function analyzeExitCode(blocks: AnalyzedBlock[]): number {
  if (blocks.length > 0 && blocks.every((b) => b.status === 'error')) return blocks[0]!.error!.exitCode;
  return blocks.every((b) => b.status === 'ok') ? ExitCode.ok : ExitCode.mismatch;
}

interface OneBlock {
  block: AnalyzedBlock;
  contracts: Map<string, Heat>;
  locations: Map<string, Heat>;
}

async function analyzeOne(number: bigint, load: (n: bigint) => Promise<BlockData>, options: AnalyzeOptions, progress: (phase: string, done: number, total: number) => void): Promise<OneBlock> {
  let serial: SerialReplay | undefined;
  let parallel: ParallelSummary | undefined;
  try {
    const data = await load(number);
    options.checkpoint?.();
    progress('serial', 0, 1);
    serial = await replaySerial(data, { runs: options.runs, warmup: options.warmup, threads: options.threads, ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}), progress });
    options.checkpoint?.();
    if (options.parallel) {
      progress('parallel', 0, 1);
      parallel = await replayParallel(serial, { threads: options.threads, scheduler: options.scheduler ?? 'blockstm', fallback: options.fallback, runs: options.runs, warmup: options.warmup, ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}), progress });
    }
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    if (serial === undefined) return { block: failedBlock(number, error), contracts: new Map(), locations: new Map() };
    // The serial replay ran but the executor failed: keep the serial figures, mark the row.
    const row = fromReplay(serial, undefined, options);
    row.block.status = 'error';
    row.block.error = errorOf(error);
    return row;
  }
  return fromReplay(serial, parallel, options);
}

function errorOf(error: unknown): { message: string; exitCode: number } {
  if (error instanceof StmError) return { message: error.shortMessage.replace(/\s*\n\s*/g, ' '), exitCode: error.exitCode };
  return { message: `internal error: ${error instanceof Error ? error.message : String(error)}`, exitCode: ExitCode.failure };
}

function failedBlock(number: bigint, error: unknown): AnalyzedBlock {
  return {
    number: number.toString(),
    status: 'error',
    error: errorOf(error),
    hash: null,
    hardfork: null,
    coinbase: null,
    txCount: null,
    gasUsed: null,
    serialMs: null,
    verified: null,
    dependencies: null,
    parallel: null,
    contracts: [],
    slots: [],
    criticalPath: [],
    dependsOn: [],
    txMs: [],
    incarnations: null,
    simulation: null,
    bal: null,
  };
}

function graphReport(summary: GraphSummary): GraphReport {
  return { edges: summary.edges, dependentTxs: summary.dependentTxs, longestChain: summary.longestChain, ceilings: { byTime: { ...summary.byTime }, byGas: { ...summary.byGas } } };
}

function parallelFigures(p: ParallelSummary): AnalyzedParallel {
  return {
    scheduler: p.scheduler,
    threads: p.threads,
    speedup: p.speedup,
    efficiency: p.efficiency,
    ceilingT: p.ceilingT,
    conflicts: { ...p.conflicts },
    reexecutions: p.reexecutions,
    reexecutionRate: p.reexecutionRate,
    waves: p.waves,
    highestIncarnation: p.highestIncarnation,
    rounds: p.rounds ?? null,
    fallback: { mode: p.fallback.mode, reason: p.fallback.reason ?? null },
    equalsSerial: p.equalsSerial,
    parallelMs: p.parallelMs.median,
    serialMs: p.serialMsInterleaved.median,
  };
}

function roundHeat(heat: Heat): Heat {
  return { edges: heat.edges, criticalMs: Math.round(heat.criticalMs * 1000) / 1000, conflicts: heat.conflicts };
}

function fromReplay(serial: SerialReplay, parallel: ParallelSummary | undefined, options: AnalyzeOptions): OneBlock {
  const { analysis } = serial;
  const coinbase = serial.ctx.coinbase.toLowerCase();
  const spots = blockHotspots(analysis.graph, analysis.edges, serial.txTimesMs, parallel?.perTx.map((t) => t.abortedBy));
  const verified = serial.verification.ok;
  let status: BlockStatus = 'ok';
  if (!verified) status = 'mismatch';
  else if (parallel !== undefined && !parallel.equalsSerial) status = 'parallel-differs';
  const name = (address: string): string | null => addressName(address, coinbase) ?? null;
  const contracts: HeatEntry[] = rankHeat(spots.contracts, 'edges').map(([address, heat]) => ({ key: address, name: name(address), description: address, ...roundHeat(heat), blocks: 1 }));
  const rankedSlots = rankHeat(spots.locations, 'edges');
  const slots: HeatEntry[] = rankedSlots
    .filter(([, heat], i) => i < SLOTS_PER_BLOCK || heat.conflicts > 0)
    .map(([key, heat]) => ({ key, name: name(locationAddress(key)), description: describeLocation(key), ...roundHeat(heat), blocks: 1 }));
  const senders = serial.ctx.data.block.transactions.map((tx) => tx.from.toLowerCase());
  const simulation =
    options.simulate.length === 0
      ? null
      : simulateBlock({
          graph: analysis.graph,
          txTimesMs: serial.txTimesMs,
          serialMs: serial.serialMs.median,
          gasUsed: serial.gasUsed,
          gasLimits: serial.ctx.txs.map((tx) => tx.gasLimit),
          senders,
          threads: options.simulate,
        });
  const block: AnalyzedBlock = {
    number: serial.ctx.data.number.toString(),
    status,
    error: null,
    hash: serial.ctx.data.block.hash,
    hardfork: hardforkName(serial.ctx.hardfork),
    coinbase,
    txCount: serial.ctx.txs.length,
    gasUsed: serial.gasUsed.reduce((s, g) => s + g, 0n).toString(),
    serialMs: serial.serialMs.median,
    verified,
    dependencies: { all: graphReport(analysis.all), storageOnly: graphReport(analysis.storageOnly) },
    parallel: parallel === undefined ? null : parallelFigures(parallel),
    contracts,
    slots,
    criticalPath: spots.criticalPath,
    dependsOn: analysis.graph.preds.map((p) => [...p]),
    txMs: serial.txTimesMs.map((ms) => Math.round(ms * 1e4) / 1e4),
    incarnations: parallel === undefined ? null : parallel.perTx.map((t) => t.incarnations),
    simulation,
    bal: balFigures(serial, options.threads),
  };
  // Drop the heavy parts of the replay before the next block.
  return { block, contracts: spots.contracts, locations: spots.locations };
}

function sumHeat(maps: Array<Map<string, Heat>>): { sum: Map<string, Heat>; blocks: Map<string, number> } {
  const sum = new Map<string, Heat>();
  const blocks = new Map<string, number>();
  for (const map of maps) {
    for (const [key, heat] of map) {
      const total = sum.get(key) ?? { edges: 0, criticalMs: 0, conflicts: 0 };
      total.edges += heat.edges;
      total.criticalMs += heat.criticalMs;
      total.conflicts += heat.conflicts;
      sum.set(key, total);
      blocks.set(key, (blocks.get(key) ?? 0) + 1);
    }
  }
  return { sum, blocks };
}
