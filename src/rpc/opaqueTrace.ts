/**
 * Finding a block's opaque transactions (those that reach an address whose code cannot run
 * outside the chain: Sei's precompiles) and fetching their effects. A transaction is
 * opaque when its `to`, an account its prestateTracer result lists, or any frame of its
 * callTracer trace is such an address. Its effects are the prestateTracer's diffMode
 * result (pre and post values of what it changed); its reads are its non-diff result.
 */
import type { ChainProfile } from '../chain/chainProfile.js';
import type { OpaqueTx, Prestate, RpcBlock, RpcReceipt } from '../data/blockData.js';
import type { RpcClient } from './rpcClient.js';
import { MalformedResponseError } from './rpcErrors.js';
import { checkPrestate, traceTransactions } from './tracePrestate.js';

interface CallFrame {
  to?: string;
  calls?: CallFrame[];
}

function firstOpaqueIn(frame: CallFrame | undefined, isOpaque: (address: string) => boolean, depth = 0): string | undefined {
  if (frame === undefined || frame === null || depth > 1100) return undefined;
  if (typeof frame.to === 'string' && isOpaque(frame.to)) return frame.to.toLowerCase();
  for (const call of frame.calls ?? []) {
    const found = firstOpaqueIn(call, isOpaque, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Indices of the block's opaque transactions, with the reason for each. */
export async function findOpaqueTxs(client: RpcClient, block: RpcBlock, perTx: Prestate[], profile: ChainProfile): Promise<Map<number, string>> {
  const isOpaque = profile.isOpaqueAddress;
  const found = new Map<number, string>();
  if (isOpaque === undefined || block.transactions.length === 0) return found;
  block.transactions.forEach((tx, i) => {
    if (typeof tx.to === 'string' && isOpaque(tx.to)) found.set(i, `sent to ${tx.to.toLowerCase()}`);
    else {
      const touched = Object.keys(perTx[i] ?? {}).find((a) => isOpaque(a));
      if (touched !== undefined) found.set(i, `touches ${touched}`);
    }
  });
  // The call tree shows calls the prestate may not list (a tracer that skips precompiles).
  const calls = await client.tryCall<unknown>('debug_traceBlockByNumber', [block.number, { tracer: 'callTracer' }]);
  if (calls.ok && Array.isArray(calls.result)) {
    calls.result.forEach((entry, i) => {
      if (found.has(i)) return;
      const frame = (entry as { result?: CallFrame } | null)?.result;
      const target = firstOpaqueIn(frame, isOpaque);
      if (target !== undefined) found.set(i, `calls ${target}`);
    });
  }
  return found;
}

/** The effects of each opaque transaction: its reads (non-diff prestate) and writes (diffMode), and its receipt. */
export async function fetchOpaqueEffects(client: RpcClient, block: RpcBlock, receipts: RpcReceipt[], perTx: Prestate[], opaque: Map<number, string>): Promise<OpaqueTx[]> {
  const indices = [...opaque.keys()].sort((a, b) => a - b);
  if (indices.length === 0) return [];
  const diffs = await traceTransactions(client, block, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }, indices);
  return indices.map((index, j) => {
    const hash = block.transactions[index]!.hash;
    const diff = diffs[j] as { pre?: unknown; post?: unknown } | null;
    if (typeof diff !== 'object' || diff === null || diff.pre === undefined || diff.post === undefined) {
      throw new MalformedResponseError(`the diffMode prestateTracer result for transaction ${index} (${hash}) from ${client.endpoint} has no pre/post`);
    }
    const pre = checkPrestate(diff.pre, `transaction ${index} (diff pre)`, client.endpoint);
    const post = checkPrestate(diff.post, `transaction ${index} (diff post)`, client.endpoint);
    const receipt = receipts[index]!;
    return {
      index,
      hash,
      reason: opaque.get(index)!,
      touched: perTx[index] ?? pre,
      pre,
      post,
      receipt: {
        status: receipt.status ?? '0x1',
        gasUsed: receipt.gasUsed,
        logs: receipt.logs.map((log) => ({ address: log.address, topics: log.topics, data: log.data })),
      },
    };
  });
}
