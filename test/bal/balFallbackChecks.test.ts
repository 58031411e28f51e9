// A given access list is held to the block even when the access-list executor runs the
// block serially: on its ceiling rule (ceiling_bal(T) < 1.1) and after a worker failure,
// the whole list is compared with the replay's, so a tampered list is never a ✓.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBlockLevelAccessListFromJSON, type BALJSONBlockAccessList } from '@ethereumjs/util';
import { loadBlock } from '../../src/source/blockLocator.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { replaySerial, type SerialReplay } from '../../src/replay/replayBlock.js';
import { buildBlockAccessList } from '../../src/bal/buildBal.js';
import { balJson } from '../../src/bal/balFile.js';
import { replayParallel, shutdownParallel } from '../../src/replay/replayParallel.js';
import { BalMismatchError } from '../../src/parallel/balScheduler.js';

after(() => shutdownParallel());

async function serialOf(number: bigint): Promise<SerialReplay> {
  return replaySerial(loadBlock(number, { fixturesDir: bundledFixturesDir() }), { runs: 1, warmup: 0, threads: 2 });
}

/** The replay's own list with the first balance change at a transaction index raised by one wei. */
function tamperedList(serial: SerialReplay) {
  const n = serial.ctx.txs.length;
  const json: BALJSONBlockAccessList = balJson(buildBlockAccessList(serial));
  const account = json.find((a) => a.balanceChanges.some((c) => Number.parseInt(c.blockAccessIndex, 16) >= 1 && Number.parseInt(c.blockAccessIndex, 16) <= n))!;
  const change = account.balanceChanges.find((c) => Number.parseInt(c.blockAccessIndex, 16) >= 1)!;
  change.postBalance = `0x${(BigInt(change.postBalance === '0x' ? 0 : change.postBalance) + 1n).toString(16)}`;
  return createBlockLevelAccessListFromJSON(json);
}

test('a one-transaction block falls back on ceiling_bal(2) < 1.1, and its tampered list is still refused', async () => {
  const serial = await serialOf(46147n);
  const clean = await replayParallel(serial, { threads: 2, scheduler: 'bal', fallback: true, runs: 1, warmup: 0, interleaveSerial: false, bal: buildBlockAccessList(serial) });
  assert.equal(clean.fallback.mode, 'serial');
  assert.match(clean.fallback.reason!, /ceiling_bal\(2\)/);
  assert.ok(clean.equalsSerial);
  await assert.rejects(
    replayParallel(serial, { threads: 2, scheduler: 'bal', fallback: true, runs: 1, warmup: 0, interleaveSerial: false, bal: tamperedList(serial) }),
    (error: unknown) => error instanceof BalMismatchError && /balance/.test(error.shortMessage),
  );
});

test('after a worker failure the run is serial, and a tampered list is still refused', async () => {
  const serial = await serialOf(19426587n);
  await assert.rejects(
    replayParallel(serial, { threads: 2, scheduler: 'bal', fallback: false, runs: 1, warmup: 0, interleaveSerial: false, bal: tamperedList(serial), injectFault: 'crash' }),
    (error: unknown) => error instanceof BalMismatchError,
  );
});
