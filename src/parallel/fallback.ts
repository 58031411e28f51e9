import type { Ceilings } from '../analysis/ceiling.js';
import { ceilingBal } from '../analysis/ceilingBal.js';
/**
 * When the executor does not try parallel execution at all, decided from cheap signals
 * before running (the user sees the reason, and --no-fallback overrides it). Below these
 * sizes the fixed cost of a parallel run (messages per transaction, waiting for the
 * slowest worker) outweighs what the threads can win. Two more signals come from the
 * executor's own runs (replayParallel.ts): warm-up runs slower than the serial replay of
 * the block, and too many re-executions during a run (coordinator.ts).
 */

/** Fewer transactions per thread than this: run serially. */
export const MIN_TXS_PER_THREAD = 4;
/** One sender's share of the transactions above this: run serially (they must run in order). */
export const MAX_SAME_SENDER_SHARE = 0.7;
/** Less gas per thread than this: run serially. */
export const MIN_GAS_PER_THREAD = 2_500_000n;
/**
 * One transaction using more than this share of the block's gas: run serially. Nothing
 * runs beside it for long, so no schedule beats total / largest (< 2×) on any number of
 * threads, and the parallel run's overheads eat that (15537394: one transaction of 71%,
 * 0.91–0.98× at 2 threads).
 */
export const MAX_ONE_TX_GAS_SHARE = 0.5;

/** The reason to run serially, or undefined to run in parallel. */
export function decideFallback(txCount: number, gasUsed: bigint[], threads: number, senders: string[]): string | undefined {
  if (threads <= 1) return undefined; // one thread was asked for explicitly: show what it costs
  if (txCount < MIN_TXS_PER_THREAD * threads) return `${txCount} transactions is too few for ${threads} threads (< ${MIN_TXS_PER_THREAD} per thread)`;
  const gas = gasUsed.reduce((sum, g) => sum + g, 0n);
  if (gas < MIN_GAS_PER_THREAD * BigInt(threads)) return `${gas} gas is too little for ${threads} threads (< ${MIN_GAS_PER_THREAD} per thread)`;
  // Transactions of one sender run in nonce order: the longest such chain bounds the speedup.
  const perSender = new Map<string, number>();
  let longest = 0;
  for (const sender of senders) {
    const count = (perSender.get(sender) ?? 0) + 1;
    perSender.set(sender, count);
    if (count > longest) longest = count;
  }
  if (longest / txCount > MAX_SAME_SENDER_SHARE) {
    return `${longest} of ${txCount} transactions come from one sender and must run in nonce order`;
  }
  let largest = 0n;
  for (const g of gasUsed) if (g > largest) largest = g;
  const share = Number(largest) / Number(gas);
  if (share > MAX_ONE_TX_GAS_SHARE) {
    return `one transaction uses ${Math.round(share * 100)}% of the block's gas: no schedule beats ${(1 / share).toFixed(2)}× on any number of threads`;
  }
  return undefined;
}

/** Run serially instead when the access list's ceiling at this thread count is below this. */
export const BAL_FALLBACK_BELOW = 1.1;

/** The one fallback of the access-list executor: its ceiling is too low to pay for a parallel run. */
export function balFallbackReason(txTimesMs: number[], threads: number, graph?: Ceilings): string | undefined {
  if (threads <= 1) return undefined;
  const ceiling = ceilingBal(txTimesMs, threads, graph);
  return ceiling < BAL_FALLBACK_BELOW ? `ceiling_bal(${threads}) is ${ceiling.toFixed(2)}× (< ${BAL_FALLBACK_BELOW}×): no schedule pays for a parallel run` : undefined;
}
