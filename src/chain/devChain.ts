/**
 * Chains without a profile (anvil and hardhat's 31337, private networks): stm replays them
 * with Ethereum's rules at one hardfork for the whole chain, since their schedule is not
 * known. The hardfork is the one given with --hardfork when the block was fetched (it is
 * recorded in the cache entry), else the newest one the header's fields show:
 * requestsHash → prague, blobGasUsed → cancun, withdrawalsRoot → shanghai, difficulty 0
 * with a base fee → paris, baseFeePerGas → london, else berlin. Header fields cannot tell
 * osaka from prague (osaka adds none): pass --hardfork for such a chain, or run the node
 * with an explicit hardfork (anvil --hardfork prague).
 */
import type { RpcBlock } from '../data/blockData.js';
import type { ChainProfile } from './chainProfile.js';
import { fixedRulesCommon } from './fixedRules.js';

export function inferHardfork(block: RpcBlock): string {
  if (typeof block.requestsHash === 'string') return 'prague';
  if (typeof block.blobGasUsed === 'string') return 'cancun';
  if (typeof block.withdrawalsRoot === 'string') return 'shanghai';
  if (typeof block.baseFeePerGas === 'string') return BigInt((block.difficulty as string | undefined) ?? '0x1') === 0n ? 'paris' : 'london';
  return 'berlin';
}

export interface DevChainRules {
  hardfork: string;
  /** Where the hardfork came from, for messages: "--hardfork" or "inferred from the header". */
  source: string;
}

export function devChainProfile(chainId: number, rules: DevChainRules): ChainProfile {
  return {
    chainId,
    name: `chain ${chainId} (no profile: Ethereum rules at ${rules.hardfork}, ${rules.source})`,
    verifiesHeaderRoots: true,
    commonFor(_blockNumber, _timestamp, blobs) {
      return fixedRulesCommon(chainId, `chain-${chainId}`, rules.hardfork, blobs);
    },
  };
}
