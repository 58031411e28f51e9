/**
 * The Block-STM coordinator: one run of one block on the worker pool.
 *
 * Design (numbers and the alternatives measured: docs/executor.md). The coordinator, on
 * the main thread, owns the authoritative multi-version memory and the scheduler; workers
 * own replicas and execute. Every state read happens inside a worker against its replica
 * (no message on the read path); the coordinator sees each incarnation once, when it
 * finishes, with its read and write sets.
 *
 * On a finished incarnation of tx i the coordinator
 *   1. applies its write set to memory (and broadcasts it, in order, to every replica);
 *   2. validates its read set: every read must resolve to the same version now (a summed
 *      coinbase read: the same value). A failed validation aborts the incarnation: its
 *      writes become ESTIMATE markers and i is re-executed, after the writer of the
 *      failing location is done when that writer is still running (dependency suspension);
 *   3. otherwise marks i done and re-checks only the reads that can have changed: the
 *      done readers above i of every location i's write changed (a reverse index
 *      location -> readers). A done reader whose read no longer resolves to what it saw is
 *      aborted the same way, and so on up (the cascade the paper's validation index does).
 * An incarnation that reads an ESTIMATE in its replica stops at once and reports the
 * writer it waits for; it is re-executed when that writer is done.
 *
 * Invariant: every done transaction's reads resolve, in the coordinator's memory, to what
 * it saw. So once transactions 0..k are all done, none of them can change any more (only
 * a lower transaction's new write could invalidate them, and there is none): they are
 * committed. The block is done when all are committed.
 *
 * Scheduling: each worker holds up to two tasks (one running, one queued) so it never
 * waits for a round trip; the next task is always the lowest-index transaction ready to
 * execute.
 */
import type { TxReceipt } from '@ethereumjs/vm';
import { ExecutorError, StmError } from '../errors.js';
import { valuesEqual, type LocationValue } from '../state/locations.js';
import type { PreState } from '../state/preState.js';
import { SUMMED, versionTx } from '../state/stateSource.js';
import { MVMemory } from './mvMemory.js';
import { fromWire, toWire, type FromWorker, type StressConfig, type WireReads } from './protocol.js';
import type { WorkerPool } from './workerPool.js';

const READY = 0;
const DISPATCHED = 1;
const DONE = 2;
const WAITING = 3;
const TASKS_PER_WORKER = 2;
const REEXECUTION_PATIENCE = 2;

/** The final result of one transaction (its last incarnation). */
export interface TxOutcome {
  gasUsed: bigint;
  receipt: TxReceipt;
  bloom: Uint8Array;
  timeMs: number;
  writeKeys: string[];
  writeValues: LocationValue[];
  creditKeys: string[];
  creditDeltas: bigint[];
}

export interface BlockStmStats {
  conflictsValidation: number;
  conflictsEstimate: number;
  /** Incarnations run per transaction (1 = once). */
  incarnations: number[];
  /** Per transaction: the location that aborted each aborted incarnation. */
  abortedBy: string[][];
  /** Location -> aborted incarnations it caused. */
  locationConflicts: Map<string, number>;
  /** Time the coordinator spent handling messages (main-thread overhead), ms. */
  coordinatorBusyMs: number;
}

export interface BlockStmResult {
  outcomes: TxOutcome[];
  stats: BlockStmStats;
  elapsedMs: number;
}

export interface BlockStmOptions {
  runId: number;
  blockKey: string;
  timeoutMs: number;
  /** Stop and report when re-executions exceed this (the caller falls back to serial). */
  maxReexecutions: number;
  /** Sender address per transaction (for the same-sender rule in dispatch). */
  senders: string[];
  stress?: StressConfig;
  checkpoint?: () => void;
}

/** Parallel execution hit an error on consistent reads, which serial execution did not: a bug or a divergence. */
export class ParallelExecutionError extends StmError {
  override name = 'ParallelExecutionError';
}

/** Too many re-executions: the caller falls back to serial. */
export class TooManyReexecutions extends StmError {
  override name = 'TooManyReexecutions';
}

export function runBlockStm(pool: WorkerPool, pre: PreState, txCount: number, options: BlockStmOptions): Promise<BlockStmResult> {
  return new BlockStmCoordinator(pool, pre, txCount, options).run();
}

class BlockStmCoordinator {
  private readonly memory: MVMemory;
  private readonly status: Int8Array;
  private readonly incarnation: Int32Array;
  private readonly waitingOn: Int32Array;
  /** Per done transaction: its reads (key -> recorded version). */
  private readonly readSets: Array<Map<string, number> | undefined>;
  private readonly summedReads: Array<Map<string, bigint> | undefined>;
  /** Location -> done transactions that read it. */
  private readonly readers = new Map<string, Set<number>>();
  private readonly writeKeys: Array<string[] | undefined>;
  private readonly outcomes: Array<TxOutcome | undefined>;
  private readonly dependents = new Map<number, number[]>();
  private readonly ready: MinHeap;
  /** Transactions waiting for the commit index to reach them (see makeRunnable). */
  private readonly deferred = new MinHeap();
  private readonly inflight: number[];
  /** The worker a dispatched transaction was sent to. */
  private readonly taskWorker: Int32Array;
  /** The previous transaction of the same sender, or -1 (a nonce dependency known in advance). */
  private readonly previousSameSender: Int32Array;
  private commitIndex = 0;
  /** Done transactions whose last incarnation threw (see onFailed). */
  private readonly failures = new Map<number, string>();
  private reexecutions = 0;
  private readonly stats: BlockStmStats;
  private resolve!: (result: BlockStmResult) => void;
  private reject!: (error: Error) => void;
  private finished = false;
  private started = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: WorkerPool,
    pre: PreState,
    private readonly n: number,
    private readonly options: BlockStmOptions,
  ) {
    this.memory = new MVMemory(pre);
    this.status = new Int8Array(n);
    this.incarnation = new Int32Array(n);
    this.waitingOn = new Int32Array(n).fill(-1);
    this.readSets = new Array(n);
    this.summedReads = new Array(n);
    this.writeKeys = new Array(n);
    this.outcomes = new Array(n);
    this.ready = new MinHeap();
    for (let i = 0; i < n; i++) this.ready.push(i);
    this.inflight = new Array(pool.size).fill(0);
    this.taskWorker = new Int32Array(n).fill(-1);
    this.previousSameSender = previousSameSender(options.senders);
    this.stats = {
      conflictsValidation: 0,
      conflictsEstimate: 0,
      incarnations: [],
      abortedBy: Array.from({ length: n }, () => []),
      locationConflicts: new Map(),
      coordinatorBusyMs: 0,
    };
  }

  run(): Promise<BlockStmResult> {
    return new Promise<BlockStmResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      if (this.pool.failed !== undefined) return reject(this.pool.failed);
      this.pool.onMessage(
        (message) => this.onMessage(message),
        (error) => this.fail(error),
      );
      this.timer = setTimeout(
        () => this.fail(new ExecutorError(`the parallel run did not finish within ${Math.round(this.options.timeoutMs)} ms (a worker hung?)`)),
        this.options.timeoutMs,
      );
      this.started = performance.now();
      this.pool.queueAll({ t: 'run', runId: this.options.runId, blockKey: this.options.blockKey, stress: this.options.stress });
      if (this.n === 0) return this.finish();
      this.dispatch();
      this.pool.flush();
    });
  }

  private onMessage(message: FromWorker): void {
    if (this.finished) return;
    const entered = performance.now();
    try {
      switch (message.t) {
        case 'done':
          if (message.runId !== this.options.runId) return;
          this.inflight[message.worker]!--;
          this.onDone(message);
          break;
        case 'blocked':
          if (message.runId !== this.options.runId) return;
          this.inflight[message.worker]!--;
          this.onBlocked(message.tx, message.inc, message.on, message.key);
          break;
        case 'failed':
          if (message.runId !== this.options.runId) return;
          this.inflight[message.worker]!--;
          this.onFailed(message.tx, message.inc, message.message, message.reads);
          break;
        case 'fatal':
          throw new ExecutorError(`worker ${message.worker}: ${message.message}`);
        default:
          return;
      }
      this.options.checkpoint?.();
      if (this.reexecutions > this.options.maxReexecutions) {
        throw new TooManyReexecutions(`${this.reexecutions} re-executions for ${this.n} transactions`);
      }
      if (this.commitIndex === this.n) return this.finish();
      this.dispatch();
      this.pool.flush();
    } catch (error) {
      this.fail(error as Error);
    } finally {
      this.stats.coordinatorBusyMs += performance.now() - entered;
    }
  }

  private onDone(message: Extract<FromWorker, { t: 'done' }>): void {
    const tx = message.tx;
    if (this.status[tx] !== DISPATCHED || this.incarnation[tx] !== message.inc) return; // stale
    const values = message.values.map((value, i) => fromWire(message.keys[i]!, value));
    const changed = this.applyWrites(tx, message.inc, message.keys, values, message.creditKeys, message.creditDeltas);
    this.writeKeys[tx] = message.keys.concat(message.creditKeys);
    const failing = this.firstInvalidRead(tx, message.reads);
    if (failing !== undefined) {
      this.abortIncarnation(tx, failing, 'validation');
      this.recheckReaders(changed.concat(this.writeKeys[tx]!), tx);
      return;
    }
    this.status[tx] = DONE;
    this.outcomes[tx] = {
      gasUsed: message.gasUsed,
      receipt: message.receipt,
      bloom: message.bloom,
      timeMs: message.timeMs,
      writeKeys: message.keys,
      writeValues: values,
      creditKeys: message.creditKeys,
      creditDeltas: message.creditDeltas,
    };
    this.registerReads(tx, message.reads);
    this.recheckReaders(changed, tx);
    this.failures.delete(tx);
    this.wakeDependents(tx);
    this.advanceCommit();
  }

  /** Applies a write set to memory and the replicas; returns the keys whose value for readers above changed. */
  private applyWrites(tx: number, inc: number, keys: string[], values: LocationValue[], creditKeys: string[], creditDeltas: bigint[]): string[] {
    const memory = this.memory;
    const changed: string[] = [];
    const previous = this.writeKeys[tx];
    const removed: string[] = [];
    if (previous !== undefined) {
      const now = new Set(keys);
      for (const key of creditKeys) now.add(key);
      for (const key of previous) {
        if (!now.has(key)) {
          memory.remove(key, tx);
          removed.push(key);
          changed.push(key);
        }
      }
    }
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const before = memory.writtenBy(key, tx);
      memory.write(key, tx, inc, values[i]!);
      if (before === undefined || !valuesEqual(before, values[i]!)) changed.push(key);
    }
    for (let i = 0; i < creditKeys.length; i++) {
      const key = creditKeys[i]!;
      const before = memory.writtenBy(key, tx);
      memory.credit(key, tx, inc, creditDeltas[i]!);
      if (before !== creditDeltas[i]) changed.push(key);
    }
    this.pool.queueAll({
      t: 'apply',
      runId: this.options.runId,
      tx,
      inc,
      keys,
      values: values.map(toWire),
      creditKeys,
      creditDeltas,
      removed,
    });
    return changed;
  }

  /** The first read of `reads` that no longer resolves to what was seen, or undefined. */
  private firstInvalidRead(tx: number, reads: WireReads): string | undefined {
    let summed: Map<string, bigint> | undefined;
    for (let r = 0; r < reads.keys.length; r++) {
      const version = reads.versions[r]!;
      if (version === SUMMED) {
        summed ??= summedMap(reads);
        if (!this.readStillValid(tx, reads.keys[r]!, version, summed.get(reads.keys[r]!))) return reads.keys[r];
      } else if (!this.readStillValid(tx, reads.keys[r]!, version, undefined)) return reads.keys[r];
    }
    return undefined;
  }

  private readStillValid(tx: number, key: string, version: number, summedValue: bigint | undefined): boolean {
    const value = this.memory.resolve(key, tx);
    if (value === undefined) return false; // an ESTIMATE
    if (version === SUMMED) return value === summedValue;
    return this.memory.lastVersion === version;
  }

  private registerReads(tx: number, reads: WireReads): void {
    const set = new Map<string, number>();
    for (let r = 0; r < reads.keys.length; r++) {
      const key = reads.keys[r]!;
      set.set(key, reads.versions[r]!);
      let list = this.readers.get(key);
      if (list === undefined) this.readers.set(key, (list = new Set()));
      list.add(tx);
    }
    this.readSets[tx] = set;
    if (reads.summedKeys.length > 0) this.summedReads[tx] = summedMap(reads);
  }

  private unregisterReads(tx: number): void {
    const set = this.readSets[tx];
    if (set === undefined) return;
    for (const key of set.keys()) this.readers.get(key)?.delete(tx);
    this.readSets[tx] = undefined;
    this.summedReads[tx] = undefined;
  }

  /**
   * Re-checks the done readers above `writer` of the given keys, aborting those whose read
   * changed; aborts cascade through a worklist (an aborted reader's writes become
   * ESTIMATEs, which its own readers then see).
   */
  private recheckReaders(keys: string[], writer: number): void {
    const work: Array<[string[], number]> = [[keys, writer]];
    while (work.length > 0) {
      const [changed, from] = work.pop()!;
      for (const key of changed) {
        const list = this.readers.get(key);
        if (list === undefined || list.size === 0) continue;
        const victims: number[] = [];
        for (const reader of list) {
          if (reader <= from || this.status[reader] !== DONE) continue;
          const version = this.readSets[reader]!.get(key)!;
          if (!this.readStillValid(reader, key, version, this.summedReads[reader]?.get(key))) victims.push(reader);
        }
        for (const reader of victims) {
          if (this.status[reader] !== DONE) continue;
          if (reader < this.commitIndex) throw new ExecutorError(`internal: committed transaction ${reader} was invalidated by ${from} at ${key}`);
          this.unregisterReads(reader);
          this.outcomes[reader] = undefined;
          this.failures.delete(reader);
          this.abortIncarnation(reader, key, 'validation');
          work.push([this.writeKeys[reader] ?? [], reader]);
        }
      }
    }
  }

  /** Aborts tx's current incarnation: its writes become ESTIMATEs; it runs again when what it waits for is done. */
  private abortIncarnation(tx: number, key: string, cause: 'validation' | 'estimate'): void {
    const keys = this.writeKeys[tx];
    if (keys !== undefined && keys.length > 0) {
      for (const k of keys) this.memory.markEstimate(k, tx);
      this.pool.queueAll({ t: 'estimate', runId: this.options.runId, tx, keys });
    }
    this.countConflict(tx, key, cause);
    this.makeRunnable(tx, this.writerOf(key, tx));
  }

  /** The transaction whose entry tx now sees at key (to wait for it when it is not done), or -1. */
  private writerOf(key: string, tx: number): number {
    const value = this.memory.resolve(key, tx);
    if (value === undefined) return this.memory.estimate.blockingTx;
    return this.memory.lastVersion >= 0 ? versionTx(this.memory.lastVersion) : -1;
  }

  private onBlocked(tx: number, inc: number, on: number, key: string): void {
    if (this.status[tx] !== DISPATCHED || this.incarnation[tx] !== inc) return;
    this.countConflict(tx, key, 'estimate');
    this.makeRunnable(tx, on);
  }

  /**
   * An incarnation that threw. On stale reads that is ordinary speculation (a nonce not yet
   * bumped by an earlier transaction still running): it is handled like any result, with
   * no writes, and aborted when its reads change. Only if it is still standing when it is
   * committed did parallel execution fail where serial did not.
   */
  private onFailed(tx: number, inc: number, message: string, reads: WireReads): void {
    if (this.status[tx] !== DISPATCHED || this.incarnation[tx] !== inc) return;
    const changed = this.applyWrites(tx, inc, [], [], [], []);
    this.writeKeys[tx] = [];
    const failing = this.firstInvalidRead(tx, reads);
    if (failing !== undefined) {
      this.countConflict(tx, failing, 'validation');
      this.makeRunnable(tx, this.writerOf(failing, tx));
      this.recheckReaders(changed, tx);
      return;
    }
    this.status[tx] = DONE;
    this.outcomes[tx] = undefined;
    this.failures.set(tx, message);
    this.registerReads(tx, reads);
    this.recheckReaders(changed, tx);
    this.wakeDependents(tx);
    this.advanceCommit();
  }

  private advanceCommit(): void {
    while (this.commitIndex < this.n && this.status[this.commitIndex] === DONE) {
      const failure = this.failures.get(this.commitIndex);
      if (failure !== undefined) {
        throw new ParallelExecutionError(`transaction ${this.commitIndex} failed in parallel execution although everything it read was final: ${failure}`);
      }
      this.commitIndex++;
    }
    for (let tx = this.deferred.peek(); tx !== undefined && tx <= this.commitIndex; tx = this.deferred.peek()) {
      this.deferred.pop();
      if (this.status[tx] === WAITING && this.waitingOn[tx] === -1) {
        this.status[tx] = READY;
        this.ready.push(tx);
      }
    }
  }

  private countConflict(tx: number, key: string, cause: 'validation' | 'estimate'): void {
    if (cause === 'validation') this.stats.conflictsValidation++;
    else this.stats.conflictsEstimate++;
    this.stats.abortedBy[tx]!.push(key);
    this.stats.locationConflicts.set(key, (this.stats.locationConflicts.get(key) ?? 0) + 1);
    this.incarnation[tx]!++;
    this.reexecutions++;
  }

  /**
   * Puts tx back to be executed: now, or once `blocker` is done. A transaction aborted
   * REEXECUTION_PATIENCE times or more waits until everything below it is committed, so its
   * next incarnation is its last: otherwise a transaction far ahead that reads a location
   * a long chain below keeps rewriting (a sender's nonce) is re-executed once per link.
   */
  private makeRunnable(tx: number, blocker: number): void {
    if (this.incarnation[tx]! >= REEXECUTION_PATIENCE && tx > this.commitIndex) {
      this.status[tx] = WAITING;
      this.waitingOn[tx] = -1;
      this.deferred.push(tx);
      return;
    }
    if (blocker >= 0 && this.status[blocker] !== DONE) {
      this.status[tx] = WAITING;
      this.waitingOn[tx] = blocker;
      let list = this.dependents.get(blocker);
      if (list === undefined) this.dependents.set(blocker, (list = []));
      list.push(tx);
      return;
    }
    this.status[tx] = READY;
    this.ready.push(tx);
  }

  private wakeDependents(tx: number): void {
    const list = this.dependents.get(tx);
    if (list === undefined) return;
    this.dependents.delete(tx);
    for (const waiter of list) {
      if (this.status[waiter] === WAITING && this.waitingOn[waiter] === tx) {
        this.waitingOn[waiter] = -1;
        this.status[waiter] = READY;
        this.ready.push(waiter);
      }
    }
  }

  /**
   * Fills every worker's task slots with the lowest ready transactions. A transaction
   * whose sender has an earlier transaction in the block that is not done would read a
   * stale nonce: it waits for it, or, when that one is on a worker with a free slot, is
   * queued right behind it on the same worker (which applies its own writes at once, so
   * the chain runs there without a round trip).
   */
  private dispatch(): void {
    for (;;) {
      let free = -1;
      for (let w = 0; w < this.inflight.length; w++) if (this.inflight[w]! < TASKS_PER_WORKER) free = free < 0 || this.inflight[w]! < this.inflight[free]! ? w : free;
      if (free < 0) return;
      const tx = this.nextReady();
      if (tx === undefined) return;
      let worker = free;
      const previous = this.previousSameSender[tx]!;
      if (previous >= 0 && this.status[previous] !== DONE) {
        const holder = this.status[previous] === DISPATCHED ? this.taskWorker[previous]! : -1;
        if (holder < 0 || this.inflight[holder]! >= TASKS_PER_WORKER) {
          this.makeRunnable(tx, previous);
          continue;
        }
        worker = holder;
      }
      this.status[tx] = DISPATCHED;
      this.taskWorker[tx] = worker;
      this.inflight[worker]!++;
      this.pool.queue(worker, { t: 'exec', runId: this.options.runId, tx, inc: this.incarnation[tx]! });
    }
  }

  private nextReady(): number | undefined {
    for (;;) {
      const tx = this.ready.pop();
      if (tx === undefined) return undefined;
      if (this.status[tx] === READY) return tx;
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const elapsedMs = performance.now() - this.started;
    clearTimeout(this.timer);
    this.pool.onMessage(undefined);
    this.pool.flush();
    this.stats.incarnations = Array.from(this.incarnation, (inc) => inc + 1);
    this.resolve({ outcomes: this.outcomes as TxOutcome[], stats: this.stats, elapsedMs });
  }

  private fail(error: Error): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.pool.onMessage(undefined);
    this.reject(error);
  }
}

export function previousSameSender(senders: string[]): Int32Array {
  const previous = new Int32Array(senders.length).fill(-1);
  const last = new Map<string, number>();
  senders.forEach((sender, i) => {
    const before = last.get(sender);
    if (before !== undefined) previous[i] = before;
    last.set(sender, i);
  });
  return previous;
}

function summedMap(reads: WireReads): Map<string, bigint> {
  const map = new Map<string, bigint>();
  for (let i = 0; i < reads.summedKeys.length; i++) map.set(reads.summedKeys[i]!, reads.summedValues[i]!);
  return map;
}

/** A binary min-heap of transaction indices (duplicates allowed; stale entries are skipped by the caller). */
class MinHeap {
  private readonly items: number[] = [];
  push(value: number): void {
    const items = this.items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = value;
  }
  peek(): number | undefined {
    return this.items[0];
  }
  pop(): number | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= items.length) break;
        const r = l + 1;
        const c = r < items.length && items[r]! < items[l]! ? r : l;
        if (items[c]! >= last) break;
        items[i] = items[c]!;
        i = c;
      }
      items[i] = last;
    }
    return top;
  }
}
