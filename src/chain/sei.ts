/**
 * Sei: pacific-1 (chain id 1329) and atlantic-2 (1328). Sei runs a go-ethereum-derived EVM
 * inside a Cosmos chain; what a replay outside Sei must do differently
 * (../shared/docs/sei.md) and how this profile does it:
 *
 *   - Rules by height, not by Ethereum's schedule: Cancun from the EVM's launch (no blobs).
 *     Pectra rules arrived with a later upgrade whose height this profile does not record:
 *     replay such blocks with --hardfork prague (recorded in the cache entry).
 *   - SSTORE's set cost is a governance parameter (Sei's default 20,000; raised to 72,000
 *     on pacific-1). The value at a height is not in the eth namespace, so the profile
 *     lists the candidates and the fetch keeps the first whose replay matches the node's
 *     receipts (recorded in the cache entry as rules.sstoreSetGas).
 *   - Roots: receiptsRoot and logsBloom are not Ethereum tries; verification compares
 *     every receipt (status, gas, cumulative gas, logs) instead.
 *   - Precompiles at 0x…1001 and up act on Cosmos state: a transaction that reaches one is
 *     opaque, its effects taken from the node's prestateTracer (diffMode) trace.
 *   - Not modelled (reported per transaction by receipt verification if a transaction
 *     depends on it): the fee collector's balance (no base-fee burn, per-transaction
 *     redirection), PREVRANDAO derived from consensus time, Cosmos transactions that change
 *     EVM balances between EVM transactions.
 */
import type { ChainRules } from '../data/blockData.js';
import type { ChainProfile } from './chainProfile.js';
import { fixedRulesCommon } from './fixedRules.js';

/** Sei precompiles start at 0x…1001 (bank) and run to 0x…1015 and beyond; 0x1001–0x10ff is reserved here. */
export const SEI_PRECOMPILE_FIRST = 0x1001;
export const SEI_PRECOMPILE_LAST = 0x10ff;

export function isSeiPrecompile(address: string): boolean {
  const a = address.toLowerCase();
  if (a.length !== 42 || !a.startsWith('0x000000000000000000000000000000000000')) return false;
  const low = Number.parseInt(a.slice(38), 16);
  return low >= SEI_PRECOMPILE_FIRST && low <= SEI_PRECOMPILE_LAST;
}

/** Sei's default SSTORE set cost (x/evm params, DefaultSeiSstoreSetGasEIP2200) and the governance value on pacific-1. */
export const SEI_SSTORE_SET_GAS_DEFAULT = 20_000;
export const SEI_SSTORE_SET_GAS_RAISED = 72_000;

interface SeiNetwork {
  chainId: number;
  name: string;
  /** First block with EVM transactions (for messages; rules are Cancun from there on). */
  evmLaunchHeight: bigint;
}

function seiProfile(network: SeiNetwork, rules: ChainRules = {}): ChainProfile {
  const hardfork = rules.hardfork ?? 'cancun';
  const sstoreSetGas = rules.sstoreSetGas ?? SEI_SSTORE_SET_GAS_DEFAULT;
  const params =
    sstoreSetGas === 20_000
      ? undefined
      : {
          // Istanbul's net gas metering: the set cost, and the refund for restoring a set slot to zero.
          1679: { sstoreInitEIP2200Gas: sstoreSetGas, sstoreInitRefundEIP2200Gas: sstoreSetGas - 800 },
          2929: { sstoreInitRefundEIP2200Gas: sstoreSetGas - 100 },
        };
  return {
    chainId: network.chainId,
    name: `Sei ${network.name}`,
    verifiesHeaderRoots: false,
    commonFor(_blockNumber, _timestamp, blobs) {
      return fixedRulesCommon(network.chainId, `sei-${network.name}`, hardfork, blobs, params);
    },
    withRules(next) {
      return seiProfile(network, next);
    },
    isOpaqueAddress: isSeiPrecompile,
    ruleCandidates: [{ sstoreSetGas: SEI_SSTORE_SET_GAS_DEFAULT }, { sstoreSetGas: SEI_SSTORE_SET_GAS_RAISED }],
  };
}

export const seiPacific = seiProfile({ chainId: 1329, name: 'pacific-1', evmLaunchHeight: 79_123_881n });
export const seiAtlantic = seiProfile({ chainId: 1328, name: 'atlantic-2', evmLaunchHeight: 90_526_031n });
