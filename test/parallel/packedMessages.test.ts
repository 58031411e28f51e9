// A worker's results and the coordinator's write sets cross threads packed into flat arrays
// (src/parallel/protocol.ts: packDone, packApply): through the structured-clone serializer
// postMessage uses, they unpack to exactly what was packed, for every receipt shape
// (status, a pre-Byzantium state root, a blob transaction's gas fields), with logs and
// without, summed reads, credits, removals and an access-list verdict.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import type { TxReceipt } from '@ethereumjs/vm';
import { CodeValue } from '../../src/state/locations.js';
import { packApply, packDone, packLogs, unpackApply, unpackDone, type DoneHead, type ReceiptLog, type WireReads } from '../../src/parallel/protocol.js';

const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
/** Through postMessage's serializer and back, as a batch. */
const acrossThreads = <T>(message: T): T => (deserialize(serialize([message])) as T[])[0]!;

const head: DoneHead = { worker: 1, runId: 7, tx: 42, inc: 2, gasUsed: 52_341n, timeMs: 0.25, lazy: true, busyMs: 12.5, gcMs: 1.5 };
const reads: WireReads = {
  keys: ['n:0xaa', 'b:0xaa', 's:0xbb:0x01', 'b:0xcc'],
  versions: [-1, 3 * 65536 + 1, 5, -2],
  summedKeys: ['b:0xcc'],
  summedValues: [10n ** 30n],
};
const keys = ['n:0xaa', 's:0xbb:0x01', 'c:0xdd'];
const values = [8n, 0n, bytes(40, 3)];
const logs: ReceiptLog[] = [[bytes(20, 1), [bytes(32, 2)], bytes(64, 4)]];
const bloom = bytes(256, 9);

function roundTrip(receipt: TxReceipt, theBloom: Uint8Array, extra: Partial<DoneHead> = {}) {
  const packed = acrossThreads(packDone({ ...head, ...extra }, receipt, theBloom, reads, keys, values, ['b:0xee'], [-(10n ** 18n)]));
  assert.ok(Array.isArray(packed));
  return unpackDone(packed);
}

test('a packed result unpacks to the same result, receipt by receipt shape', () => {
  const post = { status: 1, cumulativeBlockGasUsed: 9_000_000n, bitvector: bloom, logs } as unknown as TxReceipt;
  const done = roundTrip(post, bloom);
  assert.deepEqual(
    { ...done, receipt: { ...done.receipt } },
    {
      t: 'done',
      ...head,
      reads,
      keys,
      values,
      creditKeys: ['b:0xee'],
      creditDeltas: [-(10n ** 18n)],
      receipt: { status: 1, cumulativeBlockGasUsed: 9_000_000n, logs: [] },
      packedLogs: packLogs(logs),
      bloom,
    },
  );
  // No logs: neither logs nor bloom travel (the coordinator takes the empty bloom).
  const quiet = roundTrip({ status: 0, cumulativeBlockGasUsed: 21_000n, bitvector: new Uint8Array(256), logs: [] } as unknown as TxReceipt, new Uint8Array(256));
  assert.equal(quiet.packedLogs, undefined);
  assert.equal(quiet.bloom, undefined);
  assert.deepEqual({ ...quiet.receipt }, { status: 0, cumulativeBlockGasUsed: 21_000n, logs: [] });
  // Before Byzantium: the intermediate state root instead of a status.
  const root = bytes(32, 5);
  const pre = roundTrip({ stateRoot: root, cumulativeBlockGasUsed: 1n, bitvector: new Uint8Array(256), logs: [] } as unknown as TxReceipt, new Uint8Array(256));
  assert.deepEqual({ ...pre.receipt }, { stateRoot: root, cumulativeBlockGasUsed: 1n, logs: [] });
  // A blob transaction's receipt keeps its blob gas fields.
  const blob = roundTrip({ blobGasUsed: 131_072n, blobGasPrice: 1n, status: 1, cumulativeBlockGasUsed: 2n, bitvector: new Uint8Array(256), logs: [] } as unknown as TxReceipt, new Uint8Array(256));
  assert.deepEqual({ ...blob.receipt }, { status: 1, blobGasUsed: 131_072n, blobGasPrice: 1n, cumulativeBlockGasUsed: 2n, logs: [] });
  // An access-list run's verdict, and a strict run.
  const listed = roundTrip(post, bloom, { listCheck: { failure: 'wrote 0xbb outside the list' }, lazy: false });
  assert.deepEqual(listed.listCheck, { failure: 'wrote 0xbb outside the list' });
  assert.equal(listed.lazy, false);
});

test('a packed write set unpacks to the same writes, credits and removals', () => {
  const code = new CodeValue(bytes(100, 6));
  const packed = acrossThreads(packApply(3, 17, 1, ['b:0xaa', 'c:0xdd'], [5n, code], ['b:0xcc'], [7n], ['s:0xbb:0x02']));
  assert.deepEqual(unpackApply(packed), {
    t: 'apply',
    runId: 3,
    tx: 17,
    inc: 1,
    keys: ['b:0xaa', 'c:0xdd'],
    values: [5n, code.bytes],
    creditKeys: ['b:0xcc'],
    creditDeltas: [7n],
    removed: ['s:0xbb:0x02'],
  });
  const onlyRemovals = acrossThreads(packApply(3, 17, 2, [], [], [], [], ['b:0xaa']));
  assert.deepEqual(unpackApply(onlyRemovals), { t: 'apply', runId: 3, tx: 17, inc: 2, keys: [], values: [], creditKeys: [], creditDeltas: [], removed: ['b:0xaa'] });
});

