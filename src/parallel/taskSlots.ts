/**
 * The executors' task slots, and the rules about who may hold what: how many transactions
 * each executor holds (running and queued), how much gas limit of work, how many heavy
 * transactions; which executor is freest; whether the main thread may take a large
 * transaction. No clock, no threads, no messages: the real run (executionRun.ts, every
 * scheduler) and the simulator's virtual clock (src/simulate/simulateBlock.ts) hold one
 * each and differ only in what they do once a task is assigned.
 *
 * Executors are numbered 0..workers-1 for the workers, then the main thread (`mainSlot`)
 * when it executes too; with one thread there are no workers and the main thread is 0.
 */

/** Tasks each executor holds (one running, one queued), so none waits for a round trip. */
export const TASKS_PER_WORKER = 2;
/** Gas limit per chunk of small transactions (see chooseChunkSize). */
export const CHUNK_GAS_LIMIT = 500_000;
/**
 * The main thread handles the workers' results only between its own transactions, so a
 * long one there starves the workers once their queues run dry (18426253: a 113 ms
 * transaction on the main thread, the worker idle for most of it). A transaction with a
 * gas limit above this goes to a worker, unless every worker already holds at least as
 * much gas limit of work (see mainMayTake).
 */
export const MAIN_THREAD_MAX_GAS = CHUNK_GAS_LIMIT;
/**
 * A transaction is heavy when its gas limit is above HEAVY_GAS_LIMIT and it is large for
 * its block: at least HEAVY_BLOCK_SHARE of the block's summed gas limits, or more than the
 * transactions after it give each of the other executors to do (their summed limits / (T − 1)).
 * A worker starts a heavy transaction early (blockStmPolicy.ts, nextHeavyFor and
 * firstIncarnationOrder), so that it does not start last and stretch the run's end
 * (19929064's transaction 91: 2.5M, 16% of the block's limits, 12 from the end). A limit
 * above 1M alone says little: 10760440 has sixteen bots' transactions at 1.2–1.7M, 2–3% of
 * its limits each, between its 111th and 163rd of 202; run ahead of the transactions below
 * them they read what those had not written yet, and 15 of the 16 ran again (its speedup
 * at 2 threads 0.82× measured, 0.83× simulated, 52 and 60 re-executions).
 */
export const HEAVY_GAS_LIMIT = 1_000_000;
export const HEAVY_BLOCK_SHARE = 0.04;

/**
 * The order executors claim transactions in when none depends on another (the access-list
 * executor, balScheduler.ts, and its simulation): largest gas limit first (the limit is
 * known before execution), ties by index. A large transaction claimed last leaves the
 * other executors idle while it runs: 19929064's transaction 91 (2.5M gas limit, 108 of the
 * block's 230 ms) made the run 190 ms in index order and 145 ms largest first.
 * Without gas limits, index order.
 */
export function claimOrder(n: number, gasLimits?: ArrayLike<number | bigint>): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  if (gasLimits === undefined) return order;
  const limits = Array.from(gasLimits, Number);
  return order.sort((a, b) => limits[b]! - limits[a]! || a - b);
}

/** Which transactions are heavy (HEAVY_GAS_LIMIT, HEAVY_BLOCK_SHARE) on `executors` executors. */
function heavyTransactions(txCount: number, gasLimits: ArrayLike<number> | undefined, executors: number): Uint8Array {
  const heavy = new Uint8Array(txCount);
  if (gasLimits === undefined) return heavy;
  let summed = 0;
  for (let tx = 0; tx < txCount; tx++) summed += gasLimits[tx] ?? 0;
  const others = Math.max(1, executors - 1);
  let after = 0; // the summed limits of the transactions after tx
  for (let tx = txCount - 1; tx >= 0; tx--) {
    const limit = gasLimits[tx] ?? 0;
    if (limit > HEAVY_GAS_LIMIT && (limit >= HEAVY_BLOCK_SHARE * summed || limit > after / others)) heavy[tx] = 1;
    after += limit;
  }
  return heavy;
}

/**
 * How many transactions travel in one task: enough small ones that the fixed cost of a
 * message (~10 µs each way) stays a few percent of the work, judged from the gas limits
 * (known before execution): ~500k gas of limit per chunk, 1 to 32 transactions.
 */
export function chooseChunkSize(gasLimits: ArrayLike<bigint | number>): number {
  if (gasLimits.length === 0) return 1;
  const sorted = Array.from(gasLimits, Number).sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]!;
  return Math.max(1, Math.min(32, Math.floor(CHUNK_GAS_LIMIT / Math.max(median, 1))));
}

export class TaskSlots {
  /** Transactions queued or running per executor. */
  readonly inflight: Int32Array;
  /** Per executor: the summed gas limit of the transactions it holds. */
  private readonly heldGas: Float64Array;
  /** Per executor: heavy transactions it holds. */
  private readonly heldHeavy: Int32Array;
  /** The executor a dispatched transaction was last sent to, or -1. */
  readonly taskExecutor: Int32Array;
  /** Per executor: the transaction it runs alone (nothing queues behind it until it ends), or -1. */
  private readonly alone: Int32Array;
  /** The main thread's slot, or -1 when it only coordinates. */
  readonly mainSlot: number;
  /** Transactions per task (several small ones travel together). */
  readonly chunkSize: number;
  /** Transactions an executor may hold. */
  readonly capacity: number;
  /** Per transaction: 1 when heavy (HEAVY_GAS_LIMIT, HEAVY_BLOCK_SHARE). */
  private readonly heavy: Uint8Array;

  constructor(
    /** Worker threads (not counting the main thread). */
    readonly workers: number,
    mainExecutes: boolean,
    txCount: number,
    chunkSize: number,
    /** Gas limit per transaction; without them every transaction counts as small. */
    private readonly gasLimits: ArrayLike<number> | undefined,
  ) {
    this.mainSlot = mainExecutes ? workers : -1;
    const executors = workers + (mainExecutes ? 1 : 0);
    this.inflight = new Int32Array(executors);
    this.heldGas = new Float64Array(executors);
    this.heldHeavy = new Int32Array(executors);
    this.taskExecutor = new Int32Array(txCount).fill(-1);
    this.alone = new Int32Array(executors).fill(-1);
    this.chunkSize = Math.max(1, Math.floor(chunkSize));
    this.capacity = TASKS_PER_WORKER * this.chunkSize;
    this.heavy = heavyTransactions(txCount, gasLimits, executors);
  }

  get executors(): number {
    return this.inflight.length;
  }

  gasLimitOf(tx: number): number {
    return this.gasLimits?.[tx] ?? 0;
  }

  isHeavy(tx: number): boolean {
    return this.heavy[tx] === 1;
  }

  /** Records that `txs` now sit on `executor`. */
  assign(executor: number, txs: readonly number[]): void {
    for (const tx of txs) {
      this.taskExecutor[tx] = executor;
      this.heldGas[executor]! += this.gasLimitOf(tx);
      if (this.isHeavy(tx)) this.heldHeavy[executor]!++;
    }
    this.inflight[executor]! += txs.length;
  }

  /**
   * Nothing more goes to `executor` until `tx` ends: a heavy transaction picked early
   * (blockStmPolicy.ts) may run for a large part of the block, and a task queued behind it
   * waits that long (19929064: a chunk of seven waited ~110 ms behind transaction 91 while
   * the main thread ran out of work).
   */
  runAlone(executor: number, tx: number): void {
    this.alone[executor] = tx;
  }

  /** Whether tx was ever handed to an executor (a first incarnation claimed from a shared queue was not, and holds no slot). */
  assigned(tx: number): boolean {
    return this.taskExecutor[tx]! >= 0;
  }

  /** Executor finished (or gave back) tx: its slot is free again. A claimed transaction (never assigned) holds none. */
  release(executor: number, tx: number): void {
    if (!this.assigned(tx)) return;
    if (this.alone[executor] === tx) this.alone[executor] = -1;
    this.inflight[executor]!--;
    this.heldGas[executor]! -= this.gasLimitOf(tx);
    if (this.isHeavy(tx)) this.heldHeavy[executor]!--;
  }

  holdsHeavy(executor: number): boolean {
    return this.heldHeavy[executor]! > 0;
  }

  hasRoom(executor: number): boolean {
    return this.inflight[executor]! < this.capacity && this.alone[executor]! < 0;
  }

  /** The executor with the fewest tasks that has room for a whole chunk (ties: the lowest, so a worker before the main thread), or -1. */
  freeExecutor(): number {
    let free = -1;
    for (let e = 0; e < this.inflight.length; e++) {
      if (this.alone[e]! < 0 && this.inflight[e]! + this.chunkSize <= this.capacity && (free < 0 || this.inflight[e]! < this.inflight[free]!)) free = e;
    }
    return free;
  }

  /** The worker (not the main thread) with the fewest tasks and room for one more, or -1. */
  workerWithRoom(): number {
    let best = -1;
    for (let w = 0; w < this.workers; w++) {
      if (this.alone[w]! < 0 && this.inflight[w]! < this.capacity && (best < 0 || this.inflight[w]! < this.inflight[best]!)) best = w;
    }
    return best;
  }

  /**
   * Whether the main thread may execute tx: a small one always; a large one (gas limit
   * above MAIN_THREAD_MAX_GAS) only when there is no worker or every worker holds at least
   * as much gas limit of work, so none runs dry while the main thread is busy with it.
   */
  mainMayTake(tx: number): boolean {
    const limit = this.gasLimitOf(tx);
    if (limit <= MAIN_THREAD_MAX_GAS) return true;
    for (let w = 0; w < this.workers; w++) if (this.heldGas[w]! < limit) return false;
    return true;
  }
}
