/**
 * The text form of the parallel (Block-STM) part of a replay report: times, speedup
 * against ceiling(T), conflicts and re-executions ("—" when the executor did not run), the
 * fallback (applied, or what a production executor would do), setup cost on its own line,
 * the oversubscription note, the parallel = serial verdict (loud when it fails), and the
 * locations that caused the most conflicts.
 */
import type { ParallelReport } from '../../report/replayReport.js';
import { addressText, bad, compactText, dim, formatInt, formatMs, formatPercent, formatSpeedup, heading, locationText, ok, table, warn, wrapText } from './format.js';

/** How many hot locations the text table shows (JSON has all the executor reported). */
export const TOP_LOCATIONS_SHOWN = 10;

/** A figure of the executor's own, or "—" when its measured runs did not happen. */
const orDash = <T,>(value: T | null, show: (v: T) => string): string => (value === null ? dim('—') : show(value));

export function renderParallel(p: ParallelReport, cores: number, serialMeasured: 'standalone' | 'interleaved' = 'standalone'): string {
  const t = table();
  const spread = (ms: ParallelReport['parallelMs']) => `${formatMs(ms.median)} median ${dim(`(min ${formatMs(ms.min)}, max ${formatMs(ms.max)})`)}`;
  const ranSerially = p.fallback.mode === 'serial';
  t.push(
    [heading('serial'), spread(p.serialMs) + dim(' ¹')],
    [heading('parallel'), spread(p.parallelMs) + (ranSerially ? warn(' (ran serially)') : '')],
    [heading('speedup'), formatSpeedup(p.speedup)],
    [heading(p.scheduler === 'bal' ? `ceiling_bal(${p.threads})` : `ceiling(${p.threads})`), `${formatSpeedup(p.ceilingT)} ${dim('by time')}`],
    [heading('efficiency'), `${formatPercent(p.efficiency)} ${dim('(speedup / ceiling)')}`],
    ...machineBoundRows(p),
    [heading('conflicts'), orDash(p.conflicts, (c) => `${formatInt(c.total)} ${dim(`(validation ${formatInt(c.validation)}, estimate ${formatInt(c.estimate)})`)}`)],
    [heading('re-executions'), orDash(p.reexecutions, (r) => `${formatInt(r)} ${dim(`(${formatPercent(p.reexecutionRate ?? 0)} of txs)`)}`)],
    [heading('waves'), orDash(p.waves, (w) => String(w) + (p.rounds !== null ? dim(` (rounds ${p.rounds}, highest incarnation ${p.highestIncarnation})`) : ''))],
  );
  if (p.balScore !== null) t.push([heading('score M'), `${p.balScore.toFixed(2)} ${dim('(S - A) / (S - L): 1 = only the largest transaction bounds it, 0 = no gain')}`]);
  if (p.serialTail !== null && p.serialTail > 0) t.push([heading('serial tail'), `${formatInt(p.serialTail)} ${dim('txs run in order after the cap on rounds')}`]);
  const hot = p.hotRecipients ?? [];
  if (hot.length > 0) t.push([heading('hot recipients') + dim(' ²'), hot.map(addressText).join('\n')]);
  const lines = [`${heading('Parallel replay')} ${dim(`(${p.scheduler}, ${p.threads} thread${p.threads === 1 ? '' : 's'})`)}`, t.toString()];
  lines.push(
    dim(
      serialMeasured === 'interleaved'
        ? wrapText('¹ the serial runs alternate with the parallel ones (the speedup\'s numerator); "serial time" above is the same runs')
        : wrapText('¹ serial runs alternating with the parallel ones (the speedup\'s numerator); "serial time" above is the standalone runs before them'),
    ),
  );
  if (hot.length > 0) lines.push(dim(wrapText('² calls to these addresses kept aborting each other, so Block-STM learned to dispatch each behind the previous one (docs/executor.md, "Hot recipients")')));
  lines.push(...fallbackLines(p));
  const beside = p.setup.waitedMs < p.setup.workerStartMs + p.setup.stateDistributionMs;
  lines.push(
    dim(
      wrapText(
        `setup (not in the times above): worker start ${formatMs(p.setup.workerStartMs)}, state distribution ${formatMs(p.setup.stateDistributionMs)} ` +
          `(main thread ${formatMs(p.setup.stateHandOffMs)}${beside ? `; beside the serial replay, waited ${formatMs(p.setup.waitedMs)}` : ''}), pool reused: ${p.setup.poolReused ? 'yes' : 'no'}`,
      ),
    ),
  );
  if (p.oversubscribed || p.threads > cores) {
    lines.push(warn(wrapText(`note: ${p.threads} threads on ${cores} cores (oversubscribed): threads share cores, so the speedup cannot reach ceiling(${p.threads})`)));
  }
  lines.push(...parallelVerdict(p));
  if (p.topLocations.length > 0) lines.push(renderTopLocations(p));
  return lines.join('\n');
}

/** --machine-bound: this machine's 2-thread bound in the same rounds, and the executor's share of it. */
function machineBoundRows(p: ParallelReport): Array<[string, string]> {
  const b = p.machineBound;
  if (b === null) return [];
  return [
    [heading('machine bound'), `${formatSpeedup(b.bound)} ${dim('2·m, for 2 threads here, now')}\n${dim(`m ${b.m.median.toFixed(2)} (${b.m.min.toFixed(2)}–${b.m.max.toFixed(2)}) = serial alone / beside another`)}${b.m.median > 1 ? `\n${warn('m above 1: noise (a slow serial run alone); more --runs')}` : ''}`],
    [heading('share of bound'), `${formatPercent(b.share)} ${dim('(speedup / min(machine bound, ceiling))')}\n${formatPercent(b.sharePaired)} ${dim('with m paired per round')}`],
  ];
}

/** The block ran serially (and why), or what a production executor would have done. */
export function fallbackLines(p: ParallelReport): string[] {
  if (p.fallback.mode === 'serial') {
    return [warn(wrapText(`ran serially: ${p.fallback.reason ?? 'fallback'}; the executor's conflicts, re-executions and waves are not measured (—)`))];
  }
  if (p.fallback.advice !== null) return [dim(wrapText(`a production executor would run this block serially: ${p.fallback.advice} (--fallback applies it)`))];
  return [];
}

/** "parallel = serial ✓", or the loud mismatch line with the first difference. */
export function parallelVerdict(p: ParallelReport): string[] {
  if (p.equalsSerial) return [`parallel = serial ${ok()}`];
  const lines = [bad('✗ PARALLEL ≠ SERIAL: the parallel replay produced a different result')];
  const d = p.firstDifference;
  if (d !== null) {
    const where = [d.txIndex !== null ? `tx ${d.txIndex}` : undefined, d.location !== null ? locationText(d.location) : undefined].filter(Boolean).join(', ');
    lines.push(bad(`  first difference${where ? ` (${where})` : ''}: ${d.field}: serial ${d.serial}, parallel ${d.parallel}`));
  }
  return lines;
}

export function renderTopLocations(p: ParallelReport): string {
  const t = table(['location', 'conflicts'], ['left', 'right']);
  for (const entry of p.topLocations.slice(0, TOP_LOCATIONS_SHOWN)) t.push([locationText(entry.location), formatInt(entry.conflicts)]);
  const more = p.topLocations.length > TOP_LOCATIONS_SHOWN ? `\n${dim(`… ${p.topLocations.length - TOP_LOCATIONS_SHOWN} more in --json`)}` : '';
  return `${heading('Top conflicting locations')}\n${t.toString()}${more}`;
}

/** --compare: one row per scheduler on the same block and thread count. */
export function renderCompare(rows: ParallelReport[]): string {
  const threads = rows[0]?.threads ?? 0;
  const legend = `${threads} thread${threads === 1 ? '' : 's'}; medians; blockstm = Block-STM, occ = Sei-style rounds, locks = declared locks from the serial run, bal = with the access list, ceiling_bal(T)`;
  if (compactText()) {
    // A narrow terminal: short headings, ceiling(T) in the title, a fallback as "s" after the speedup.
    const t = table(['scheduler', 'parallel', 'speedup', 'effic.', 'confl.', 're-ex.', 'waves', '='], ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left']);
    for (const p of rows) {
      t.push([
        p.scheduler,
        formatMs(p.parallelMs.median),
        formatSpeedup(p.speedup) + (p.fallback.mode === 'none' ? '' : warn(' s')),
        formatPercent(p.efficiency),
        orDash(p.conflicts, (c) => formatInt(c.total)),
        orDash(p.reexecutions, formatInt),
        orDash(p.waves, String),
        p.equalsSerial ? ok() : bad('✗'),
      ]);
    }
    return `${heading('Schedulers compared')}\n${dim(wrapText(`ceiling(${threads}) ${formatSpeedup(rows[0]?.ceilingT ?? 1)}; s = ran serially; ${legend}`))}\n${t.toString()}`;
  }
  const t = table(['scheduler', 'parallel', 'speedup', 'ceiling(T)', 'efficiency', 'conflicts', 're-executions', 'waves', 'fallback', '= serial'], ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left']);
  // bal's ceiling(T) is ceiling_bal(T) (no edges); its score M goes beside its name.
  for (const p of rows) {
    t.push([
      p.balScore === null ? p.scheduler : `${p.scheduler} ${dim(`(M ${p.balScore.toFixed(2)})`)}`,
      formatMs(p.parallelMs.median),
      formatSpeedup(p.speedup),
      formatSpeedup(p.ceilingT),
      formatPercent(p.efficiency),
      orDash(p.conflicts, (c) => formatInt(c.total)),
      orDash(p.reexecutions, formatInt),
      orDash(p.waves, (w) => (p.rounds !== null ? `${w} ${dim(`(${p.rounds} round${p.rounds === 1 ? '' : 's'}${p.serialTail ? `, ${p.serialTail} serial` : ''})`)}` : String(w))),
      p.fallback.mode === 'none' ? 'none' : warn('serial'),
      p.equalsSerial ? ok() : bad('✗ differs'),
    ]);
  }
  return `${heading('Schedulers compared')} ${dim(`(${legend})`)}\n${t.toString()}`;
}
