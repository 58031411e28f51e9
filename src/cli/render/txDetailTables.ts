/**
 * The text form of one transaction (`stm replay --tx I`): its facts, the earlier
 * transactions it depends on and through which locations, what it read and whose write
 * each value came from, and what it wrote. Long lists are cut in text (reads from other
 * transactions first); --json always has all of them.
 */
import type { TxDetailReport, TxReadReport } from '../../report/txDetail.js';
import { addressText, bad, dim, formatInt, formatMs, heading, hexText, locationText, ok, table, txList } from './format.js';

/** Rows shown per list before "… N more". */
export const ROWS_SHOWN = 40;

export function renderTxDetail(tx: TxDetailReport): string {
  const facts = table();
  facts.push(
    [heading('tx'), String(tx.index)],
    [heading('hash'), hexText(tx.hash, 16)],
    [heading('from'), addressText(tx.from)],
    [heading('to'), tx.to === null ? dim('(contract creation)') : addressText(tx.to)],
    [heading('gas used'), formatInt(tx.gasUsed)],
    [heading('status'), tx.status === 'success' ? `${ok()} success` : `${bad()} failure (reverted or out of gas)`],
    [heading('serial time'), formatMs(tx.serialMs)],
  );
  if (tx.parallel !== null) {
    // One location per line: two on one line do not fit an 80-column terminal.
    const by = tx.parallel.abortedBy.map((l) => locationText(l.location));
    const aborted = by.length === 0 ? 'never aborted' : by.length === 1 ? `aborted by ${by[0]}` : `aborted by:\n${by.join('\n')}`;
    facts.push([heading('parallel'), `${tx.parallel.incarnations} incarnation${tx.parallel.incarnations === 1 ? '' : 's'}, ${aborted}`]);
  }
  const parts = [facts.toString(), renderDependencies(tx), renderReads(tx), renderWrites(tx)];
  return parts.join('\n') + '\n';
}

function renderDependencies(tx: TxDetailReport): string {
  if (tx.dependsOn.length === 0) return `${heading('Depends on')}: no earlier transaction`;
  const t = table(['tx', 'through'], ['right', 'left']);
  for (const dep of tx.dependsOn) t.push([String(dep.tx), dep.locations.map((l) => locationText(l.location)).join('\n')]);
  return `${heading('Depends on')} ${dim(`(${tx.dependsOn.length} earlier transaction${tx.dependsOn.length === 1 ? '' : 's'})`)}\n${t.toString()}`;
}

function valueFrom(read: TxReadReport): string {
  switch (read.valueFrom) {
    case 'pre-state':
      return dim('pre-block state');
    case 'tx':
      return txList(read.writers);
    case 'summed':
      return read.writers.length === 0 ? dim('pre-block state (no credits yet)') : `${txList(read.writers)} ${dim('(last write + credits)')}`;
  }
}

function renderReads(tx: TxDetailReport): string {
  // Values written in this block first: those are the dependencies.
  const rank = (r: TxReadReport) => (r.valueFrom === 'pre-state' ? 1 : 0);
  const reads = [...tx.reads].sort((a, b) => rank(a) - rank(b));
  const t = table(['location read', 'value written by'], ['left', 'left']);
  for (const read of reads.slice(0, ROWS_SHOWN)) t.push([locationText(read.location), valueFrom(read)]);
  const fromBlock = tx.reads.filter((r) => r.valueFrom !== 'pre-state').length;
  return `${heading('Reads')} ${dim(`(${tx.reads.length} locations, ${fromBlock} written earlier in the block)`)}\n${t.toString()}${more(tx.reads.length)}`;
}

function renderWrites(tx: TxDetailReport): string {
  const t = table(['location written', 'new value'], ['left', 'left']);
  for (const write of tx.writes.slice(0, ROWS_SHOWN)) t.push([locationText(write.location), write.value.startsWith('0x') ? hexText(write.value, 10) : write.value]);
  for (const credit of tx.credits.slice(0, Math.max(0, ROWS_SHOWN - tx.writes.length))) {
    t.push([locationText(credit.location), `+${formatInt(credit.delta)} wei ${dim('(commutative credit)')}`]);
  }
  const total = tx.writes.length + tx.credits.length;
  return `${heading('Writes')} ${dim(`(${tx.writes.length} locations, ${tx.credits.length} credit${tx.credits.length === 1 ? '' : 's'})`)}\n${t.toString()}${more(total)}`;
}

function more(total: number): string {
  return total > ROWS_SHOWN ? `\n${dim(`… ${total - ROWS_SHOWN} more in --json`)}` : '';
}
