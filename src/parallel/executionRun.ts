/**
 * One run of one block on the worker pool, whatever the scheduler: the plumbing every
 * scheduler (Block-STM in blockStmScheduler.ts, Sei-style OCC rounds in occScheduler.ts,
 * declared locks in lockScheduler.ts) shares, so each of them holds only its policy:
 * what runs when, and which results count.
 *
 * It owns the authoritative multi-version memory on the main thread, the per-transaction
 * status and incarnation, the task slots of every executor (the T-1 workers and, when
 * `mainReplay` is given, the main thread itself, which executes against this memory
 * directly), the batching of messages, the hung-run timer, and applying a finished
 * incarnation's write set to memory and to every replica (in order, so a worker that
 * pulls its messages before a task sees every write the coordinator had when it sent
 * the task).
 *
 * A subclass implements start/dispatch (fill free task slots), isComplete, and what to do
 * with a finished incarnation (onResult), one that stopped itself (onBlocked: it read an
 * ESTIMATE, or a newer write to something it had read arrived) and one that threw
 * (onFailed).
 */
import type { TxReceipt } from '@ethereumjs/vm';
import { ExecutorError, StmError } from '../errors.js';
import type { CommutativeSender } from '../exec/commutativeUpdates.js';
import { countRun } from '../exec/pathWarmth.js';
import type { ReplayVm } from '../exec/replayVm.js';
import { UnitSource, runUnit, type UnitGuard } from '../exec/unitRun.js';
import type { LocationValue } from '../state/locations.js';
import type { PreState } from '../state/preState.js';
import { SUMMED } from '../state/stateSource.js';
import type { StateGuard } from '../state/txState.js';
import { EstimateRead, MVMemory } from './mvMemory.js';
import { EMPTY_BLOOM, RUN_STATS_WAIT_MS, mainTurnMs, claimNext, claimsLeft, fromWire, isPackedDone, packApply, toWireReads, unpackDone, unpackLogs, type FromWorker, type PackedApply, type ListCheck, type ReceiptLog, type StressConfig, type WireReads, type WireUnitTx } from './protocol.js';
import { DISPATCHED, type DispatchTrace } from './blockStmPolicy.js';
import type { UnitStarts } from './txUnits.js';
import { TaskSlots } from './taskSlots.js';
import { gcMs, gcMsSince } from './gcClock.js';
import type { WorkerPool } from './workerPool.js';

export { READY, DISPATCHED, DONE, WAITING } from './blockStmPolicy.js';
export { TASKS_PER_WORKER, chooseChunkSize } from './taskSlots.js';

/** The final result of one transaction (its last incarnation). */
export interface TxOutcome {
  gasUsed: bigint;
  /** Its logs are in `packedLogs` when a worker ran it and it logged any (see receiptLogs). */
  receipt: TxReceipt;
  packedLogs?: Uint8Array;
  bloom: Uint8Array;
  timeMs: number;
  writeKeys: string[];
  writeValues: LocationValue[];
  creditKeys: string[];
  creditDeltas: bigint[];
  /** A unit's outcome (before finish expands it): each of its transactions' receipt; the writes above are the unit's. */
  unit?: WireUnitTx[];
}

/** What a finished incarnation produced besides its reads and writes. */
export interface IncarnationResult {
  gasUsed: bigint;
  receipt: TxReceipt;
  /** Absent from a worker's result when the transaction logged nothing (EMPTY_BLOOM). */
  bloom?: Uint8Array;
  timeMs: number;
  /** It ran with lazy sender updates (its guard is checked at commit). */
  lazy: boolean;
  /** The receipt's logs, packed, when a worker ran it (the receipt's own `logs` are then empty). */
  packedLogs?: Uint8Array;
  /** A worker held it to the access list already (balScheduler.ts); undefined where the coordinator must. */
  listCheck?: ListCheck;
  /**
   * The main thread ran it against the coordinator's memory and nothing changed that
   * memory meanwhile (MVMemory.changes): every read resolves as it did, so validating them
   * would find them all valid. Absent from a worker's result.
   */
  readsCurrent?: boolean;
  /** A unit's result (RunOptions.units): its transactions' receipts and its boundary guards. */
  unit?: { txs: WireUnitTx[]; guards: UnitGuard[] };
  /** A single transaction's guards of contracts' payments it debited lazily (TxState.guards), when there are any. */
  guards?: StateGuard[];
}

export interface RunStats {
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
  /** Per executor (workers, then the main thread): the transaction of every incarnation whose end reached the coordinator (finished, stopped or failed), in that order. */
  executed: number[][];
  /** Per executor (workers, then the main thread): garbage-collection time in this run, ms (a worker's: up to its last result). */
  gcMs: number[];
  /** OCC: rounds of parallel execution run (1 = everything was valid after the first). */
  rounds?: number;
  /** Block-STM: the recipients it learned hot in this run (blockStmPolicy.ts), in the order learned. */
  hotRecipients?: string[];
  /** OCC: transactions left invalid after the cap on rounds, run serially. */
  serialTail?: number;
  /**
   * The start and end of a run, ms after its clock started: when the main thread began its
   * first task (-1: none), and per worker when it claimed its first transaction and found
   * the claim queue empty (-1: not in this run, or its 'runStats' did not arrive).
   */
  edges: { mainFirstTaskMs: number; workerFirstClaimMs: number[]; workerClaimsDoneMs: number[] };
}

export interface RunResult {
  outcomes: TxOutcome[];
  stats: RunStats;
  /** From building the run to its last commit, ms (what the speedup divides). */
  elapsedMs: number;
}

export interface RunOptions {
  runId: number;
  blockKey: string;
  timeoutMs: number;
  /** Stop and report when re-executions exceed this (the caller falls back to serial). */
  maxReexecutions: number;
  /** Sender address per transaction (for the same-sender rule in dispatch). */
  senders: string[];
  /** Recipient (`to`) per transaction, null for a creation: Block-STM learns hot recipients (blockStmPolicy.ts). */
  recipients?: ReadonlyArray<string | null>;
  /**
   * Apply commutative sender updates (src/exec/commutativeUpdates.ts, Block-STM only): per
   * transaction, the guard its lazy run must pass at commit, or undefined (strict).
   */
  commutative?: ReadonlyArray<CommutativeSender | undefined>;
  /** Transactions per task (default 1); see chooseChunkSize. */
  chunkSize?: number;
  /** Gas limit per transaction (known before execution), for mainMayTake; without it the main thread takes any. */
  gasLimits?: number[];
  /**
   * When given, the main thread executes transactions too, with this VM, directly against
   * the coordinator's memory: T threads are T executors (T-1 workers and the main thread),
   * not T workers plus a coordinator competing with them for the cores.
   */
  mainReplay?: ReplayVm;
  /** The coordinator's memory, when the scheduler brings one already loaded (the access-list executor); default: empty. */
  memory?: MVMemory;
  /** Tell the workers to run against the access list they loaded under this key (balScheduler.ts). */
  balKey?: string;
  stress?: StressConfig;
  checkpoint?: () => void;
  /** Block-STM: observe every task dispatched (tests). */
  onDispatch?: DispatchTrace;
  /**
   * Block-STM: the block's units (txUnits.ts), each its transactions in order. The run is
   * then over units: every per-transaction option above is per unit, and the executors run
   * unit u's transactions (unitRun.ts) at index u of the memory.
   */
  units?: UnitStarts;
}

/** Parallel execution hit an error on consistent reads, which serial execution did not: a bug or a divergence. */
export class ParallelExecutionError extends StmError {
  override name = 'ParallelExecutionError';
}

/** Too many re-executions: the caller falls back to serial. */
export class TooManyReexecutions extends StmError {
  override name = 'TooManyReexecutions';
}

export abstract class ExecutionRun {
  protected readonly memory: MVMemory;
  protected readonly status: Int8Array;
  protected readonly incarnation: Int32Array;
  /** Per transaction: the keys its standing incarnation wrote (values and credits). */
  protected readonly writeKeys: Array<string[] | undefined>;
  protected readonly outcomes: Array<TxOutcome | undefined>;
  /** The executors' task slots (workers 0..size-1, then the main thread when it executes). */
  protected readonly slots: TaskSlots;
  /** Per transaction: run it strictly even where commutative sender updates apply (its guard failed once). */
  protected readonly strict: Uint8Array;
  protected reexecutions = 0;
  /** The executor whose result is being handled (applyWrites does not echo its writes back to it). */
  private resultOrigin = -1;
  protected readonly stats: RunStats;
  private readonly mainQueue: Array<{ tx: number; inc: number }> = [];
  private mainBusy = false;
  /**
   * How long the main thread may go on executing its tasks before it lets the event loop
   * deliver the workers' results (ms). 0: one task per turn, so results are handled as
   * soon as possible (a scheduler that dispatches from results needs that); a scheduler
   * whose executors need nothing from the coordinator saves the turn's cost per task.
   */
  protected mainTurnMs: number;
  private mainTurnStarted = 0;
  private resolve!: (result: RunResult) => void;
  private reject!: (error: Error) => void;
  protected finished = false;
  private started = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    protected readonly pool: WorkerPool,
    pre: PreState,
    protected readonly n: number,
    protected readonly options: RunOptions,
  ) {
    // The run's clock includes building it (its memory, the scheduler's per-transaction
    // arrays, the claim order: 0.1–0.5 ms on a block of a few hundred transactions).
    gcMs(); // the GC clock runs from here too (gcMsSince in finish)
    this.started = performance.now();
    this.memory = options.memory ?? new MVMemory(pre);
    this.memory.lenient = true;
    this.status = new Int8Array(n);
    this.incarnation = new Int32Array(n);
    this.writeKeys = new Array(n);
    this.outcomes = new Array(n);
    this.strict = new Uint8Array(n);
    // What the commutative plan leaves out runs strictly in every thread (workers keep their own full plan).
    if (options.commutative !== undefined) options.commutative.forEach((sender, tx) => sender === undefined && (this.strict[tx] = 1));
    this.slots = new TaskSlots(pool.size, options.mainReplay !== undefined, n, options.chunkSize ?? 1, options.gasLimits);
    // With no workers the event loop has nothing to deliver but the hung-run timer and
    // Ctrl-C: a turn per transaction only cost its turn (5891667 at 1 thread: ~8 ms of 33).
    this.mainTurnMs = mainTurnMs(false, pool.size);
    this.stats = {
      conflictsValidation: 0,
      conflictsEstimate: 0,
      incarnations: [],
      abortedBy: Array.from({ length: n }, () => []),
      locationConflicts: new Map(),
      coordinatorBusyMs: 0,
      workerBusyMs: new Array<number>(this.slots.executors).fill(0),
      executed: Array.from({ length: this.slots.executors }, () => []),
      // One per worker, then the main thread's (executing or only coordinating).
      gcMs: new Array<number>(pool.size + 1).fill(0),
      edges: { mainFirstTaskMs: -1, workerFirstClaimMs: new Array<number>(pool.size).fill(-1), workerClaimsDoneMs: new Array<number>(pool.size).fill(-1) },
    };
  }

  /** Queues what the workers need before the run's first message (default: nothing). */
  protected beforeRun(): void {}
  /** Fills free task slots. */
  protected abstract dispatch(): void;
  /** Every transaction has its final result. */
  protected abstract isComplete(): boolean;
  protected abstract onResult(tx: number, inc: number, reads: WireReads, keys: string[], values: LocationValue[], creditKeys: string[], creditDeltas: bigint[], result: IncarnationResult): void;
  protected abstract onBlocked(tx: number, inc: number, on: number, key: string, cause: 'estimate' | 'validation'): void;
  protected abstract onFailed(tx: number, inc: number, message: string, reads: WireReads): void;
  /** A finished task's slot is free again (before its result is handled). */
  protected onTaskFinished(_tx: number): void {}
  /** Readers of (tx, from) at key saw the value tx's incarnation `to` rewrote unchanged (Block-STM keeps their reads). */
  protected onValueRewritten(_key: string, _tx: number, _from: number, _to: number): void {}

  run(): Promise<RunResult> {
    return new Promise<RunResult>((resolve, reject) => {
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
      this.beforeRun();
      this.pool.queueAll({
        t: 'run',
        runId: this.options.runId,
        blockKey: this.options.blockKey,
        stress: this.options.stress,
        commutative: this.options.commutative !== undefined,
        ...(this.options.balKey === undefined ? {} : { bal: this.options.balKey }),
        ...(this.options.units === undefined ? {} : { units: this.options.units }),
      });
      try {
        if (this.n === 0 || this.isComplete()) return this.finish();
        this.dispatch();
      } catch (error) {
        return this.fail(error as Error);
      }
      this.pool.flush();
      this.scheduleMain();
    });
  }

  private onMessages(messages: FromWorker[]): void {
    if (this.finished) {
      // The run is over; only the workers' last busy and GC times count now (see finish).
      for (const message of messages) if (!isPackedDone(message) && message.t === 'runStats') this.handle(message);
      return;
    }
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
    this.resultOrigin = -1; // results handled; what follows (dispatch) broadcasts to every worker
    this.options.checkpoint?.();
    if (this.reexecutions > this.options.maxReexecutions) {
      throw new TooManyReexecutions(`${this.reexecutions} re-executions for ${this.n} transactions`);
    }
    if (this.isComplete()) return this.finish();
    this.dispatch();
    this.pool.flush();
    this.scheduleMain();
  }

  /** Tasks queued or running per executor (workers 0..size-1, then the main thread). */
  protected get inflight(): Int32Array {
    return this.slots.inflight;
  }
  /** The main thread's executor slot (index pool.size), or -1 when it only coordinates. */
  protected get mainSlot(): number {
    return this.slots.mainSlot;
  }
  /** The executor a dispatched transaction was sent to. */
  protected get taskWorker(): Int32Array {
    return this.slots.taskExecutor;
  }
  /** Transactions per task: several small ones travel together (chunkSize in the options). */
  protected get chunkSize(): number {
    return this.slots.chunkSize;
  }

  /** Sends a task (one or more transactions, run in this order) to an executor. */
  protected sendTask(target: number, txs: number[], incs: number[]): void {
    for (const tx of txs) this.status[tx] = DISPATCHED;
    this.slots.assign(target, txs);
    this.deliverTask(target, txs, incs);
  }

  /** Hands a task whose transactions are already marked dispatched to its executor. */
  protected readonly deliverTask = (target: number, txs: number[], incs: number[]): void => {
    if (target === this.slots.mainSlot) txs.forEach((tx, i) => this.mainQueue.push({ tx, inc: incs[i]! }));
    else {
      const strict = txs.filter((tx) => this.strict[tx] === 1);
      this.pool.queue(target, strict.length === 0 ? { t: 'exec', runId: this.options.runId, txs, incs } : { t: 'exec', runId: this.options.runId, txs, incs, strict });
    }
  };

  /** The executor with the fewest tasks that has room for a whole chunk, or -1. */
  protected freeExecutor(): number {
    return this.slots.freeExecutor();
  }

  /** The shared queue the executors claim first incarnations from (startClaims), if any. */
  private claims: Int32Array | undefined;

  /**
   * From now on every executor claims first incarnations from `queue` whenever it holds no
   * task (the workers on the 'claim' message, the main thread in its turns): none waits for
   * the coordinator to hand it work. The main thread then handles the workers' results
   * once per CLAIMING_MAIN_TURN_MS of its own transactions, not after each one. A claimed
   * transaction holds no task slot (TaskSlots.release). `touched`: the access list's marks.
   * Once per run: a second call does nothing.
   */
  protected startClaims(queue: Int32Array, touched?: SharedArrayBuffer): void {
    if (this.claims !== undefined) return;
    this.claims = queue;
    this.statsDue = this.pool.size; // every worker sends its 'runStats' when it finds the queue empty
    this.mainTurnMs = mainTurnMs(true, this.pool.size);
    // A claimed transaction runs strictly where the coordinator's plan says so, as a dispatched one does (deliverTask).
    const strict: number[] = [];
    this.strict.forEach((flag, tx) => flag === 1 && strict.push(tx));
    this.pool.queueAll({ t: 'claim', runId: this.options.runId, queue: queue.buffer as SharedArrayBuffer, ...(touched === undefined ? {} : { touched }), ...(strict.length === 0 ? {} : { strict }) });
  }

  /** Whether the main thread has a task to run: one dispatched to it, else one left to claim. */
  private hasMainTask(): boolean {
    return this.mainQueue.length > 0 || (this.claims !== undefined && claimsLeft(this.claims));
  }
  private takeMainTask(): { tx: number; inc: number } | undefined {
    const task = this.mainQueue.shift();
    if (task !== undefined || this.claims === undefined) return task;
    const tx = claimNext(this.claims);
    return tx < 0 ? undefined : { tx, inc: 0 };
  }

  /** Runs the main thread's next task on a later turn of the event loop, so worker results are handled in between. */
  private scheduleMain(): void {
    if (this.mainSlot < 0 || this.mainBusy || this.finished || !this.hasMainTask()) return;
    this.mainBusy = true;
    if (this.mainTurnMs > 0 && performance.now() - this.mainTurnStarted < this.mainTurnMs) {
      void this.runMainTask();
      return;
    }
    setImmediate(() => {
      this.mainTurnStarted = performance.now();
      void this.runMainTask();
    });
  }

  /** The main thread executes one transaction against the coordinator's memory itself. */
  private async runMainTask(): Promise<void> {
    const task = this.finished ? undefined : this.takeMainTask();
    if (task === undefined || this.finished) {
      this.mainBusy = false;
      return;
    }
    const replay = this.options.mainReplay!;
    const started = performance.now();
    if (this.stats.edges.mainFirstTaskMs < 0) this.stats.edges.mainFirstTaskMs = started - this.started;
    let outcome: { run?: Awaited<ReturnType<ReplayVm['run']>>; unit?: Awaited<ReturnType<typeof runUnit>>; error?: unknown } = {};
    const changesBefore = this.memory.changes;
    const commutative = this.options.commutative !== undefined && this.strict[task.tx] === 0;
    const overlay = this.options.units === undefined ? undefined : new UnitSource(this.memory, task.tx);
    try {
      outcome = overlay === undefined ? { run: await replay.run(task.tx, this.memory, commutative) } : { unit: await runUnit(replay, this.options.units![task.tx]!, this.options.units![task.tx + 1]!, overlay, commutative) };
    } catch (error) {
      outcome = { error };
    }
    this.stats.workerBusyMs[this.mainSlot]! += performance.now() - started;
    this.stats.executed[this.mainSlot]!.push(task.tx);
    this.mainBusy = false;
    if (this.finished) return;
    const entered = performance.now();
    try {
      this.slots.release(this.mainSlot, task.tx);
      this.onTaskFinished(task.tx);
      this.resultOrigin = this.mainSlot;
      if (this.status[task.tx] === DISPATCHED && this.incarnation[task.tx] === task.inc) {
        if (outcome.unit !== undefined) {
          const run = outcome.unit;
          this.onResult(task.tx, task.inc, run.reads, run.writes.keys, run.writes.values, run.writes.creditKeys, run.writes.creditDeltas, {
            gasUsed: 0n,
            receipt: run.txs[0]!.receipt,
            timeMs: run.timeMs,
            lazy: run.lazy,
            readsCurrent: this.memory.changes === changesBefore,
            unit: { txs: run.txs, guards: run.guards },
          });
        } else if (outcome.run !== undefined) {
          const run = outcome.run;
          this.onResult(task.tx, task.inc, toWireReads(run.reads), run.writes.keys, run.writes.values, run.writes.creditKeys, run.writes.creditDeltas, {
            gasUsed: run.gasUsed,
            receipt: run.receipt,
            bloom: run.result.bloom.bitvector,
            timeMs: run.timeMs,
            lazy: run.lazy,
            readsCurrent: this.memory.changes === changesBefore,
            ...(run.guards.length === 0 ? {} : { guards: run.guards }),
          });
        } else if (outcome.error instanceof EstimateRead) {
          this.onBlocked(task.tx, task.inc, outcome.error.blockingTx, outcome.error.key, 'estimate');
        } else {
          const error = outcome.error as { shortMessage?: string; message?: string };
          this.onFailed(task.tx, task.inc, error.shortMessage ?? error.message ?? String(error), overlay === undefined ? toWireReads(replay.state.readSet) : overlay.reads);
        }
      }
      this.afterEvent();
    } catch (error) {
      this.fail(error as Error);
    } finally {
      this.stats.coordinatorBusyMs += performance.now() - entered;
    }
  }

  private handle(received: FromWorker): void {
    const message = isPackedDone(received) ? unpackDone(received) : received;
    if (message.t === 'fatal') throw new ExecutorError(`worker ${message.worker}: ${message.message}`);
    if (message.t === 'runStats') {
      if (message.runId !== this.options.runId) return;
      this.stats.workerBusyMs[message.worker] = Math.max(this.stats.workerBusyMs[message.worker]!, message.busyMs);
      this.stats.gcMs[message.worker] = Math.max(this.stats.gcMs[message.worker]!, message.gcMs);
      // The worker's clock and this one differ by their time origins.
      const origin = performance.timeOrigin + this.started;
      if (message.firstClaimAt > 0) this.stats.edges.workerFirstClaimMs[message.worker] = message.firstClaimAt - origin;
      this.stats.edges.workerClaimsDoneMs[message.worker] = message.claimsDoneAt - origin;
      if (--this.statsDue === 0 && this.finished) this.settle();
      return;
    }
    if (message.t !== 'done' && message.t !== 'blocked' && message.t !== 'failed') return;
    if (message.runId !== this.options.runId) return;
    this.slots.release(message.worker, message.tx);
    this.onTaskFinished(message.tx);
    this.stats.executed[message.worker]!.push(message.tx);
    if (message.t === 'done') {
      this.stats.workerBusyMs[message.worker] = message.busyMs;
      this.stats.gcMs[message.worker] = message.gcMs;
    }
    if (this.status[message.tx] !== DISPATCHED || this.incarnation[message.tx] !== message.inc) return; // stale
    this.resultOrigin = message.worker;
    switch (message.t) {
      case 'done': {
        const values = message.values.map((value, i) => fromWire(message.keys[i]!, value));
        this.onResult(message.tx, message.inc, message.reads, message.keys, values, message.creditKeys, message.creditDeltas, message);
        return;
      }
      case 'blocked':
        this.onBlocked(message.tx, message.inc, message.on, message.key, message.cause);
        return;
      case 'failed':
        this.onFailed(message.tx, message.inc, message.message, message.reads);
        return;
    }
  }

  /**
   * Applies a write set to memory and the replicas. Returns the keys whose value changed
   * for readers above (new, removed, or a different value than tx's previous incarnation
   * wrote); where the value is the same, onValueRewritten is told.
   */
  protected applyWrites(tx: number, inc: number, keys: string[], values: LocationValue[], creditKeys: string[], creditDeltas: bigint[]): string[] {
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
      const replaced = memory.write(key, tx, inc, values[i]!);
      if (replaced < 0) changed.push(key);
      else this.onValueRewritten(key, tx, replaced, inc);
    }
    for (let i = 0; i < creditKeys.length; i++) {
      if (memory.credit(creditKeys[i]!, tx, inc, creditDeltas[i]!) < 0) changed.push(creditKeys[i]!);
    }
    this.writeKeys[tx] = creditKeys.length === 0 ? keys : keys.concat(creditKeys);
    // The worker that produced this result applied its writes to its replica when it
    // finished: it gets only the removals (keys an earlier incarnation wrote and this one
    // did not), and nothing when there are none.
    const runId = this.options.runId;
    let packed: PackedApply | undefined;
    for (let w = 0; w < this.pool.size; w++) {
      if (w !== this.resultOrigin) this.pool.queue(w, (packed ??= packApply(runId, tx, inc, keys, values, creditKeys, creditDeltas, removed)));
      else if (removed.length > 0) this.pool.queue(w, packApply(runId, tx, inc, [], [], [], [], removed));
    }
    return changed;
  }

  /** Turns tx's standing writes into ESTIMATE markers, here and in every replica; returns their keys. */
  protected markEstimates(tx: number): string[] {
    const keys = this.writeKeys[tx];
    if (keys === undefined || keys.length === 0) return [];
    for (const k of keys) this.memory.markEstimate(k, tx);
    this.pool.queueAll({ t: 'estimate', runId: this.options.runId, tx, keys });
    return keys;
  }

  /**
   * Whether every recorded read still resolves to what tx saw (strictly: an ESTIMATE in
   * the way fails it). Returns the first failing key, or undefined when all hold.
   */
  protected firstStaleRead(tx: number, reads: WireReads): string | undefined {
    let summed: Map<string, bigint> | undefined;
    for (let r = 0; r < reads.keys.length; r++) {
      const key = reads.keys[r]!;
      const version = reads.versions[r]!;
      const value = this.memory.resolve(key, tx);
      if (value === undefined || this.memory.lastEstimateTx >= 0) return key;
      if (version === SUMMED) {
        summed ??= summedMap(reads);
        if (this.memory.lastVersion !== SUMMED || value !== summed.get(key)) return key;
      } else if (this.memory.lastVersion !== version) return key;
    }
    return undefined;
  }

  protected recordOutcome(tx: number, keys: string[], values: LocationValue[], creditKeys: string[], creditDeltas: bigint[], result: IncarnationResult): void {
    // One shape for every outcome (a spread of an optional field made each a new one: 1.5 ms a run on 12300570's 687 results).
    this.outcomes[tx] = {
      gasUsed: result.gasUsed,
      receipt: result.receipt,
      packedLogs: result.packedLogs,
      bloom: result.bloom ?? EMPTY_BLOOM,
      timeMs: result.timeMs,
      writeKeys: keys,
      writeValues: values,
      creditKeys,
      creditDeltas,
      unit: result.unit?.txs,
    };
  }

  /** Counts an aborted incarnation of tx (caused at key) and moves tx to its next incarnation. */
  protected countConflict(tx: number, key: string, cause: 'validation' | 'estimate'): void {
    if (cause === 'validation') this.stats.conflictsValidation++;
    else this.stats.conflictsEstimate++;
    this.stats.abortedBy[tx]!.push(key);
    this.stats.locationConflicts.set(key, (this.stats.locationConflicts.get(key) ?? 0) + 1);
    this.incarnation[tx]!++;
    this.reexecutions++;
  }

  protected finish(): void {
    if (this.finished) return;
    this.finished = true;
    const elapsedMs = performance.now() - this.started;
    countRun('executor', this.options.units?.[this.n] ?? this.n); // transactions, not units (pathWarmth.ts)
    clearTimeout(this.timer);
    this.pool.flush();
    this.stats.incarnations = Array.from(this.incarnation, (inc) => inc + 1);
    this.stats.gcMs[this.stats.gcMs.length - 1] = gcMsSince(this.started);
    this.result = this.options.units === undefined ? { outcomes: this.outcomes as TxOutcome[], stats: this.stats, elapsedMs } : perTransaction(this.options.units, this.outcomes as TxOutcome[], this.stats, elapsedMs);
    // Workers that claimed send their busy and GC times after their last results
    // ('runStats', worker.ts finishClaims): wait for them, outside the run's time.
    if (this.statsDue > 0) this.statsTimer = setTimeout(() => this.settle(), RUN_STATS_WAIT_MS);
    else this.settle();
  }

  /** Workers' 'runStats' still to come in this run. */
  private statsDue = 0;
  private statsTimer: NodeJS.Timeout | undefined;
  private result: RunResult | undefined;
  private settle(): void {
    clearTimeout(this.statsTimer);
    this.pool.onMessage(undefined);
    // The main thread's replay no longer reads this run's memory (TxState.release).
    this.options.mainReplay?.release();
    this.resolve(this.result!);
  }

  protected fail(error: Error): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.pool.onMessage(undefined);
    this.reject(error);
  }
}

/** A transaction's receipt logs, unpacked if they came from a worker. */
export function receiptLogs(outcome: TxOutcome): ReceiptLog[] {
  return outcome.packedLogs === undefined ? (outcome.receipt.logs as ReceiptLog[]) : unpackLogs(outcome.packedLogs);
}

/**
 * A run over units as a run over transactions: each transaction's receipt, the unit's
 * writes as its last transaction's (the post-state is the same), and each transaction's
 * incarnations and aborts as its unit's (the aborts counted once, at its first).
 */
function perTransaction(starts: UnitStarts, unitOutcomes: TxOutcome[], stats: RunStats, elapsedMs: number): RunResult {
  const n = starts[starts.length - 1]!;
  const outcomes = new Array<TxOutcome>(n);
  const incarnations = new Array<number>(n);
  const abortedBy: string[][] = Array.from({ length: n }, () => []);
  for (let u = 0; u + 1 < starts.length; u++) {
    const outcome = unitOutcomes[u]!;
    const first = starts[u]!;
    const end = starts[u + 1]!;
    for (let tx = first; tx < end; tx++) {
      incarnations[tx] = stats.incarnations[u]!;
      const last = tx === end - 1;
      const own = outcome.unit?.[tx - first];
      outcomes[tx] =
        own === undefined
          ? outcome
          : {
              gasUsed: own.gasUsed,
              receipt: own.receipt,
              packedLogs: own.packedLogs,
              bloom: own.bloom ?? EMPTY_BLOOM,
              timeMs: own.timeMs,
              writeKeys: last ? outcome.writeKeys : [],
              writeValues: last ? outcome.writeValues : [],
              creditKeys: last ? outcome.creditKeys : [],
              creditDeltas: last ? outcome.creditDeltas : [],
            };
    }
    abortedBy[first] = stats.abortedBy[u]!;
  }
  // An executor's incarnations: the first transaction of each unit it ran.
  const executed = stats.executed.map((list) => list.map((u) => starts[u]!));
  return { outcomes, stats: { ...stats, incarnations, abortedBy, executed }, elapsedMs };
}

export function summedMap(reads: WireReads): Map<string, bigint> {
  const map = new Map<string, bigint>();
  for (let i = 0; i < reads.summedKeys.length; i++) map.set(reads.summedKeys[i]!, reads.summedValues[i]!);
  return map;
}
