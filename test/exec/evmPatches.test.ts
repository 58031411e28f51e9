// The MSTORE patch (src/exec/evmPatches.ts) writes the same 32 bytes ethereumjs's own
// conversion does, for every kind of word, and an EVM made after the patch runs it; an
// Address's remembered string is its bytes' hex string; events nobody listens to cost nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEVM } from '@ethereumjs/evm';
import { Address, bigIntToBytes, bytesToHex, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import { applyEvmPatches, quietEvents, wordBytes } from '../../src/exec/evmPatches.js';
import { seededRandom } from '../../src/parallel/seededRandom.js';

const MAX = (1n << 256n) - 1n;

function randomWord(random: () => number): bigint {
  // Words of every length, not only full ones: 0 to 32 random bytes.
  const length = Math.floor(random() * 33);
  let value = 0n;
  for (let i = 0; i < length; i++) value = (value << 8n) | BigInt(Math.floor(random() * 256));
  return value;
}

test('wordBytes gives the bytes of setLengthLeft(bigIntToBytes(word), 32)', () => {
  const random = seededRandom(7);
  const words = [0n, 1n, 255n, 256n, (1n << 64n) - 1n, 1n << 64n, (1n << 128n) - 1n, 1n << 128n, (1n << 192n) - 1n, 1n << 192n, 1n << 255n, MAX];
  for (let i = 0; i < 5000; i++) words.push(randomWord(random));
  for (const word of words) {
    assert.equal(bytesToHex(wordBytes(word)), bytesToHex(setLengthLeft(bigIntToBytes(word), 32)), `word ${word.toString(16)}`);
  }
});

test('an EVM made after the patches stores words with it', async () => {
  await applyEvmPatches();
  const evm = await createEVM();
  const mstore = (evm as unknown as { _handlers: Map<number, unknown> })._handlers.get(0x52);
  assert.ok(!String(mstore).includes('setLengthLeft'), 'the EVM runs the patched MSTORE');
  for (const word of [0n, 0x1234n, (1n << 160n) - 3n, MAX]) {
    // PUSH32 word, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN
    const code = hexToBytes(`0x7f${word.toString(16).padStart(64, '0')}60005260206000f3`);
    const result = await evm.runCode({ code, gasLimit: 100_000n });
    assert.equal(result.exceptionError, undefined);
    assert.equal(bytesToHex(result.returnValue), bytesToHex(setLengthLeft(bigIntToBytes(word), 32)));
  }
});

test('after the patches an Address gives the hex string of its bytes, every time', async () => {
  await applyEvmPatches();
  const random = seededRandom(11);
  for (let i = 0; i < 200; i++) {
    const bytes = Uint8Array.from({ length: 20 }, () => Math.floor(random() * 256));
    const address = new Address(bytes);
    assert.equal(address.toString(), bytesToHex(bytes));
    assert.equal(`${address}`, bytesToHex(bytes), 'again, remembered');
    assert.equal(new Address(bytes).toString(), bytesToHex(bytes), 'another Address on the same bytes');
  }
});

test('quietEvents: a topic nobody listens to returns at once, a listened one still reaches its listeners', async () => {
  const { createVM } = await import('@ethereumjs/vm');
  const vm = (await createVM()) as unknown as { events: { listenerCount(topic: string): number; on(topic: string, f: (data: unknown, resolve?: () => void) => void): void }; _emit(topic: string, data: unknown): Promise<void> };
  quietEvents(vm);
  assert.equal(vm._emit('beforeTx', 1), vm._emit('afterTx', 2), 'without listeners: one settled promise, nothing made per call');
  const heard: unknown[] = [];
  vm.events.on('afterTx', (data: unknown, resolve?: () => void) => {
    heard.push(data);
    resolve?.();
  });
  await vm._emit('afterTx', 'result');
  assert.deepEqual(heard, ['result']);
});
