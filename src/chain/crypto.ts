/**
 * The cryptography every Common stm builds gets (ethereumjs's `customCrypto`): KZG for
 * blocks with blobs (kzg.ts), and public-key recovery (ecrecover: transaction senders and
 * the 0x01 precompile) by libsecp256k1 through the `secp256k1` package's prebuilt binding.
 *
 * Recovery is most of a large block's setup: ethereumjs's default (noble, pure JavaScript)
 * takes ~1.7 ms a signature here, libsecp256k1 ~0.07 ms. Where the binding does not load
 * (a platform without a prebuilt binary), or with STM_ECRECOVER=js, the default is used:
 * same results, slower. The semantics are ethereumjs's own `ecrecover`'s: the recovery id
 * from v (and the chain id under EIP-155), only 0 or 1 accepted, r and s left-padded to 32
 * bytes, and an error for any signature that does not recover.
 */
import { createRequire } from 'node:module';
import { calculateSigRecovery, concatBytes, setLengthLeft } from '@ethereumjs/util';
import { kzg } from './kzg.js';

/** The one function stm uses from the binding (secp256k1/lib/index.js). */
interface Secp256k1Binding {
  ecdsaRecover(signature: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}

export type EcrecoverBackend = 'libsecp256k1' | 'noble';

let loaded: Secp256k1Binding | null | undefined;

/** The native binding, or null (no prebuilt binary here, or STM_ECRECOVER=js). */
function binding(): Secp256k1Binding | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.env.STM_ECRECOVER !== 'js') {
    try {
      // 'secp256k1/bindings', not 'secp256k1': the package's main silently falls back to elliptic.
      loaded = createRequire(import.meta.url)('secp256k1/bindings') as Secp256k1Binding;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

/** Which implementation recovers public keys in this process. */
export function ecrecoverBackend(): EcrecoverBackend {
  return binding() === null ? 'noble' : 'libsecp256k1';
}

function nativeEcrecover(native: Secp256k1Binding) {
  return (msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array => {
    const recovery = calculateSigRecovery(v, chainId);
    if (recovery !== 0n && recovery !== 1n) throw new Error('Invalid signature v value');
    const signature = concatBytes(setLengthLeft(r, 32), setLengthLeft(s, 32));
    // 65 bytes (0x04 ‖ x ‖ y); a copy of the 64 that ethereumjs caches and stm sends between threads.
    return native.ecdsaRecover(signature, Number(recovery), msgHash, false).slice(1);
  };
}

export interface StmCustomCrypto {
  kzg?: never;
  ecrecover?: (msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint) => Uint8Array;
}

/** customCrypto for a Common: KZG when the block has blobs, native ecrecover when available. */
export function customCryptoFor(blobs: boolean): StmCustomCrypto {
  const native = binding();
  return {
    ...(blobs ? { kzg: kzg() as never } : {}),
    ...(native === null ? {} : { ecrecover: nativeEcrecover(native) }),
  };
}
