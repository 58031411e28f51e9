/**
 * The pool of worker threads, started once per process and reused across blocks and
 * runs (analyze and bench replay many): start-up (~200 ms a worker, mostly importing
 * ethereumjs) is paid once and reported. It loads a block into every worker once
 * (state distribution, reported separately) and routes messages: batches out, one
 * handler for everything that comes back. A worker that throws, exits or stops
 * answering fails the pool; the next use starts a fresh one.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { BlockData } from '../data/blockData.js';
import { ExecutorError } from '../errors.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** Blocks kept loaded in the workers (a bench suite cycles through a few; memory stays bounded). */
const MAX_LOADED_BLOCKS = 8;

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
  private closing = false;
  /** Time to start the workers (until each has loaded ethereumjs), ms. */
  readonly startMs: number;

  private constructor(startMs: number) {
    this.startMs = startMs;
  }

  static async start(size: number): Promise<WorkerPool> {
    const started = performance.now();
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
            if (batch.length === 1 && batch[0]!.t === 'ready') {
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
    try {
      await Promise.all(ready);
    } catch (error) {
      await pool.close();
      throw new ExecutorError(`the worker threads could not start: ${(error as Error).message}`, { cause: error });
    }
    (pool as { startMs: number }).startMs = performance.now() - started;
    return pool;
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

  flush(): void {
    for (const worker of this.workers) {
      if (worker.outbox.length === 0) continue;
      worker.port.postMessage(worker.outbox);
      worker.outbox = [];
    }
  }

  /**
   * Loads a block into every worker unless it is there already, and has each replay it
   * serially `warmRuns` times to warm its JIT; returns the time taken (0 when reused).
   */
  async load(blockKey: string, data: BlockData, senderPublicKeys: Uint8Array[], timeoutMs: number, warmRuns = 2): Promise<number> {
    if (this.loaded.has(blockKey) || this.workers.length === 0) return 0;
    const started = performance.now();
    while (this.loaded.size >= MAX_LOADED_BLOCKS) {
      const oldest = this.loaded.values().next().value as string;
      this.loaded.delete(oldest);
      this.queueAll({ t: 'unload', blockKey: oldest });
    }
    const { origin: _origin, receipts: _receipts, ...wire } = data;
    await new Promise<void>((resolve, reject) => {
      let pending = this.workers.length;
      const timer = setTimeout(() => reject(new ExecutorError(`loading block ${data.number} into the workers timed out after ${timeoutMs} ms`)), timeoutMs);
      this.onMessage(
        (messages) => {
          for (const message of messages) {
            if (message.t === 'loaded' && message.blockKey === blockKey && --pending === 0) {
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
      this.queueAll({ t: 'load', blockKey, data: wire as BlockData, senderPublicKeys, warmRuns });
      this.flush();
    });
    this.onMessage(undefined);
    this.loaded.add(blockKey);
    return performance.now() - started;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.thread.terminate()));
    this.workers.length = 0;
  }
}

let shared: WorkerPool | undefined;
let sharedStarting: Promise<WorkerPool> | undefined;

/** The process-wide pool with `size` workers: reused when it fits, restarted when it failed or differs in size. */
export async function sharedPool(size: number): Promise<{ pool: WorkerPool; reused: boolean }> {
  if (shared !== undefined && shared.size === size && shared.failed === undefined) return { pool: shared, reused: true };
  if (shared !== undefined) {
    await shared.close();
    shared = undefined;
  }
  sharedStarting ??= WorkerPool.start(size);
  try {
    shared = await sharedStarting;
  } finally {
    sharedStarting = undefined;
  }
  return { pool: shared, reused: false };
}

export async function closeSharedPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}

export function cores(): number {
  return availableParallelism();
}
