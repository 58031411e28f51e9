/**
 * The block cache: one folder per block, $STM_CACHE_DIR/<chainId>/<N>/, in the fixture
 * format (block, prestate, blockhashes) plus receipts.json.gz, opaque.json.gz when the
 * block has opaque transactions, and manifest.json.
 *
 * Durable and never partial. An entry is written into a temporary folder beside its final
 * place (`.tmp-<N>-…`), each file flushed to disk, manifest.json last (it lists every
 * file with its sha256), the folder flushed, and only then renamed to `<N>`. A process
 * killed mid-write leaves a `.tmp-` folder that lookups never read (and later writes
 * remove); a reader sees a complete entry or none. Replacing an entry renames the old one
 * away first, so a crash in between leaves no entry rather than a mixed one.
 *
 * Checked when read: the manifest must parse, name this chain and block, and every file's
 * sha256 must match. A corrupt entry is a CorruptCacheError and is never used; with an
 * RPC endpoint the caller refetches it (which replaces it).
 *
 * The RPC URL is never written here: the manifest records the chain, the block, where the
 * pre-state came from and stm's version, nothing about the endpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import type { BlockData, ChainRules, OpaqueTx } from '../data/blockData.js';
import { BLOCKHASHES_FILE, BLOCK_FILE, PRESTATE_FILE, RECEIPTS_FILE, readBlockDir } from '../data/fixtureStore.js';
import { CorruptDataError } from '../errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const OPAQUE_FILE = 'opaque.json.gz';
const FORMAT = 1;

/** Where the pre-state of a cached block came from. */
export type PrestateSource = 'debug_traceBlockByNumber' | 'debug_traceTransaction' | 'lazy';

export interface CacheManifest {
  format: number;
  chainId: number;
  number: string;
  hash: string;
  /** File name -> sha256 (hex) of its bytes. */
  files: Record<string, string>;
  prestateSource: PrestateSource;
  rules?: ChainRules;
  fetchedAt: string;
  stmVersion: string;
}

/** A cache entry that cannot be used (missing or bad manifest, a file whose checksum differs, bad data). */
export class CorruptCacheError extends CorruptDataError {
  override name = 'CorruptCacheError';
}

/** The cache root: $STM_CACHE_DIR, else $XDG_CACHE_HOME/stm, else ~/.cache/stm. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STM_CACHE_DIR) return resolve(env.STM_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'stm');
  return join(homedir(), '.cache', 'stm');
}

/** The cache folder for one chain. */
export function chainCacheDir(chainId: number, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), String(chainId));
}

/** The folder block N of a chain has (or would have) in the cache. */
export function cacheEntryDir(chainId: number, number: bigint, env: NodeJS.ProcessEnv = process.env): string {
  return join(chainCacheDir(chainId, env), number.toString());
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function writeDurably(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDir(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic.
  }
}

/** Removes temporary folders left by writers that died more than an hour ago. */
function removeStaleTemps(chainDir: string): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(chainDir)) {
    if (!name.startsWith('.tmp-') && !name.startsWith('.old-')) continue;
    const path = join(chainDir, name);
    try {
      if (statSync(path).mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process may be removing it.
    }
  }
}

export interface WriteEntryInfo {
  prestateSource: PrestateSource;
  stmVersion: string;
}

/** Writes block `data` into the cache atomically; returns the entry's folder. */
export function writeCacheEntry(data: BlockData, info: WriteEntryInfo, env: NodeJS.ProcessEnv = process.env): string {
  const chainDir = chainCacheDir(data.chainId, env);
  mkdirSync(chainDir, { recursive: true });
  removeStaleTemps(chainDir);
  const final = join(chainDir, data.number.toString());
  const temp = join(chainDir, `.tmp-${data.number}-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(temp);
  try {
    const blockHashes: Record<string, string> = {};
    for (const [n, hash] of [...data.blockHashes].sort((a, b) => (a[0] < b[0] ? -1 : 1))) blockHashes[n.toString()] = hash;
    const contents: Array<[string, unknown]> = [
      [BLOCK_FILE, data.block],
      [PRESTATE_FILE, data.prestate],
      [BLOCKHASHES_FILE, blockHashes],
    ];
    if (data.receipts !== undefined) contents.push([RECEIPTS_FILE, data.receipts]);
    if (data.opaque !== undefined && data.opaque.length > 0) contents.push([OPAQUE_FILE, data.opaque]);
    const files: Record<string, string> = {};
    for (const [name, value] of contents) {
      const bytes = gzipSync(JSON.stringify(value));
      writeDurably(join(temp, name), bytes);
      files[name] = sha256(bytes);
    }
    const manifest: CacheManifest = {
      format: FORMAT,
      chainId: data.chainId,
      number: data.number.toString(),
      hash: data.block.hash,
      files,
      prestateSource: info.prestateSource,
      ...(data.rules === undefined ? {} : { rules: data.rules }),
      fetchedAt: new Date().toISOString(),
      stmVersion: info.stmVersion,
    };
    writeDurably(join(temp, MANIFEST_FILE), Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    syncDir(temp);
    if (existsSync(final)) {
      const old = join(chainDir, `.old-${data.number}-${process.pid}-${randomBytes(4).toString('hex')}`);
      renameSync(final, old);
      renameSync(temp, final);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(temp, final);
    }
    syncDir(chainDir);
    return final;
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Reads and checks the manifest of the entry in `dir`. */
export function readManifest(dir: string, chainId: number, number: bigint): CacheManifest {
  const path = join(dir, MANIFEST_FILE);
  const corrupt = (what: string) =>
    new CorruptCacheError(`the cache entry ${dir} is corrupt: ${what}`, {
      details: ['it is not used; fetch the block again with --rpc URL (that replaces the entry), or delete the folder'],
    });
  if (!existsSync(path)) throw corrupt(`${MANIFEST_FILE} is missing (an entry written by another tool, or an incomplete copy)`);
  let manifest: CacheManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as CacheManifest;
  } catch (error) {
    throw corrupt(`${MANIFEST_FILE} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof manifest !== 'object' || manifest === null || manifest.format !== FORMAT || typeof manifest.files !== 'object' || manifest.files === null) {
    throw corrupt(`${MANIFEST_FILE} is not a format-${FORMAT} manifest`);
  }
  if (manifest.chainId !== chainId) throw corrupt(`it holds chain ${manifest.chainId}, not ${chainId}`);
  if (manifest.number !== number.toString()) throw corrupt(`it holds block ${manifest.number}, not ${number}`);
  for (const required of [BLOCK_FILE, PRESTATE_FILE, BLOCKHASHES_FILE]) {
    if (typeof manifest.files[required] !== 'string') throw corrupt(`${MANIFEST_FILE} does not list ${required}`);
  }
  for (const [name, expected] of Object.entries(manifest.files)) {
    if (!/^[a-z]+\.json\.gz$/.test(name)) throw corrupt(`${MANIFEST_FILE} lists an unexpected file "${name.slice(0, 40)}"`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, name));
    } catch {
      throw corrupt(`${name} is missing`);
    }
    if (sha256(bytes) !== expected) throw corrupt(`${name} does not match its checksum (changed or truncated after it was written)`);
  }
  return manifest;
}

/** Reads block N from its cache entry, checking it first. */
export function readCacheEntry(dir: string, number: bigint, chainId: number): BlockData {
  const manifest = readManifest(dir, chainId, number);
  let data: BlockData;
  try {
    data = readBlockDir(dir, number, { kind: 'cache', dir }, chainId);
  } catch (error) {
    throw new CorruptCacheError(`the cache entry ${dir} is corrupt: ${(error as Error).message}`, {
      cause: error,
      details: ['it is not used; fetch the block again with --rpc URL (that replaces the entry), or delete the folder'],
    });
  }
  if (data.block.hash !== manifest.hash) throw new CorruptCacheError(`the cache entry ${dir} is corrupt: its block hash differs from its manifest`);
  if (manifest.rules !== undefined) data.rules = manifest.rules;
  if (manifest.files[OPAQUE_FILE] !== undefined) {
    data.opaque = JSON.parse(gunzipSync(readFileSync(join(dir, OPAQUE_FILE))).toString('utf8')) as OpaqueTx[];
  }
  return data;
}
