/**
 * Where a block comes from, in order: an explicit `--fixtures DIR`; otherwise the local
 * cache ($STM_CACHE_DIR, default ~/.cache/stm, one folder per chain id), then the
 * fixtures bundled with stm. A block found nowhere is a BlockNotFoundError that lists
 * every place looked and how to fetch it.
 */
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { BlockNotFoundError } from '../errors.js';
import type { BlockData } from '../data/blockData.js';
import { bundledFixturesDir } from '../data/bundledFixtures.js';
import { cacheRoot, chainCacheDir, readCacheEntry } from '../cache/blockCache.js';
import { blockDirIn, readBlockDir } from '../data/fixtureStore.js';

export interface LocateOptions {
  /** `--fixtures DIR`: look only here. */
  fixturesDir?: string;
  chainId?: number;
  env?: NodeJS.ProcessEnv;
}

/** Loads block N from the first place that has it. */
export function loadBlock(number: bigint, options: LocateOptions = {}): BlockData {
  const chainId = options.chainId ?? 1;
  if (options.fixturesDir !== undefined) {
    const root = resolve(options.fixturesDir);
    const dir = blockDirIn(root, number);
    if (dir === undefined) {
      throw new BlockNotFoundError(`block ${number} is not in ${root}`, {
        details: [`expected ${join(root, String(number), 'block.json.gz')} (with prestate.json.gz and blockhashes.json.gz beside it)`],
      });
    }
    return readBlockDir(dir, number, { kind: 'fixtures', dir }, chainId);
  }
  const cache = chainCacheDir(chainId, options.env);
  const cached = blockDirIn(cache, number);
  // Checked against its manifest (checksums) before use; a corrupt entry throws, never loads.
  if (cached !== undefined) return readCacheEntry(cached, number, chainId);
  const bundled = bundledFixturesDir();
  const shipped = chainId === 1 ? blockDirIn(bundled, number) : undefined;
  if (shipped !== undefined) return readBlockDir(shipped, number, { kind: 'bundled', dir: shipped }, chainId);
  const elsewhere = otherChainsHolding(number, chainId, options.env);
  throw new BlockNotFoundError(`block ${number} was not found locally${chainId === 1 ? '' : ` for chain ${chainId}`}`, {
    details: [
      `looked in the cache (${cache}) and in the bundled fixtures (${bundled})`,
      ...elsewhere.map((other) => `the cache has a block ${number} of chain ${other}: stm replay --block ${number} --chain-id ${other}`),
      `fetch it from a node with --rpc URL (or STM_RPC_URL), or point --fixtures at a folder of blocks; \`stm list\` shows the bundled blocks`,
    ],
  });
}

/** The other chains whose cache folder holds block N (a block fetched from a dev chain is under its chain id, e.g. 31337). */
export function otherChainsHolding(number: bigint, chainId: number, env: NodeJS.ProcessEnv = process.env): number[] {
  let entries: string[];
  try {
    entries = readdirSync(cacheRoot(env));
  } catch {
    return [];
  }
  return entries
    .filter((name) => /^\d+$/.test(name) && Number(name) !== chainId)
    .map(Number)
    .sort((a, b) => a - b)
    .filter((other) => blockDirIn(chainCacheDir(other, env), number) !== undefined);
}
