/**
 * The reference for stm's block-level access lists: ethereumjs's own generator. Runs the
 * whole block with ethereumjs's runBlock (its own state manager, loaded from the block's
 * pre-state data) under the block's rules plus EIP-7928, which ethereumjs allows from
 * Prague on, and returns the list the VM built while executing.
 */
import { createBlockFromRPC } from '@ethereumjs/block';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, createAddressFromString, hexToBytes, setLengthLeft, type BlockLevelAccessList } from '@ethereumjs/util';
import { createVM, runBlock } from '@ethereumjs/vm';
import type { BlockData } from '../../src/data/blockData.js';
import { createBlockContext } from '../../src/exec/blockContext.js';

export async function vmBlockAccessList(data: BlockData): Promise<BlockLevelAccessList> {
  const ctx = createBlockContext(data);
  const common = ctx.common.copy();
  common.setEIPs([7928]);
  const block = createBlockFromRPC(data.block as never, [], { common, setHardfork: false });
  const state = new MerkleStateManager({ common });
  for (const [rawAddress, account] of Object.entries(data.prestate)) {
    const address = createAddressFromString(rawAddress.toLowerCase());
    await state.putAccount(address, new Account(BigInt(account.nonce ?? 0), BigInt(account.balance ?? '0x0')));
    if (account.code !== undefined && account.code !== '0x') await state.putCode(address, hexToBytes(account.code as `0x${string}`));
    for (const [slot, value] of Object.entries(account.storage ?? {})) {
      await state.putStorage(address, setLengthLeft(hexToBytes(even(slot)), 32), hexToBytes(even(value)));
    }
  }
  const hashes = data.blockHashes;
  const blockchain = {
    async getBlock(n: number | bigint) {
      const hash = hashes.get(BigInt(n));
      if (hash === undefined) throw new Error(`no hash for block ${n}`);
      return { hash: () => hexToBytes(hash as `0x${string}`) };
    },
    async putBlock() {},
    shallowCopy() {
      return this;
    },
    async validateHeader() {},
  };
  const vm = await createVM({ common, stateManager: state, blockchain: blockchain as never });
  await runBlock(vm, { block, generate: true, skipBlockValidation: true, skipHeaderValidation: true, skipHardForkValidation: true });
  return vm.evm.blockLevelAccessList!;
}

function even(hex: string): `0x${string}` {
  const digits = hex.slice(2);
  return `0x${digits.length % 2 === 1 ? '0' + digits : digits}`;
}
