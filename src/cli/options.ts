/**
 * Command-line values, parsed and checked: a malformed value is a UsageError with one
 * line that says what was expected and what was given (exit code 2).
 */
import type { BlockData } from '../data/blockData.js';
import { UsageError } from '../errors.js';
import { SCHEDULERS, type SchedulerName } from '../parallel/types.js';

/** A block number: decimal (19933597) or 0x hex (0x130299d). */
export function parseBlockNumber(text: string): bigint {
  const value = text.trim();
  if (/^\d+$/.test(value) || /^0x[0-9a-fA-F]+$/.test(value)) return BigInt(value);
  throw new UsageError(`--block expects a block number, decimal (19933597) or hex (0x130299d); got "${text}"`);
}

/** A whole number of at least `min` for option `name` (--runs, --warmup, --threads). */
export function parseWholeNumber(name: string, value: string | number, min: number): number {
  const text = String(value).trim();
  const number = /^\d+$/.test(text) ? Number(text) : NaN;
  if (/^\d+$/.test(text) && !Number.isSafeInteger(number)) {
    throw new UsageError(`${name} ${text.length > 30 ? `${text.slice(0, 27)}...` : text} is too large: at most ${Number.MAX_SAFE_INTEGER}`);
  }
  if (!Number.isSafeInteger(number) || number < min) {
    throw new UsageError(`${name} expects a whole number ≥ ${min}; got "${value}"`);
  }
  return number;
}

/** --tx: a transaction index (3) or hash (0x + 64 hex digits). */
export type TxSelector = { index: number } | { hash: string };

export function parseTxSelector(text: string): TxSelector {
  const value = text.trim();
  if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return { index: Number(value) };
  if (/^0x[0-9a-fA-F]{64}$/.test(value)) return { hash: value.toLowerCase() };
  throw new UsageError(`--tx expects a transaction index (3) or hash (0x + 64 hex digits); got "${text}"`);
}

/** The index of the selected transaction in `data`, or a UsageError saying what the block holds. */
export function resolveTxIndex(selector: TxSelector, data: BlockData): number {
  const txs = data.block.transactions;
  if ('index' in selector) {
    if (selector.index < txs.length) return selector.index;
    const range = txs.length === 0 ? 'no transactions' : txs.length === 1 ? 'one transaction (index 0)' : `${txs.length} transactions (0..${txs.length - 1})`;
    throw new UsageError(`--tx ${selector.index} is out of range: block ${data.number} has ${range}`);
  }
  const index = txs.findIndex((tx) => tx.hash.toLowerCase() === selector.hash);
  if (index === -1) throw new UsageError(`transaction ${selector.hash} is not in block ${data.number}`);
  return index;
}

/** --scheduler blockstm|occ|locks (default blockstm). */
export function parseScheduler(value: string | undefined): SchedulerName {
  if (value === undefined) return 'blockstm';
  const name = value.trim().toLowerCase();
  if ((SCHEDULERS as readonly string[]).includes(name)) return name as SchedulerName;
  throw new UsageError(`--scheduler expects one of ${SCHEDULERS.join(', ')}; got "${value}"`);
}
