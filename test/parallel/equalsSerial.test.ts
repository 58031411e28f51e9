/**
 * The executor's correctness contract: for every bundled block and thread counts 1, 2,
 * 3, 4 and 8, the parallel replay's receipts and post-state equal the serial replay's;
 * and the same under the stress mode (seeded random delays and mid-execution pulls of
 * newer writes inside the workers), with several seeds. A failure names the block and
 * the first differing transaction and location.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { replayParallel, shutdownParallel } from '../../src/replay/replayParallel.js';
import type { SerialReplay } from '../../src/replay/replayBlock.js';
import { bundledSerials } from '../helpers/bundledSerials.js';

let serials: Array<[number, SerialReplay]> = [];

before(async () => {
  serials = await bundledSerials();
});
after(() => shutdownParallel());

async function checkAll(threads: number, stressSeed?: number): Promise<void> {
  const stress = stressSeed === undefined ? undefined : { seed: stressSeed, delayProbability: 0.02, maxDelayUs: 300, drainProbability: 0.05 };
  for (const [number, serial] of serials) {
    const parallel = await replayParallel(serial, { threads, fallback: false, runs: 1, warmup: 0, interleaveSerial: false, ...(stress ? { stress } : {}) });
    assert.ok(parallel.equalsSerial, `block ${number} at ${threads} threads${stress ? ` (stress seed ${stressSeed})` : ''}: first difference ${JSON.stringify(parallel.firstDifference)}`);
    assert.equal(parallel.fallback.mode, 'none');
  }
}

for (const threads of [1, 2, 3, 4, 8]) {
  test(`parallel replay equals serial on every bundled block at ${threads} thread(s)`, () => checkAll(threads));
}

for (const [seed, threads] of [[1, 2], [2, 4], [3, 3]] as const) {
  test(`parallel replay equals serial on every bundled block under stress (seed ${seed}, ${threads} threads)`, () => checkAll(threads, seed));
}
