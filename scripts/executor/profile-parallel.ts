// Where the main thread's time goes in parallel runs: RUNS Block-STM runs of one block at
// THREADS threads (default 2; 1 = the main thread alone, the executor path without workers),
// with commutative sender updates unless STRICT=1 (after 3 unprofiled ones), profiled with the inspector on the main thread
// (sampling every 100 µs); prints each run's elapsed time and the functions with the most
// self time, "(garbage collector)" and "(idle)" among them. The profile is written to
// OUT (default ./main.cpuprofile) for Chrome DevTools.
// Run: npm run build && RUNS=10 [THREADS=1] [STRICT=1] node dist/scripts/executor/profile-parallel.js [--fixtures DIR] block [top]
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector/promises';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { closeSharedPool } from '../../src/parallel/workerPool.js';
import { blockStmRunner } from './blockStmRunner.js';

const args = process.argv.slice(2);
const fixturesDir = args[0] === '--fixtures' ? args.splice(0, 2)[1] : bundledFixturesDir();
const block = BigInt(args[0] ?? 19933597);
const top = Number(args[1] ?? 30);
const runs = Number(process.env.RUNS ?? 10);
const out = process.env.OUT ?? 'main.cpuprofile';

const serial = await replaySerial(loadBlock(block, { fixturesDir }), { runs: 3, warmup: 2, threads: 2 });
const threads = Number(process.env.THREADS ?? 2);
const run = await blockStmRunner(serial, threads, process.env.STRICT === '1');
for (let i = 0; i < 3; i++) await run();

const session = new inspector.Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const elapsed: number[] = [];
for (let i = 0; i < runs; i++) elapsed.push((await run()).elapsedMs);
const { profile } = await session.post('Profiler.stop');
writeFileSync(out, JSON.stringify(profile));
await closeSharedPool();

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
let total = 0;
(profile.samples ?? []).forEach((id, i) => {
  const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
  const name = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}${url ? ':' + (lineNumber + 1) : ''}`;
  const dt = profile.timeDeltas?.[i] ?? 0;
  self.set(name, (self.get(name) ?? 0) + dt);
  total += dt;
});
console.log(`block ${block}: ${runs} runs at ${threads} threads, elapsed ${elapsed.map((ms) => ms.toFixed(0)).join(' ')} ms; main thread profiled ${(total / 1000).toFixed(0)} ms`);
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
}
