/**
 * `stm analyze --jobs N`: N worker threads (blockWorker.ts) replay different blocks at
 * the same time, each loading its own (so fetching from a node overlaps replay), and the
 * main thread collects each record as it comes. Blocks are handed out one at a time in
 * order, so a slow block never holds back the others. Ctrl-C ends the workers; the
 * blocks in flight are lost, every finished one has been handed to `onDone`.
 */
import { Worker } from 'node:worker_threads';
import { ExecutorError } from '../errors.js';
import type { BlockSourceOptions } from '../source/blockSource.js';
import type { BlockOptions } from './analyzeBlock.js';
import type { AnalyzedBlock } from './rangeReport.js';

export type ToBlockWorker = { number: string };
export type FromBlockWorker = { t: 'ready' } | { t: 'phase'; number: string; phase: string } | { t: 'done'; block: AnalyzedBlock; notes: string[] };

export interface BlockJobsInput {
  numbers: bigint[];
  jobs: number;
  /** Where the workers load blocks from (no functions: it crosses to the worker). */
  source: Omit<BlockSourceOptions, 'note' | 'progress'>;
  options: Omit<BlockOptions, 'checkpoint'>;
  onDone: (block: AnalyzedBlock) => void;
  onNote?: (text: string) => void;
  onPhase?: (number: string, phase: string) => void;
  /** Throws InterruptedError on Ctrl-C; polled while waiting. */
  checkpoint?: () => void;
}

export async function runBlockJobs(input: BlockJobsInput): Promise<void> {
  const count = Math.max(1, Math.min(input.jobs, input.numbers.length));
  if (input.numbers.length === 0) return;
  const url = new URL('./blockWorker.js', import.meta.url);
  const workers: Worker[] = [];
  let next = 0;
  let finished = 0;
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
        worker.postMessage({ number: input.numbers[next++]!.toString() } satisfies ToBlockWorker);
      };
      for (let i = 0; i < count; i++) {
        const worker = new Worker(url, { workerData: { source: input.source, options: input.options } });
        workers.push(worker);
        worker.on('message', (message: FromBlockWorker) => {
          if (message.t === 'ready') return feed(worker);
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
          if (finished < input.numbers.length && code !== 0) fail(new ExecutorError(`a block worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
