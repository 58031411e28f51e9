// The product's measured batches, run by run: stm replay measures a short block in rounds of
// a batch of back-to-back serial runs, then a batch of parallel runs (each checked against
// the serial run right after it), every batch started on a collected young generation
// (src/replay/replayParallel.ts, measurementPlan.ts). This replays that pattern and prints,
// per position in the parallel batch, the median run and its start (the main thread's first
// task, the worker's first claim) and busy times: what a batch's first run pays after the
// serial batch (a worker that slept, the collections' entries), and which run the main
// thread's young-generation collection lands in. steady-runs.ts gives the same runs back to
// back with nothing between them.
// PER runs per batch (default 3), ROUNDS (default 40); SERIAL=0: no serial batches, SERIAL=sleep:
// as long an idle wait instead of each; CHECK=0: no check after each run. Block-STM at 2 threads with commutative sender updates.
// Run: npm run build && [PER=3] [ROUNDS=40] [SERIAL=0|sleep] [CHECK=0] node dist/scripts/executor/batch-positions.js [--fixtures DIR] block
import { median } from '../../src/analysis/stats.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { runSerial } from '../../src/exec/serialExecutor.js';
import { closeSharedPool } from '../../src/parallel/workerPool.js';
import { compareWithSerial } from '../../src/replay/compareWithSerial.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { WarmupRuns, settleHeap } from '../../src/replay/measurementPlan.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { blockStmRunner } from './blockStmRunner.js';

const args = process.argv.slice(2);
const at = args.indexOf('--fixtures');
const fixturesDir = at >= 0 ? args.splice(at, 2)[1]! : bundledFixturesDir();
const block = args[0];
if (block === undefined) {
  console.error('usage: node dist/scripts/executor/batch-positions.js [--fixtures DIR] block');
  process.exit(2);
}
const per = Number(process.env.PER ?? 3);
const rounds = Number(process.env.ROUNDS ?? 40);
const withSerial = process.env.SERIAL !== '0';
/** SERIAL=sleep: instead of each serial batch, as long a wait with every thread idle. */
const sleepInstead = process.env.SERIAL === 'sleep';
const check = process.env.CHECK !== '0';

const serial = await replaySerial(loadBlock(BigInt(block), { fixturesDir }), { runs: 3, warmup: 2, threads: 2 });
const run = await blockStmRunner(serial, 2);
const warming = new WarmupRuns(10, serial.ctx.txs.length, 'executor');
while (warming.another()) warming.ran((await run()).elapsedMs);
const figures = ['run', 'main first task', 'worker first claim', 'worker busy', 'main busy', 'coordinator'];
const byPosition = Array.from({ length: per }, () => figures.map((): number[] => []));
const serialByPosition = Array.from({ length: per }, (): number[] => []);
for (let r = 0; r < rounds; r++) {
  if (withSerial) {
    await settleHeap();
    if (sleepInstead) await new Promise((resolve) => setTimeout(resolve, per * serial.serialMs.median));
    else for (let j = 0; j < per; j++) serialByPosition[j]!.push((await runSerial(serial.replay)).executionMs);
  }
  await settleHeap();
  for (let j = 0; j < per; j++) {
    const result = await run();
    const { edges, workerBusyMs, coordinatorBusyMs } = result.stats;
    [result.elapsedMs, edges.mainFirstTaskMs, edges.workerFirstClaimMs[0]!, workerBusyMs[0]!, workerBusyMs[1]!, coordinatorBusyMs].forEach((ms, k) => byPosition[j]![k]!.push(ms));
    if (check && (await compareWithSerial(serial, result.outcomes)) !== undefined) throw new Error('a parallel run differs from the serial run');
  }
}
await closeSharedPool();
console.log(`block ${block}: ${rounds} rounds of ${per} parallel runs${sleepInstead ? ` after ${(per * serial.serialMs.median).toFixed(0)} ms idle` : withSerial ? ` after ${per} serial runs (by position ${serialByPosition.map((t) => median(t).toFixed(2)).join(', ')})` : ''}${check ? ', each checked' : ''}; medians, ms:`);
byPosition.forEach((values, j) => console.log(`  run #${j + 1}: ${figures.map((name, k) => `${name} ${median(values[k]!).toFixed(2)}`).join(', ')}`));
