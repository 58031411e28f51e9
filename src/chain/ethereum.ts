/** Ethereum mainnet's profile: ethereumjs's Mainnet schedule, header roots checked. */
import { Common, Mainnet } from '@ethereumjs/common';
import { paramsVM } from '@ethereumjs/vm';
import type { ChainProfile } from './chainProfile.js';
import { customCryptoFor } from './crypto.js';

export const ethereumMainnet: ChainProfile = {
  chainId: 1,
  name: 'Ethereum mainnet',
  verifiesHeaderRoots: true,
  commonFor(blockNumber, timestamp, blobs) {
    const common = new Common({ chain: Mainnet, customCrypto: customCryptoFor(blobs) });
    common.setHardforkBy({ blockNumber, timestamp });
    // The VM's parameters now, not at VM creation: the system prelude (EIP-2935, Prague) reads them first.
    common.updateParams(paramsVM);
    return common;
  },
};
