/**
 * The other two schedulers' correctness contract (issue 8): Sei-style OCC rounds and
 * declared locks give receipts and post-state equal to serial on every bundled block at
 * 1, 2, 4 and 8 threads, under the executor's stress mode (seeded delays and mid-execution
 * pulls of newer writes in the workers). Locks, an oracle schedule, never re-executes;
 * OCC past a cap of one round runs the rest serially and still equals serial.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { replayParallel, shutdownParallel } from '../../src/replay/replayParallel.js';
import type { SchedulerName } from '../../src/parallel/types.js';
import type { SerialReplay } from '../../src/replay/replayBlock.js';
import { bundledSerials } from '../helpers/bundledSerials.js';

let serials: Array<[number, SerialReplay]> = [];

before(async () => {
  serials = await bundledSerials();
});
after(() => shutdownParallel());

async function checkAll(scheduler: SchedulerName, threads: number, seed: number, maxRounds?: number): Promise<number> {
  const stress = { seed, delayProbability: 0.02, maxDelayUs: 300, drainProbability: 0.05 };
  let reexecutions = 0;
  for (const [number, serial] of serials) {
    const parallel = await replayParallel(serial, { threads, scheduler, fallback: false, runs: 1, warmup: 0, interleaveSerial: false, stress, ...(maxRounds === undefined ? {} : { maxRounds }) });
    assert.ok(parallel.equalsSerial, `${scheduler}: block ${number} at ${threads} threads (stress seed ${seed}): first difference ${JSON.stringify(parallel.firstDifference)}`);
    assert.equal(parallel.fallback.mode, 'none');
    assert.equal(parallel.scheduler, scheduler);
    if (scheduler === 'occ') assert.equal(parallel.waves, parallel.rounds! - 1);
    reexecutions += parallel.reexecutions;
  }
  return reexecutions;
}

for (const threads of [1, 2, 4, 8]) {
  test(`occ equals serial on every bundled block at ${threads} thread(s) under stress`, async () => {
    await checkAll('occ', threads, 10 + threads);
  });
  test(`locks equals serial on every bundled block at ${threads} thread(s) under stress, with no re-execution`, async () => {
    assert.equal(await checkAll('locks', threads, 20 + threads), 0, 'declared locks from the serial run never need a re-execution');
  });
}

test('occ capped at one round runs the rest in order and still equals serial', async () => {
  await checkAll('occ', 2, 7, 1);
});
