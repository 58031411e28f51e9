// Public-key recovery by libsecp256k1 (src/chain/crypto.ts) against ethereumjs's own
// ecrecover (noble): the same key for every signature of real blocks, and an error for the
// same bad signatures, so swapping the backend changes nothing but speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigIntToUnpaddedBytes, ecrecover as nobleEcrecover, hexToBytes } from '@ethereumjs/util';
import { customCryptoFor, ecrecoverBackend } from '../../src/chain/crypto.js';
import { decodeBlock } from '../../src/exec/blockContext.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { Capability, type TypedTransaction } from '@ethereumjs/tx';

const native = customCryptoFor(false).ecrecover;

test('libsecp256k1 recovers public keys here (its prebuilt binding loads), and KZG is added only for blobs', () => {
  assert.equal(ecrecoverBackend(), 'libsecp256k1');
  assert.equal(typeof native, 'function');
  assert.equal(customCryptoFor(false).kzg, undefined);
  assert.notEqual(customCryptoFor(true).kzg, undefined);
});

/** The arguments ethereumjs's getSenderPublicKey passes to ecrecover for a transaction. */
function recoveryArgs(tx: TypedTransaction): [Uint8Array, bigint, Uint8Array, Uint8Array, bigint | undefined] {
  return [tx.getMessageToVerifySignature(), tx.v!, bigIntToUnpaddedBytes(tx.r!), bigIntToUnpaddedBytes(tx.s!), tx.supports(Capability.EIP155ReplayProtection) ? tx.common.chainId() : undefined];
}

test('the same key as noble for every transaction of blocks from frontier (pre-EIP-155 v) to cancun (typed, y-parity)', () => {
  let checked = 0;
  for (const number of [46147n, 2675000n, 5891667n, 11814555n, 19426587n]) {
    const { block } = decodeBlock(loadBlock(number));
    for (const tx of block.transactions as TypedTransaction[]) {
      const args = recoveryArgs(tx);
      assert.deepEqual(native!(...args), nobleEcrecover(...args), `block ${number}, tx ${tx.hash()}`);
      checked++;
    }
  }
  assert.ok(checked > 1000, `${checked} signatures`);
});

test('bad signatures fail in both: v out of range, r or s zero or not below the curve order, r off the curve', () => {
  const { block } = decodeBlock(loadBlock(19426587n));
  const [hash, v, r, s, chainId] = recoveryArgs(block.transactions[0] as TypedTransaction);
  const n = hexToBytes('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
  const cases: Array<[string, Parameters<NonNullable<typeof native>>]> = [
    ['v = 5', [hash, 5n, r, s, chainId]],
    ['v = 27 with a chain id', [hash, 27n, r, s, 1n]],
    ['r = 0', [hash, v, new Uint8Array(0), s, chainId]],
    ['s = 0', [hash, v, r, new Uint8Array(0), chainId]],
    ['r = n', [hash, v, n, s, chainId]],
    ['s = n', [hash, v, r, n, chainId]],
    ['r = 5 (no point with that x)', [hash, v, Uint8Array.of(5), s, chainId]],
  ];
  for (const [what, args] of cases) {
    assert.throws(() => nobleEcrecover(...args), Error, `noble accepts ${what}`);
    assert.throws(() => native!(...args), Error, `libsecp256k1 accepts ${what}`);
  }
});
