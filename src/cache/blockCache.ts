/**
 * The block cache: one folder per block, $STM_CACHE_DIR/<chainId>/<N>/, in the fixture
 * format (block, prestate, blockhashes) plus receipts.json.gz, opaque.json.gz when the
 * block has opaque transactions, and manifest.json.
 *
 * Durable and never partial. An entry is written into a temporary folder beside its final
 * place (`.tmp-<N>-<pid>-…`), each file flushed to disk, manifest.json last (it lists every
 * file with its sha256), the folder flushed, and only then renamed to `<N>`. A process
 * killed mid-write leaves a `.tmp-` folder that lookups never read and a later write to
 * the chain folder removes (once a minute old when its writer's process is gone; any left
 * for an hour goes too).
 *
 * Safe against concurrent writers (two `stm fetch` of the same block). A folder cannot be
 * renamed over a non-empty one, so putting the new folder in place takes a per-entry lock
 * (`.lock-<N>`, created exclusively, holding the writer's pid; a lock whose process is gone
 * is taken over). Under it: an intact entry of the same block is kept (the other writer
 * fetched the same data) unless the caller asks to replace it (--refresh, a corrupt
 * entry); replacing renames the old folder away first, so a crash in between leaves no
 * entry rather than a mixed one. A reader that meets the moment between the two renames
 * (or a half-removed old folder) while the lock is held waits for the lock and reads again,
 * so a replacement is never mistaken for a corrupt entry.
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
import { basename, dirname, join, resolve } from 'node:path';
import { checkHardforkName } from '../chain/fixedRules.js';
import { gzipSync, gunzipSync } from 'node:zlib';
import type { BlockData, ChainRules, OpaqueTx } from '../data/blockData.js';
import { BLOCKHASHES_FILE, BLOCK_FILE, PRESTATE_FILE, RECEIPTS_FILE, readBlockDir } from '../data/fixtureStore.js';
import { CorruptDataError, StmError, printable } from '../errors.js';

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

/** Whether process `pid` is alive (on this machine). */
function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Blocks the thread for `ms` (the cache API is synchronous; waits are a few ms). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes what dead writers left: `.tmp-<N>-<pid>-…` and `.old-<N>-<pid>-…` folders whose
 * process is gone (and that are a minute old: a writer in another pid namespace sharing
 * the cache is not seen by pid), and any such folder (or lock) older than an hour (a pid
 * can be reused).
 */
function removeStaleTemps(chainDir: string): void {
  const hourAgo = Date.now() - 3_600_000;
  const minuteAgo = Date.now() - 60_000;
  for (const name of readdirSync(chainDir)) {
    const temp = /^\.(tmp|old)-\d+-(\d+)-/.exec(name);
    if (temp === null && !name.startsWith('.lock-')) continue;
    const path = join(chainDir, name);
    try {
      const mtimeMs = statSync(path).mtimeMs;
      const dead = temp !== null && mtimeMs < minuteAgo && !processAlive(Number(temp[2]));
      if (dead || mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process may be removing it.
    }
  }
}

function lockPath(entryDir: string): string {
  return join(dirname(entryDir), `.lock-${basename(entryDir)}`);
}

/** How long a writer waits for another writer's lock on the same entry (held for a few renames). */
const LOCK_WAIT_MS = 30_000;

/** The state of an entry's lock: none, held by a live process, or left by a dead one (or written half and then abandoned). */
function lockState(path: string): 'none' | 'alive' | 'dead' {
  let text: string;
  let mtimeMs: number;
  try {
    text = readFileSync(path, 'utf8');
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return 'none';
  }
  const holder = Number.parseInt(text, 10);
  // Its pid not written yet: young means a writer is at it, old means it died in between.
  if (Number.isNaN(holder)) return Date.now() - mtimeMs < 10_000 ? 'alive' : 'dead';
  return processAlive(holder) ? 'alive' : 'dead';
}

/** Takes the entry's lock (waiting for a live holder, taking over a dead one's); returns its release. */
function lockEntry(entryDir: string): () => void {
  const path = lockPath(entryDir);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const state = lockState(path);
    if (state === 'dead') {
      rmSync(path, { force: true });
      continue;
    }
    if (state === 'alive' && Date.now() > deadline) {
      throw new StmError(`the cache entry ${entryDir} stays locked by another process (${path})`, {
        details: ['another stm is writing it; if none is running, delete the lock file'],
      });
    }
    sleepSync(5);
  }
}

export interface WriteEntryInfo {
  prestateSource: PrestateSource;
  stmVersion: string;
  /** Replace an intact entry of the same block (--refresh); otherwise one another writer just put there is kept. */
  replace?: boolean;
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
    const release = lockEntry(final);
    try {
      if (existsSync(final)) {
        if (info.replace !== true && intactEntryOf(final, data)) {
          // Another writer put the same block here meanwhile: keep it, drop ours.
          rmSync(temp, { recursive: true, force: true });
          return final;
        }
        const old = join(chainDir, `.old-${data.number}-${process.pid}-${randomBytes(4).toString('hex')}`);
        renameSync(final, old);
        renameSync(temp, final);
        rmSync(old, { recursive: true, force: true });
      } else {
        renameSync(temp, final);
      }
      syncDir(chainDir);
    } finally {
      release();
    }
    return final;
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Whether `dir` holds an intact entry of the block in `data` (same hash). */
function intactEntryOf(dir: string, data: BlockData): boolean {
  try {
    return readManifest(dir, data.chainId, data.number).hash === data.block.hash;
  } catch {
    return false;
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

/**
 * Reads block N from its cache entry, checking it first. An entry that looks corrupt while
 * a writer holds its lock (between a replacement's two renames) is read again once the
 * lock is released.
 */
export function readCacheEntry(dir: string, number: bigint, chainId: number): BlockData {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let retried = false;
  for (;;) {
    try {
      return readCheckedEntry(dir, number, chainId);
    } catch (error) {
      if (!(error instanceof CorruptCacheError) || Date.now() > deadline) throw error;
      if (lockState(lockPath(dir)) !== 'alive') {
        // The writer may have finished just now: one more look, then it is corrupt.
        if (retried) throw error;
        retried = true;
        continue;
      }
      while (lockState(lockPath(dir)) === 'alive' && Date.now() <= deadline) sleepSync(5);
    }
  }
}

function readCheckedEntry(dir: string, number: bigint, chainId: number): BlockData {
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
  if (manifest.rules !== undefined) data.rules = checkRules(manifest.rules, dir);
  if (manifest.files[OPAQUE_FILE] !== undefined) {
    data.opaque = JSON.parse(gunzipSync(readFileSync(join(dir, OPAQUE_FILE))).toString('utf8')) as OpaqueTx[];
  }
  return data;
}

/** The rules recorded in a manifest, checked: an unknown hardfork is a corrupt entry, not a --hardfork mistake. */
function checkRules(rules: unknown, dir: string): ChainRules {
  const corrupt = (what: string) =>
    new CorruptCacheError(`the cache entry ${dir} is corrupt: ${MANIFEST_FILE} records ${what}`, {
      details: ['it is not used; fetch the block again with --rpc URL (that replaces the entry), or delete the folder'],
    });
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) throw corrupt('rules that are not an object');
  const { hardfork, sstoreSetGas } = rules as Record<string, unknown>;
  const checked: ChainRules = {};
  if (hardfork !== undefined) {
    if (typeof hardfork !== 'string') throw corrupt('a hardfork that is not a name');
    try {
      checked.hardfork = checkHardforkName(hardfork);
    } catch {
      throw corrupt(`an unknown hardfork "${printable(hardfork.slice(0, 40))}"`);
    }
  }
  if (sstoreSetGas !== undefined) {
    if (typeof sstoreSetGas !== 'number' || !Number.isSafeInteger(sstoreSetGas) || sstoreSetGas < 0) throw corrupt('an SSTORE cost that is not a whole number');
    checked.sstoreSetGas = sstoreSetGas;
  }
  return checked;
}
