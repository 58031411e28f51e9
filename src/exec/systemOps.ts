/**
 * What a block does besides its transactions, applied as the chain does:
 *   before the transactions (the prelude, written into the pre-state so serial and
 *   parallel runs start from the same state): the EIP-4788 beacon-root write and the
 *   EIP-2935 parent-hash write;
 *   after them (the epilogue, balance credits): EIP-4895 withdrawals and the proof-of-work
 *   block reward (the miner's share, including its reward for included uncles). Uncle
 *   miners' own rewards need uncle headers, which block data does not carry (it has
 *   their hashes only); they change neither gas nor receipts. The DAO-fork block's
 *   irregular state change is not implemented: that block is refused.
 */
import type { Block } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import { Account, Address, bigIntToBytes, bytesToHex, setLengthLeft } from '@ethereumjs/util';
import { UsageError } from '../errors.js';
import { CodeValue, stripZeros, type LocationValue } from '../state/locations.js';
import type { PreState } from '../state/preState.js';
import type { TxState } from '../state/txState.js';

const BEACON_ROOTS_ADDRESS = '0x000f3df6d732807ef1319fb7b8bb8522d0beac02';

function slotKey(address: string, slot: bigint): string {
  return 's:' + address + ':' + bytesToHex(setLengthLeft(bigIntToBytes(slot), 32));
}

function hasCode(pre: PreState, address: string): boolean {
  return (pre.get('c:' + address) as CodeValue).bytes.length > 0;
}

/**
 * What the prelude did, for the block-level access list (index 0): each storage write with
 * the value before it, and the system contracts it addressed (a contract without code is
 * addressed but not written).
 */
export interface SystemPrelude {
  writes: Array<{ key: string; before: LocationValue; value: LocationValue }>;
  addressed: string[];
}

export function applySystemPrelude(common: Common, block: Block, pre: PreState): SystemPrelude {
  const header = block.header;
  const prelude: SystemPrelude = { writes: [], addressed: [] };
  const write = (key: string, value: LocationValue): void => {
    prelude.writes.push({ key, before: pre.get(key), value });
    pre.override(key, value);
  };
  if (common.hardforkBlock('dao') === header.number) {
    throw new UsageError(`block ${header.number} is the DAO-fork block, whose irregular state change stm does not replay`);
  }
  if (common.isActivatedEIP(4788) && header.parentBeaconBlockRoot !== undefined) {
    prelude.addressed.push(BEACON_ROOTS_ADDRESS);
    if (hasCode(pre, BEACON_ROOTS_ADDRESS)) {
      const length = BigInt(common.param('historicalRootsLength'));
      const index = header.timestamp % length;
      write(slotKey(BEACON_ROOTS_ADDRESS, index), stripZeros(bigIntToBytes(header.timestamp)));
      write(slotKey(BEACON_ROOTS_ADDRESS, index + length), stripZeros(header.parentBeaconBlockRoot));
    }
  }
  if (common.isActivatedEIP(2935)) {
    const address = bytesToHex(setLengthLeft(bigIntToBytes(BigInt(common.param('historyStorageAddress'))), 20));
    prelude.addressed.push(address);
    if (hasCode(pre, address)) {
      const window = BigInt(common.param('historyServeWindow'));
      write(slotKey(address, (header.number - 1n) % window), stripZeros(header.parentHash));
    }
  }
  return prelude;
}

/** The balance credits after the transactions: withdrawals, then the miner's block reward. */
export function epilogueCredits(common: Common, block: Block, uncleCount: number): Array<[Address, bigint]> {
  const credits: Array<[Address, bigint]> = [];
  if (common.isActivatedEIP(4895)) {
    for (const withdrawal of block.withdrawals ?? []) credits.push([withdrawal.address, withdrawal.amount * 1_000_000_000n]);
  }
  if (common.consensusType() === 'pow') {
    const reward = BigInt(common.param('minerReward'));
    credits.push([block.header.coinbase, reward + (reward / 32n) * BigInt(uncleCount)]);
  }
  return credits;
}

/** Applies the epilogue through a TxState (begun by the caller on the final state). */
export async function applyEpilogue(state: TxState, credits: Array<[Address, bigint]>): Promise<void> {
  for (const [address, amount] of credits) {
    const account = (await state.getAccount(address)) ?? new Account();
    account.balance += amount;
    await state.putAccount(address, account);
  }
}

export { Address };
