// The fast key derivation and signer of src/synth/keys.ts against ethereumjs: the same
// addresses as privateToAddress, and signatures that recover to the signer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createFeeMarket1559Tx } from '@ethereumjs/tx';
import { bigIntToBytes, bytesToHex, privateToAddress, privateToPublic, setLengthLeft } from '@ethereumjs/util';
import { KeySequence, SequentialSigner } from '../../src/synth/keys.js';

test('consecutive keys give the addresses and public keys ethereumjs derives', () => {
  const keys = new KeySequence(9);
  for (const i of [0, 1, 2, 57, 300]) {
    const account = keys.account(i);
    const privateKey = setLengthLeft(bigIntToBytes(account.privateKey), 32);
    assert.equal(account.address, bytesToHex(privateToAddress(privateKey)), `address ${i}`);
    assert.deepEqual(account.publicKey, privateToPublic(privateKey), `public key ${i}`);
  }
  assert.equal(new KeySequence(9).account(3).address, keys.account(3).address, 'deterministic');
  assert.notEqual(new KeySequence(10).account(3).address, keys.account(3).address, 'seeded');
});

test('signatures are low-s and recover to the signer; the same seed signs identically', () => {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
  const keys = new KeySequence(1);
  const signatures: string[][] = [[], []];
  for (const run of [0, 1]) {
    const signer = new SequentialSigner(5);
    for (let i = 0; i < 200; i++) {
      const fields = { chainId: 1n, nonce: BigInt(i), maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, gasLimit: 21_000n, to: keys.account(0).address as `0x${string}`, value: BigInt(i) };
      const tx = createFeeMarket1559Tx(fields, { common });
      const account = keys.account(i % 7);
      const { r, s, yParity } = signer.sign(tx.getHashedMessageToSign(), account.privateKey);
      const signed = createFeeMarket1559Tx({ ...fields, v: yParity, r, s }, { common });
      assert.equal(signed.getSenderAddress().toString(), account.address, `tx ${i} recovers its signer`);
      assert.ok(signed.verifySignature());
      signatures[run]!.push(`${r}:${s}:${yParity}`);
    }
  }
  assert.deepEqual(signatures[0], signatures[1]);
});
