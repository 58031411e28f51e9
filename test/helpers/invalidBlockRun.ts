/**
 * Block-STM run directly on a block that the serial replay refuses (no fallback, with
 * commutative sender updates): tests assert how the run fails. replayParallel cannot be
 * used there, since it starts from a successful serial replay. Resolves or rejects as the run does.
 */
import { bytesToHex } from '@ethereumjs/util';
import type { BlockContext } from '../../src/exec/blockContext.js';
import type { ReplayVm } from '../../src/exec/replayVm.js';
import { runBlockStm, type BlockStmOptions, type BlockStmResult } from '../../src/parallel/blockStmScheduler.js';
import { sharedPool } from '../../src/parallel/workerPool.js';

export async function runInvalidBlock(ctx: BlockContext, replay: ReplayVm, threads: number, runId: number, extra: Partial<BlockStmOptions> = {}): Promise<BlockStmResult> {
  const { pool } = await sharedPool(threads - 1);
  const blockKey = `invalid:${bytesToHex(ctx.block.hash()).slice(0, 10)}:${runId}`;
  await pool.load(blockKey, ctx.data, { keys: ctx.senderPublicKeys }, 30_000, 0);
  return runBlockStm(pool, ctx.pre, ctx.txs.length, {
    runId,
    blockKey,
    timeoutMs: 30_000,
    maxReexecutions: Number.POSITIVE_INFINITY,
    senders: ctx.data.block.transactions.map((tx) => tx.from),
    mainReplay: replay,
    commutative: replay.commutativePlan,
    ...extra,
  });
}
