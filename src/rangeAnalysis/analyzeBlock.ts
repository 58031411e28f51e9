/**
 * One block of `stm analyze`, from loading to its record: replay it serially (then on
 * the executor unless told not to) and keep only the figures (AnalyzedBlock, the line
 * of a results file); the replay's VM and state are dropped when this returns. A block
 * that cannot be loaded or replayed becomes a record with status "error"; Ctrl-C is not
 * such a failure.
 */
import { ceilings } from '../analysis/ceiling.js';
import { buildDependencyGraph, type DependencyEdge } from '../analysis/dependencyGraph.js';
import type { BlockData } from '../data/blockData.js';
import { ExitCode, InterruptedError, StmError } from '../errors.js';
import { recipientsOf, replayParallel } from '../replay/replayParallel.js';
import type { ParallelSummary, SchedulerName } from '../parallel/types.js';
import { replaySerial, type SerialReplay, type TimedTurn } from '../replay/replayBlock.js';
import { hardforkName, type GraphReport } from '../report/replayReport.js';
import type { GraphSummary } from '../analysis/blockAnalysis.js';
import { describeLocation, locationAddress } from '../state/locations.js';
import { readWriteLocations, simulateBlock, unitLocations } from '../simulate/simulateBlock.js';
import { blockUnits } from '../parallel/txUnits.js';
import { independentOfSender } from '../exec/commutativeUpdates.js';
import { balFigures } from '../replay/balFigures.js';
import { blockHotspots, rankHeat, type Heat } from './hotspots.js';
import { addressName } from './knownAddresses.js';
import type { AnalyzedBlock, AnalyzedParallel, BlockStatus, BlockWhatIf, BuilderFields, HeatEntry, ReexecutedTx, TopOfBlock, WhatIfCeilings } from './rangeReport.js';

export interface BlockOptions {
  threads: number;
  runs: number;
  warmup: number;
  /** Run the parallel executor (default true; --no-parallel). */
  parallel: boolean;
  fallback: boolean;
  /** The parallel scheduler (default blockstm; --scheduler). */
  scheduler?: SchedulerName;
  /** Thread counts to simulate (empty: no simulation). */
  simulate: number[];
  /** Compute the what-if ceilings (--what-if K > 0). */
  whatIf?: boolean;
  checkpoint?: () => void;
  /** Taken for the serial replay's timed runs (blockJobs.ts: with --simulate, the jobs' timed runs take turns). */
  timedTurn?: TimedTurn;
}

/** Locations kept per block beyond those on the critical path or with conflicts. */
export const SLOTS_PER_BLOCK = 20;
/** The top of the block: this share of its transactions (rounded up). */
export const TOP_SHARE = 0.1;

export async function analyzeBlock(number: bigint, load: (n: bigint) => Promise<BlockData>, options: BlockOptions, progress: (phase: string, done: number, total: number) => void = () => {}): Promise<AnalyzedBlock> {
  let serial: SerialReplay | undefined;
  let parallel: ParallelSummary | undefined;
  try {
    progress('loading', 0, 1);
    const data = await load(number);
    options.checkpoint?.();
    progress('serial', 0, 1);
    serial = await replaySerial(data, { runs: options.runs, warmup: options.warmup, threads: options.threads, ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}), ...(options.timedTurn ? { timedTurn: options.timedTurn } : {}), progress });
    options.checkpoint?.();
    if (options.parallel) {
      progress('parallel', 0, 1);
      parallel = await replayParallel(serial, { threads: options.threads, scheduler: options.scheduler ?? 'blockstm', fallback: options.fallback, runs: options.runs, warmup: options.warmup, ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}), progress });
    }
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    if (serial === undefined) return failedBlock(number, error);
    // The serial replay ran but the executor failed: keep the serial figures, mark the row.
    const row = fromReplay(serial, undefined, options);
    row.status = 'error';
    row.error = errorOf(error);
    return row;
  }
  return fromReplay(serial, parallel, options);
}

function errorOf(error: unknown): { message: string; exitCode: number } {
  if (error instanceof StmError) return { message: error.shortMessage.replace(/\s*\n\s*/g, ' '), exitCode: error.exitCode };
  return { message: `internal error: ${error instanceof Error ? error.message : String(error)}`, exitCode: ExitCode.failure };
}

export function failedBlock(number: bigint, error: unknown): AnalyzedBlock {
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
    reexecuted: null,
    simulation: null,
    bal: null,
    chainId: null,
    builder: null,
    topOfBlock: null,
    whatIf: null,
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

export function roundHeat(heat: Heat): Heat {
  return { edges: heat.edges, criticalMs: Math.round(heat.criticalMs * 1000) / 1000, conflicts: heat.conflicts, commuteEdges: heat.commuteEdges };
}

/** extraData as text when every character is printable (a builder's or pool's name), else null. */
export function readableExtraData(hex: string): string | null {
  const bytes = Buffer.from(hex.replace(/^0x/, ''), 'hex');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  text = text.replace(/\0+$/, '').trim();
  // No control, unassigned, private-use or replacement characters, and no bidi overrides (they would reorder a terminal line).
  if (text.length === 0 || /[\p{Cc}\p{Cn}\p{Co}\p{Cs}\uFFFD\u202A-\u202E\u2066-\u2069]/u.test(text)) return null;
  // Some miners wrote their name hex-encoded as text ("0x486976656f6e20506f6f6c" = "Hiveon Pool").
  if (/^0x([0-9a-f]{2})+$/i.test(text) && hex !== text) return readableExtraData(text) ?? text;
  return text;
}

/** The first 10% of the transactions (at least one) against the rest: dependent transactions, and where the critical path's weight lies. */
export function topOfBlock(dependsOn: ReadonlyArray<readonly number[]>, criticalPath: readonly number[], txMs: ArrayLike<number>): TopOfBlock {
  const n = dependsOn.length;
  const topTxs = n === 0 ? 0 : Math.max(1, Math.ceil(n * TOP_SHARE));
  let dependentTop = 0;
  let dependentRest = 0;
  dependsOn.forEach((preds, j) => {
    if (preds.length === 0) return;
    if (j < topTxs) dependentTop++;
    else dependentRest++;
  });
  let top = 0;
  let all = 0;
  for (const j of criticalPath) {
    all += txMs[j]!;
    if (j < topTxs) top += txMs[j]!;
  }
  if (criticalPath.length === 0) return { topTxs, dependentTop, dependentRest, criticalShareTop: 0, criticalShareRest: 0 };
  if (all === 0) {
    // A path of zero-time transactions: count transactions instead.
    const inTop = criticalPath.filter((j) => j < topTxs).length;
    return { topTxs, dependentTop, dependentRest, criticalShareTop: inTop / criticalPath.length, criticalShareRest: (criticalPath.length - inTop) / criticalPath.length };
  }
  return { topTxs, dependentTop, dependentRest, criticalShareTop: top / all, criticalShareRest: (all - top) / all };
}

/**
 * The what-if ceilings of one block (docs/metrics.md): for each contract (each location)
 * with a dependency edge, ceiling(∞) and ceiling(T) by time on the full graph without the
 * edges through its locations (through that location). Kept only when one of them
 * changes, so a block's record stays small. `txMs` are the record's (rounded) times.
 */
export function whatIfCeilings(txCount: number, edges: readonly DependencyEdge[], txMs: ArrayLike<number>, threads: number): BlockWhatIf {
  const base = ceilings(buildDependencyGraph(txCount, edges), txMs, threads);
  const changed = (c: WhatIfCeilings): boolean => Math.abs(c.infinite - base.infinite) > 1e-12 * base.infinite || Math.abs(c.threads - base.threads) > 1e-12 * base.threads;
  const without = (keep: (location: string) => boolean): WhatIfCeilings => {
    const c = ceilings(buildDependencyGraph(txCount, edges, keep), txMs, threads);
    return { infinite: c.infinite, threads: c.threads };
  };
  const addresses = new Set<string>();
  const locations = new Set<string>();
  for (const edge of edges) {
    locations.add(edge.location);
    addresses.add(locationAddress(edge.location));
  }
  const contracts: Record<string, WhatIfCeilings> = {};
  for (const address of [...addresses].sort()) {
    const c = without((location) => locationAddress(location) !== address);
    if (changed(c)) contracts[address] = c;
  }
  const slots: Record<string, WhatIfCeilings> = {};
  for (const key of [...locations].sort()) {
    const c = without((location) => location !== key);
    if (changed(c)) slots[key] = c;
  }
  return { base: { infinite: base.infinite, threads: base.threads }, contracts, slots };
}

/** Per re-executed transaction: how often it ran, which locations aborted it and who last wrote them. */
function reexecutedTxs(perTx: ParallelSummary['perTx'], edges: readonly DependencyEdge[]): ReexecutedTx[] {
  const writer = new Map<string, number>();
  for (const e of edges) writer.set(`${e.to}|${e.location}`, e.from);
  const out: ReexecutedTx[] = [];
  perTx.forEach((t, tx) => {
    if (t.incarnations <= 1 && t.abortedBy.length === 0) return;
    out.push({ tx, incarnations: t.incarnations, abortedBy: [...t.abortedBy], abortedByTx: t.abortedBy.map((location) => writer.get(`${tx}|${location}`) ?? null) });
  });
  return out;
}

function fromReplay(serial: SerialReplay, parallel: ParallelSummary | undefined, options: BlockOptions): AnalyzedBlock {
  const { analysis } = serial;
  const coinbase = serial.ctx.coinbase.toLowerCase();
  const spots = blockHotspots(analysis.graph, analysis.edges, serial.txTimesMs, parallel?.perTx.map((t) => t.abortedBy), analysis.commutativeEdges);
  const verified = serial.verification.ok;
  let status: BlockStatus = 'ok';
  if (!verified) status = 'mismatch';
  else if (parallel !== undefined && !parallel.equalsSerial) status = 'parallel-differs';
  const name = (address: string): string | null => addressName(address, coinbase) ?? null;
  const contracts: HeatEntry[] = rankHeat(spots.contracts, 'edges').map(([address, heat]) => ({ key: address, name: name(address), description: address, ...roundHeat(heat), blocks: 1 }));
  const rankedSlots = rankHeat(spots.locations, 'edges');
  const slots: HeatEntry[] = rankedSlots
    .filter(([, heat], i) => i < SLOTS_PER_BLOCK || heat.conflicts > 0 || heat.criticalMs > 0)
    .map(([key, heat]) => ({ key, name: name(locationAddress(key)), description: describeLocation(key), ...roundHeat(heat), blocks: 1 }));
  const senders = serial.ctx.data.block.transactions.map((tx) => tx.from.toLowerCase());
  const units = blockUnits(serial.ctx, serial.replay.lazyPlan);
  const simulation =
    options.simulate.length === 0
      ? null
      : simulateBlock({
          // The executor applies commutative sender updates: it schedules against that view.
          graph: analysis.commutativeGraph,
          independent: independentOfSender(serial.replay.lazyPlan),
          txTimesMs: serial.txTimesMs,
          serialMs: serial.serialMs.median,
          gasUsed: serial.gasUsed,
          gasLimits: serial.ctx.txs.map((tx) => tx.gasLimit),
          senders,
          recipients: recipientsOf(serial.ctx.data),
          locations: readWriteLocations(serial.run.txs),
          ...(units === undefined ? {} : { units: { starts: units, locations: unitLocations(serial.run.txs, units) } }),
          threads: options.simulate,
        });
  const dependsOn = analysis.graph.preds.map((p) => [...p]);
  // Rounded as stored, so the what-if figures can be recomputed from the record exactly.
  const txMs = serial.txTimesMs.map((ms) => Math.round(ms * 1e4) / 1e4);
  const extraData = typeof serial.ctx.data.block.extraData === 'string' ? serial.ctx.data.block.extraData : '0x';
  const builder: BuilderFields = { extraData, extraDataText: readableExtraData(extraData) };
  return {
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
    dependencies: { all: graphReport(analysis.all), storageOnly: graphReport(analysis.storageOnly), transfersCommute: graphReport(analysis.transfersCommute) },
    parallel: parallel === undefined ? null : parallelFigures(parallel),
    contracts,
    slots,
    criticalPath: spots.criticalPath,
    dependsOn,
    txMs,
    incarnations: parallel === undefined ? null : parallel.perTx.map((t) => t.incarnations),
    reexecuted: parallel === undefined ? null : reexecutedTxs(parallel.perTx, analysis.edges),
    simulation,
    bal: balFigures(serial, options.threads),
    chainId: serial.ctx.data.chainId,
    builder,
    topOfBlock: topOfBlock(dependsOn, spots.criticalPath, serial.txTimesMs),
    whatIf: options.whatIf === true ? whatIfCeilings(serial.ctx.txs.length, analysis.edges, txMs, options.threads) : null,
  };
}
