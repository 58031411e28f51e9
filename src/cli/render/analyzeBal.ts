/**
 * The access-list table of `stm analyze`: per block, the list's size and items against the
 * EIP-7928 cap, ceiling_bal(T) beside the dependency graph's ceiling(T), and the measured
 * speedup of the scheduler that ran (the access-list executor's when it was `bal`).
 */
import type { AnalyzeReport } from '../../rangeAnalysis/rangeReport.js';
import { dim, formatInt, formatSpeedup, heading, table } from './format.js';

export function balTable(report: AnalyzeReport): string {
  const blocks = report.blocks.filter((b) => b.bal !== undefined && b.bal !== null && b.dependencies !== null);
  if (blocks.length === 0) return '';
  const T = report.options.threads;
  const measured = report.options.scheduler;
  const t = table(['block', 'gas', 'BAL gzip', 'items / cap', `ceiling(${T})`, `ceiling_bal(${T})`, `${measured} speedup`], ['right', 'right', 'right', 'right', 'right', 'right', 'right']);
  for (const b of blocks) {
    const bal = b.bal!;
    t.push([
      b.number,
      formatInt(b.gasUsed ?? '0'),
      `${formatInt(bal.gzipBytes)} B`,
      `${formatInt(bal.items)} / ${formatInt(bal.maxItems)}`,
      formatSpeedup(b.dependencies!.all.ceilings.byTime.threads),
      formatSpeedup(bal.ceilingT),
      b.parallel === null ? dim('–') : formatSpeedup(b.parallel.speedup),
    ]);
  }
  return `${heading('Block-level access lists')} ${dim('(EIP-7928; sizes and ceiling_bal: docs/bal.md, docs/metrics.md)')}\n${t.toString()}`;
}
