// Specifications of the pieces of the RPC path that need no node: merging per-transaction
// prestateTracer results into a block pre-state, and keeping the RPC URL out of every
// message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePrestates } from '../../src/rpc/tracePrestate.js';
import { redactError, redactText, redactUrl } from '../../src/rpc/redact.js';
import { RpcClient } from '../../src/rpc/rpcClient.js';

const A = '0x00000000000000000000000000000000000000aa';
const B = '0x00000000000000000000000000000000000000bb';

test('the first transaction that shows an account carries its pre-block values (nonce 0 and empty code are omitted by the tracer)', () => {
  const merged = mergePrestates([
    { [A]: { balance: '0x10' } }, // nonce 0, no code: omitted
    { [A]: { balance: '0x5', nonce: 1 }, [B]: { balance: '0x1', code: '0x6000' } },
  ]);
  assert.deepEqual(merged[A], { balance: '0x10' });
  assert.equal((merged[A] as { nonce?: unknown }).nonce, undefined, 'a later nonce must not fill in the omitted 0');
  assert.deepEqual(merged[B], { balance: '0x1', code: '0x6000' });
});

test('slots merge one by one: a slot first read by a later transaction keeps its value, an earlier one wins', () => {
  const merged = mergePrestates([{ [A]: { balance: '0x0', storage: { '0x01': '0x0a' } } }, { [A]: { balance: '0x0', storage: { '0x01': '0x0b', '0x02': '0x0c' } } }]);
  assert.deepEqual(merged[A]!.storage, { '0x01': '0x0a', '0x02': '0x0c' });
});

test('a URL with an API key is shown as scheme, host and port only, in text and in errors', () => {
  const url = 'https://user:pa55word@eth.example.com/v2/0123456789abcdefKEY?apikey=ZXCVBNMASDFGHJKL';
  assert.equal(redactUrl(url), 'https://eth.example.com/…');
  assert.equal(redactUrl('http://127.0.0.1:8545'), 'http://127.0.0.1:8545');
  const text = redactText(`request to ${url} failed; key 0123456789abcdefKEY, ZXCVBNMASDFGHJKL, pa55word`, url);
  for (const secret of ['0123456789abcdefKEY', 'ZXCVBNMASDFGHJKL', 'pa55word', '/v2/']) assert.ok(!text.includes(secret), text);
  const error = new Error(`outer ${url}`, { cause: new Error(`inner 0123456789abcdefKEY`) });
  redactError(error, url);
  assert.ok(!error.message.includes('0123456789abcdefKEY'));
  assert.ok(!String((error.cause as Error).message).includes('0123456789abcdefKEY'));
  assert.equal(new RpcClient(url).endpoint, 'https://eth.example.com/…');
});
