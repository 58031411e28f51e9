/**
 * Execution with a block-level access list (`--scheduler bal`), as clients do it under
 * EIP-7928: the list gives every transaction's pre-state in advance, so nothing waits,
 * nothing is validated against other transactions and nothing runs twice.
 *
 * Before the run, the coordinator's multi-version memory and every worker's replica are
 * loaded with the list's writes at their transaction indices (src/bal/balPlan.ts: the
 * list's changes plus the existence and wipe markers derived from them), so a read by
 * transaction i resolves to the pre-state overlaid with the list's writes of lower
 * indices. Then transactions go to free executors lowest index first, all of them ready
 * from the start. A finished transaction's own writes are not applied to memory (the
 * list's are already there); they are held to the list instead: an access the list does
 * not list, a change it does not have, or a different post-value fails the run
 * (BalMismatchError, exit 1, naming the transaction and the location).
 */
import { BalPlan } from '../bal/balPlan.js';
import { ExitCode, StmError } from '../errors.js';
import { locationAddress, type LocationValue } from '../state/locations.js';
import type { PreState } from '../state/preState.js';
import { DONE, ExecutionRun, ParallelExecutionError, type IncarnationResult, type RunOptions, type RunResult } from './executionRun.js';
import { toWire, type WireReads } from './protocol.js';
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
  return new BalRun(pool, pre, txCount, options).run();
}

class BalRun extends ExecutionRun {
  private next = 0;
  private done = 0;
  private loaded = false;
  private readonly plan: BalPlan;
  private readonly touchedAccounts: Set<string>;
  private readonly touchedSlots: Set<string>;

  constructor(pool: WorkerPool, pre: PreState, n: number, private readonly balOptions: BalRunOptions) {
    super(pool, pre, n, balOptions);
    this.plan = balOptions.plan;
    this.touchedAccounts = new Set(balOptions.outsideTouched.accounts);
    this.touchedSlots = new Set(balOptions.outsideTouched.slots);
    this.plan.preload.forEach(({ keys, values }, tx) => {
      for (let i = 0; i < keys.length; i++) this.memory.write(keys[i]!, tx, 0, values[i]!);
    });
  }

  protected isComplete(): boolean {
    return this.done === this.n;
  }

  protected dispatch(): void {
    if (!this.loaded) {
      // After the run's reset message, before any task: every replica gets the list's writes.
      this.loaded = true;
      const runId = this.balOptions.runId;
      this.plan.preload.forEach(({ keys, values }, tx) => {
        if (keys.length > 0) this.pool.queueAll({ t: 'apply', runId, tx, inc: 0, keys, values: values.map(toWire), creditKeys: [], creditDeltas: [], removed: [] });
      });
    }
    for (;;) {
      if (this.next >= this.n) return;
      const free = this.freeExecutor();
      if (free < 0) return;
      const txs: number[] = [];
      const incs: number[] = [];
      while (txs.length < this.chunkSize && this.next < this.n) {
        if (free === this.mainSlot && !this.mainMayTake(this.next)) break;
        txs.push(this.next++);
        incs.push(0);
      }
      if (txs.length === 0) {
        // The main thread may not take the next (large) one: give it to a worker when one has room.
        const worker = this.workerWithRoom();
        if (worker < 0) return;
        this.sendTask(worker, [this.next], [0]);
        this.next++;
        continue;
      }
      this.sendTask(free, txs, incs);
    }
  }

  protected onResult(tx: number, _inc: number, reads: WireReads, keys: string[], values: LocationValue[], creditKeys: string[], creditDeltas: bigint[], result: IncarnationResult): void {
    const failure = this.plan.checkTransaction(tx, reads.keys, keys, values, creditKeys, creditDeltas);
    if (failure !== undefined) throw new BalMismatchError(failure);
    for (const list of [reads.keys, keys, creditKeys]) {
      for (const key of list) {
        this.touchedAccounts.add(locationAddress(key));
        if (key.charCodeAt(0) === 115 /* s */) this.touchedSlots.add(key);
      }
    }
    this.recordOutcome(tx, keys, values, creditKeys, creditDeltas, result);
    this.status[tx] = DONE;
    this.done++;
    if (this.done === this.n) {
      const extra = this.plan.checkNothingExtra(this.touchedAccounts, this.touchedSlots);
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

