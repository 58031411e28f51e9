/**
 * Sei-style optimistic concurrency control in rounds (`--scheduler occ`), beside Block-STM
 * on the same workers, memory and messages (executionRun.ts).
 *
 * A round executes every pending transaction in parallel, lowest index first, against the
 * multi-version memory; a result's writes are applied (and broadcast) as it arrives, so
 * later transactions of the same round may already see them. An incarnation that meets an
 * ESTIMATE, or learns mid-execution that something it read was overwritten, stops and
 * waits for the next round. When every task of the round has reported, the round ends
 * with validation in block order from the first uncommitted transaction: a transaction
 * whose reads no longer resolve to what it saw (an ESTIMATE in the way counts as changed)
 * is invalid: its writes become ESTIMATEs and it runs again in the next round. Valid
 * transactions below the first invalid one are committed.
 *
 * After `maxRounds` rounds the rest runs serially, in order, on one executor (the main
 * thread when it executes), each transaction re-validated first and re-run only when its
 * reads changed. Reported as Sei reports it: rounds, retries (re-executions) and the
 * highest incarnation; waves = rounds after the first (docs/metrics.md).
 */
import type { PreState } from '../state/preState.js';
import type { LocationValue } from '../state/locations.js';
import { DONE, ExecutionRun, ParallelExecutionError, READY, WAITING, type IncarnationResult, type RunOptions, type RunResult } from './executionRun.js';
import { MinHeap } from './minHeap.js';
import type { WireReads } from './protocol.js';
import type { WorkerPool } from './workerPool.js';

/** Rounds of parallel execution before the rest runs serially (--max-rounds). */
export const DEFAULT_MAX_ROUNDS = 10;

export interface OccOptions extends RunOptions {
  maxRounds?: number;
}

export function runOcc(pool: WorkerPool, pre: PreState, txCount: number, options: OccOptions): Promise<RunResult> {
  return new OccRun(pool, pre, txCount, options).run();
}

class OccRun extends ExecutionRun {
  /** This round's transactions not yet sent to an executor. */
  private pending = new MinHeap();
  /** Tasks of this round sent and not yet reported. */
  private outstanding = 0;
  /** Per transaction: the reads of its standing incarnation. */
  private readonly readSets: Array<WireReads | undefined>;
  /** Transactions whose standing incarnation threw (a failure only if its reads hold). */
  private readonly failures = new Map<number, string>();
  private commitIndex = 0;
  private round = 1;
  private readonly maxRounds: number;
  /** Past the cap on rounds: one transaction at a time, in order. */
  private serialMode = false;
  private serialTail = 0;

  constructor(pool: WorkerPool, pre: PreState, n: number, options: OccOptions) {
    super(pool, pre, n, options);
    this.readSets = new Array(n);
    this.maxRounds = Math.max(1, Math.floor(options.maxRounds ?? DEFAULT_MAX_ROUNDS));
    for (let i = 0; i < n; i++) this.pending.push(i);
    this.stats.rounds = 1;
    this.stats.serialTail = 0;
  }

  protected isComplete(): boolean {
    return this.commitIndex === this.n;
  }

  protected override onTaskFinished(): void {
    this.outstanding--;
  }

  protected dispatch(): void {
    if (this.serialMode) return this.dispatchSerial();
    for (;;) {
      const free = this.freeExecutor();
      if (free < 0 || this.pending.peek() === undefined) break;
      const txs: number[] = [];
      const incs: number[] = [];
      while (txs.length < this.chunkSize) {
        const tx = this.pending.pop();
        if (tx === undefined) break;
        txs.push(tx);
        incs.push(this.incarnation[tx]!);
      }
      this.outstanding += txs.length;
      this.sendTask(free, txs, incs);
    }
    if (this.pending.peek() === undefined && this.outstanding === 0) this.endRound();
  }

  protected onResult(tx: number, inc: number, reads: WireReads, keys: string[], values: LocationValue[], creditKeys: string[], creditDeltas: bigint[], result: IncarnationResult): void {
    this.applyWrites(tx, inc, keys, values, creditKeys, creditDeltas);
    this.readSets[tx] = reads;
    this.failures.delete(tx);
    this.recordOutcome(tx, keys, values, creditKeys, creditDeltas, result);
    this.status[tx] = DONE;
  }

  protected onFailed(tx: number, inc: number, message: string, reads: WireReads): void {
    this.applyWrites(tx, inc, [], [], [], []);
    this.readSets[tx] = reads;
    this.outcomes[tx] = undefined;
    this.failures.set(tx, message);
    this.status[tx] = DONE;
  }

  protected onBlocked(tx: number, _inc: number, _on: number, key: string, cause: 'estimate' | 'validation'): void {
    // Stopped itself: it runs again in the next round (or in order, past the cap).
    this.countConflict(tx, key, cause);
    this.readSets[tx] = undefined;
    this.status[tx] = WAITING;
  }

  /** All of this round has reported: validate in order, commit the valid prefix, queue the invalid for the next round. */
  private endRound(): void {
    let prefix = true;
    for (let tx = this.commitIndex; tx < this.n; tx++) {
      let invalid = this.status[tx] !== DONE;
      if (!invalid) {
        const stale = this.firstStaleRead(tx, this.readSets[tx]!);
        if (stale !== undefined) {
          this.countConflict(tx, stale, 'validation');
          invalid = true;
        }
      }
      if (invalid) {
        this.markEstimates(tx);
        this.readSets[tx] = undefined;
        this.status[tx] = READY;
        this.pending.push(tx);
        prefix = false;
      } else if (prefix) {
        this.commit(tx);
      }
    }
    if (this.isComplete()) return this.finish();
    if (this.round >= this.maxRounds) {
      this.serialMode = true;
      this.pending = new MinHeap();
      return this.dispatchSerial();
    }
    this.round++;
    this.stats.rounds = this.round;
    this.dispatch();
  }

  private commit(tx: number): void {
    const failure = this.failures.get(tx);
    if (failure !== undefined) {
      throw new ParallelExecutionError(`transaction ${tx} failed in parallel execution although everything it read was final: ${failure}`);
    }
    this.commitIndex = tx + 1;
  }

  /**
   * Past the cap: commit every transaction whose reads still hold, in order; the first one
   * that does not runs again, alone (everything below it is committed, so this run is
   * final), and the walk continues when its result is in.
   */
  private dispatchSerial(): void {
    if (this.outstanding > 0) return;
    while (this.commitIndex < this.n) {
      const tx = this.commitIndex;
      if (this.status[tx] === DONE) {
        const reads = this.readSets[tx];
        const stale = reads === undefined ? 'incarnation did not finish' : this.firstStaleRead(tx, reads);
        if (stale === undefined) {
          this.commit(tx);
          continue;
        }
        if (reads !== undefined) this.countConflict(tx, stale, 'validation');
      }
      // Run it (a transaction left READY or WAITING by the last round has its incarnation counted already).
      this.serialTail++;
      this.stats.serialTail = this.serialTail;
      this.outstanding++;
      this.sendTask(this.mainSlot >= 0 ? this.mainSlot : 0, [tx], [this.incarnation[tx]!]);
      return;
    }
    this.finish();
  }
}
