/**
 * Command-line values of the RPC options (--rpc, --chain-id, --range, --prestate, …),
 * parsed and checked; a malformed value is a UsageError (exit 2). The URL itself is never
 * echoed in a message: it may hold an API key.
 */
import { UsageError } from '../errors.js';
import { parseBlockNumber, parseWholeNumber } from './options.js';
import type { PrestateMode } from '../source/fetchBlock.js';
import type { RpcSettings } from '../source/blockSource.js';

export function parseChainId(text: string): number {
  const value = text.trim();
  const n = /^\d+$/.test(value) ? Number(value) : /^0x[0-9a-fA-F]+$/.test(value) ? Number(BigInt(value)) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--chain-id expects a chain id (1, 1329, 0x7a69); got "${text}"`);
  return n;
}

/** --range A..B (inclusive; decimal or hex), at most 10,000 blocks. */
export function parseRange(text: string): bigint[] {
  const match = /^\s*([0-9a-fA-Fx]+)\s*\.\.\s*([0-9a-fA-Fx]+)\s*$/.exec(text);
  if (match === null) throw new UsageError(`--range expects A..B (e.g. 19000000..19000009); got "${text}"`);
  const from = parseBlockNumber(match[1]!);
  const to = parseBlockNumber(match[2]!);
  if (to < from) throw new UsageError(`--range ${text}: the end is before the start`);
  if (to - from >= 10_000n) throw new UsageError(`--range ${text} holds ${to - from + 1n} blocks; at most 10,000 at a time`);
  const out: bigint[] = [];
  for (let n = from; n <= to; n++) out.push(n);
  return out;
}

export function parsePrestateMode(text: string): PrestateMode {
  if (text === 'auto' || text === 'trace' || text === 'lazy') return text;
  throw new UsageError(`--prestate expects auto, trace or lazy; got "${text}"`);
}

export interface RawRpcOptions {
  rpc?: string;
  timeout?: string | number;
  retries?: string | number;
  concurrency?: string | number;
}

/** The RPC settings from the options, or from STM_RPC_URL when `useEnv`; undefined when neither gives a URL. */
export function rpcSettings(raw: RawRpcOptions, env: NodeJS.ProcessEnv, useEnv: boolean): RpcSettings | undefined {
  const url = raw.rpc ?? (useEnv ? env.STM_RPC_URL : undefined);
  if (url === undefined || url.trim() === '') return undefined;
  const settings: RpcSettings = { url: url.trim() };
  if (raw.timeout !== undefined) settings.timeoutMs = parseWholeNumber('--timeout', raw.timeout, 1);
  if (raw.retries !== undefined) settings.retries = parseWholeNumber('--retries', raw.retries, 0);
  if (raw.concurrency !== undefined) settings.concurrency = parseWholeNumber('--concurrency', raw.concurrency, 1);
  return settings;
}
