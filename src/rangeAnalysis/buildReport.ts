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
import { ANALYZE_SCHEMA_VERSION, type AnalyzeReport, type AnalyzedBlock, type BuilderEntry, type HeatEntry, type ReportOptions, type WhatIfEntry } from './rangeReport.js';
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

/** Contracts and locations a block past DETAIL_BLOCKS keeps (the hottest by each measure; the rankings are summed before). */
export const CONTRACTS_KEPT = 24;
export const SLOTS_KEPT = 12;

function hottest(entries: HeatEntry[], keep: number): HeatEntry[] {
  if (entries.length <= keep) return entries;
  const chosen = new Set<HeatEntry>();
  for (const by of ['edges', 'criticalMs', 'conflicts'] as const) {
    [...entries].sort((a, b) => b[by] - a[by]).slice(0, keep).forEach((e) => e[by] > 0 && chosen.add(e));
  }
  return entries.filter((e) => chosen.has(e));
}

/** One copy of each string a range repeats (addresses, location keys, names), so a kept entry costs its numbers only. */
export class Strings {
  private readonly seen = new Map<string, string>();
  get(text: string): string;
  get(text: string | null): string | null;
  get(text: string | null): string | null {
    if (text === null) return null;
    const known = this.seen.get(text);
    if (known !== undefined) return known;
    this.seen.set(text, text);
    return text;
  }
}

/** What the report keeps of a block past DETAIL_BLOCKS: no per-transaction arrays, its hottest contracts and locations only. */
export function withoutDetail(block: AnalyzedBlock, strings: Strings = new Strings()): AnalyzedBlock {
  const compact = (e: HeatEntry): HeatEntry => ({ key: strings.get(e.key), name: strings.get(e.name), description: strings.get(e.description), edges: e.edges, criticalMs: e.criticalMs, conflicts: e.conflicts, blocks: e.blocks });
  return {
    ...block,
    contracts: hottest(block.contracts, CONTRACTS_KEPT).map(compact),
    slots: hottest(block.slots, SLOTS_KEPT).map(compact),
    criticalPath: [],
    dependsOn: [],
    txMs: [],
    incarnations: block.incarnations === null ? null : [],
    reexecuted: block.reexecuted === null ? null : [],
  };
}

/** Heat summed over blocks, and the number of blocks each key appears in. */
export interface HeatTotals {
  sum: Map<string, Heat>;
  blocks: Map<string, number>;
}

function addHeat(totals: HeatTotals, list: HeatEntry[]): void {
  for (const entry of list) {
    const total = totals.sum.get(entry.key) ?? { edges: 0, criticalMs: 0, conflicts: 0 };
    total.edges += entry.edges;
    total.criticalMs += entry.criticalMs;
    total.conflicts += entry.conflicts;
    totals.sum.set(entry.key, total);
    totals.blocks.set(entry.key, (totals.blocks.get(entry.key) ?? 0) + 1);
  }
}

/**
 * Collects records into a report. The rankings are summed as records arrive (from their
 * full lists); each record is kept as its figures, and past DETAIL_BLOCKS without its
 * per-transaction arrays and with its hottest contracts and locations only. A block added
 * twice keeps its first record with figures (a record without, a failure, is replaced).
 */
export class ReportBuilder {
  private readonly blocks = new Map<string, AnalyzedBlock>();
  private readonly contracts: HeatTotals = { sum: new Map(), blocks: new Map() };
  private readonly locations: HeatTotals = { sum: new Map(), blocks: new Map() };
  private readonly strings = new Strings();
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
    const old = this.blocks.get(block.number);
    if (old !== undefined && old.dependencies !== null) return;
    addHeat(this.contracts, block.contracts);
    addHeat(this.locations, block.slots);
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
      this.blocks.set(key, withoutDetail(this.blocks.get(key)!, this.strings));
    }
  }

  finish(): AnalyzeReport {
    const blocks = [...this.blocks.values()].sort((a, b) => (BigInt(a.number) < BigInt(b.number) ? -1 : BigInt(a.number) > BigInt(b.number) ? 1 : 0));
    return buildReport(blocks, this.context, this.contracts, this.locations);
  }
}

/** The report of `blocks` (already in report order), with the heat of their contracts and locations summed. */
function buildReport(blocks: AnalyzedBlock[], context: ReportContext, contractTotals: HeatTotals, locationTotals: HeatTotals): AnalyzeReport {
  const { options } = context;
  const coinbases = new Set<string>();
  for (const b of blocks) if (b.coinbase !== null) coinbases.add(b.coinbase);
  const nameOf = (address: string): string | null => addressName(address) ?? (coinbases.has(address) ? 'coinbase' : null);
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
    whatIf: options.whatIf > 0 ? whatIfTable(blocks, options.whatIf, rankings.contractsByCriticalPath, rankings.slotsByCriticalPath, contractTotals, locationTotals, nameOf) : null,
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

function roundHeat(heat: Heat): Heat {
  return { edges: heat.edges, criticalMs: Math.round(heat.criticalMs * 1000) / 1000, conflicts: heat.conflicts };
}


/** Median of `values` together with `ones` more values equal to 1, without building the list. */
function medianWithOnes(values: number[], ones: number): number {
  const n = values.length + ones;
  if (n === 0) return 1;
  const sorted = [...values].sort((a, b) => a - b);
  const below = sorted.filter((v) => v < 1);
  const above = sorted.filter((v) => v >= 1);
  const at = (k: number): number => (k < below.length ? below[k]! : k < below.length + ones ? 1 : above[k - below.length - ones]!);
  return n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
}

/**
 * The what-if table: every contract (location) whose removal changes a ceiling in some
 * block is a candidate; the K with the largest mean gain of ceiling(∞) over the range
 * (then of ceiling(T)) are listed — ranked by what fixing them would buy, not by how often
 * they appear. When fewer than K change anything, the list is filled up with the hottest
 * by critical-path time (gain +0%: making them commutative alone buys nothing). A block
 * where a candidate changes nothing counts with gain 1, so one pass over the recorded
 * changes is enough.
 */
function whatIfTable(blocks: AnalyzedBlock[], k: number, contractsByCp: HeatEntry[], slotsByCp: HeatEntry[], contractTotals: HeatTotals, locationTotals: HeatTotals, nameOf: (address: string) => string | null): { k: number; contracts: WhatIfEntry[]; slots: WhatIfEntry[] } {
  const measured = blocks.filter((b) => b.whatIf !== null && b.whatIf.base !== undefined && b.dependencies !== null);
  const n = measured.length;
  const table = (slot: boolean, hottest: HeatEntry[], totals: HeatTotals): WhatIfEntry[] => {
    const changes = new Map<string, WhatIfEntry['perBlock']>();
    for (const b of measured) {
      const base = b.whatIf!.base;
      for (const [key, after] of Object.entries(slot ? b.whatIf!.slots : b.whatIf!.contracts)) {
        const list = changes.get(key) ?? [];
        list.push({ number: b.number, infinite: after.infinite, threads: after.threads, gainInfinite: after.infinite / base.infinite, gainThreads: after.threads / base.threads });
        changes.set(key, list);
      }
    }
    const entry = (key: string): WhatIfEntry => {
      const perBlock = changes.get(key) ?? [];
      const gi = perBlock.map((p) => p.gainInfinite);
      const gt = perBlock.map((p) => p.gainThreads);
      const unchanged = Math.max(0, n - perBlock.length);
      const withEdges = Math.max(perBlock.length, totals.blocks.get(key) ?? 0);
      return {
        key,
        name: nameOf(slot ? locationAddress(key) : key),
        description: slot ? describeLocation(key) : key,
        blocks: withEdges,
        meanGainInfinite: n === 0 ? 1 : (gi.reduce((s, v) => s + v, 0) + unchanged) / n,
        medianGainInfinite: medianWithOnes(gi, unchanged),
        meanGainThreads: n === 0 ? 1 : (gt.reduce((s, v) => s + v, 0) + unchanged) / n,
        medianGainThreads: medianWithOnes(gt, unchanged),
        medianGainInfiniteWhereHot: medianWithOnes(gi, withEdges - perBlock.length),
        maxGainInfinite: Math.max(1, ...gi),
        perBlock,
      };
    };
    const ranked = [...changes.keys()].map(entry).sort((a, b) => b.meanGainInfinite - a.meanGainInfinite || b.meanGainThreads - a.meanGainThreads || (a.key < b.key ? -1 : 1)).slice(0, k);
    for (const e of hottest) {
      if (ranked.length >= k) break;
      if (!ranked.some((r) => r.key === e.key)) ranked.push(entry(e.key));
    }
    return ranked;
  };
  return { k, contracts: table(false, contractsByCp, contractTotals), slots: table(true, slotsByCp, locationTotals) };
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
