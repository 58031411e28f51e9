// A receipt's logs cross threads packed (src/parallel/protocol.ts): packing and unpacking
// give back every address, topic and data byte, including empty ones and none at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packLogs, unpackLogs, type ReceiptLog } from '../../src/parallel/protocol.js';

const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

test('packed logs unpack to the same logs', () => {
  const logs: ReceiptLog[] = [
    [bytes(20, 1), [], new Uint8Array(0)],
    [bytes(20, 2), [bytes(32, 3), bytes(32, 4), bytes(32, 5), bytes(32, 6)], bytes(1000, 7)],
    [bytes(20, 8), [bytes(32, 9)], bytes(1, 10)],
  ];
  assert.deepEqual(unpackLogs(packLogs(logs)), logs);
  assert.deepEqual(unpackLogs(packLogs([])), []);
});
