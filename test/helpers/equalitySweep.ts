/**
 * The executor's equality contract, swept over bundled blocks: each run (a scheduler at a
 * thread count, optionally under the stress mode: seeded random delays and mid-execution
 * pulls of newer writes inside the workers) must give receipts and post-state equal to the
 * serial replay's. Runs are grouped by thread count, so the worker pool (T-1 workers) is
 * started once per thread count, and each block is loaded into it once for every run at
 * that thread count. A failure names the run, the block and the first difference.
 */
import assert from 'node:assert/strict';
import { replayParallel } from '../../src/replay/replayParallel.js';
import type { SchedulerName } from '../../src/parallel/types.js';
import type { SerialReplay } from '../../src/replay/replayBlock.js';

export interface SweepRun {
  scheduler: SchedulerName;
  threads: number;
  /** Stress mode with this seed ('block': the block number mod 997); absent: no stress. */
  stressSeed?: number | 'block';
  /** Stress mode's longest delay, µs (default 300). */
  maxDelayUs?: number;
  /** OCC: rounds before the rest runs serially. */
  maxRounds?: number;
  /** Block-STM without commutative sender updates (--no-commutative); absent: with them, the default. */
  strict?: boolean;
}

export function describeRun(run: SweepRun): string {
  const stress = run.stressSeed === undefined ? '' : ` under stress (seed ${run.stressSeed === 'block' ? 'block number mod 997' : run.stressSeed})`;
  const cap = run.maxRounds === undefined ? '' : ` capped at ${run.maxRounds} round(s)`;
  const strict = run.strict === true ? ' without commutative sender updates' : '';
  return `${run.scheduler}${strict} at ${run.threads} thread(s)${stress}${cap}`;
}

/** Runs every run on one block (all at the same thread count) and checks each against serial. */
export async function checkBlock(number: number, serial: SerialReplay, runs: SweepRun[]): Promise<void> {
  for (const run of runs) {
    const seed = run.stressSeed === 'block' ? number % 997 : run.stressSeed;
    const stress = seed === undefined ? undefined : { seed, delayProbability: 0.02, maxDelayUs: run.maxDelayUs ?? 300, drainProbability: 0.05 };
    const parallel = await replayParallel(serial, {
      threads: run.threads,
      scheduler: run.scheduler,
      fallback: false,
      runs: 1,
      warmup: 0,
      interleaveSerial: false,
      ...(stress === undefined ? {} : { stress }),
      ...(run.maxRounds === undefined ? {} : { maxRounds: run.maxRounds }),
      ...(run.strict === true ? { commutative: false } : {}),
    });
    const what = `${describeRun(run)}, block ${number}`;
    assert.ok(parallel.equalsSerial, `${what}: first difference ${JSON.stringify(parallel.firstDifference)}`);
    assert.equal(parallel.fallback.mode, 'none', what);
    assert.equal(parallel.scheduler, run.scheduler, what);
    // OCC: every round after the first is a wave.
    if (run.scheduler === 'occ') assert.equal(parallel.waves, parallel.rounds! - 1, what);
    // Declared locks from the serial run are an oracle schedule: never a re-execution.
    if (run.scheduler === 'locks') assert.equal(parallel.reexecutions, 0, `${what}: declared locks re-executed`);
    // The access list from the serial run: every transaction runs once, with no conflict.
    if (run.scheduler === 'bal') {
      assert.equal(parallel.reexecutions, 0, `${what}: nothing runs twice`);
      assert.equal(parallel.conflicts.total, 0, `${what}: no conflict`);
    }
  }
}

/** Every run on every block, one thread count at a time (the pool reused, each block loaded once per thread count). */
export async function sweep(serials: Array<[number, SerialReplay]>, runs: SweepRun[]): Promise<void> {
  const threadCounts = [...new Set(runs.map((run) => run.threads))].sort((a, b) => a - b);
  for (const threads of threadCounts) {
    const atThreads = runs.filter((run) => run.threads === threads);
    for (const [number, serial] of serials) await checkBlock(number, serial, atThreads);
  }
}

/**
 * The whole contract, written once: Block-STM at 1, 2, 3, 4 and 8 threads, and under
 * stress with three seeds; Sei-style OCC and declared locks at 1, 2, 4 and 8 threads under
 * stress; OCC capped at one round (the rest runs serially, still equal); the access-list
 * executor (issue 16) at 1, 2 and 4 threads under stress, with no conflict and no
 * re-execution (its sweep of the shared fixtures is balEqualsSerial.full.ts). `npm test` runs
 * the 2-thread part (test/replay/bundledBlocks.test.ts), `npm run test:full` the rest too
 * (test/parallel/equalsSerial.full.ts).
 */
export const EQUALITY_RUNS: SweepRun[] = [
  ...[1, 2, 3, 4, 8].map((threads): SweepRun => ({ scheduler: 'blockstm', threads })),
  { scheduler: 'blockstm', threads: 2, stressSeed: 1 },
  { scheduler: 'blockstm', threads: 4, stressSeed: 2 },
  { scheduler: 'blockstm', threads: 3, stressSeed: 3 },
  { scheduler: 'blockstm', threads: 4, stressSeed: 4, strict: true },
  ...[1, 2, 4, 8].flatMap((threads): SweepRun[] => [
    { scheduler: 'occ', threads, stressSeed: 10 + threads },
    { scheduler: 'locks', threads, stressSeed: 20 + threads },
  ]),
  { scheduler: 'occ', threads: 2, stressSeed: 7, maxRounds: 1 },
  ...[1, 2, 4].map((threads): SweepRun => ({ scheduler: 'bal', threads, stressSeed: 'block', maxDelayUs: 200 })),
];

export function runsAt(threads: number): SweepRun[] {
  return EQUALITY_RUNS.filter((run) => run.threads === threads);
}
