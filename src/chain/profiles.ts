/**
 * Which profile a chain id or a block replays under (what a profile is: chainProfile.ts).
 * Adding a chain is adding a profile (one file: sei.ts) and listing it here; the fetch
 * picks one by chain id, and `profileFor` picks the one a block's data needs, with the
 * rules recorded when it was fetched. A chain id without a profile replays with
 * Ethereum's rules at one hardfork (devChain.ts).
 */
import type { BlockData } from '../data/blockData.js';
import type { ChainProfile } from './chainProfile.js';
import { devChainProfile, inferHardfork } from './devChain.js';
import { ethereumMainnet } from './ethereum.js';
import { seiAtlantic, seiPacific } from './sei.js';

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
