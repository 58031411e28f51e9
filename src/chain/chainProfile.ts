/**
 * What differs per chain, behind one interface: the ethereumjs Common (hardfork rules by
 * block number and timestamp), whether the header's roots can be checked, and the
 * chain's opaque addresses and governance-set parameters. The profiles themselves are
 * ethereum.ts, sei.ts and devChain.ts; profiles.ts picks one by chain id or block.
 */
import type { Common } from '@ethereumjs/common';
import type { ChainRules } from '../data/blockData.js';

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
