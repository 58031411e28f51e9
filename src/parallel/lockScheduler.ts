/**
 * Declared-lock scheduling (`--scheduler locks`), Solana-style: no speculation. Each
 * transaction declares what it waits for, taken here from the serial run's read/write
 * sets (the dependency graph: j waits for i when j read a location whose last writer
 * before j was i), so this is an oracle: the best schedule without speculation on that
 * block with that many threads. Memory is multi-versioned, so only read-after-write
 * orders matter; write-after-read and write-after-write need no lock.
 *
 * A transaction is sent to an executor once everything it waits for is done (lowest
 * index first), or queued right behind them when they all sit on one executor that has
 * room (it applies its own writes before its next task, so no round trip is needed).
 * Each runs once. As a safety net, never a shortcut, every transaction is validated when
 * it reaches the commit point (all below it committed): if its reads no longer hold, the
 * declared sets were wrong and it runs again, counted as a re-execution.
 */
import type { PreState } from '../state/preState.js';
import type { LocationValue } from '../state/locations.js';
import { DISPATCHED, DONE, ExecutionRun, ParallelExecutionError, READY, WAITING, type IncarnationResult, type RunOptions, type RunResult } from './executionRun.js';
import { MinHeap } from './minHeap.js';
import type { WireReads } from './protocol.js';
import type { WorkerPool } from './workerPool.js';

export interface LocksOptions extends RunOptions {
  /** preds[j]: the transactions j declared it waits for (ascending). */
  declaredPreds: number[][];
}

export function runLocks(pool: WorkerPool, pre: PreState, txCount: number, options: LocksOptions): Promise<RunResult> {
  return new LocksRun(pool, pre, txCount, options).run();
}

class LocksRun extends ExecutionRun {
  private readonly preds: number[][];
  private readonly succs: number[][];
  /** Per transaction: declared predecessors not done yet. */
  private readonly unfinished: Int32Array;
  private readonly ready = new MinHeap();
  private readonly readSets: Array<WireReads | undefined>;
  private readonly failures = new Map<number, string>();
  /** Transactions that have released their successors (their first result is in). */
  private readonly released: Uint8Array;
  private commitIndex = 0;

  constructor(pool: WorkerPool, pre: PreState, n: number, options: LocksOptions) {
    super(pool, pre, n, options);
    this.preds = options.declaredPreds;
    this.succs = Array.from({ length: n }, () => []);
    this.unfinished = new Int32Array(n);
    this.readSets = new Array(n);
    this.released = new Uint8Array(n);
    for (let j = 0; j < n; j++) {
      for (const i of this.preds[j] ?? []) this.succs[i]!.push(j);
      this.unfinished[j] = this.preds[j]?.length ?? 0;
      if (this.unfinished[j] === 0) this.ready.push(j);
      else this.status[j] = WAITING;
    }
  }

  protected isComplete(): boolean {
    return this.commitIndex === this.n;
  }

  protected dispatch(): void {
    for (;;) {
      const free = this.freeExecutor();
      if (free < 0) return;
      const txs: number[] = [];
      const incs: number[] = [];
      while (txs.length < this.chunkSize) {
        const tx = this.nextReady();
        if (tx === undefined) break;
        txs.push(tx);
        incs.push(this.incarnation[tx]!);
      }
      if (txs.length === 0) return;
      this.sendTask(free, txs, incs);
      for (const tx of txs) this.chainBehind(tx, free);
    }
  }

  private nextReady(): number | undefined {
    for (;;) {
      const tx = this.ready.pop();
      if (tx === undefined) return undefined;
      if (this.status[tx] === READY) return tx;
    }
  }

  /**
   * Successors of tx whose every unfinished predecessor is on executor w go right behind
   * them there, while w has room: w runs its tasks in order and applies its own writes.
   */
  private chainBehind(tx: number, w: number): void {
    const capacity = this.slots.capacity;
    for (const s of this.succs[tx]!) {
      if (this.inflight[w]! >= capacity) return;
      if (this.status[s] !== WAITING) continue;
      let onW = true;
      for (const p of this.preds[s]!) {
        if (this.status[p] !== DONE && !(this.status[p] === DISPATCHED && this.taskWorker[p] === w)) {
          onW = false;
          break;
        }
      }
      if (!onW) continue;
      this.sendTask(w, [s], [this.incarnation[s]!]);
      this.chainBehind(s, w);
    }
  }

  protected onResult(tx: number, inc: number, reads: WireReads, keys: string[], values: LocationValue[], creditKeys: string[], creditDeltas: bigint[], result: IncarnationResult): void {
    this.applyWrites(tx, inc, keys, values, creditKeys, creditDeltas);
    this.readSets[tx] = reads;
    this.failures.delete(tx);
    this.recordOutcome(tx, keys, values, creditKeys, creditDeltas, result);
    this.done(tx);
  }

  protected onFailed(tx: number, inc: number, message: string, reads: WireReads): void {
    this.applyWrites(tx, inc, [], [], [], []);
    this.readSets[tx] = reads;
    this.outcomes[tx] = undefined;
    this.failures.set(tx, message);
    this.done(tx);
  }

  protected onBlocked(tx: number, _inc: number, _on: number, key: string, cause: 'estimate' | 'validation'): void {
    // Only possible when the declared sets are wrong: run it again once everything below is committed.
    this.countConflict(tx, key, cause);
    this.readSets[tx] = undefined;
    this.status[tx] = DONE;
    this.advanceCommit();
  }

  private done(tx: number): void {
    this.status[tx] = DONE;
    if (this.released[tx] === 0) {
      this.released[tx] = 1;
      for (const s of this.succs[tx]!) {
        if (--this.unfinished[s]! === 0 && this.status[s] === WAITING) {
          this.status[s] = READY;
          this.ready.push(s);
        }
      }
    }
    this.advanceCommit();
  }

  /** Commits done transactions in order, each validated first; one whose reads changed runs again. */
  private advanceCommit(): void {
    while (this.commitIndex < this.n && this.status[this.commitIndex] === DONE) {
      const tx = this.commitIndex;
      const reads = this.readSets[tx];
      const stale = reads === undefined ? 'incarnation did not finish' : this.firstStaleRead(tx, reads);
      if (stale !== undefined) {
        if (reads !== undefined) this.countConflict(tx, stale, 'validation');
        this.readSets[tx] = undefined;
        this.status[tx] = READY;
        this.ready.push(tx);
        return;
      }
      const failure = this.failures.get(tx);
      if (failure !== undefined) {
        throw new ParallelExecutionError(`transaction ${tx} failed in parallel execution although everything it read was final: ${failure}`);
      }
      this.commitIndex++;
    }
  }
}
