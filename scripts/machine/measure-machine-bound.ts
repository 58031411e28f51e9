// This machine's bound on 2-thread efficiency, per block: the same serial replay run in one
// worker thread alone, then in two worker threads at once (no coordination, no shared
// state: each replays the whole block). m = alone / together is the fraction of a core
// each of two busy threads gets here, so no 2-thread executor can exceed speedup
// 2·m on a block, or efficiency m (speedup / ceiling(2)) on any block. Medians of the
// warm runs: each thread warms up as stm's serial replay does (WarmupRuns, 3 asked: a
// fresh thread goes on to a steady state), and the two threads start their measured runs
// together. ROUNDS rounds (default 3) of alone then together per block, m the median
// round's (ROUNDS=1: one round, as before 2026-12-05). Every bundled block with >= MIN_TXS
// transactions, or the blocks given.
// Run: npm run build && [RUNS=10] [ROUNDS=3] node dist/scripts/machine/measure-machine-bound.js [--fixtures DIR] [block ...]
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { median } from '../../src/analysis/stats.js';

async function serialRunsMs(block: number, fixturesDir: string, runs: number, ready: Int32Array, threads: number): Promise<number[]> {
  const { loadBlock } = await import('../../src/source/blockLocator.js');
  const { createBlockContext } = await import('../../src/exec/blockContext.js');
  const { ReplayVm } = await import('../../src/exec/replayVm.js');
  const { runSerial } = await import('../../src/exec/serialExecutor.js');
  const { WarmupRuns } = await import('../../src/replay/measurementPlan.js');
  const vm = await ReplayVm.create(createBlockContext(loadBlock(BigInt(block), { fixturesDir })));
  const warming = new WarmupRuns(3, vm.ctx.txs.length, 'serial');
  while (warming.another()) warming.ran((await runSerial(vm)).executionMs);
  // Both threads measure at once: wait until every thread has warmed up.
  for (let seen = Atomics.add(ready, 0, 1) + 1; seen < threads; seen = Atomics.load(ready, 0)) Atomics.wait(ready, 0, seen, 50);
  Atomics.notify(ready, 0);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await runSerial(vm)).executionMs);
  return times;
}

if (!isMainThread) {
  parentPort!.postMessage(await serialRunsMs(workerData.block, workerData.fixturesDir, workerData.runs, new Int32Array(workerData.ready), workerData.threads));
} else {
  const { bundledFixturesDir } = await import('../../src/data/bundledFixtures.js');
  const argv = process.argv.slice(2);
  const fixturesDir = argv[0] === '--fixtures' ? argv.splice(0, 2)[1]! : bundledFixturesDir();
  const runs = Number(process.env.RUNS ?? 10);
  const roundsPerBlock = Number(process.env.ROUNDS ?? 3);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(roundsPerBlock) || roundsPerBlock < 1) {
    console.error(`measure-machine-bound: RUNS and ROUNDS must be whole numbers of at least 1 (got RUNS=${process.env.RUNS ?? ''}, ROUNDS=${process.env.ROUNDS ?? ''})`);
    process.exit(2);
  }
  const minTxs = Number(process.env.MIN_TXS ?? 50);
  let blocks = argv.map(Number);
  if (blocks.length === 0) {
    const manifest = JSON.parse(readFileSync(fixturesDir + '/ethereum/manifest.json', 'utf8')) as Array<{ number: number; txCount: number }>;
    blocks = manifest.filter((entry) => entry.txCount >= minTxs).map((entry) => entry.number);
  }
  const inWorkers = (block: number, n: number): Promise<number[][]> => {
    const ready = new SharedArrayBuffer(4);
    return Promise.all(
      Array.from({ length: n }, () => new Promise<number[]>((resolve, reject) => {
        new Worker(new URL(import.meta.url), { workerData: { block, fixturesDir, runs, ready, threads: n } }).once('message', resolve).once('error', reject);
      })),
    );
  };
  const factors: number[] = [];
  for (const block of blocks) {
    // Rounds of alone then together, m per round, the median round's: a slow stretch of
    // the machine falls in one side of one round (a single round of 5891667 once gave
    // alone 10.1 ms against 6.9 minutes before, a bound of 2.71).
    const rounds: Array<{ alone: number; together: number[]; m: number }> = [];
    for (let r = 0; r < roundsPerBlock; r++) {
      const alone = median((await inWorkers(block, 1))[0]!);
      const together = (await inWorkers(block, 2)).map(median);
      rounds.push({ alone, together, m: alone / ((together[0]! + together[1]!) / 2) });
    }
    // The median round (the lower of the two middle ones for an even count): its m and its times are printed.
    const shown = [...rounds].sort((a, b) => a.m - b.m)[Math.floor((rounds.length - 1) / 2)]!;
    const m = shown.m;
    factors.push(m);
    const each = rounds.length > 1 ? `  (rounds: m ${rounds.map((round) => round.m.toFixed(2)).join(', ')})` : '';
    console.log(`${String(block).padStart(9)}  alone ${shown.alone.toFixed(1).padStart(7)} ms  two at once ${shown.together.map((t) => t.toFixed(1)).join(' / ')} ms  m ${m.toFixed(2)}  2-thread speedup bound ${(2 * m).toFixed(2)}${each}`);
  }
  console.log(`\nmedian m ${median(factors).toFixed(3)} over ${factors.length} blocks (runs ${runs}, rounds ${roundsPerBlock}): no 2-thread executor here exceeds efficiency m on a block`);
}
