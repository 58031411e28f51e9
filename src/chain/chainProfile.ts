/**
 * What differs per chain, behind one interface: the ethereumjs Common (hardfork rules by
 * block number and timestamp), and whether the header's roots can be checked. Adding a
 * chain is adding a profile (one file: sei.ts); the RPC layer picks one by chain id, and
 * `profileFor` picks the one a block's data needs, with the rules recorded when it was
 * fetched. A chain id without a profile replays with Ethereum's rules at one hardfork
 * (devChain.ts).
 */
import { Common, Mainnet } from '@ethereumjs/common';
import { paramsVM } from '@ethereumjs/vm';
import type { BlockData, ChainRules } from '../data/blockData.js';
import { devChainProfile, inferHardfork } from './devChain.js';
import { kzg } from './kzg.js';
import { seiAtlantic, seiPacific } from './sei.js';

export interface ChainProfile {
  chainId: number;
  name: string;
  /** A Common set to the hardfork of the block with this number and timestamp; `blobs`: the block has blob transactions (they need KZG). */
  commonFor(blockNumber: bigint, timestamp: bigint, blobs: boolean): Common;
  /** Whether the header is Ethereum's: receiptsRoot/logsBloom/transactionsRoot are Ethereum tries and the block hash is the header's keccak, so they can be checked. */
  verifiesHeaderRoots: boolean;
  /** The profile under rules recorded with a block (ChainRules); absent: the chain takes none. */
  withRules?(rules: ChainRules): ChainProfile;
  /** Addresses whose code cannot run outside the chain (Sei precompiles): a transaction reaching one is opaque. */
  isOpaqueAddress?(address: string): boolean;
  /** Values of governance-set parameters to try, in order, when a fetched block is checked against its receipts. */
  ruleCandidates?: ChainRules[];
}

export const ethereumMainnet: ChainProfile = {
  chainId: 1,
  name: 'Ethereum mainnet',
  verifiesHeaderRoots: true,
  commonFor(blockNumber, timestamp, blobs) {
    const common = new Common(blobs ? { chain: Mainnet, customCrypto: { kzg: kzg() as never } } : { chain: Mainnet });
    common.setHardforkBy({ blockNumber, timestamp });
    // The VM's parameters now, not at VM creation: the system prelude (EIP-2935, Prague) reads them first.
    common.updateParams(paramsVM);
    return common;
  },
};

const profiles = new Map<number, ChainProfile>([
  [1, ethereumMainnet],
  [seiPacific.chainId, seiPacific],
  [seiAtlantic.chainId, seiAtlantic],
]);

export function registerChainProfile(profile: ChainProfile): void {
  profiles.set(profile.chainId, profile);
}

export function chainProfile(chainId: number): ChainProfile | undefined {
  return profiles.get(chainId);
}

/**
 * The profile a block replays under: its chain's profile with the rules recorded in the
 * data, or for a chain without a profile, Ethereum's rules at the recorded hardfork (else
 * the one the header's fields show).
 */
export function profileFor(data: Pick<BlockData, 'chainId' | 'block' | 'rules'>): ChainProfile {
  const known = profiles.get(data.chainId);
  if (known !== undefined) return data.rules !== undefined && known.withRules !== undefined ? known.withRules(data.rules) : known;
  const hardfork = data.rules?.hardfork;
  return devChainProfile(data.chainId, hardfork !== undefined ? { hardfork, source: 'recorded with the block' } : { hardfork: inferHardfork(data.block), source: 'inferred from the header' });
}
