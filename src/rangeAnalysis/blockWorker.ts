/**
 * A worker thread of `stm analyze --jobs N`: loads and replays the blocks the main thread
 * sends it, one at a time, and answers each with its record (analyzeBlock). Only used
 * without the parallel executor (--no-parallel), whose own worker pool would compete for
 * the same cores and whose timings would be distorted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { obtainBlock, type BlockSourceOptions } from '../source/blockSource.js';
import { analyzeBlock, failedBlock, type BlockOptions } from './analyzeBlock.js';
import type { FromBlockWorker, ToBlockWorker } from './blockJobs.js';

const { source, options } = workerData as { source: BlockSourceOptions; options: BlockOptions };
const port = parentPort!;

port.on('message', (message: ToBlockWorker) => {
  void (async () => {
    const number = BigInt(message.number);
    const notes: string[] = [];
    let reply: FromBlockWorker;
    try {
      const block = await analyzeBlock(number, async (n) => (await obtainBlock(n, { ...source, note: (text) => notes.push(text) })).data, options, (phase) => port.postMessage({ t: 'phase', number: message.number, phase } satisfies FromBlockWorker));
      reply = { t: 'done', block, notes };
    } catch (error) {
      reply = { t: 'done', block: failedBlock(number, error), notes };
    }
    port.postMessage(reply);
  })();
});
port.postMessage({ t: 'ready' } satisfies FromBlockWorker);
