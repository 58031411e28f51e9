/**
 * Which blocks `stm analyze` looks at: `--range A..B` (inclusive) or `--blocks a,b,c`.
 * A malformed value is a UsageError (one line, exit 2).
 */
import { UsageError } from '../errors.js';

/** At most this many blocks per run. */
export const MAX_BLOCKS = 10_000;

function parseNumber(option: string, text: string, whole: string): bigint {
  const value = text.trim();
  if (/^\d+$/.test(value) || /^0x[0-9a-fA-F]+$/.test(value)) return BigInt(value);
  throw new UsageError(`${option} expects block numbers (decimal or 0x hex); got "${whole}"`);
}

/** `A..B`, both inclusive, decimal or hex. */
export function parseBlockRange(text: string): bigint[] {
  const match = /^\s*([^.\s]+)\s*\.\.\s*([^.\s]+)\s*$/.exec(text);
  if (match === null) throw new UsageError(`--range expects A..B (e.g. 19933590..19933597); got "${text}"`);
  const from = parseNumber('--range', match[1]!, text);
  const to = parseNumber('--range', match[2]!, text);
  if (to < from) throw new UsageError(`--range ${text}: the end is before the start`);
  if (to - from >= BigInt(MAX_BLOCKS)) throw new UsageError(`--range ${text} holds ${to - from + 1n} blocks; at most ${MAX_BLOCKS} at a time`);
  const out: bigint[] = [];
  for (let n = from; n <= to; n++) out.push(n);
  return out;
}

/** `a,b,c`: a list, duplicates dropped, order kept. */
export function parseBlockList(text: string): bigint[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) throw new UsageError(`--blocks expects a comma-separated list of block numbers (e.g. 5283152,7280000); got "${text}"`);
  const seen = new Set<bigint>();
  const out: bigint[] = [];
  for (const part of parts) {
    const n = parseNumber('--blocks', part, text);
    if (!seen.has(n)) out.push(n);
    seen.add(n);
  }
  if (out.length > MAX_BLOCKS) throw new UsageError(`--blocks lists ${out.length} blocks; at most ${MAX_BLOCKS} at a time`);
  return out;
}

/** Exactly one of --range / --blocks. */
export function selectBlocks(options: { range?: string; blocks?: string }): bigint[] {
  if ((options.range === undefined) === (options.blocks === undefined)) throw new UsageError('stm analyze takes one of --range A..B or --blocks a,b,c');
  return options.range !== undefined ? parseBlockRange(options.range) : parseBlockList(options.blocks!);
}

/** `--simulate 1,2,4,8`: thread counts, ascending and unique. */
export function parseThreadList(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const out = new Set<number>();
  for (const part of parts) {
    const n = /^\d+$/.test(part) ? Number(part) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > 1024) throw new UsageError(`--simulate expects thread counts between 1 and 1024, comma-separated (e.g. 1,2,4,8,16); got "${text}"`);
    out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}

/** `--shard I/N` (1 ≤ I ≤ N): the I-th of N interleaved shards. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match === null ? NaN : Number(match[1]);
  const count = match === null ? NaN : Number(match[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) throw new UsageError(`--shard expects I/N with 1 ≤ I ≤ N (e.g. 2/3); got "${text}"`);
  return { index, count };
}

/** The blocks of shard I of N: every N-th block of the selection, starting at its I-th. */
export function shardOf<T>(items: readonly T[], shard: { index: number; count: number }): T[] {
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}
