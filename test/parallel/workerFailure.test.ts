/**
 * A worker that crashes or hangs never yields a wrong or missing result: the failure is
 * reported as a fallback to serial with the reason, the block's result is the serial
 * one, and the pool is started afresh on next use.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { replayParallel, shutdownParallel } from '../../src/replay/replayParallel.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { fullOnly } from '../helpers/testTiers.js';

after(() => shutdownParallel());

async function serialOf(block: bigint) {
  return replaySerial(loadBlock(block, { fixturesDir: bundledFixturesDir() }), { runs: 1, warmup: 0 });
}

test('a worker that crashes makes the block run serially, and says why', async () => {
  const serial = await serialOf(19933597n);
  const parallel = await replayParallel(serial, { threads: 2, fallback: true, runs: 1, warmup: 0, injectFault: 'crash' });
  assert.equal(parallel.fallback.mode, 'serial');
  assert.match(parallel.fallback.reason ?? '', /worker/);
  assert.ok(parallel.equalsSerial);
  const again = await replayParallel(serial, { threads: 2, fallback: true, runs: 1, warmup: 0 });
  assert.equal(again.fallback.mode, 'none', 'the pool is restarted after a failure');
  assert.ok(again.equalsSerial);
});

test('a worker that hangs is detected by the timeout and the block runs serially', fullOnly, async () => {
  const serial = await serialOf(19929064n);
  // The block goes into the worker first, with the default timeout, so that the 3 s below
  // times the hung run and not a slow load on a busy machine.
  assert.ok((await replayParallel(serial, { threads: 2, fallback: false, runs: 1, warmup: 0, interleaveSerial: false })).equalsSerial);
  const parallel = await replayParallel(serial, { threads: 2, fallback: true, runs: 1, warmup: 0, injectFault: 'hang', timeoutMs: 3000 });
  assert.equal(parallel.fallback.mode, 'serial');
  assert.match(parallel.fallback.reason ?? '', /did not finish/);
  assert.ok(parallel.equalsSerial);
});
