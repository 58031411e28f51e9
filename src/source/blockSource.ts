/**
 * Where `stm replay` and `stm fetch` get a block when a node is involved, in order:
 *
 *   --fixtures DIR    only there (no node, no cache);
 *   --rpc URL         the cache, when its entry is intact and the node has the same block
 *                     there (same hash); else the node, and the result is cached;
 *   neither           the cache, then the bundled fixtures (src/source/blockLocator.ts);
 *                     when the block is not found there or its cache entry is corrupt and
 *                     STM_RPC_URL is set, the node at STM_RPC_URL as with --rpc.
 *
 * The chain is the node's (eth_chainId); --chain-id must agree with it, and without a
 * node --chain-id picks the cache folder (default 1). A corrupt cache entry is reported
 * and never used: refetched when a node is given, else an error (exit 2).
 */
import { existsSync } from 'node:fs';
import { CorruptCacheError, cacheEntryDir, readCacheEntry, writeCacheEntry } from '../cache/blockCache.js';
import type { BlockData } from '../data/blockData.js';
import { loadBlock } from './blockLocator.js';
import { BlockNotFoundError, UsageError } from '../errors.js';
import { toolVersion } from '../version.js';
import { fetchBlock, rulesFor, type FetchedBlock, type PrestateMode } from './fetchBlock.js';
import { checkRpcBlock, missingBlockError, toHex } from '../rpc/nodeBlock.js';
import type { RpcClient, RpcClientOptions } from '../rpc/rpcClient.js';
import { MalformedResponseError, RpcRequestError, WrongChainError } from '../rpc/rpcErrors.js';
import { redactError } from '../rpc/redact.js';

export interface RpcSettings extends RpcClientOptions {
  url: string;
}

export interface BlockSourceOptions {
  fixturesDir?: string;
  /** --rpc (or STM_RPC_URL for `stm fetch`): always consult the node. */
  rpc?: RpcSettings;
  /** STM_RPC_URL for `stm replay`: used only when the block is not found locally or its cache entry is corrupt. */
  fallbackRpc?: RpcSettings;
  /** --chain-id. */
  chainId?: number;
  /** --hardfork. */
  hardfork?: string;
  prestate?: PrestateMode;
  /** --refresh: fetch again even when the cache has the block. */
  refresh?: boolean;
  progress?: (text: string) => void;
  /** A line worth telling the user on stderr (a corrupt entry replaced, a fallback taken). */
  note?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Ctrl-C: aborts the node's requests in flight (the RPC client throws InterruptedError). */
  signal?: AbortSignal;
}

export interface ObtainedBlock {
  data: BlockData;
  /** Set when the block was fetched now (else it came from the cache or fixtures). */
  fetched?: FetchedBlock;
  /** The cache folder it was read from or written to. */
  cacheDir?: string;
  /** Requests made (0 when no node was consulted). */
  client?: RpcClient;
}

/** The node's chain id and its block N header (one HTTP request), checked against --chain-id. */
async function probe(client: RpcClient, number: bigint, expectedChainId: number | undefined): Promise<{ chainId: number; hash: string | null }> {
  const [chain, header] = await client.batch<unknown>([
    { method: 'eth_chainId', params: [] },
    { method: 'eth_getBlockByNumber', params: [toHex(number), false] },
  ]);
  if (!chain!.ok) throw new RpcRequestError(`eth_chainId failed at ${client.endpoint}: ${chain!.message} (code ${chain!.code})`);
  if (typeof chain!.result !== 'string' || !/^0x[0-9a-fA-F]+$/.test(chain!.result)) {
    throw new MalformedResponseError(`eth_chainId from ${client.endpoint} returned ${JSON.stringify(chain!.result)?.slice(0, 60)}, not a hex number`);
  }
  const chainId = Number(BigInt(chain!.result));
  if (expectedChainId !== undefined && chainId !== expectedChainId) {
    throw new WrongChainError(`the node at ${client.endpoint} serves chain ${chainId}, not chain ${expectedChainId} (--chain-id)`, {
      details: ['point --rpc at a node of that chain, or drop --chain-id to use the node\'s'],
    });
  }
  if (!header!.ok) throw new RpcRequestError(`eth_getBlockByNumber(${number}) failed at ${client.endpoint}: ${header!.message} (code ${header!.code})`);
  if (header!.result === null) return { chainId, hash: null };
  return { chainId, hash: checkRpcBlock(header!.result, number, false, client.endpoint).hash };
}

/** --hardfork on a replay: overrides the recorded rules for this run (refused for chains with a fixed schedule). */
function applyHardfork(data: BlockData, hardfork: string | undefined): BlockData {
  if (hardfork !== undefined) data.rules = { ...(data.rules ?? {}), ...rulesFor(data.chainId, hardfork, data.block) };
  return data;
}

/** Block N through a node: the cache when it holds the node's block, else fetched and cached. */
export async function obtainFromNode(client: RpcClient, number: bigint, options: BlockSourceOptions): Promise<ObtainedBlock> {
  const note = options.note ?? (() => {});
  options.progress?.(`asking ${client.endpoint} for chain and block ${number}`);
  const { chainId, hash } = await probe(client, number, options.chainId);
  if (hash === null) throw await missingBlockError(client, number);
  const dir = cacheEntryDir(chainId, number, options.env);
  if (!options.refresh && existsSync(dir)) {
    try {
      const cached = readCacheEntry(dir, number, chainId);
      if (cached.block.hash.toLowerCase() === hash.toLowerCase()) return { data: applyHardfork(cached, options.hardfork), cacheDir: dir, client };
      throw new WrongChainError(`the cache holds a different block ${number} for chain ${chainId} than the node at ${client.endpoint}`, {
        details: [
          `cached ${cached.block.hash}, node ${hash}: the node serves another chain with the same id (a restarted dev node?) or the block was reorganised`,
          `replace the cached entry with \`stm fetch --block ${number} --refresh --rpc URL\`, or delete ${dir}`,
        ],
      });
    } catch (error) {
      if (!(error instanceof CorruptCacheError)) throw error;
      note(`${error.shortMessage}; fetching it again`);
    }
  }
  const fetched = await fetchBlock(client, chainId, number, {
    ...(options.prestate === undefined ? {} : { prestate: options.prestate }),
    ...(options.hardfork === undefined ? {} : { hardfork: options.hardfork }),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
  });
  // Interrupted after the last request: write nothing.
  client.throwIfAborted();
  options.progress?.(`block ${number}: writing the cache entry`);
  const written = writeCacheEntry(fetched.data, { prestateSource: fetched.prestateSource, stmVersion: toolVersion(), replace: options.refresh === true }, options.env);
  // Read back through the same checks every later replay makes.
  const data = readCacheEntry(written, number, chainId);
  return { data, fetched, cacheDir: written, client };
}

/** The node's client; viem (0.4 s to import) loads only when a block is fetched, not for every replay. */
async function clientFor(settings: RpcSettings, signal: AbortSignal | undefined): Promise<RpcClient> {
  const { url, ...rest } = settings;
  if (!/^https?:\/\//i.test(url)) throw new UsageError('--rpc expects an http:// or https:// URL (the value is not shown: it may hold an API key)');
  const { RpcClient } = await import('../rpc/rpcClient.js');
  return new RpcClient(url, signal === undefined ? rest : { ...rest, signal });
}

/** Block N for `stm replay` (see the module comment for the order). */
export async function obtainBlock(number: bigint, options: BlockSourceOptions): Promise<ObtainedBlock> {
  const url = options.rpc?.url ?? options.fallbackRpc?.url;
  try {
    if (options.fixturesDir !== undefined) {
      if (options.rpc !== undefined) throw new UsageError('--fixtures and --rpc exclude each other: --fixtures reads only that folder');
      return { data: applyHardfork(loadBlock(number, { fixturesDir: options.fixturesDir }), options.hardfork) };
    }
    if (options.rpc !== undefined) return await obtainFromNode(await clientFor(options.rpc, options.signal), number, options);
    const chainId = options.chainId ?? 1;
    try {
      return { data: applyHardfork(loadBlock(number, { chainId, ...(options.env === undefined ? {} : { env: options.env }) }), options.hardfork) };
    } catch (error) {
      if (options.fallbackRpc === undefined) throw error;
      if (error instanceof CorruptCacheError) options.note?.(`${error.shortMessage}; fetching it from STM_RPC_URL`);
      else if (!(error instanceof BlockNotFoundError)) throw error;
      return await obtainFromNode(await clientFor(options.fallbackRpc, options.signal), number, { ...options, refresh: error instanceof CorruptCacheError || options.refresh === true });
    }
  } catch (error) {
    throw url === undefined ? error : redactError(error, url);
  }
}
