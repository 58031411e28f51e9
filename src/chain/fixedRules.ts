/**
 * A Common for a chain that is not Ethereum mainnet but runs its rules: every hardfork up
 * to `hardfork` active from block 0 (the DAO fork, a mainnet state change, left out), the
 * chain's own id (transactions are signed for it; CHAINID returns it), and optional
 * parameter changes. Dev chains (anvil, hardhat) and Sei use it.
 */
import { Mainnet, createCustomCommon, type Common, type ParamsDict } from '@ethereumjs/common';
import { paramsVM } from '@ethereumjs/vm';
import { UsageError } from '../errors.js';
import { customCryptoFor } from './crypto.js';

/** Hardfork names stm accepts for --hardfork, oldest first (those ethereumjs knows). */
export const HARDFORK_NAMES: readonly string[] = Mainnet.hardforks.map((h) => h.name).filter((name) => name !== 'dao');

export function checkHardforkName(name: string): string {
  const normalized = name.trim();
  const found = HARDFORK_NAMES.find((known) => known.toLowerCase() === normalized.toLowerCase());
  if (found === undefined) throw new UsageError(`--hardfork expects one of ${HARDFORK_NAMES.join(', ')}; got "${name}"`);
  return found;
}

export function fixedRulesCommon(chainId: number, name: string, hardfork: string, blobs: boolean, params?: ParamsDict): Common {
  const upTo = HARDFORK_NAMES.slice(0, HARDFORK_NAMES.indexOf(checkHardforkName(hardfork)) + 1);
  const common = createCustomCommon(
    { chainId, name, hardforks: upTo.map((hf) => ({ name: hf, block: 0 })) },
    Mainnet,
    { hardfork, customCrypto: customCryptoFor(blobs) },
  );
  // The VM's parameters now, not at VM creation: the system prelude (EIP-2935) reads them first.
  common.updateParams(paramsVM);
  if (params !== undefined) common.updateParams(params);
  return common;
}
