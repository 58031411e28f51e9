/**
 * The serial executor: transactions one after another over a BlockState, the reference
 * every other executor must equal. It also yields what the analysis needs: each
 * transaction's read and write sets and its time, and the block's post-state.
 */
import { BlockState } from '../state/blockState.js';
import type { LocationValue } from '../state/locations.js';
import type { WriteSet } from '../state/txState.js';
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
}

export async function runSerial(replay: ReplayVm, options: SerialOptions = {}): Promise<SerialRun> {
  const state = new BlockState(replay.ctx.pre);
  const txs: TxRun[] = [];
  const count = replay.ctx.txs.length;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const run = await replay.run(i, state);
    state.commit(i, run.writes);
    txs.push(run);
    if (options.checkpoint !== undefined) {
      // Give the event loop a turn now and then so Ctrl-C is noticed mid-block.
      if ((i & 63) === 63) await new Promise((resolve) => setImmediate(resolve));
      options.checkpoint();
    }
  }
  const executionMs = performance.now() - started;
  const epilogue = await replay.runEpilogue(state);
  state.commit(count, epilogue);
  return { txs, state, epilogue, postState: state.postState(), executionMs };
}
