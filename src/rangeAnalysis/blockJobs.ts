/**
 * `stm analyze --jobs N`: N worker threads (blockWorker.ts) replay different blocks at
 * the same time, each loading its own (so fetching from a node overlaps replay), and the
 * main thread collects each record as it comes. Blocks are handed out one at a time in
 * order, so a slow block never holds back the others. Ctrl-C ends the workers; the
 * blocks in flight are lost, every finished one has been handed to `onDone`.
 *
 * With --simulate the workers' timed runs take turns (TimedTurns): the simulator works
 * from each transaction's time on a machine running nothing else, and a block timed
 * beside another one ran up to ~2× slower (docs/analyze.md). Loading, verification and
 * the analysis still overlap.
 */
import { Worker } from 'node:worker_threads';
import { ExecutorError } from '../errors.js';
import type { BlockSourceOptions } from '../source/blockSource.js';
import type { BlockOptions } from './analyzeBlock.js';
import type { AnalyzedBlock } from './rangeReport.js';

export type ToBlockWorker = { t: 'block'; number: string } | { t: 'turn' };
export type FromBlockWorker = { t: 'ready' } | { t: 'phase'; number: string; phase: string } | { t: 'done'; block: AnalyzedBlock; notes: string[] } | { t: 'take' } | { t: 'give' };

/** The data a block worker starts with. */
export interface BlockWorkerData {
  source: BlockJobsInput['source'];
  options: BlockJobsInput['options'];
  /** Its timed runs wait for their turn (TimedTurns). */
  turns: boolean;
}

/**
 * One turn at a time at the timed runs, granted in the order asked for. A worker that
 * ends while it holds the turn or waits for it gives it up.
 */
export class TimedTurns<W> {
  private holder: W | undefined;
  private readonly waiting: W[] = [];
  constructor(private readonly grant: (worker: W) => void) {}
  take(worker: W): void {
    if (this.holder === undefined) this.grantTo(worker);
    else this.waiting.push(worker);
  }
  give(worker: W): void {
    if (this.holder !== worker) return;
    this.holder = undefined;
    const next = this.waiting.shift();
    if (next !== undefined) this.grantTo(next);
  }
  /** The worker is gone: out of the queue, and its turn passes on. */
  leave(worker: W): void {
    const at = this.waiting.indexOf(worker);
    if (at >= 0) this.waiting.splice(at, 1);
    this.give(worker);
  }
  private grantTo(worker: W): void {
    this.holder = worker;
    this.grant(worker);
  }
}

export interface BlockJobsInput {
  numbers: bigint[];
  jobs: number;
  /** Where the workers load blocks from (no functions: it crosses to the worker). */
  source: Omit<BlockSourceOptions, 'note' | 'progress'>;
  options: Omit<BlockOptions, 'checkpoint' | 'timedTurn'>;
  onDone: (block: AnalyzedBlock) => void;
  onNote?: (text: string) => void;
  onPhase?: (number: string, phase: string) => void;
  /** Throws InterruptedError on Ctrl-C; polled while waiting. */
  checkpoint?: () => void;
  /** The timed runs' turn went to a worker (by index), or it gave the turn back (for tests). */
  onTurn?: (worker: number, event: 'granted' | 'given') => void;
}

export async function runBlockJobs(input: BlockJobsInput): Promise<void> {
  const count = Math.max(1, Math.min(input.jobs, input.numbers.length));
  if (input.numbers.length === 0) return;
  const url = new URL('./blockWorker.js', import.meta.url);
  const workers: Worker[] = [];
  let next = 0;
  let finished = 0;
  // Absolute transaction times matter only to the simulator; the other figures are ratios of times taken in the same runs.
  const turns = input.options.simulate.length > 0;
  const timedTurns = new TimedTurns<Worker>((worker) => {
    input.onTurn?.(workers.indexOf(worker), 'granted');
    worker.postMessage({ t: 'turn' } satisfies ToBlockWorker);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        try {
          input.checkpoint?.();
        } catch (error) {
          clearInterval(poll);
          reject(error);
        }
      }, 100);
      const fail = (error: unknown): void => {
        clearInterval(poll);
        reject(error);
      };
      const feed = (worker: Worker): void => {
        if (next >= input.numbers.length) return;
        worker.postMessage({ t: 'block', number: input.numbers[next++]!.toString() } satisfies ToBlockWorker);
      };
      for (let i = 0; i < count; i++) {
        const worker = new Worker(url, { workerData: { source: input.source, options: input.options, turns } satisfies BlockWorkerData });
        workers.push(worker);
        worker.on('message', (message: FromBlockWorker) => {
          if (message.t === 'ready') return feed(worker);
          if (message.t === 'take') return timedTurns.take(worker);
          if (message.t === 'give') {
            input.onTurn?.(workers.indexOf(worker), 'given');
            return timedTurns.give(worker);
          }
          if (message.t === 'phase') return input.onPhase?.(message.number, message.phase);
          for (const note of message.notes) input.onNote?.(note);
          try {
            input.onDone(message.block);
          } catch (error) {
            return fail(error);
          }
          finished++;
          if (finished === input.numbers.length) {
            clearInterval(poll);
            resolve();
          } else feed(worker);
        });
        worker.on('error', (error) => fail(new ExecutorError(`a block worker failed: ${error.message}`, { cause: error })));
        worker.on('exit', (code) => {
          timedTurns.leave(worker);
          if (finished < input.numbers.length && code !== 0) fail(new ExecutorError(`a block worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
