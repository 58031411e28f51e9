/**
 * The sender cache: the public keys recovered for a block's transactions (ecrecover costs
 * ~1–3 ms a transaction: a minute for a gigagas block), kept so that the next replay of the
 * same block does not recover them again. One file per block,
 * $STM_CACHE_DIR/senders/<chainId>/<blockHash>.bin, beside the block cache's chain folders:
 * per transaction its hash (32 bytes) and its sender's public key (64 bytes).
 *
 * Never trusted: createBlockContext uses a key only where the hash of the decoded
 * transaction (which covers its signature) equals the recorded one and the key's address is
 * the block's `from`; anything else is recovered as if the file were absent. A file of the
 * wrong size is ignored. Written atomically (a temporary file renamed into place); a cache
 * that cannot be written is no error, only a slower next run.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockData } from '../data/blockData.js';
import { cacheRoot } from './blockCache.js';

const HASH_BYTES = 32;
const KEY_BYTES = 64;
const RECORD_BYTES = HASH_BYTES + KEY_BYTES;

export interface CachedSenders {
  txHashes: Uint8Array[];
  keys: Uint8Array[];
}

export function senderCacheFile(data: BlockData, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!/^0x[0-9a-fA-F]{64}$/.test(data.block.hash)) return undefined;
  return join(cacheRoot(env), 'senders', String(data.chainId), `${data.block.hash.toLowerCase()}.bin`);
}

/** The recorded senders of this block, or undefined when there are none (or the file is not one of ours). */
export function readSenders(data: BlockData, env: NodeJS.ProcessEnv = process.env): CachedSenders | undefined {
  const file = senderCacheFile(data, env);
  if (file === undefined) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const count = data.block.transactions.length;
  if (bytes.length !== count * RECORD_BYTES) return undefined;
  const txHashes: Uint8Array[] = [];
  const keys: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * RECORD_BYTES;
    txHashes.push(bytes.subarray(at, at + HASH_BYTES));
    keys.push(bytes.subarray(at + HASH_BYTES, at + RECORD_BYTES));
  }
  return { txHashes, keys };
}

/** Records the senders of this block (the hash of each decoded transaction and its sender's key). */
export function writeSenders(data: BlockData, txHashes: Uint8Array[], keys: Uint8Array[], env: NodeJS.ProcessEnv = process.env): void {
  const file = senderCacheFile(data, env);
  if (file === undefined || txHashes.length !== keys.length) return;
  const bytes = new Uint8Array(keys.length * RECORD_BYTES);
  for (let i = 0; i < keys.length; i++) {
    if (txHashes[i]!.length !== HASH_BYTES || keys[i]!.length !== KEY_BYTES) return;
    bytes.set(txHashes[i]!, i * RECORD_BYTES);
    bytes.set(keys[i]!, i * RECORD_BYTES + HASH_BYTES);
  }
  const temp = `${file}.tmp-${process.pid}`;
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(temp, bytes);
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true });
  }
}
