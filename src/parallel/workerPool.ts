/**
 * The pool of worker threads, started once per process and reused across blocks and
 * runs (analyze and bench replay many): start-up (~200 ms a worker, mostly importing
 * ethereumjs) is paid once and reported. It loads a block into every worker once
 * (state distribution, reported separately: one copy in shared memory for all workers, and
 * sender recovery shared between the threads) and routes messages: batches out, one
 * handler for everything that comes back. A worker that throws, exits or stops
 * answering fails the pool; the next use starts a fresh one.
 */
import { availableParallelism } from 'node:os';
import { serialize } from 'node:v8';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { BlockData } from '../data/blockData.js';
import { ExecutorError } from '../errors.js';
import { startsCold } from '../exec/pathWarmth.js';
import { BESIDE_STARTED, BESIDE_STOP, SENDER_KEY_BYTES, claimRecovery, isPackedDone, type FromWorker, type ToWorker } from './protocol.js';

/** Blocks kept loaded in the workers (a bench suite cycles through a few; memory stays bounded). */
const MAX_LOADED_BLOCKS = 8;

/** Where a load gets the senders' public keys: given, or recovered by every thread (the main thread's share through `recover`, returning keys indexed by transaction). */
export type SenderSource = { keys: Uint8Array[] } | { recover: (start: number, end: number) => Uint8Array[] };

export interface LoadResult {
  /** Wall time from the request to every worker loaded (warm-up included), ms; 0 when it was there already. */
  ms: number;
  /** The main thread's time to hand the block over (serialize once into shared memory, post), ms. */
  handOffMs: number;
  /** Wall time until every thread's share of sender recovery was in, ms (0 when the senders were given). */
  recoveryMs: number;
  /** The block was loaded (or being loaded) by an earlier call. */
  reused: boolean;
  /** Every sender's public key, in block order (undefined when an earlier call loaded the block). */
  senderPublicKeys: Uint8Array[] | undefined;
}

export interface LoadHandle {
  /** Every worker has the block loaded and warm. */
  done: Promise<LoadResult>;
  /** Every sender's key (recovered by the threads, or given); undefined when an earlier call loaded the block. */
  senders: Promise<Uint8Array[] | undefined>;
  /** Ends the workers' warm-up runs now (the caller's serial runs are over: the measured ones must not wait for them). */
  stopWarming: () => void;
}

const noWarmUp = (): void => {};

interface PoolWorker {
  thread: Worker;
  port: MessagePort;
  outbox: ToWorker[];
}

export class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  private listener: ((messages: FromWorker[]) => void) | undefined;
  private failure: ExecutorError | undefined;
  private failureListener: ((error: ExecutorError) => void) | undefined;
  /** Blocks loaded in every worker, oldest first (at most MAX_LOADED_BLOCKS are kept). */
  private readonly loaded = new Set<string>();
  /** Per loaded block: the access list its workers hold ('balLoad'). */
  private readonly loadedLists = new Map<string, string>();
  /** Loads in flight, by block key. */
  private readonly loading = new Map<string, LoadHandle>();
  /** Loads no caller has reported yet (started early, finished before the parallel replay asked). */
  private readonly unreported = new Map<string, LoadResult>();
  private closing = false;
  /** Time to start the workers (until each has loaded ethereumjs), ms. */
  readonly startMs: number;

  private constructor(startMs: number) {
    this.startMs = startMs;
  }

  static async start(size: number): Promise<WorkerPool> {
    return WorkerPool.spawn(size).ready;
  }

  /**
   * Starts `size` workers and returns the pool at once, with a promise of its readiness.
   * Messages queued and flushed before then wait in the workers' ports until each worker
   * listens, so a block can be sent to load while the workers still start (prepareBlock):
   * the main thread, busy replaying, would otherwise see their readiness only after its run.
   */
  static spawn(size: number): { pool: WorkerPool; ready: Promise<WorkerPool> } {
    const started = performance.now();
    if (size > 0) startsCold('executor'); // new workers' isolates compile the executor's code afresh
    const pool = new WorkerPool(0);
    const ready: Promise<void>[] = [];
    const url = new URL('./worker.js', import.meta.url);
    for (let i = 0; i < size; i++) {
      const { port1, port2 } = new MessageChannel();
      const thread = new Worker(url, { workerData: { port: port2, workerIndex: i }, transferList: [port2] });
      const worker: PoolWorker = { thread, port: port1, outbox: [] };
      pool.workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const onMessage = (batch: FromWorker[]) => {
            const first = batch[0]!;
            if (batch.length === 1 && !isPackedDone(first) && first.t === 'ready') {
              resolve();
              return;
            }
            pool.listener?.(batch);
          };
          port1.on('message', onMessage);
          thread.once('error', (error) => {
            reject(error);
            pool.fail(new ExecutorError(`worker ${i} crashed: ${error.message}`, { cause: error }));
          });
          thread.once('exit', (code) => {
            reject(new Error(`worker ${i} exited with code ${code}`));
            if (!pool.closing) pool.fail(new ExecutorError(`worker ${i} exited unexpectedly (code ${code})`));
          });
        }),
      );
    }
    const allReady = Promise.all(ready).then(
      () => {
        (pool as { startMs: number }).startMs = performance.now() - started;
        return pool;
      },
      async (error: unknown) => {
        await pool.close();
        throw new ExecutorError(`the worker threads could not start: ${(error as Error).message}`, { cause: error });
      },
    );
    return { pool, ready: allReady };
  }

  private started = false;

  /** True for the first caller only: the one whose report carries the start-up time. */
  claimStart(): boolean {
    const first = !this.started;
    this.started = true;
    return first;
  }

  get size(): number {
    return this.workers.length;
  }

  get failed(): ExecutorError | undefined {
    return this.failure;
  }

  private fail(error: ExecutorError): void {
    this.failure ??= error;
    this.failureListener?.(error);
  }

  /** Routes worker messages to one handler (the running coordinator), and failures to another. */
  onMessage(listener: ((messages: FromWorker[]) => void) | undefined, onFailure?: (error: ExecutorError) => void): void {
    this.listener = listener;
    this.failureListener = onFailure;
  }

  /** Queues a message for a worker; flush() sends every queue as one batch per worker. */
  queue(worker: number, message: ToWorker): void {
    this.workers[worker]!.outbox.push(message);
  }

  queueAll(message: ToWorker): void {
    for (const worker of this.workers) worker.outbox.push(message);
  }

  /** Queues an access list's writes for every worker unless they hold that list for the block already. */
  queueList(blockKey: string, balKey: string, message: () => ToWorker): void {
    if (this.loadedLists.get(blockKey) === balKey) return;
    this.loadedLists.set(blockKey, balKey);
    this.queueAll(message());
  }

  flush(): void {
    for (const worker of this.workers) {
      if (worker.outbox.length === 0) continue;
      worker.port.postMessage(worker.outbox);
      worker.outbox = [];
    }
  }

  /**
   * Loads a block into every worker unless it is there already (or on its way: a second
   * caller joins the load in flight). The main thread's part does not grow with the
   * workers: it serializes the block once into shared memory, which every worker decodes
   * in parallel, and posts each a few bytes. Senders: given (`keys`), or recovered by
   * every thread at once (chunks claimed from one counter), the main thread's through `recover`. Then each
   * worker replays the block serially to warm its JIT (warmRuns, stopping after warmMs;
   * only as many workers as the machine has cores left to run them warm up, the others
   * get warm in the parallel warm-up runs).
   */
  load(blockKey: string, data: BlockData, senders: SenderSource, timeoutMs: number, warmRuns = 2, warmMs = Number.POSITIVE_INFINITY): Promise<LoadResult> {
    return this.loadBlock(blockKey, data, senders, timeoutMs, warmRuns, warmMs).done;
  }

  /** load(), with the senders' keys as soon as every thread's share of recovery is in (before the workers finish loading). */
  /** `early`: the caller loads ahead of the parallel replay, which will report what the load cost. */
  loadBlock(blockKey: string, data: BlockData, senders: SenderSource, timeoutMs: number, warmRuns = 2, warmMs = Number.POSITIVE_INFINITY, early = false): LoadHandle {
    const loadedEarly = this.unreported.get(blockKey);
    if (loadedEarly !== undefined) {
      // Loaded early (prepareBlock), beside the serial replay: the first to ask reports what it cost.
      this.unreported.delete(blockKey);
      const done = Promise.resolve(loadedEarly);
      return { done, senders: Promise.resolve(loadedEarly.senderPublicKeys), stopWarming: noWarmUp };
    }
    if (this.loaded.has(blockKey) || this.workers.length === 0) {
      const done = Promise.resolve({ ms: 0, handOffMs: 0, recoveryMs: 0, reused: true, senderPublicKeys: 'keys' in senders ? senders.keys : undefined });
      return { done, senders: done.then((r) => r.senderPublicKeys), stopWarming: noWarmUp };
    }
    const inFlight = this.loading.get(blockKey);
    if (inFlight !== undefined) {
      const done = inFlight.done.then((result) => {
        this.unreported.delete(blockKey);
        return result;
      });
      return { done, senders: inFlight.senders, stopWarming: inFlight.stopWarming };
    }
    let keysIn: (keys: Uint8Array[]) => void = () => {};
    const keysPromise = new Promise<Uint8Array[]>((resolve) => (keysIn = resolve));
    // One shared flag: set, it ends every worker's warm-up runs at its next transaction.
    const warmStop = new Int32Array(new SharedArrayBuffer(4));
    const done = this.loadNow(blockKey, data, senders, timeoutMs, { runs: warmRuns, ms: warmMs, stop: warmStop }, keysIn)
      .then((result) => {
        if (early) this.unreported.set(blockKey, result);
        return result;
      })
      .finally(() => this.loading.delete(blockKey));
    const handle: LoadHandle = { done, senders: Promise.race([keysPromise, done.then((r) => r.senderPublicKeys)]), stopWarming: () => Atomics.store(warmStop, 0, 1) };
    this.loading.set(blockKey, handle);
    return handle;
  }

  private async loadNow(blockKey: string, data: BlockData, senders: SenderSource, timeoutMs: number, warm: { runs: number; ms: number; stop: Int32Array }, keysIn: (keys: Uint8Array[]) => void): Promise<LoadResult> {
    const started = performance.now();
    while (this.loaded.size >= MAX_LOADED_BLOCKS) {
      const oldest = this.loaded.values().next().value as string;
      this.loaded.delete(oldest);
      this.loadedLists.delete(oldest);
      this.queueAll({ t: 'unload', blockKey: oldest });
    }
    const { origin: _origin, receipts: _receipts, ...wire } = data;
    const bytes = serialize(wire);
    const shared = new SharedArrayBuffer(bytes.length);
    new Uint8Array(shared).set(bytes);
    const n = data.block.transactions.length;
    const keyBuffer = new SharedArrayBuffer(n * SENDER_KEY_BYTES);
    const keys = new Uint8Array(keyBuffer);
    if ('keys' in senders) senders.keys.forEach((key, i) => keys.set(key, i * SENDER_KEY_BYTES));
    const allKeys = () => ('keys' in senders ? senders.keys : Array.from({ length: n }, (_, i) => keys.slice(i * SENDER_KEY_BYTES, (i + 1) * SENDER_KEY_BYTES)));
    // Sender recovery shared by every thread: each claims chunks from one counter, so the
    // main thread, which starts at once, takes more than workers still decoding the block
    // (fixed shares left the main thread waiting: 19.4 s for a gigagas block's 19,479 senders).
    const next = 'recover' in senders ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
    const warmers = Math.max(1, availableParallelism() - 1);
    let recoveryMs = 0;
    let handOffMs = 0;
    await new Promise<void>((resolve, reject) => {
      let recovering = 'recover' in senders ? this.workers.length : 0;
      let pending = this.workers.length;
      const timer = setTimeout(() => reject(new ExecutorError(`loading block ${data.number} into the workers timed out after ${timeoutMs} ms`)), timeoutMs);
      this.onMessage(
        (messages) => {
          for (const message of messages) {
            if (isPackedDone(message)) continue; // a result of a run that has ended
            if (message.t === 'recovered' && message.blockKey === blockKey && --recovering === 0) {
              recoveryMs = performance.now() - started;
              this.queueAll({ t: 'senders', blockKey });
              this.flush();
              keysIn(allKeys());
            } else if (message.t === 'loaded' && message.blockKey === blockKey && --pending === 0) {
              clearTimeout(timer);
              resolve();
            } else if (message.t === 'fatal') {
              clearTimeout(timer);
              reject(new ExecutorError(`worker ${message.worker}: ${message.message}`));
            }
          }
        },
        (error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
      this.workers.forEach((_, i) => {
        this.queue(i, { t: 'load', blockKey, data: shared, keys: keyBuffer, recover: next === undefined ? null : (next.buffer as SharedArrayBuffer), warmRuns: i < warmers ? warm.runs : 0, warmMs: warm.ms, warmStop: warm.stop.buffer as SharedArrayBuffer });
      });
      this.flush();
      handOffMs = performance.now() - started;
      if ('recover' in senders && next !== undefined) {
        try {
          const recover = senders.recover;
          claimRecovery(next, n, (start, end) => {
            const mine = recover(start, end);
            for (let i = start; i < end; i++) keys.set(mine[i]!, i * SENDER_KEY_BYTES);
          });
        } catch (error) {
          clearTimeout(timer);
          reject(error);
        }
      }
    }).finally(() => this.onMessage(undefined));
    this.loaded.add(blockKey);
    return { ms: performance.now() - started, handOffMs, recoveryMs, reused: false, senderPublicKeys: allKeys() };
  }

  /**
   * Has worker 0 replay the block serially, run after run, beside whatever the main thread
   * does next: returns once the worker has started (so the two overlap from the start), with
   * `stop()`, which ends the worker's replays (mid-block) and resolves with how many were
   * complete. The main thread's own replay in between is one of two busy threads throughout.
   */
  replaySeriallyBeside(blockKey: string, timeoutMs: number): { stop: () => Promise<number> } {
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const stopped = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ExecutorError(`worker 0 did not stop replaying serially within ${timeoutMs} ms`)), timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.onMessage(undefined);
      };
      this.onMessage(
        (messages) => {
          for (const message of messages) {
            if (isPackedDone(message)) continue; // a result of a run that has ended
            if (message.t === 'replayedSerially') {
              settle();
              resolve(message.runs);
            } else if (message.t === 'fatal') {
              settle();
              reject(new ExecutorError(`worker ${message.worker}: ${message.message}`));
            }
          }
        },
        (error) => {
          settle();
          reject(error);
        },
      );
    });
    stopped.catch(() => {}); // observed by stop()
    this.queue(0, { t: 'replaySerially', blockKey, flags: flags.buffer as SharedArrayBuffer });
    this.flush();
    // The worker needs nothing from this thread to start: wait here, blocking, so the main
    // thread's replay does not begin alone.
    if (Atomics.wait(flags, BESIDE_STARTED, 0, timeoutMs) === 'timed-out') Atomics.store(flags, BESIDE_STOP, 1);
    return {
      stop: () => {
        Atomics.store(flags, BESIDE_STOP, 1);
        return stopped;
      },
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.thread.terminate()));
    this.workers.length = 0;
  }
}

let shared: WorkerPool | undefined;
let sharedStarting: Promise<WorkerPool> | undefined;
/** The pool sharedStarting will resolve to, usable for queuing work before it is ready. */
let sharedSpawning: { size: number; pool: WorkerPool } | undefined;

/** The process-wide pool with `size` workers: reused when it fits, restarted when it failed or differs in size. */
export async function sharedPool(size: number): Promise<{ pool: WorkerPool; reused: boolean }> {
  if (shared !== undefined && shared.size === size && shared.failed === undefined) return { pool: shared, reused: true };
  if (shared !== undefined) {
    await shared.close();
    shared = undefined;
  }
  if (sharedStarting === undefined) {
    const spawned = WorkerPool.spawn(size);
    sharedSpawning = { size, pool: spawned.pool };
    sharedStarting = spawned.ready;
  }
  try {
    shared = await sharedStarting;
  } finally {
    sharedStarting = undefined;
    sharedSpawning = undefined;
  }
  return { pool: shared, reused: false };
}

/**
 * The shared pool of `size` workers if it is running or starting (sharedPool called), to
 * queue a block's load without waiting for the workers' readiness; undefined otherwise.
 */
export function sharedPoolNow(size: number): WorkerPool | undefined {
  if (shared !== undefined && shared.size === size && shared.failed === undefined) return shared;
  return sharedSpawning?.size === size ? sharedSpawning.pool : undefined;
}

export async function closeSharedPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}

/** How a block is named in the workers (chain, number and hash: a re-fetched block is another). */
export function parallelBlockKey(data: BlockData): string {
  return `${data.chainId}:${data.number}:${data.block.hash}`;
}

export function cores(): number {
  return availableParallelism();
}
