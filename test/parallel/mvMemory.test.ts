import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MVMemory, EstimateRead } from '../../src/parallel/mvMemory.js';
import { seededRandom } from '../../src/parallel/seededRandom.js';
import { PreState } from '../../src/state/preState.js';
import { PRE_STATE, SUMMED, makeVersion } from '../../src/state/stateSource.js';

const A = '0x00000000000000000000000000000000000000aa';
const SLOT = '0x' + '0'.repeat(63) + '1';
const pre = () => new PreState({ [A]: { balance: '0x64', nonce: 1, storage: { [SLOT]: '0x' + '0'.repeat(62) + '07' } } });

test('a read with no earlier write resolves to the pre-state', () => {
  const memory = new MVMemory(pre());
  assert.equal(memory.read('b:' + A, 5), 100n);
  assert.equal(memory.lastVersion, PRE_STATE);
});

test('a read resolves to the highest write below the reader, never its own or a later one', () => {
  const memory = new MVMemory(pre());
  memory.write('b:' + A, 2, 0, 200n);
  memory.write('b:' + A, 4, 1, 400n);
  memory.write('b:' + A, 6, 0, 600n);
  assert.equal(memory.read('b:' + A, 4), 200n);
  assert.equal(memory.lastVersion, makeVersion(2, 0));
  assert.equal(memory.read('b:' + A, 5), 400n);
  assert.equal(memory.lastVersion, makeVersion(4, 1));
  assert.equal(memory.read('b:' + A, 2), 100n);
});

test('an ESTIMATE below the reader stops the read and names the writer', () => {
  const memory = new MVMemory(pre());
  memory.write('n:' + A, 3, 0, 2n);
  memory.markEstimate('n:' + A, 3);
  assert.throws(() => memory.read('n:' + A, 7), (error: unknown) => error instanceof EstimateRead && error.blockingTx === 3);
  assert.equal(memory.read('n:' + A, 3), 1n);
});

test('credits sum on top of the newest full write, and the read is SUMMED', () => {
  const memory = new MVMemory(pre());
  memory.credit('b:' + A, 1, 0, 5n);
  memory.write('b:' + A, 2, 0, 1000n);
  memory.credit('b:' + A, 3, 0, 7n);
  memory.credit('b:' + A, 4, 0, 11n);
  assert.equal(memory.read('b:' + A, 5), 1018n);
  assert.equal(memory.lastVersion, SUMMED);
  assert.equal(memory.read('b:' + A, 2), 105n);
});

test('a memoized sum follows every change at or below it (random operations against a plain sum)', () => {
  const key = 'b:' + A;
  for (let seed = 1; seed <= 20; seed++) {
    const random = seededRandom(seed);
    const memory = new MVMemory(pre());
    const base = memory.read(key, 0) as bigint;
    // The reference: per transaction its entry (a credit, a full write, or none) and whether it is an ESTIMATE.
    const entries = new Map<number, { kind: 'credit' | 'value'; value: bigint; estimate: boolean }>();
    const expected = (reader: number): bigint | { blockedBy: number } => {
      let sum = 0n;
      for (let tx = reader - 1; tx >= 0; tx--) {
        const entry = entries.get(tx);
        if (entry === undefined) continue;
        if (entry.estimate) return { blockedBy: tx };
        if (entry.kind === 'value') return entry.value + sum;
        sum += entry.value;
      }
      return base + sum;
    };
    for (let step = 0; step < 300; step++) {
      const tx = Math.floor(random() * 40);
      const op = random();
      if (op < 0.45) {
        const delta = BigInt(Math.floor(random() * 21) - 10);
        memory.credit(key, tx, 0, delta);
        entries.set(tx, { kind: 'credit', value: delta, estimate: false });
      } else if (op < 0.5) {
        const value = BigInt(Math.floor(random() * 1000));
        memory.write(key, tx, 0, value);
        entries.set(tx, { kind: 'value', value, estimate: false });
      } else if (op < 0.6) {
        memory.remove(key, tx);
        entries.delete(tx);
      } else if (op < 0.65 && entries.has(tx)) {
        memory.markEstimate(key, tx);
        entries.get(tx)!.estimate = true;
      } else {
        const reader = Math.floor(random() * 42);
        const want = expected(reader);
        if (typeof want === 'bigint') assert.equal(memory.read(key, reader), want, `seed ${seed} step ${step}: read by ${reader}`);
        else assert.throws(() => memory.read(key, reader), (error: unknown) => error instanceof EstimateRead && error.blockingTx === want.blockedBy);
      }
    }
  }
});

test('a credit marked ESTIMATE blocks a summed read', () => {
  const memory = new MVMemory(pre());
  memory.credit('b:' + A, 1, 0, 5n);
  memory.credit('b:' + A, 2, 0, 5n);
  memory.markEstimate('b:' + A, 1);
  assert.throws(() => memory.read('b:' + A, 3), (error: unknown) => error instanceof EstimateRead && error.blockingTx === 1);
});

test('a storage wipe newer than a slot write makes the slot read zero; a slot written after the wipe wins', () => {
  const memory = new MVMemory(pre());
  const key = 's:' + A + ':' + SLOT;
  assert.deepEqual(memory.read(key, 9), Uint8Array.from([7]));
  memory.write('w:' + A, 3, 0, 4);
  assert.equal((memory.read(key, 9) as Uint8Array).length, 0);
  assert.equal(memory.lastVersion, makeVersion(3, 0));
  assert.equal((memory.read(key, 3) as Uint8Array)[0], 7);
  memory.write(key, 5, 0, Uint8Array.from([9]));
  assert.deepEqual(memory.read(key, 9), Uint8Array.from([9]));
  memory.write(key, 3, 0, Uint8Array.from([8]));
  assert.deepEqual(memory.read(key, 4), Uint8Array.from([8]));
});

test('removing an entry exposes the one below it', () => {
  const memory = new MVMemory(pre());
  memory.write('b:' + A, 2, 0, 200n);
  memory.write('b:' + A, 4, 0, 400n);
  memory.remove('b:' + A, 4);
  assert.equal(memory.read('b:' + A, 9), 200n);
});

test('changes counts every write, credit, ESTIMATE marking and removal, and no read', () => {
  const memory = new MVMemory(pre());
  const key = 'b:' + A;
  memory.read(key, 3);
  assert.equal(memory.changes, 0);
  memory.write(key, 1, 0, 5n);
  memory.credit(key, 2, 0, 1n);
  memory.read(key, 3);
  assert.equal(memory.changes, 2);
  memory.markEstimate(key, 1);
  memory.remove(key, 2);
  assert.equal(memory.changes, 4);
});
