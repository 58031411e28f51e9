/**
 * Fetching one block from a node into BlockData, the whole path: the block with full
 * transactions; its receipts; its pre-state (prestateTracer over the block, else per
 * transaction, else — no debug namespace — read lazily at N-1 while replaying); for
 * chains with opaque transactions (Sei precompiles), their effects from diffMode traces;
 * then replays until nothing is missing (ancestor hashes, lazy state) and checks the
 * result against the receipts. The caller writes the result to the cache.
 */
import { chainProfile, profileFor } from '../chain/profiles.js';
import { checkHardforkName } from '../chain/fixedRules.js';
import { inferHardfork } from '../chain/devChain.js';
import type { BlockData, ChainRules } from '../data/blockData.js';
import { UsageError } from '../errors.js';
import type { Verification } from '../verify/verifyBlock.js';
import type { PrestateSource } from '../cache/blockCache.js';
import type { RpcClient, RpcStats } from '../rpc/rpcClient.js';
import { fetchReceipts, fetchRpcBlock } from '../rpc/nodeBlock.js';
import { fetchOpaqueEffects, findOpaqueTxs } from '../rpc/opaqueTrace.js';
import { DebugUnavailableError } from '../rpc/rpcErrors.js';
import { settleBlock } from './settle.js';
import { NoDebugNamespace, tracePrestate } from '../rpc/tracePrestate.js';

/** Where the pre-state comes from: the debug tracers, state read at N-1, or the first that works. */
export type PrestateMode = 'auto' | 'trace' | 'lazy';

export interface FetchBlockOptions {
  prestate?: PrestateMode;
  /** --hardfork: the rules for a chain without a fixed schedule (recorded with the block). */
  hardfork?: string;
  /** Progress text ("fetching receipts"). */
  progress?: (text: string) => void;
}

export interface FetchedBlock {
  data: BlockData;
  prestateSource: PrestateSource;
  /** Replays the fetch needed to complete the data. */
  rounds: number;
  /** The fetch's own replay, checked against the node's receipts. */
  verification: Verification;
  opaqueCount: number;
  lazyReads?: { accounts: number; slots: number };
  /** Wall time of the fetch, ms. */
  ms: number;
  /** Requests this block cost. */
  stats: RpcStats;
}

/** The rules to record for a block of `chainId` given --hardfork (and the header, for chains without a profile). */
export function rulesFor(chainId: number, hardfork: string | undefined, block: BlockData['block']): ChainRules | undefined {
  const profile = chainProfile(chainId);
  if (hardfork !== undefined) {
    const name = checkHardforkName(hardfork);
    if (profile !== undefined && profile.withRules === undefined) {
      throw new UsageError(`--hardfork does not apply to ${profile.name}: its hardforks follow its own schedule`);
    }
    return { hardfork: name };
  }
  return profile === undefined ? { hardfork: inferHardfork(block) } : undefined;
}

export async function fetchBlock(client: RpcClient, chainId: number, number: bigint, options: FetchBlockOptions = {}): Promise<FetchedBlock> {
  const started = performance.now();
  const before = { ...client.stats };
  const progress = options.progress ?? (() => {});
  const mode = options.prestate ?? 'auto';

  progress(`block ${number}: fetching the block`);
  const block = await fetchRpcBlock(client, number);
  progress(`block ${number}: fetching ${block.transactions.length} receipts`);
  const receipts = await fetchReceipts(client, block);

  const data: BlockData = {
    number,
    chainId,
    block,
    prestate: {},
    blockHashes: new Map(number > 0n ? [[number - 1n, block.parentHash]] : []),
    receipts,
    origin: { kind: 'cache', dir: '' },
  };
  const rules = rulesFor(chainId, options.hardfork, block);
  if (rules !== undefined) data.rules = rules;
  const profile = profileFor(data);

  let source: PrestateSource = 'lazy';
  let opaqueCount = 0;
  if (mode !== 'lazy') {
    progress(`block ${number}: tracing the pre-state (prestateTracer)`);
    try {
      const traced = await tracePrestate(client, block);
      data.prestate = traced.prestate;
      source = traced.source;
      if (profile.isOpaqueAddress !== undefined) {
        progress(`block ${number}: looking for transactions stm cannot execute (${profile.name})`);
        const opaque = await findOpaqueTxs(client, block, traced.perTx, profile);
        if (opaque.size > 0) {
          data.opaque = await fetchOpaqueEffects(client, block, receipts, traced.perTx, opaque);
          opaqueCount = opaque.size;
        }
      }
    } catch (error) {
      if (!(error instanceof NoDebugNamespace)) throw error;
      if (mode === 'trace') throw new DebugUnavailableError(error.shortMessage, { details: ['run without --prestate trace to read the state lazily at the parent block instead'] });
      progress(`block ${number}: no debug namespace; reading state at block ${number - 1n} instead`);
    }
  }
  const lazy = source === 'lazy';
  const settled = await settleBlock(client, data, { lazy, onRound: (_round, what) => progress(`block ${number}: ${what}`) });
  const stats: RpcStats = {
    httpRequests: client.stats.httpRequests - before.httpRequests,
    calls: client.stats.calls - before.calls,
    retries: client.stats.retries - before.retries,
  };
  return {
    data,
    prestateSource: source,
    rounds: settled.rounds,
    verification: settled.verification,
    opaqueCount,
    ...(settled.lazyReads === undefined ? {} : { lazyReads: settled.lazyReads }),
    ms: performance.now() - started,
    stats,
  };
}
