/**
 * The serial executor: transactions one after another over a BlockState, the reference
 * every other executor must equal. It also yields what the analysis needs: each
 * transaction's read and write sets and its time, and the block's post-state.
 */
import { BlockState } from '../state/blockState.js';
import type { LocationValue } from '../state/locations.js';
import type { WriteSet } from '../state/txState.js';
import { failedGuard, failedGuards } from './commutativeUpdates.js';
import { countRun } from './pathWarmth.js';
import type { ReplayVm, TxRun } from './replayVm.js';

export interface SerialRun {
  txs: TxRun[];
  state: BlockState;
  /** Withdrawals and rewards applied after the last transaction. */
  epilogue: WriteSet;
  postState: Map<string, LocationValue>;
  /** Wall time of the transaction loop, ms (what speedup divides). */
  executionMs: number;
}

export interface SerialOptions {
  /** Called between transactions; throw to stop (Ctrl-C). */
  checkpoint?: () => void;
  /**
   * Apply commutative sender updates (commutativeUpdates.ts) as the Block-STM executor
   * does: the read sets then give the "transfers commute" graph view. Each lazily run
   * transaction's guards (its sender's, and those of contracts' payments it debited
   * lazily) are checked at once against the exact state; when one fails, the
   * transaction runs again strictly.
   */
  commutative?: boolean;
}

export async function runSerial(replay: ReplayVm, options: SerialOptions = {}): Promise<SerialRun> {
  const state = new BlockState(replay.ctx.pre);
  const txs: TxRun[] = [];
  const count = replay.ctx.txs.length;
  const started = performance.now();
  const commutative = options.commutative === true;
  const exact = (key: string): unknown => state.read(key, Number.MAX_SAFE_INTEGER);
  for (let i = 0; i < count; i++) {
    let run = await replay.run(i, state, commutative);
    if (run.lazy && (failedGuard(replay.commutativePlan[i]!, exact) ?? failedGuards(run.guards, exact)) !== undefined) run = await replay.run(i, state, false);
    state.commit(i, run.writes);
    txs.push(run);
    if (options.checkpoint !== undefined) {
      // Give the event loop a turn now and then so Ctrl-C is noticed mid-block.
      if ((i & 63) === 63) await new Promise((resolve) => setImmediate(resolve));
      options.checkpoint();
    }
  }
  const executionMs = performance.now() - started;
  countRun('serial', count);
  const epilogue = await replay.runEpilogue(state);
  state.commit(count, epilogue);
  replay.release();
  return { txs, state, epilogue, postState: state.postState(), executionMs };
}
