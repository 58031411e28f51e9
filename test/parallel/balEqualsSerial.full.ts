/**
 * The access-list executor's correctness contract (issue 16) on the shared fixtures, in
 * `npm run test:full`: with the list built from the serial replay, every transaction runs
 * once, at once, on memory loaded with the list's writes, and receipts and post-state
 * equal serial on every block of ../shared/fixtures/ethereum at 1, 2 and 4 threads (under
 * the executor's stress mode). The bundled blocks are in the equality sweep
 * (EQUALITY_RUNS in test/helpers/equalitySweep.ts: 2 threads in `npm test`, 1 and 4 in
 * test:full). Each block is loaded and replayed once; the worker pool is shared.
 * The shared folder ($STM_SHARED_FIXTURES, default ../shared/fixtures/ethereum) is
 * skipped when it is not there.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, test } from 'node:test';
import { loadBlock } from '../../src/source/blockLocator.js';
import { replayParallel, shutdownParallel } from '../../src/replay/replayParallel.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { repo } from '../helpers/cliRunner.js';

after(() => shutdownParallel());

const THREADS = [1, 2, 4];
const sharedDir = process.env.STM_SHARED_FIXTURES ?? resolve(repo, '..', 'shared', 'fixtures', 'ethereum');

function blocksIn(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

async function sweep(dir: string, label: string): Promise<void> {
  const blocks = blocksIn(dir);
  let runs = 0;
  for (const number of blocks) {
    const serial = await replaySerial(loadBlock(BigInt(number), { fixturesDir: dir }), { runs: 1, warmup: 0 });
    for (const threads of THREADS) {
      const stress = { seed: number % 997, delayProbability: 0.02, maxDelayUs: 200, drainProbability: 0.05 };
      const parallel = await replayParallel(serial, { threads, scheduler: 'bal', fallback: false, runs: 1, warmup: 0, interleaveSerial: false, stress });
      assert.ok(parallel.equalsSerial, `bal: ${label} block ${number} at ${threads} threads: first difference ${JSON.stringify(parallel.firstDifference)}`);
      assert.equal(parallel.fallback.mode, 'none', `${label} block ${number} at ${threads} threads ran serially: ${parallel.fallback.reason}`);
      assert.equal(parallel.reexecutions, 0, 'nothing runs twice');
      assert.equal(parallel.conflicts.total, 0);
      runs++;
    }
  }
  process.stderr.write(`# bal = serial: ${blocks.length} ${label} blocks × ${THREADS.join(', ')} threads (${runs} runs)\n`);
}

test('bal equals serial on every block of the shared fixtures at 1, 2 and 4 threads', { skip: !existsSync(sharedDir) && 'no shared fixtures folder' }, async () => {
  await sweep(sharedDir, 'shared');
});
