/**
 * A worker thread of `stm analyze --jobs N`: loads and replays the blocks the main thread
 * sends it, one at a time, and answers each with its record (analyzeBlock); with --simulate
 * its timed runs wait for their turn (blockJobs.ts, TimedTurns). Only used
 * without the parallel executor (--no-parallel), whose own worker pool would compete for
 * the same cores and whose timings would be distorted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { obtainBlock, type BlockSourceOptions } from '../source/blockSource.js';
import { analyzeBlock, failedBlock, type BlockOptions } from './analyzeBlock.js';
import type { BlockWorkerData, FromBlockWorker, ToBlockWorker } from './blockJobs.js';
import type { TimedTurn } from '../replay/replayBlock.js';

const { source, options, turns } = workerData as BlockWorkerData & { source: BlockSourceOptions; options: BlockOptions };
const port = parentPort!;

/** The timed runs' turn, granted by the main thread (blockJobs.ts, TimedTurns). */
let granted: (() => void) | undefined;
const timedTurn: TimedTurn = {
  take: () =>
    new Promise<void>((resolve) => {
      granted = resolve;
      port.postMessage({ t: 'take' } satisfies FromBlockWorker);
    }),
  give: () => port.postMessage({ t: 'give' } satisfies FromBlockWorker),
};
const blockOptions: BlockOptions = turns ? { ...options, timedTurn } : options;

port.on('message', (message: ToBlockWorker) => {
  if (message.t === 'turn') {
    granted?.();
    granted = undefined;
    return;
  }
  void (async () => {
    const number = BigInt(message.number);
    const notes: string[] = [];
    let reply: FromBlockWorker;
    try {
      const block = await analyzeBlock(number, async (n) => (await obtainBlock(n, { ...source, note: (text) => notes.push(text) })).data, blockOptions, (phase) => port.postMessage({ t: 'phase', number: message.number, phase } satisfies FromBlockWorker));
      reply = { t: 'done', block, notes };
    } catch (error) {
      reply = { t: 'done', block: failedBlock(number, error), notes };
    }
    port.postMessage(reply);
  })();
});
port.postMessage({ t: 'ready' } satisfies FromBlockWorker);
