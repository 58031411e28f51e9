/**
 * What happens before the serial replay of a block that the executor will replay too, so
 * that setup overlaps work instead of following it and uses every core:
 *
 * - the senders' public keys come from the sender cache when it holds them (src/cache/
 *   senderCache.ts); otherwise, for a large block and JavaScript recovery (sharesRecovery),
 *   every thread recovers a share at once (the worker pool is starting anyway); the keys
 *   recovered are recorded for next time;
 * - the worker pool starts, and the block is handed to it as soon as the context exists
 *   (queued in the starting workers' ports), while the main thread runs the serial warm-up
 *   runs; measured runs wait until the workers are done (beforeMeasuring), so the workers'
 *   loading never disturbs a measured time; the workers' own warm-up runs end there too
 *   (the parallel warm-up runs warm them further), so nothing waits for them.
 *
 * Without the executor (one thread, --no-parallel) only the sender cache is used.
 */
import type { BlockData } from '../data/blockData.js';
import { ecrecoverBackend } from '../chain/crypto.js';
import { readSenders, writeSenders, type CachedSenders } from '../cache/senderCache.js';
import { decodeBlock, recoverSenders, type BlockContext, type BlockContextOptions } from '../exec/blockContext.js';
import type { TypedTransaction } from '@ethereumjs/tx';
import { WORKER_WARM_MS, WORKER_WARM_RUNS } from './replayParallel.js';
import { parallelBlockKey, sharedPool, sharedPoolNow, type LoadHandle, type WorkerPool } from '../parallel/workerPool.js';
import type { ReplayOptions } from './replayBlock.js';

/**
 * From this many transactions, the threads share sender recovery (below, the pool's start-up
 * takes longer than recovering alone) — with ethereumjs's JavaScript recovery only (~1.7 ms a
 * signature). With libsecp256k1 (~0.1 ms, src/chain/crypto.ts) recovering costs about what
 * decoding the block does, and sharing it means waiting for the pool and decoding twice on
 * the main thread, a loss at any thread count (the gigagas ERC-20 block at 2 threads: context
 * and state distribution 9.8 s either way, against a serial run of 12–13 s).
 */
export const SHARED_RECOVERY_MIN_TXS = 512;

/** Whether the threads share the recovery of a block of `txCount` transactions. */
export function sharesRecovery(txCount: number): boolean {
  return txCount >= SHARED_RECOVERY_MIN_TXS && ecrecoverBackend() === 'noble';
}

export interface PrepareOptions {
  threads: number;
  /** The executor will run (false: serial replay only). */
  parallel: boolean;
}

/** The hooks replaySerial takes (senders, onContext, beforeMeasuring), and how long the serial replay waited for the workers. */
export type PreparedBlock = Pick<ReplayOptions, 'senders' | 'onContext' | 'beforeMeasuring'> & { waitedMs: () => number };

/** Time for the workers to load a block: generous, it includes recovery and warm-up runs on a loaded machine. */
function loadTimeoutMs(txCount: number): number {
  return 60_000 + 10 * txCount;
}

export async function prepareBlock(data: BlockData, options: PrepareOptions): Promise<PreparedBlock> {
  const started = performance.now();
  const cached = readSenders(data);
  const remember = (ctx: BlockContext) => {
    if (cached === undefined || !cached.keys.every((key, i) => key === ctx.senderPublicKeys[i])) {
      writeSenders(data, ctx.txs.map((tx) => tx.hash()), ctx.senderPublicKeys);
    }
  };
  if (!options.parallel || options.threads <= 1) {
    return { senders: { context: cachedContext(cached), ms: performance.now() - started }, onContext: remember, waitedMs: () => 0 };
  }
  // Errors starting the pool surface where the parallel replay asks for it (and falls back).
  const pool = sharedPool(options.threads - 1).then(({ pool }) => pool);
  pool.catch(() => undefined);
  const n = data.block.transactions.length;
  const key = parallelBlockKey(data);
  let load: LoadHandle | undefined;
  let context: BlockContextOptions = cachedContext(cached);
  const poolOrNone = await (sharesRecovery(n) && cached === undefined ? pool.catch(() => undefined) : undefined);
  if (poolOrNone !== undefined) {
    const { block } = decodeBlock(data);
    const txs = block.transactions as TypedTransaction[];
    load = poolOrNone.loadBlock(
      key,
      data,
      {
        recover: (start, end) => {
          const keys: Uint8Array[] = [];
          recoverSenders(data, txs, start, end, keys);
          return keys;
        },
      },
      loadTimeoutMs(n),
      WORKER_WARM_RUNS,
      WORKER_WARM_MS,
      true,
    );
    const keys = await load.senders;
    if (keys !== undefined) context = { senderPublicKeys: keys };
  }
  const sendersMs = performance.now() - started;
  let waited = 0;
  return {
    senders: { context, ms: sendersMs },
    onContext: (ctx) => {
      remember(ctx);
      if (load === undefined) {
        const keys = ctx.senderPublicKeys;
        const loadOn = (p: WorkerPool) => p.loadBlock(key, data, { keys }, loadTimeoutMs(n), WORKER_WARM_RUNS, WORKER_WARM_MS, true);
        // Sent now, while the workers may still start: their ports hold it until they listen.
        const now = sharedPoolNow(options.threads - 1);
        if (now !== undefined) {
          load = loadOn(now);
        } else {
          const started = pool.then(loadOn);
          load = {
            done: started.then((handle) => handle.done),
            senders: Promise.resolve(keys),
            stopWarming: () => void started.then((handle) => handle.stopWarming(), () => undefined),
          };
        }
      }
      load.done.catch(() => undefined);
    },
    // A failed load is not an error here: the parallel replay loads again, or falls back.
    beforeMeasuring: async () => {
      const waitStarted = performance.now();
      // The serial warm-up is over: the workers' warm-up runs end at their next transaction.
      load?.stopWarming();
      await load?.done.catch(() => undefined);
      waited += performance.now() - waitStarted;
    },
    waitedMs: () => waited,
  };
}

function cachedContext(cached: CachedSenders | undefined): BlockContextOptions {
  return cached === undefined ? {} : { cachedSenders: cached };
}
