/**
 * `stm analyze` as text: the per-block table, the rankings of hot contracts and slots,
 * and the heatmap (render/analyzeHeatmap.ts). Every mark carries a word or a character,
 * so the output reads the same without colour.
 */
import type { AnalyzeReport, AnalyzedBlock, HeatEntry, WhatIfEntry } from '../../rangeAnalysis/rangeReport.js';
import { bad, dim, formatInt, formatMs, formatPercent, formatSpeedup, heading, ok, table, warn } from './format.js';
import { renderHeatmap } from './analyzeHeatmap.js';
import { balTable } from './analyzeBal.js';
import { MIN_RUNS } from '../../analysis/stats.js';

const RANK_ROWS = 10;

export function renderAnalyze(report: AnalyzeReport): string {
  const parts = [blocksTable(report), balTable(report), rankings(report), renderHeatmap(report.heatmap), whatIfTables(report), buildersTable(report), simulationTable(report), summaryLines(report)].filter((p) => p !== '');
  return parts.join('\n') + '\n';
}

function statusText(block: AnalyzedBlock): string {
  switch (block.status) {
    case 'ok':
      return ok('✓ ok');
    case 'mismatch':
      return bad('✗ differs from chain');
    case 'parallel-differs':
      return bad('✗ parallel ≠ serial');
    case 'error':
      return bad('✗ error');
  }
}

function blocksTable(report: AnalyzeReport): string {
  const T = report.options.threads;
  const withParallel = report.options.parallel;
  const head = ['block', 'txs', 'gas', 'serial', 'dep. txs', 'chain', 'ceil(∞) t', `ceil(${T}) t`, 'ceil(∞) g', `ceil(${T}) g`, `ceil(${T}) t, commute`];
  if (withParallel) head.push('speedup', 'effic.', 'conflicts', 're-exec', 'waves');
  head.push('status');
  const t = table(head, ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', ...(withParallel ? (['right', 'right', 'right', 'right', 'right'] as const) : []), 'left']);
  const notes: string[] = [];
  for (const b of report.blocks) {
    const d = b.dependencies?.all;
    const row: string[] = [b.number];
    if (d === undefined || b.txCount === null) {
      row.push(...Array<string>(head.length - 2).fill(dim('–')));
    } else {
      row.push(
        formatInt(b.txCount),
        formatInt(b.gasUsed ?? '0'),
        formatMs(b.serialMs ?? 0),
        formatInt(d.dependentTxs),
        formatInt(d.longestChain),
        formatSpeedup(d.ceilings.byTime.infinite),
        formatSpeedup(d.ceilings.byTime.threads),
        formatSpeedup(d.ceilings.byGas.infinite),
        formatSpeedup(d.ceilings.byGas.threads),
        b.dependencies?.transfersCommute === undefined ? dim('–') : formatSpeedup(b.dependencies.transfersCommute.ceilings.byTime.threads),
      );
      if (withParallel) {
        const p = b.parallel;
        if (p === null) row.push(...Array<string>(5).fill(dim('–')));
        else if (p.fallback.mode === 'serial') {
          row.push(formatSpeedup(p.speedup) + warn(' s'), formatPercent(p.efficiency), dim('—'), dim('—'), dim('—'));
          notes.push(`${b.number}: ran serially (${p.fallback.reason ?? 'fallback'})`);
        } else {
          row.push(formatSpeedup(p.speedup), formatPercent(p.efficiency), formatInt(p.conflicts.total), formatInt(p.reexecutions), formatInt(p.waves));
          if (p.efficiency > 1) notes.push(warn(`! ${b.number}: speedup ${formatSpeedup(p.speedup)} exceeds ceiling(${T}) (efficiency ${formatPercent(p.efficiency)}): no schedule can do that, so the runs were disturbed`));
        }
      }
    }
    row.push(statusText(b));
    if (b.error !== null) notes.push(`${b.number}: ${b.error.message}`);
    t.push(row);
  }
  if (withParallel && report.options.runs < MIN_RUNS) notes.push(warn(`! only ${report.options.runs} measured run${report.options.runs === 1 ? '' : 's'} per block: medians of fewer than ${MIN_RUNS} are one run's luck`));
  const legend = dim(`ceil t / g: ceiling weighted by time / by gas; dep. txs: transactions with a dependency; chain: longest dependency chain${withParallel ? `; speedup on ${T} threads with ${report.options.scheduler} (s = fell back to serial)` : ''}`);
  return `${heading('Blocks')}\n${t.toString()}\n${legend}\n${notes.map((n) => `  ${n}\n`).join('')}`;
}

/** "0xabc… slot 0x00…07" → "… slot 0x7"; a long hashed slot keeps its first 8 and last 4 digits. */
export function shortSlot(description: string): string {
  return description.replace(/ slot 0x0*([0-9a-f]+)$/, (_, digits: string) => ` slot 0x${digits.length > 16 ? `${digits.slice(0, 8)}…${digits.slice(-4)}` : digits}`);
}

function entryName(e: HeatEntry, slot: boolean): string {
  const label = slot ? shortSlot(e.description) : e.key;
  return e.name === null ? label : `${label} (${e.name})`;
}

function rankTable(title: string, entries: HeatEntry[], slot: boolean, measure: 'edges' | 'criticalMs' | 'conflicts' | 'commuteEdges'): string {
  if (entries.length === 0) return '';
  const t = table(['#', slot ? 'location' : 'address', 'edges', 'commute', 'crit. path', 'conflicts', 'blocks'], ['right', 'left', 'right', 'right', 'right', 'right', 'right']);
  entries.slice(0, RANK_ROWS).forEach((e, i) => {
    const cell = (m: typeof measure, text: string): string => (m === measure ? heading(text) : text);
    t.push([String(i + 1), entryName(e, slot), cell('edges', formatInt(e.edges)), cell('commuteEdges', formatInt(e.commuteEdges ?? 0)), cell('criticalMs', formatMs(e.criticalMs)), cell('conflicts', formatInt(e.conflicts)), String(e.blocks)]);
  });
  return `${heading(title)}\n${t.toString()}\n`;
}

function rankings(report: AnalyzeReport): string {
  const r = report.rankings;
  return [
    rankTable('Hot contracts by dependency edges', r.contractsByEdges, false, 'edges'),
    rankTable('Hot contracts by dependency edges when transfers commute', r.contractsByCommuteEdges ?? [], false, 'commuteEdges'),
    rankTable('Hot contracts by critical-path time', r.contractsByCriticalPath, false, 'criticalMs'),
    rankTable('Hot contracts by executor conflicts', r.contractsByConflicts, false, 'conflicts'),
    rankTable('Hot locations by dependency edges', r.slotsByEdges, true, 'edges'),
    rankTable('Hot locations by dependency edges when transfers commute', r.slotsByCommuteEdges ?? [], true, 'commuteEdges'),
    rankTable('Hot locations by critical-path time', r.slotsByCriticalPath, true, 'criticalMs'),
    rankTable('Hot locations by executor conflicts', r.slotsByConflicts, true, 'conflicts'),
  ]
    .filter((s) => s !== '')
    .join('\n');
}

function gain(value: number): string {
  return `${value >= 1 ? '+' : ''}${((value - 1) * 100).toFixed(1)}%`;
}

/** --what-if: per contract (slot), the gains of ceiling(∞) and ceiling(T) if its locations were commutative. */
function whatIfTables(report: AnalyzeReport): string {
  const w = report.whatIf;
  if (w === null) return '';
  const T = report.options.threads;
  const one = (title: string, entries: WhatIfEntry[], slot: boolean): string => {
    if (entries.length === 0) return '';
    const t = table(['#', slot ? 'location' : 'address', 'blocks', 'ceil(∞) mean', 'median', 'median where hot', 'max', `ceil(${T}) mean`, 'median'], ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
    entries.forEach((e, i) => {
      const label = slot ? shortSlot(e.description) : e.key;
      t.push([String(i + 1), e.name === null ? label : `${label} (${e.name})`, String(e.blocks), heading(gain(e.meanGainInfinite)), gain(e.medianGainInfinite), gain(e.medianGainInfiniteWhereHot), gain(e.maxGainInfinite), gain(e.meanGainThreads), gain(e.medianGainThreads)]);
    });
    return `${heading(title)}\n${t.toString()}\n`;
  };
  const legend = dim(`gain = ceiling by time with its locations' dependency edges removed / ceiling as measured, over the ${report.summary.blocks - report.summary.failed} replayed blocks (docs/metrics.md)`);
  return [one(`What if: the top ${w.k} contracts made commutative`, w.contracts, false), one(`What if: the top ${w.k} locations made commutative`, w.slots, true), legend + '\n'].filter((p) => p !== '').join('\n');
}

/** Blocks grouped by fee recipient, and the top of their blocks. */
function buildersTable(report: AnalyzeReport): string {
  if (report.builders.length < 1) return '';
  const T = report.options.threads;
  const t = table(['fee recipient', 'name', 'blocks', 'txs', 'dep. txs', `ceil(${T}) t`, 'conflicts', 'dep. top 10%', 'dep. rest', 'crit. path in top'], ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
  const num = (v: number | null): string => (v === null ? dim('–') : v.toLocaleString('en-US', { maximumFractionDigits: 1 }));
  for (const b of report.builders.slice(0, 20)) {
    t.push([b.feeRecipient, b.name ?? '', String(b.blocks), formatInt(b.txs), num(b.medianDependentTxs), b.medianCeilingTByTime === null ? dim('–') : formatSpeedup(b.medianCeilingTByTime), num(b.medianConflicts), num(b.medianDependentTop), num(b.medianDependentRest), b.medianCriticalShareTop === null ? dim('–') : formatPercent(b.medianCriticalShareTop)]);
  }
  const more = report.builders.length > 20 ? dim(`… and ${report.builders.length - 20} more fee recipients (--json)\n`) : '';
  return `${heading('Builders (by fee recipient; medians over their blocks)')}\n${t.toString()}\n${more}${dim('top 10%: the first tenth of each block\'s transactions; crit. path in top: share of the critical path\'s time spent there')}\n`;
}

function simulationTable(report: AnalyzeReport): string {
  const counts = report.options.simulate;
  if (counts.length === 0) return '';
  const t = table(['block', ...counts.map((c) => `T=${c}`)], ['right', ...counts.map(() => 'right' as const)]);
  for (const b of report.blocks) {
    if (b.simulation === null) continue;
    t.push([b.number, ...b.simulation.points.map((p) => `${p.blockStm.toFixed(2)} / ${p.ceiling.toFixed(2)}${p.bal === undefined ? '' : ` / ${p.bal.toFixed(2)}`}${p.fallback !== null || p.withFallback !== p.blockStm ? warn(' s') : ''}`)]);
  }
  return `${heading('Simulated Block-STM speedup / ceiling(T) / with the access list (docs/simulator.md, docs/bal.md)')}\n${t.toString()}\n${dim('s = by default the executor would fall back to serial at this thread count (the prediction is for --no-fallback)')}\n`;
}

function summaryLines(report: AnalyzeReport): string {
  const s = report.summary;
  const m = s.median;
  const figures = [
    m.ceilingInfiniteByTime === null ? null : `median ceiling(∞) ${formatSpeedup(m.ceilingInfiniteByTime)}`,
    m.ceilingTByTime === null ? null : `ceiling(${report.options.threads}) ${formatSpeedup(m.ceilingTByTime)}`,
    m.speedup === null ? null : `speedup ${formatSpeedup(m.speedup)}`,
    m.efficiency === null ? null : `efficiency ${formatPercent(m.efficiency)}`,
  ].filter((x) => x !== null);
  const verdict = s.ok === s.blocks ? ok(`✓ all ${s.blocks} blocks ok`) : bad(`✗ ${s.blocks - s.ok} of ${s.blocks} blocks not ok (${s.failed} failed, ${s.mismatched} differ)`);
  return `${verdict}${figures.length > 0 ? ' · ' + figures.join(' · ') : ''}`;
}
