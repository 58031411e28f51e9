// The scripts' way to run Block-STM directly on one block, as replayParallel does but
// without its measurement plan: a worker pool of THREADS - 1 workers holding the block,
// the main thread executing too, commutative sender updates and units (unless strict), no
// re-execution limit. Used by profile-parallel.ts, measure-allocation.ts and steady-runs.ts.
import type { SerialReplay } from '../../src/replay/replayBlock.js';
import { runBlockStm, type BlockStmResult } from '../../src/parallel/blockStmScheduler.js';
import { blockUnits, unitsOption } from '../../src/parallel/txUnits.js';
import { chooseChunkSize } from '../../src/parallel/executionRun.js';
import { sharedPool, type WorkerPool } from '../../src/parallel/workerPool.js';

/** Loads the block into the shared pool of threads - 1 workers (warmed up); returns the pool and the block's key there. */
export async function loadIntoPool(serial: SerialReplay, threads: number): Promise<{ pool: WorkerPool; blockKey: string }> {
  const { ctx } = serial;
  const { pool } = await sharedPool(threads - 1);
  const blockKey = `${ctx.data.chainId}:${ctx.data.number}:${ctx.data.block.hash}`;
  await pool.load(blockKey, ctx.data, { keys: ctx.senderPublicKeys }, 60_000, 3);
  return { pool, blockKey };
}

/** Loads the block into a pool of threads - 1 workers; returns a function that runs Block-STM on it once. */
export async function blockStmRunner(serial: SerialReplay, threads: number, strict = false): Promise<() => Promise<BlockStmResult>> {
  const { ctx } = serial;
  const { pool, blockKey } = await loadIntoPool(serial, threads);
  const options = {
    blockKey,
    timeoutMs: 60_000,
    senders: ctx.data.block.transactions.map((tx) => tx.from.toLowerCase()),
    chunkSize: chooseChunkSize(ctx.txs.map((tx) => tx.gasLimit)),
    gasLimits: ctx.txs.map((tx) => Number(tx.gasLimit)),
    mainReplay: serial.replay,
    ...(strict ? {} : { commutative: serial.replay.lazyPlan, ...unitsOption(blockUnits(ctx, serial.replay.lazyPlan)) }),
    maxReexecutions: Infinity,
  };
  let runId = 0;
  return () => runBlockStm(pool, ctx.pre, ctx.txs.length, { ...options, runId: ++runId });
}
