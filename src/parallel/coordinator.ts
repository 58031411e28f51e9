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
import { SUMMED, makeVersion, versionIncarnation, versionTx } from '../state/stateSource.js';
import type { ReplayVm } from '../exec/replayVm.js';
import { EstimateRead, MVMemory } from './mvMemory.js';
import { fromWire, toWire, toWireReads, type FromWorker, type StressConfig, type WireReads } from './protocol.js';
import type { WorkerPool } from './workerPool.js';

const READY = 0;
const DISPATCHED = 1;
const DONE = 2;
const WAITING = 3;
const TASKS_PER_WORKER = 2;
/** Gas limit per chunk of small transactions (see chooseChunkSize). */
const CHUNK_GAS_LIMIT = 500_000;
const REEXECUTION_PATIENCE = 2;
const INVALID = 0;
const VALID = 1;
const SUSPECT = 2;

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
  /** Per worker: time spent executing (all incarnations) up to its last result, ms. */
  workerBusyMs: number[];
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
  /** Transactions per task (default 1); see chooseChunkSize. */
  chunkSize?: number;
  /**
   * When given, the main thread executes transactions too, with this VM, directly against
   * the coordinator's memory: T threads are T executors (T-1 workers and the main thread),
   * not T workers plus a coordinator competing with them for the cores.
   */
  mainReplay?: ReplayVm;
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
  /** Per done transaction: its reads as received (looked up by scanning: rechecks are rare). */
  private readonly readSets: Array<WireReads | undefined>;
  /**
   * Location -> readers, each tagged with the incarnation that read it (append-only; a tag
   * whose transaction has moved on, or is not done, is skipped). Cheaper to maintain on
   * every result than a set per location, which matters on conflict-free blocks.
   */
  private readonly readers = new Map<string, number[]>();
  private readonly writeKeys: Array<string[] | undefined>;
  private readonly outcomes: Array<TxOutcome | undefined>;
  private readonly dependents = new Map<number, number[]>();
  private readonly ready: MinHeap;
  /** Transactions waiting for the commit index to reach them (see makeRunnable). */
  private readonly deferred = new MinHeap();
  private readonly inflight: number[];
  /** The main thread's executor slot (index pool.size), or -1 when it only coordinates. */
  private readonly mainSlot: number;
  private readonly mainQueue: Array<{ tx: number; inc: number }> = [];
  private mainBusy = false;
  /** The worker a dispatched transaction was sent to. */
  private readonly taskWorker: Int32Array;
  /** The previous transaction of the same sender, or -1 (a nonce dependency known in advance). */
  private readonly previousSameSender: Int32Array;
  /** Transactions per task: several small ones travel together (chunkSize in the options). */
  private readonly chunkSize: number;
  private commitIndex = 0;
  /** Per transaction: how many aborted writers its standing reads rely on (0 = committable). */
  private readonly suspicion: Int32Array;
  /** Aborted writer -> readers (tagged with their incarnation) suspect of it. */
  private readonly suspects = new Map<number, Set<number>>();
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
    this.memory.lenient = true;
    this.suspicion = new Int32Array(n);
    this.status = new Int8Array(n);
    this.incarnation = new Int32Array(n);
    this.waitingOn = new Int32Array(n).fill(-1);
    this.readSets = new Array(n);
    this.writeKeys = new Array(n);
    this.outcomes = new Array(n);
    this.ready = new MinHeap();
    for (let i = 0; i < n; i++) this.ready.push(i);
    this.mainSlot = options.mainReplay === undefined ? -1 : pool.size;
    this.inflight = new Array(pool.size + (this.mainSlot >= 0 ? 1 : 0)).fill(0);
    this.taskWorker = new Int32Array(n).fill(-1);
    this.previousSameSender = previousSameSender(options.senders);
    this.chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 1));
    this.stats = {
      conflictsValidation: 0,
      conflictsEstimate: 0,
      incarnations: [],
      abortedBy: Array.from({ length: n }, () => []),
      locationConflicts: new Map(),
      coordinatorBusyMs: 0,
      workerBusyMs: new Array<number>(pool.size + (options.mainReplay === undefined ? 0 : 1)).fill(0),
    };
  }

  run(): Promise<BlockStmResult> {
    return new Promise<BlockStmResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      if (this.pool.failed !== undefined) return reject(this.pool.failed);
      this.pool.onMessage(
        (messages) => this.onMessages(messages),
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
      this.scheduleMain();
    });
  }

  private onMessages(messages: FromWorker[]): void {
    if (this.finished) return;
    const entered = performance.now();
    try {
      for (const message of messages) this.handle(message);
      this.afterEvent();
    } catch (error) {
      this.fail(error as Error);
    } finally {
      this.stats.coordinatorBusyMs += performance.now() - entered;
    }
  }

  /** After handling results: stop conditions, completion, new tasks out. */
  private afterEvent(): void {
    this.options.checkpoint?.();
    if (this.reexecutions > this.options.maxReexecutions) {
      throw new TooManyReexecutions(`${this.reexecutions} re-executions for ${this.n} transactions`);
    }
    if (this.commitIndex === this.n) return this.finish();
    this.dispatch();
    this.pool.flush();
    this.scheduleMain();
  }

  /** Runs the main thread's next task on a later turn of the event loop, so worker results are handled in between. */
  private scheduleMain(): void {
    if (this.mainSlot < 0 || this.mainBusy || this.finished || this.mainQueue.length === 0) return;
    this.mainBusy = true;
    setImmediate(() => void this.runMainTask());
  }

  /** The main thread executes one transaction against the coordinator's memory itself. */
  private async runMainTask(): Promise<void> {
    const task = this.mainQueue.shift();
    if (task === undefined || this.finished) {
      this.mainBusy = false;
      return;
    }
    const replay = this.options.mainReplay!;
    const started = performance.now();
    let outcome: { run?: Awaited<ReturnType<ReplayVm['run']>>; error?: unknown } = {};
    try {
      outcome = { run: await replay.run(task.tx, this.memory) };
    } catch (error) {
      outcome = { error };
    }
    this.stats.workerBusyMs[this.mainSlot]! += performance.now() - started;
    this.mainBusy = false;
    if (this.finished) return;
    const entered = performance.now();
    try {
      this.finishedTask(this.mainSlot);
      if (this.status[task.tx] === DISPATCHED && this.incarnation[task.tx] === task.inc) {
        if (outcome.run !== undefined) {
          const run = outcome.run;
          this.onResult(task.tx, task.inc, toWireReads(run.reads), run.writes.keys, run.writes.values, run.writes.creditKeys, run.writes.creditDeltas, {
            gasUsed: run.gasUsed,
            receipt: run.receipt,
            bloom: run.result.bloom.bitvector,
            timeMs: run.timeMs,
          });
        } else if (outcome.error instanceof EstimateRead) {
          this.onBlocked(task.tx, task.inc, outcome.error.blockingTx, outcome.error.key, 'estimate');
        } else {
          const error = outcome.error as { shortMessage?: string; message?: string };
          this.onFailed(task.tx, task.inc, error.shortMessage ?? error.message ?? String(error), toWireReads(replay.state.readSet));
        }
      }
      this.afterEvent();
    } catch (error) {
      this.fail(error as Error);
    } finally {
      this.stats.coordinatorBusyMs += performance.now() - entered;
    }
  }

  private handle(message: FromWorker): void {
    switch (message.t) {
      case 'done':
        if (message.runId !== this.options.runId) return;
        this.finishedTask(message.worker);
        this.stats.workerBusyMs[message.worker] = message.busyMs;
        this.onDone(message);
        return;
      case 'blocked':
        if (message.runId !== this.options.runId) return;
        this.finishedTask(message.worker);
        this.onBlocked(message.tx, message.inc, message.on, message.key, message.cause);
        return;
      case 'failed':
        if (message.runId !== this.options.runId) return;
        this.finishedTask(message.worker);
        this.onFailed(message.tx, message.inc, message.message, message.reads);
        return;
      case 'fatal':
        throw new ExecutorError(`worker ${message.worker}: ${message.message}`);
      default:
        return;
    }
  }

  /** A worker finished one transaction of its queued chunks. */
  private finishedTask(worker: number): void {
    this.inflight[worker]!--;
  }

  private onDone(message: Extract<FromWorker, { t: 'done' }>): void {
    if (this.status[message.tx] !== DISPATCHED || this.incarnation[message.tx] !== message.inc) return; // stale
    const values = message.values.map((value, i) => fromWire(message.keys[i]!, value));
    this.onResult(message.tx, message.inc, message.reads, message.keys, values, message.creditKeys, message.creditDeltas, message);
  }

  /** A finished incarnation (from a worker or the main thread): apply, validate, and complete or abort. */
  private onResult(
    tx: number,
    inc: number,
    reads: WireReads,
    keys: string[],
    values: LocationValue[],
    creditKeys: string[],
    creditDeltas: bigint[],
    result: { gasUsed: bigint; receipt: TxReceipt; bloom: Uint8Array; timeMs: number },
  ): void {
    const changed = this.applyWrites(tx, inc, keys, values, creditKeys, creditDeltas);
    this.writeKeys[tx] = keys.concat(creditKeys);
    if (!this.validate(tx, reads)) {
      this.abortIncarnation(tx, this.failingKey, 'validation');
      this.recheckReaders(changed, tx);
      return;
    }
    this.status[tx] = DONE;
    this.outcomes[tx] = {
      gasUsed: result.gasUsed,
      receipt: result.receipt,
      bloom: result.bloom,
      timeMs: result.timeMs,
      writeKeys: keys,
      writeValues: values,
      creditKeys,
      creditDeltas,
    };
    this.completed(tx, reads, changed);
  }

  /** A transaction's incarnation stands: index its reads, re-check what its writes changed, clear suspicions on it. */
  private completed(tx: number, reads: WireReads, changed: string[]): void {
    this.registerReads(tx, reads);
    for (const writer of this.pendingSuspicions) this.addSuspect(writer, tx);
    this.recheckReaders(changed, tx);
    this.clearSuspicionsOn(tx);
    this.wakeDependents(tx);
    this.advanceCommit();
  }

  /**
   * Applies a write set to memory and the replicas. Returns the keys whose value changed
   * for readers above (new, removed, or a different value than tx's previous incarnation
   * wrote). Where the value is the same, readers of the previous incarnation keep their
   * read: their recorded version moves to the new incarnation (value-based: the value
   * they saw is still the value there).
   */
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
      const before = memory.previousEntry(key, tx);
      memory.write(key, tx, inc, values[i]!);
      if (before === undefined || before.credit || !valuesEqual(before.value, values[i]!)) changed.push(key);
      else this.carryReads(key, tx, before.incarnation, inc);
    }
    for (let i = 0; i < creditKeys.length; i++) {
      const key = creditKeys[i]!;
      const before = memory.previousEntry(key, tx);
      memory.credit(key, tx, inc, creditDeltas[i]!);
      if (before === undefined || !before.credit || before.value !== creditDeltas[i]) changed.push(key);
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

  /** Readers of (tx, from) at key saw the same value tx's incarnation `to` wrote: their read stands. */
  private carryReads(key: string, tx: number, from: number, to: number): void {
    const list = this.readers.get(key);
    if (list === undefined) return;
    const seen = makeVersion(tx, from);
    for (const tag of list) {
      const reader = this.liveReader(tag);
      if (reader <= tx) continue;
      const reads = this.readSets[reader]!;
      const at = reads.keys.indexOf(key);
      if (at >= 0 && reads.versions[at] === seen) reads.versions[at] = makeVersion(tx, to);
    }
  }

  /** The reader a tag names, or -1 when that incarnation is no longer a done reader. */
  private liveReader(tag: number): number {
    const reader = versionTx(tag);
    return this.status[reader] === DONE && this.incarnation[reader] === versionIncarnation(tag) && this.readSets[reader] !== undefined ? reader : -1;
  }

  /** The key validate() found invalid. */
  private failingKey = '';
  /** The aborted writers whose retained values validate() relied on (the reader becomes suspect of each). */
  private pendingSuspicions: number[] = [];

  /** Validates a finished incarnation's reads; sets failingKey or pendingSuspicions. */
  private validate(tx: number, reads: WireReads): boolean {
    this.pendingSuspicions = [];
    let summed: Map<string, bigint> | undefined;
    for (let r = 0; r < reads.keys.length; r++) {
      const key = reads.keys[r]!;
      const version = reads.versions[r]!;
      if (version === SUMMED) summed ??= summedMap(reads);
      const verdict = this.checkRead(tx, key, version, version === SUMMED ? summed!.get(key) : undefined);
      if (verdict === INVALID) {
        this.failingKey = key;
        return false;
      }
      if (verdict === SUSPECT) this.pendingSuspicions.push(this.memory.lastEstimateTx);
    }
    return true;
  }

  /**
   * Whether a recorded read still holds: VALID; SUSPECT when it holds only through an
   * ESTIMATE's retained value (the writer's next incarnation decides); else INVALID.
   */
  private checkRead(tx: number, key: string, version: number, summedValue: bigint | undefined): number {
    const value = this.memory.resolve(key, tx);
    if (value === undefined) return INVALID;
    const estimate = this.memory.lastEstimateTx;
    if (version === SUMMED) {
      if (estimate >= 0) return INVALID;
      return value === summedValue ? VALID : INVALID;
    }
    if (this.memory.lastVersion !== version) return INVALID;
    return estimate >= 0 ? SUSPECT : VALID;
  }

  private registerReads(tx: number, reads: WireReads): void {
    const tag = makeVersion(tx, this.incarnation[tx]!);
    for (const key of reads.keys) {
      const list = this.readers.get(key);
      if (list === undefined) this.readers.set(key, [tag]);
      else if (list[list.length - 1] !== tag) list.push(tag);
    }
    this.readSets[tx] = reads;
  }

  private unregisterReads(tx: number): void {
    this.readSets[tx] = undefined;
  }

  /** What reader recorded for key: its version, and for a SUMMED read the value. */
  private recordedRead(reader: number, key: string): { version: number; summed: bigint | undefined } | undefined {
    const reads = this.readSets[reader]!;
    const at = reads.keys.indexOf(key);
    if (at < 0) return undefined;
    const version = reads.versions[at]!;
    if (version !== SUMMED) return { version, summed: undefined };
    const s = reads.summedKeys.indexOf(key);
    return { version, summed: s < 0 ? undefined : reads.summedValues[s] };
  }

  /**
   * Re-checks the done readers above `writer` of the given keys: a read that no longer
   * holds aborts its reader; one that now holds only through an ESTIMATE makes its reader
   * suspect (it cannot commit until that writer is done again).
   */
  private recheckReaders(keys: string[], writer: number): void {
    for (const key of keys) {
      const list = this.readers.get(key);
      if (list === undefined || list.length === 0) continue;
      const victims: number[] = [];
      let live = 0;
      for (const tag of list) {
        const reader = this.liveReader(tag);
        if (reader < 0) continue;
        list[live++] = tag; // compact stale tags away while passing
        if (reader <= writer) continue;
        const recorded = this.recordedRead(reader, key);
        if (recorded === undefined) continue;
        const verdict = this.checkRead(reader, key, recorded.version, recorded.summed);
        if (verdict === INVALID) victims.push(reader);
        else if (verdict === SUSPECT) this.addSuspect(this.memory.lastEstimateTx, reader);
      }
      list.length = live;
      for (const reader of victims) {
        if (this.status[reader] !== DONE) continue;
        if (reader < this.commitIndex) throw new ExecutorError(`internal: committed transaction ${reader} was invalidated by ${writer} at ${key}`);
        this.unregisterReads(reader);
        this.outcomes[reader] = undefined;
        this.failures.delete(reader);
        this.abortIncarnation(reader, key, 'validation');
      }
    }
  }

  /**
   * Aborts tx's current incarnation: its writes become ESTIMATEs (retaining their values),
   * the done readers of those writes become suspect (not aborted: if tx's next incarnation
   * writes the same values, their reads stand), and tx runs again when what it waits for
   * is done.
   */
  private abortIncarnation(tx: number, key: string, cause: 'validation' | 'estimate'): void {
    const keys = this.writeKeys[tx];
    if (keys !== undefined && keys.length > 0) {
      for (const k of keys) this.memory.markEstimate(k, tx);
      this.pool.queueAll({ t: 'estimate', runId: this.options.runId, tx, keys });
      this.recheckReaders(keys, tx);
    }
    this.suspicion[tx] = 0;
    this.countConflict(tx, key, cause);
    this.makeRunnable(tx, this.writerOf(key, tx));
  }

  /** Reader r (in its current incarnation) holds only if writer's next incarnation writes the same values. */
  private addSuspect(writer: number, reader: number): void {
    let set = this.suspects.get(writer);
    if (set === undefined) this.suspects.set(writer, (set = new Set()));
    const tag = makeVersion(reader, this.incarnation[reader]!);
    if (set.has(tag)) return;
    set.add(tag);
    this.suspicion[reader]!++;
  }

  /** writer is done again: every reader still suspect of it (not aborted meanwhile) is cleared of it. */
  private clearSuspicionsOn(writer: number): void {
    const set = this.suspects.get(writer);
    if (set === undefined) return;
    this.suspects.delete(writer);
    for (const tag of set) {
      const reader = versionTx(tag);
      if (this.status[reader] === DONE && this.incarnation[reader] === versionIncarnation(tag) && this.suspicion[reader]! > 0) this.suspicion[reader]!--;
    }
  }

  /** The transaction whose entry tx now sees at key (to wait for it when it is not done), or -1. */
  private writerOf(key: string, tx: number): number {
    this.memory.resolve(key, tx);
    if (this.memory.lastEstimateTx >= 0) return this.memory.lastEstimateTx;
    return this.memory.lastVersion >= 0 ? versionTx(this.memory.lastVersion) : -1;
  }

  /** The incarnation stopped itself: it met an ESTIMATE, or saw a newer write to something it had read (early abort). */
  private onBlocked(tx: number, inc: number, on: number, key: string, cause: 'estimate' | 'validation'): void {
    if (this.status[tx] !== DISPATCHED || this.incarnation[tx] !== inc) return;
    this.countConflict(tx, key, cause);
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
    if (!this.validate(tx, reads)) {
      this.countConflict(tx, this.failingKey, 'validation');
      this.makeRunnable(tx, this.writerOf(this.failingKey, tx));
      this.recheckReaders(changed, tx);
      return;
    }
    this.status[tx] = DONE;
    this.outcomes[tx] = undefined;
    this.failures.set(tx, message);
    this.completed(tx, reads, changed);
  }

  private advanceCommit(): void {
    while (this.commitIndex < this.n && this.status[this.commitIndex] === DONE && this.suspicion[this.commitIndex] === 0) {
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
    if (process.env.STM_DEBUG_CONFLICTS !== undefined && key.startsWith(process.env.STM_DEBUG_CONFLICTS)) {
      const p = this.previousSameSender[tx]!;
      console.error(`conflict tx=${tx} inc=${this.incarnation[tx]} ${cause} prev=${p} prevStatus=${p >= 0 ? this.status[p] : '-'} prevWorker=${p >= 0 ? this.taskWorker[p] : '-'} myWorker=${this.taskWorker[tx]} commit=${this.commitIndex}`);
    }
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
    const capacity = TASKS_PER_WORKER * this.chunkSize;
    for (;;) {
      let free = -1;
      for (let w = 0; w < this.inflight.length; w++) {
        if (this.inflight[w]! + this.chunkSize <= capacity && (free < 0 || this.inflight[w]! < this.inflight[free]!)) free = w;
      }
      if (free < 0) return;
      const txs: number[] = [];
      const incs: number[] = [];
      let target = free;
      while (txs.length < this.chunkSize) {
        const tx = this.nextReady();
        if (tx === undefined) break;
        const previous = this.previousSameSender[tx]!;
        if (previous >= 0 && this.status[previous] !== DONE && !(this.status[previous] === DISPATCHED && this.taskWorker[previous] === target)) {
          // Queue it behind its sender's previous transaction when that one is on a worker
          // with room (as its own chunk), else wait for it.
          const holder = this.status[previous] === DISPATCHED ? this.taskWorker[previous]! : -1;
          if (txs.length === 0 && holder >= 0 && this.inflight[holder]! < capacity) {
            target = holder;
          } else {
            this.makeRunnable(tx, previous);
            continue;
          }
        }
        this.status[tx] = DISPATCHED;
        this.taskWorker[tx] = target;
        txs.push(tx);
        incs.push(this.incarnation[tx]!);
        if (target !== free) break;
      }
      if (txs.length === 0) return;
      this.inflight[target]! += txs.length;
      if (target === this.mainSlot) txs.forEach((tx, i) => this.mainQueue.push({ tx, inc: incs[i]! }));
      else this.pool.queue(target, { t: 'exec', runId: this.options.runId, txs, incs });
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

/**
 * How many transactions travel in one task: enough small ones that the fixed cost of a
 * message (~10 µs each way) stays a few percent of the work, judged from the gas limits
 * (known before execution): ~500k gas of limit per chunk, 1 to 32 transactions.
 */
export function chooseChunkSize(gasLimits: bigint[]): number {
  if (gasLimits.length === 0) return 1;
  const sorted = [...gasLimits].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const median = Number(sorted[sorted.length >> 1]!);
  return Math.max(1, Math.min(32, Math.floor(CHUNK_GAS_LIMIT / Math.max(median, 1))));
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
