/**
 * The check every parallel run goes through (src/replay/compareWithSerial.ts): equal
 * outcomes pass, and a log, a topic, a bloom bit or a write that differs is named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import type { TxOutcome } from '../../src/parallel/executionRun.js';
import type { ReceiptLog as Log } from '../../src/parallel/protocol.js';
import { compareWithSerial } from '../../src/replay/compareWithSerial.js';
import { replaySerial, type SerialReplay } from '../../src/replay/replayBlock.js';
import { loadBlock } from '../../src/source/blockLocator.js';

function outcomesOf(serial: SerialReplay): TxOutcome[] {
  return serial.run.txs.map((tx) => ({
    gasUsed: tx.gasUsed,
    receipt: { ...tx.receipt, logs: (tx.receipt.logs as Log[]).map(([a, t, d]) => [a.slice(), t.map((x) => x.slice()), d.slice()] as Log) },
    bloom: tx.result.bloom.bitvector.slice(),
    timeMs: tx.timeMs,
    writeKeys: [...tx.writes.keys],
    writeValues: [...tx.writes.values],
    creditKeys: [...tx.writes.creditKeys],
    creditDeltas: [...tx.writes.creditDeltas],
  }));
}

test('compareWithSerial: equal outcomes pass; a changed log byte, topic, log count, bloom bit or written value is reported', async () => {
  const serial = await replaySerial(loadBlock(19933597n, { fixturesDir: bundledFixturesDir() }), { runs: 1, warmup: 0 });
  assert.equal(await compareWithSerial(serial, outcomesOf(serial)), undefined);
  const i = serial.run.txs.findIndex((tx) => (tx.receipt.logs as Log[]).some((log) => log[1].length > 0 && log[2].length > 0));
  assert.ok(i >= 0, 'a transaction with a log that has topics and data');
  const logs = (o: TxOutcome[]): Log[] => o[i]!.receipt.logs as Log[];
  const withLog = (o: TxOutcome[]): Log => logs(o).find((log) => log[1].length > 0 && log[2].length > 0)!;

  let o = outcomesOf(serial);
  withLog(o)[2][0]! ^= 1;
  assert.deepEqual([(await compareWithSerial(serial, o))?.field, (await compareWithSerial(serial, o))?.txIndex], ['logs', i]);
  o = outcomesOf(serial);
  withLog(o)[1][0]![31]! ^= 1;
  assert.equal((await compareWithSerial(serial, o))?.field, 'logs');
  o = outcomesOf(serial);
  logs(o).pop();
  assert.equal((await compareWithSerial(serial, o))?.field, 'logs');
  o = outcomesOf(serial);
  o[i]!.bloom[7]! ^= 0x10;
  assert.equal((await compareWithSerial(serial, o))?.field, 'logsBloom');
  o = outcomesOf(serial);
  const w = o.findIndex((outcome) => outcome.writeValues.some((v) => typeof v === 'bigint'));
  const at = o[w]!.writeValues.findIndex((v) => typeof v === 'bigint');
  o[w]!.writeValues[at] = (o[w]!.writeValues[at] as bigint) + 1n;
  assert.match((await compareWithSerial(serial, o))?.field ?? '', /^post-state/);
});
