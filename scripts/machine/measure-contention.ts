// How much slower one serial replay gets when the other core is busy: a block replayed
// serially in 1 worker vs in 2 workers at once (median of warm runs each), and on the
// main thread alone vs with a spinning thread beside it. Explains part of the gap between
// measured speedup and ceiling(2) on a 2-core machine (docs/executor.md).
// Run: npm run build && node dist/scripts/machine/measure-contention.js [--fixtures DIR] [block]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const argv = process.argv.slice(2);
const fixturesFlag = argv[0] === '--fixtures' ? argv.splice(0, 2)[1] : undefined;
const block = BigInt((isMainThread ? argv[0] : workerData?.block) ?? 19933597);
const fixtures = isMainThread ? fixturesFlag : workerData?.fixtures;

async function medianSerialMs(runs = 14): Promise<number> {
  const { bundledFixturesDir } = await import('../../src/data/bundledFixtures.js');
  const { loadBlock } = await import('../../src/source/blockLocator.js');
  const { createBlockContext } = await import('../../src/exec/blockContext.js');
  const { ReplayVm } = await import('../../src/exec/replayVm.js');
  const { runSerial } = await import('../../src/exec/serialExecutor.js');
  const vm = await ReplayVm.create(createBlockContext(loadBlock(block, { fixturesDir: fixtures ?? bundledFixturesDir() })));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await runSerial(vm)).executionMs);
  const warm = times.slice(runs / 2).sort((a, b) => a - b);
  return warm[warm.length >> 1]!;
}

if (!isMainThread) {
  if (workerData.spin) {
    const until = Date.now() + workerData.spin;
    while (Date.now() < until) {}
  } else parentPort!.postMessage(await medianSerialMs());
} else {
  const inWorkers = (n: number): Promise<number[]> => Promise.all(Array.from({ length: n }, () => new Promise<number>((resolve) => new Worker(new URL(import.meta.url), { workerData: { block: String(block), fixtures } }).on('message', resolve))));
  console.log(`block ${block}`);
  console.log(`serial in 1 worker:             ${(await inWorkers(1)).map((t) => t.toFixed(0)).join(' ')} ms`);
  console.log(`serial in 2 workers at once:    ${(await inWorkers(2)).map((t) => t.toFixed(0)).join(' ')} ms`);
  console.log(`main thread alone:              ${(await medianSerialMs()).toFixed(0)} ms`);
  const spinner = new Worker(new URL(import.meta.url), { workerData: { spin: 60_000 } });
  await new Promise((r) => setTimeout(r, 200));
  console.log(`main thread, other core busy:   ${(await medianSerialMs()).toFixed(0)} ms`);
  await spinner.terminate();
}
