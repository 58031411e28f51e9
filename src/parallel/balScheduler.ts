/**
 * Execution with a block-level access list (`--scheduler bal`), as clients do it under
 * EIP-7928: the list gives every transaction's pre-state in advance, so nothing waits,
 * nothing is validated against other transactions and nothing runs twice.
 *
 * Once per list (not per run, like the pre-state), a multi-version memory on the coordinator
 * and one in every worker are loaded with the list's writes at their transaction indices
 * (src/bal/balPlan.ts: the list's changes plus the existence and wipe markers derived from
 * them), so a read by transaction i resolves to the pre-state overlaid with the list's
 * writes of lower indices. Then every transaction is ready: the executors (the main thread
 * among them) claim them from one shared queue, largest gas limit first (taskSlots.ts,
 * claimOrder), so none waits for the coordinator to hand it work. A finished
 * transaction's own writes are not applied to memory (the list's are already there, and
 * the memory stays as loaded for the next run); they are held to the list instead: an
 * access the list does not list, a change it does not have, or a different post-value
 * fails the run (BalMismatchError, exit 1, naming the transaction and the location).
 */
import { BalPlan } from '../bal/balPlan.js';
import { ExitCode, StmError } from '../errors.js';
import type { LocationValue } from '../state/locations.js';
import type { PreState } from '../state/preState.js';
import { DISPATCHED, DONE, ExecutionRun, ParallelExecutionError, type IncarnationResult, type RunOptions, type RunResult } from './executionRun.js';
import { MVMemory } from './mvMemory.js';
import { claimQueue, type WireReads } from './protocol.js';
import { claimOrder } from './taskSlots.js';
import type { WorkerPool } from './workerPool.js';


/** A transaction did not do what the access list says: the list is not this block's. */
export class BalMismatchError extends StmError {
  override name = 'BalMismatchError';
  override readonly exitCode = ExitCode.mismatch;
}

export interface BalRunOptions extends RunOptions {
  plan: BalPlan;
  /** Addresses and storage keys the prelude and epilogue touched (for the nothing-extra check). */
  outsideTouched: { accounts: Set<string>; slots: Set<string> };
}

export function runBalScheduler(pool: WorkerPool, pre: PreState, txCount: number, options: BalRunOptions): Promise<RunResult> {
  const list = loadedList(options.plan, pre);
  return new BalRun(pool, pre, txCount, { ...options, memory: list.memory, balKey: list.key }).run();
}

/** A run's options once its list is loaded. */
interface LoadedRunOptions extends BalRunOptions {
  balKey: string;
}

/**
 * A plan's writes loaded into memory, once per plan: the coordinator's copy here, the
 * workers' sent once per block and plan (WorkerPool.queueList). No run writes to either:
 * a transaction's writes are held to the list, whose writes are there already. Loading is
 * part of preparing the block (as is the pre-state), not of a run.
 */
interface LoadedList {
  key: string;
  memory: MVMemory;
}
const loadedLists = new WeakMap<BalPlan, LoadedList>();
let listsLoaded = 0;

function loadedList(plan: BalPlan, pre: PreState): LoadedList {
  let list = loadedLists.get(plan);
  if (list === undefined) {
    const memory = new MVMemory(pre);
    memory.writeAll(plan.preload);
    list = { key: `list-${++listsLoaded}`, memory };
    loadedLists.set(plan, list);
  }
  return list;
}

class BalRun extends ExecutionRun {
  private done = 0;
  private claimsStarted = false;
  private readonly plan: BalPlan;
  /** The run's marks of listed accounts and slots a transaction touched, shared with the workers (for the list's nothing-extra check). */
  private readonly touched: Uint8Array;

  constructor(pool: WorkerPool, pre: PreState, n: number, private readonly balOptions: LoadedRunOptions) {
    super(pool, pre, n, balOptions);
    this.plan = balOptions.plan;
    this.touched = new Uint8Array(new SharedArrayBuffer(Math.max(1, this.plan.markCount)));
  }

  protected override beforeRun(): void {
    const { blockKey, balKey } = this.balOptions;
    this.pool.queueList(blockKey, balKey, () => ({ t: 'balLoad', blockKey, balKey, rlp: this.plan.list.serialize() }));
  }

  protected isComplete(): boolean {
    return this.done === this.n;
  }

  protected dispatch(): void {
    if (this.claimsStarted) return;
    this.claimsStarted = true; // one queue per run (startClaims)
    // Every transaction is ready: executors claim them from one shared queue, so none waits
    // for the coordinator to hand it work (the main thread executes too, and cannot answer
    // while it does).
    this.status.fill(DISPATCHED);
    this.startClaims(claimQueue(claimOrder(this.n, this.balOptions.gasLimits)), this.touched.buffer as SharedArrayBuffer);
  }

  protected onResult(tx: number, _inc: number, reads: WireReads, keys: string[], values: LocationValue[], creditKeys: string[], creditDeltas: bigint[], result: IncarnationResult): void {
    const failure = result.listCheck === undefined ? this.plan.checkTransaction(tx, reads.keys, keys, values, creditKeys, creditDeltas, this.touched) : result.listCheck.failure;
    if (failure !== undefined) throw new BalMismatchError(failure);
    this.recordOutcome(tx, keys, values, creditKeys, creditDeltas, result);
    this.status[tx] = DONE;
    this.done++;
    if (this.done === this.n) {
      const extra = this.plan.checkNothingExtra(this.touched, this.balOptions.outsideTouched);
      if (extra !== undefined) throw new BalMismatchError(extra);
    }
  }

  protected onBlocked(tx: number, _inc: number, _on: number, key: string): void {
    throw new ParallelExecutionError(`transaction ${tx} stopped on ${key}, which cannot happen with an access list (nothing is re-executed)`);
  }

  protected onFailed(tx: number, _inc: number, message: string): void {
    throw new BalMismatchError(`transaction ${tx} could not run on the state the access list gives it: ${message}`);
  }
}

