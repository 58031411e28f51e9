/**
 * The executor's correctness contract at every thread count beyond the 2 threads `npm test`
 * checks (test/replay/bundledBlocks.test.ts): on every bundled block, at 1, 3, 4 and 8
 * threads, Block-STM (plain and under stress), Sei-style OCC and declared locks give
 * receipts and post-state equal to the serial replay's (the runs: EQUALITY_RUNS in
 * test/helpers/equalitySweep.ts). Part of `npm run test:full`, which CI runs.
 */
import { after, before, test } from 'node:test';
import { shutdownParallel } from '../../src/replay/replayParallel.js';
import type { SerialReplay } from '../../src/replay/replayBlock.js';
import { bundledSerials } from '../helpers/bundledSerials.js';
import { describeRun, EQUALITY_RUNS, runsAt, sweep } from '../helpers/equalitySweep.js';

let serials: Array<[number, SerialReplay]> = [];

before(async () => {
  serials = await bundledSerials();
});
after(() => shutdownParallel());

const threadCounts = [...new Set(EQUALITY_RUNS.map((run) => run.threads))].filter((t) => t !== 2).sort((a, b) => a - b);
for (const threads of threadCounts) {
  const runs = runsAt(threads);
  test(`on every bundled block at ${threads} thread(s), parallel equals serial: ${runs.map(describeRun).join('; ')}`, () => sweep(serials, runs));
}
