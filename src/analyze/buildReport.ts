/**
 * The analyze report from per-block records alone (a run's, or results files'): blocks
 * in ascending number order, contracts and slots ranked across them, the heatmap, the
 * what-if table, the builders table, the summary and the exit code. Records are added
 * one at a time in any order; only the figures are kept, and per-transaction arrays only
 * for the DETAIL_BLOCKS lowest-numbered blocks, so memory stays flat over a long range.
 * The same records give the same report, whatever order they came in (sums are taken
 * in block order).
 */
import { median } from '../analysis/stats.js';
import { ExitCode } from '../errors.js';
import { describeLocation, locationAddress } from '../state/locations.js';
import { rankHeat, type Heat, type HeatMeasure } from './hotspots.js';
import { addressName } from './knownAddresses.js';
import { ANALYZE_SCHEMA_VERSION, type AnalyzeReport, type AnalyzedBlock, type BuilderEntry, type HeatEntry, type ReportOptions, type WhatIfEntry } from './report.js';
import type { MachineInfo } from '../report/machine.js';

/** Ranked entries kept per ranking. */
export const RANK_SIZE = 20;
/** Blocks whose per-transaction arrays the report keeps (the lowest numbers). */
export const DETAIL_BLOCKS = 200;
/** Heatmap columns (hottest contracts) by default. */
export const HEATMAP_COLUMNS = 12;

export interface ReportContext {
  options: ReportOptions;
  machine: MachineInfo;
  toolVersion: string;
  heatmapColumns?: number;
  detailBlocks?: number;
}

/** Drops the per-transaction arrays of a record (what the report keeps for blocks past DETAIL_BLOCKS). */
export function withoutDetail(block: AnalyzedBlock): AnalyzedBlock {
  return { ...block, criticalPath: [], dependsOn: [], txMs: [], incarnations: block.incarnations === null ? null : [], reexecuted: block.reexecuted === null ? null : [] };
}

export class ReportBuilder {
  private readonly blocks = new Map<string, AnalyzedBlock>();
  /** Numbers of the blocks that still hold their per-transaction arrays. */
  private readonly detailed: bigint[] = [];
  private readonly limit: number;

  constructor(private readonly context: ReportContext) {
    this.limit = context.detailBlocks ?? DETAIL_BLOCKS;
  }

  get(number: string): AnalyzedBlock | undefined {
    return this.blocks.get(number);
  }

  has(number: string): boolean {
    return this.blocks.has(number);
  }

  get size(): number {
    return this.blocks.size;
  }

  /** Adds one block's record (a later record of the same block replaces the earlier one). */
  add(block: AnalyzedBlock): void {
    const n = BigInt(block.number);
    const known = this.detailed.indexOf(n);
    if (known >= 0) this.detailed.splice(known, 1);
    this.blocks.set(block.number, block);
    this.detailed.push(n);
    if (this.detailed.length > this.limit) {
      let at = 0;
      for (let i = 1; i < this.detailed.length; i++) if (this.detailed[i]! > this.detailed[at]!) at = i;
      const [dropped] = this.detailed.splice(at, 1);
      const key = dropped!.toString();
      this.blocks.set(key, withoutDetail(this.blocks.get(key)!));
    }
  }

  finish(): AnalyzeReport {
    const blocks = [...this.blocks.values()].sort((a, b) => (BigInt(a.number) < BigInt(b.number) ? -1 : BigInt(a.number) > BigInt(b.number) ? 1 : 0));
    return buildReport(blocks, this.context);
  }
}

/** The report of `blocks` (already in report order). */
export function buildReport(blocks: AnalyzedBlock[], context: ReportContext): AnalyzeReport {
  const { options } = context;
  const coinbases = new Set<string>();
  for (const b of blocks) if (b.coinbase !== null) coinbases.add(b.coinbase);
  const nameOf = (address: string): string | null => addressName(address) ?? (coinbases.has(address) ? 'coinbase' : null);
  const contractTotals = sumHeat(blocks.map((b) => b.contracts));
  const locationTotals = sumHeat(blocks.map((b) => b.slots));
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
    .slice(0, context.heatmapColumns ?? HEATMAP_COLUMNS)
    .map(([address]) => address);
  const heatmap = {
    measure: heat,
    blocks: blocks.map((b) => b.number),
    contracts: columns.map((address) => ({ address, name: nameOf(address) })),
    cells: blocks.map((b) => {
      const byKey = new Map(b.contracts.map((e) => [e.key, e]));
      return columns.map((address) => byKey.get(address)?.[heat] ?? 0);
    }),
  };

  const rankings = {
    contractsByEdges: contractEntries('edges'),
    contractsByCriticalPath: contractEntries('criticalMs'),
    contractsByConflicts: contractEntries('conflicts'),
    slotsByEdges: slotEntries('edges'),
    slotsByCriticalPath: slotEntries('criticalMs'),
    slotsByConflicts: slotEntries('conflicts'),
  };
  const replayed = blocks.filter((b) => b.dependencies !== null);
  const withParallel = blocks.filter((b) => b.parallel !== null);
  const failed = blocks.filter((b) => b.status === 'error');
  const mismatched = blocks.filter((b) => b.status === 'mismatch' || b.status === 'parallel-differs');
  return {
    schemaVersion: ANALYZE_SCHEMA_VERSION,
    tool: { name: 'stm', version: context.toolVersion },
    machine: context.machine,
    options: { ...options, simulate: [...options.simulate] },
    blocks,
    rankings,
    heatmap,
    whatIf: options.whatIf > 0 ? whatIfTable(blocks, options.whatIf, rankings.contractsByCriticalPath, rankings.slotsByCriticalPath) : null,
    builders: builderTable(blocks),
    chainIds: [...new Set(blocks.flatMap((b) => (b.chainId === null ? [] : [b.chainId])))].sort((a, b) => a - b),
    detailBlocks: context.detailBlocks ?? DETAIL_BLOCKS,
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

function medianOf(values: number[]): number | null {
  return values.length === 0 ? null : median(values);
}

function mean(values: number[]): number {
  return values.length === 0 ? 1 : values.reduce((s, v) => s + v, 0) / values.length;
}

function roundHeat(heat: Heat): Heat {
  return { edges: heat.edges, criticalMs: Math.round(heat.criticalMs * 1000) / 1000, conflicts: heat.conflicts };
}

function sumHeat(lists: HeatEntry[][]): { sum: Map<string, Heat>; blocks: Map<string, number> } {
  const sum = new Map<string, Heat>();
  const blocks = new Map<string, number>();
  for (const list of lists) {
    for (const entry of list) {
      const total = sum.get(entry.key) ?? { edges: 0, criticalMs: 0, conflicts: 0 };
      total.edges += entry.edges;
      total.criticalMs += entry.criticalMs;
      total.conflicts += entry.conflicts;
      sum.set(entry.key, total);
      blocks.set(entry.key, (blocks.get(entry.key) ?? 0) + 1);
    }
  }
  return { sum, blocks };
}

/**
 * The what-if table: every contract (location) whose removal changes a ceiling in some
 * block is a candidate; the K with the largest mean gain of ceiling(∞) over the range
 * (then of ceiling(T)) are listed — ranked by what fixing them would buy, not by how often
 * they appear. When fewer than K change anything, the list is filled up with the hottest
 * by critical-path time (gain +0%: making them commutative alone buys nothing).
 */
function whatIfTable(blocks: AnalyzedBlock[], k: number, contractsByCp: HeatEntry[], slotsByCp: HeatEntry[]): { k: number; contracts: WhatIfEntry[]; slots: WhatIfEntry[] } {
  const measured = blocks.filter((b) => b.whatIf !== null && b.whatIf.base !== undefined && b.dependencies !== null);
  const entry = (key: string, slot: boolean): WhatIfEntry => {
    const gainsInf: number[] = [];
    const gainsT: number[] = [];
    const hot: number[] = [];
    const perBlock: WhatIfEntry['perBlock'] = [];
    let blocksWithEdges = 0;
    for (const b of measured) {
      const base = b.whatIf!.base;
      const after = (slot ? b.whatIf!.slots : b.whatIf!.contracts)[key];
      const has = after !== undefined || (slot ? b.slots : b.contracts).some((x) => x.key === key && x.edges > 0);
      const gi = after === undefined ? 1 : after.infinite / base.infinite;
      const gt = after === undefined ? 1 : after.threads / base.threads;
      gainsInf.push(gi);
      gainsT.push(gt);
      if (has) {
        blocksWithEdges++;
        hot.push(gi);
      }
      if (after !== undefined) perBlock.push({ number: b.number, infinite: after.infinite, threads: after.threads, gainInfinite: gi, gainThreads: gt });
    }
    const address = slot ? locationAddress(key) : key;
    const coinbase = blocks.some((b) => b.coinbase === address);
    return {
      key,
      name: addressName(address) ?? (coinbase ? 'coinbase' : null),
      description: slot ? describeLocation(key) : key,
      blocks: blocksWithEdges,
      meanGainInfinite: mean(gainsInf),
      medianGainInfinite: medianOf(gainsInf) ?? 1,
      meanGainThreads: mean(gainsT),
      medianGainThreads: medianOf(gainsT) ?? 1,
      medianGainInfiniteWhereHot: medianOf(hot) ?? 1,
      maxGainInfinite: Math.max(1, ...gainsInf),
      perBlock,
    };
  };
  const table = (slot: boolean, hottest: HeatEntry[]): WhatIfEntry[] => {
    const candidates = new Set<string>();
    for (const b of measured) for (const key of Object.keys(slot ? b.whatIf!.slots : b.whatIf!.contracts)) candidates.add(key);
    const ranked = [...candidates].map((key) => entry(key, slot)).sort((a, b) => b.meanGainInfinite - a.meanGainInfinite || b.meanGainThreads - a.meanGainThreads || (a.key < b.key ? -1 : 1)).slice(0, k);
    for (const e of hottest) {
      if (ranked.length >= k) break;
      if (!ranked.some((r) => r.key === e.key)) ranked.push(entry(e.key, slot));
    }
    return ranked;
  };
  return { k, contracts: table(false, contractsByCp), slots: table(true, slotsByCp) };
}

/** Blocks grouped by fee recipient: counts and medians (docs/analyze.md). */
function builderTable(blocks: AnalyzedBlock[]): BuilderEntry[] {
  const groups = new Map<string, AnalyzedBlock[]>();
  for (const b of blocks) {
    if (b.coinbase === null || b.dependencies === null) continue;
    const list = groups.get(b.coinbase) ?? [];
    list.push(b);
    groups.set(b.coinbase, list);
  }
  const entries: BuilderEntry[] = [];
  for (const [feeRecipient, list] of groups) {
    const texts = new Map<string, number>();
    for (const b of list) {
      const text = b.builder?.extraDataText;
      if (text !== null && text !== undefined) texts.set(text, (texts.get(text) ?? 0) + 1);
    }
    const extraData = [...texts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([t]) => t);
    const tops = list.flatMap((b) => (b.topOfBlock === null ? [] : [b.topOfBlock]));
    const withParallel = list.filter((b) => b.parallel !== null);
    entries.push({
      feeRecipient,
      name: addressName(feeRecipient) ?? extraData[0] ?? null,
      extraData: extraData.slice(0, 3),
      blocks: list.length,
      txs: list.reduce((s, b) => s + (b.txCount ?? 0), 0),
      medianDependentTxs: medianOf(list.map((b) => b.dependencies!.all.dependentTxs)),
      medianCeilingTByTime: medianOf(list.map((b) => b.dependencies!.all.ceilings.byTime.threads)),
      medianConflicts: withParallel.length === 0 ? null : medianOf(withParallel.map((b) => b.parallel!.conflicts.total)),
      medianDependentTop: medianOf(tops.map((t) => t.dependentTop)),
      medianDependentRest: medianOf(tops.map((t) => t.dependentRest)),
      medianCriticalShareTop: medianOf(tops.map((t) => t.criticalShareTop)),
    });
  }
  return entries.sort((a, b) => b.blocks - a.blocks || (a.feeRecipient < b.feeRecipient ? -1 : 1));
}
