/**
 * The text form of a replay report: the block table (size, serial time, verification),
 * the dependency and ceiling table (all locations next to the storage-only view), and the
 * verdict lines a person must not miss (the replay does not match the chain). The
 * parallel section and the per-transaction view have their own modules.
 */
import type { CheckReport, GraphReport, ReplayReport } from '../../report/replayReport.js';
import { bad, compactText, dim, formatInt, formatMs, formatSpeedup, heading, ok, table, warn, wrapText } from './format.js';
import { parallelVerdict, renderCompare, renderParallel } from './parallelTables.js';

/** The whole text report for `stm replay` (without --tx). */
export function renderReplay(report: ReplayReport): string {
  const parts = [
    renderBlockTable(report),
    renderDependencyTable(report),
    report.parallel === null ? dim('parallel replay: not run') : renderParallel(report.parallel, report.machine.cores, report.serial.measured),
    report.compare === null ? '' : renderCompare(report.compare),
    ...(report.compare ?? []).filter((p) => !p.equalsSerial && p.scheduler !== report.parallel?.scheduler).flatMap((p) => [bad(`${p.scheduler}:`), ...parallelVerdict(p)]),
    ...verdictLines(report),
    ...warningLines(report),
  ];
  return parts.filter((part) => part !== '').join('\n') + '\n';
}

/** One line naming the block, for views that show one transaction. */
export function blockLine(report: ReplayReport): string {
  const b = report.block;
  const verified = report.verification.ok ? `${ok()} verified` : `${bad()} does not match the chain`;
  return `block ${b.number} (${b.hardfork}) · ${formatInt(b.txCount)} txs · ${formatInt(b.gasUsed)} gas · ${verified}`;
}

export function renderBlockTable(report: ReplayReport): string {
  const { block, serial, options } = report;
  const t = table();
  // On a short block each figure is the mean of several back-to-back runs (runsPerRound).
  const perRound = report.parallel?.runsPerRound ?? 1;
  const count = perRound > 1 ? `${serial.ms.runs} rounds of ${perRound} runs` : `${serial.ms.runs} run${serial.ms.runs === 1 ? '' : 's'}`;
  const runs = `${count} after ${options.warmup} warm-up`;
  t.push(
    [heading('block'), `${block.number} (${block.hardfork})`],
    [heading('source'), `${block.source.kind} ${dim(compactText() ? shortPath(block.source.dir) : block.source.dir)}`],
    [heading('txs'), formatInt(block.txCount)],
    [heading('gas'), formatInt(block.gasUsed)],
    [heading('serial time'), `${formatMs(serial.ms.median)} median ${dim(compactText() ? `(${formatMs(serial.ms.min)}–${formatMs(serial.ms.max)}; ${count})` : `(min ${formatMs(serial.ms.min)}, max ${formatMs(serial.ms.max)}; ${runs})`)}`],
    [heading('throughput'), `${serial.mgasPerSecond.toFixed(1)} Mgas/s`],
    [heading('verification'), verificationText(report)],
    [heading('setup'), dim(`context ${formatMs(serial.setup.contextMs)}, VM ${formatMs(serial.setup.vmMs)} (not in serial time)`)],
  );
  return t.toString();
}

function checkText(name: string, check: CheckReport): string {
  switch (check.status) {
    case 'ok':
      return `${name} ${ok()}`;
    case 'mismatch':
      return `${name} ${bad()}`;
    case 'n/a':
      return `${name} ${dim('n/a')}`;
  }
}

/** The block table's label column and borders, left of a value on a narrow terminal. */
const VALUE_COLUMN_RESERVE = 20;

function verificationText(report: ReplayReport): string {
  const v = report.verification;
  const marks = [checkText('gas', v.gas), checkText('logs bloom', v.logsBloom), checkText('receipts root', v.receiptsRoot)];
  if (v.receipts.status !== 'n/a') marks.push(checkText('receipts', v.receipts));
  const fields = [checkText('transactions root', v.transactionsRoot), checkText('tx hashes', v.txHashes), checkText('block hash', v.blockHash)];
  const notes = [v.gas, v.logsBloom, v.receiptsRoot, v.transactionsRoot, v.blockHash]
    .filter((check) => check.status === 'n/a' && check.note !== null)
    .map((check) => dim(wrapText(`n/a: ${check.note}`, '  ', VALUE_COLUMN_RESERVE)));
  const unchecked = v.unchecked.length === 0 ? [] : [dim(wrapText(`not checkable from the data: ${v.unchecked.map((u) => u.field).join(', ')} (docs/metrics.md)`, '  ', VALUE_COLUMN_RESERVE))];
  return [marks.join('  '), fields.join('  '), ...notes, ...unchecked].join('\n');
}

export function renderDependencyTable(report: ReplayReport): string {
  const { all, storageOnly, transfersCommute } = report.dependencies;
  const T = all.ceilings.byTime.T;
  const txs = report.block.txCount;
  const t = table(['', 'all locations', 'storage only', 'transfers commute'], ['left', 'right', 'right', 'right']);
  const row = (label: string, value: (g: GraphReport) => string) => [heading(label), value(all), value(storageOnly), value(transfersCommute)];
  t.push(
    row('txs with a dependency', (g) => `${formatInt(g.dependentTxs)} of ${formatInt(txs)}`),
    row('dependency edges', (g) => formatInt(g.edges)),
    row('longest chain (txs)', (g) => formatInt(g.longestChain)),
    row('ceiling(∞) by time', (g) => formatSpeedup(g.ceilings.byTime.infinite)),
    row('ceiling(∞) by gas', (g) => formatSpeedup(g.ceilings.byGas.infinite)),
    row(`ceiling(${T}) by time`, (g) => formatSpeedup(g.ceilings.byTime.threads)),
    row(`ceiling(${T}) by gas`, (g) => formatSpeedup(g.ceilings.byGas.threads)),
    // With an access list there are no edges: one figure for both views.
    [heading(`ceiling_bal(${T}) by time`), { colSpan: 2, hAlign: 'center', content: `${formatSpeedup(report.bal.ceilingT)} ${dim(`(cannot beat ${formatSpeedup(report.bal.bound)})`)}` }],
  );
  return `${heading('Dependencies and ceilings')} ${dim(`(T = ${T} threads; definitions: docs/metrics.md)`)}\n${t.toString()}`;
}

/** The lines that must stand out: the replay differs from the chain, or runs differed. */
export function verdictLines(report: ReplayReport): string[] {
  const lines: string[] = [];
  const v = report.verification;
  const checks: Array<[string, CheckReport]> = [
    ['gas used', v.gas],
    ['logs bloom', v.logsBloom],
    ['receipts root', v.receiptsRoot],
    ['receipts', v.receipts],
  ];
  for (const [name, check] of checks) {
    if (check.status !== 'mismatch') continue;
    const detail = check.expected !== null ? `header ${check.expected}, replay ${check.actual}` : (check.note ?? '');
    lines.push(bad(`✗ REPLAY DOES NOT MATCH THE CHAIN: ${name} differs (${detail})`));
  }
  const fields: Array<[string, CheckReport, string]> = [
    ['transactionsRoot', v.transactionsRoot, 'computed from the transactions'],
    ['block hash', v.blockHash, 'computed from the header fields'],
    [`hash of ${v.txHashes.note ?? 'a transaction'}`, v.txHashes, 'computed from its signed payload'],
  ];
  for (const [name, check, source] of fields) {
    if (check.status !== 'mismatch') continue;
    lines.push(bad(`✗ THE BLOCK DATA IS INCONSISTENT: ${name} differs (data ${check.expected}, ${source} ${check.actual})`));
  }
  if (v.firstMismatch !== null) {
    const m = v.firstMismatch;
    lines.push(bad(`  first differing receipt: tx ${m.txIndex} (${m.txHash}) ${m.field}: expected ${m.expected}, got ${m.actual}`));
  }
  if (!report.serial.deterministic) {
    lines.push(warn('! the measured serial runs differed (gas or post-state size): the replay is not deterministic'));
  }
  return lines;
}

/** The noise warnings (report.warnings), one "! …" line each. */
export function warningLines(report: ReplayReport): string[] {
  return report.warnings.map((warning) => warn(wrapText(`! ${warning}`)));
}

/** The last three parts of a path ("…/fixtures/ethereum/19933597"), for a narrow terminal. */
function shortPath(dir: string): string {
  const parts = dir.split('/');
  return parts.length > 4 ? `…/${parts.slice(-3).join('/')}` : dir;
}
