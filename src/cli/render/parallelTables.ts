/**
 * The text form of the parallel (Block-STM) part of a replay report: times, speedup
 * against ceiling(T), conflicts and re-executions, fallback, setup cost on its own line,
 * the oversubscription note, the parallel = serial verdict (loud when it fails), and the
 * locations that caused the most conflicts.
 */
import type { ParallelReport } from '../../report/replayReport.js';
import { bad, dim, formatInt, formatMs, formatPercent, formatSpeedup, heading, locationText, ok, table, warn } from './format.js';

/** How many hot locations the text table shows (JSON has all the executor reported). */
export const TOP_LOCATIONS_SHOWN = 10;

export function renderParallel(p: ParallelReport, cores: number): string {
  const t = table();
  const spread = (ms: ParallelReport['parallelMs']) => `${formatMs(ms.median)} median ${dim(`(min ${formatMs(ms.min)}, max ${formatMs(ms.max)})`)}`;
  const fallback = p.fallback.mode === 'none' ? 'none' : warn(`serial${p.fallback.reason !== null ? ` (${p.fallback.reason})` : ''}`);
  t.push(
    [heading('serial'), spread(p.serialMs)],
    [heading('parallel'), spread(p.parallelMs) + (p.fallback.mode === 'serial' ? warn(' (fell back to serial)') : '')],
    [heading('speedup'), formatSpeedup(p.speedup)],
    [heading(p.scheduler === 'bal' ? `ceiling_bal(${p.threads})` : `ceiling(${p.threads})`), `${formatSpeedup(p.ceilingT)} ${dim('by time')}`],
    [heading('efficiency'), `${formatPercent(p.efficiency)} ${dim('(speedup / ceiling)')}`],
    [heading('conflicts'), `${formatInt(p.conflicts.total)} ${dim(`(validation ${formatInt(p.conflicts.validation)}, estimate ${formatInt(p.conflicts.estimate)})`)}`],
    [heading('re-executions'), `${formatInt(p.reexecutions)} ${dim(`(${formatPercent(p.reexecutionRate)} of txs)`)}`],
    [heading('waves'), String(p.waves) + (p.rounds !== null ? dim(` (rounds ${p.rounds}, highest incarnation ${p.highestIncarnation})`) : '')],
  );
  if (p.balScore !== null) t.push([heading('score M'), `${p.balScore.toFixed(2)} ${dim('(S - A) / (S - L): 1 = only the largest transaction bounds it, 0 = no gain')}`]);
  if (p.serialTail !== null && p.serialTail > 0) t.push([heading('serial tail'), `${formatInt(p.serialTail)} ${dim('txs run in order after the cap on rounds')}`]);
  t.push([heading('fallback'), fallback]);
  const lines = [`${heading('Parallel replay')} ${dim(`(${p.scheduler}, ${p.threads} thread${p.threads === 1 ? '' : 's'})`)}`, t.toString()];
  lines.push(
    dim(
      `setup: worker start ${formatMs(p.setup.workerStartMs)}, state distribution ${formatMs(p.setup.stateDistributionMs)}, ` +
        `pool reused: ${p.setup.poolReused ? 'yes' : 'no'} (not in the times above)`,
    ),
  );
  if (p.oversubscribed || p.threads > cores) {
    lines.push(warn(`note: ${p.threads} threads on ${cores} cores (oversubscribed): threads share cores, so the speedup cannot reach ceiling(${p.threads})`));
  }
  lines.push(...parallelVerdict(p));
  if (p.topLocations.length > 0) lines.push(renderTopLocations(p));
  return lines.join('\n');
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
  const t = table(['scheduler', 'parallel', 'speedup', 'ceiling(T)', 'efficiency', 'conflicts', 're-executions', 'waves', 'fallback', '= serial'], ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left']);
  // bal's ceiling(T) is ceiling_bal(T) (no edges); its score M goes beside its name.
  for (const p of rows) {
    t.push([
      p.balScore === null ? p.scheduler : `${p.scheduler} ${dim(`(M ${p.balScore.toFixed(2)})`)}`,
      formatMs(p.parallelMs.median),
      formatSpeedup(p.speedup),
      formatSpeedup(p.ceilingT),
      formatPercent(p.efficiency),
      formatInt(p.conflicts.total),
      formatInt(p.reexecutions),
      p.rounds !== null ? `${p.waves} ${dim(`(${p.rounds} round${p.rounds === 1 ? '' : 's'}${p.serialTail ? `, ${p.serialTail} serial` : ''})`)}` : String(p.waves),
      p.fallback.mode === 'none' ? 'none' : warn('serial'),
      p.equalsSerial ? ok() : bad('✗ differs'),
    ]);
  }
  const threads = rows[0]?.threads ?? 0;
  return `${heading('Schedulers compared')} ${dim(`(${threads} thread${threads === 1 ? '' : 's'}; medians; blockstm = Block-STM, occ = Sei-style rounds, locks = declared locks from the serial run, bal = with the access list, ceiling_bal(T))`)}\n${t.toString()}`;
}
