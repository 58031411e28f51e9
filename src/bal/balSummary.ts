/**
 * What a block-level access list costs and holds: its hash (the header commitment
 * keccak256(rlp(bal))), its RLP size and compressed size, its counts, and EIP-7928's cap
 * on items (addresses + storage keys) against the block's gas limit. Definitions:
 * docs/bal.md and docs/metrics.md.
 */
import { gzipSync } from 'node:zlib';
import { BLOCK_ACCESS_LIST_ITEM_COST, bytesToHex, countBlockAccessListItems, type BlockLevelAccessList } from '@ethereumjs/util';

export interface BalCounts {
  accounts: number;
  /** Slots with at least one change. */
  storageSlotsChanged: number;
  /** [slot, index] change entries. */
  storageWrites: number;
  /** Slots read and never changed in the block. */
  storageReads: number;
  balanceChanges: number;
  nonceChanges: number;
  codeChanges: number;
}

export interface BalSummary {
  /** keccak256 of the RLP, 0x hex. */
  hash: string;
  rlpBytes: number;
  /** gzip (node:zlib, level 9) of the RLP. */
  gzipBytes: number;
  counts: BalCounts;
  /** EIP-7928 items: accounts + storage keys (changed and read). */
  items: number;
  /** block gas limit / BLOCK_ACCESS_LIST_ITEM_COST. */
  maxItems: number;
  itemCost: number;
  withinLimit: boolean;
}

export function summarizeBal(bal: BlockLevelAccessList, blockGasLimit: bigint): BalSummary {
  const rlp = bal.serialize();
  const counts: BalCounts = { accounts: 0, storageSlotsChanged: 0, storageWrites: 0, storageReads: 0, balanceChanges: 0, nonceChanges: 0, codeChanges: 0 };
  for (const [, storageChanges, storageReads, balanceChanges, nonceChanges, codeChanges] of bal.raw()) {
    counts.accounts++;
    counts.storageSlotsChanged += storageChanges.length;
    for (const [, changes] of storageChanges) counts.storageWrites += changes.length;
    counts.storageReads += storageReads.length;
    counts.balanceChanges += balanceChanges.length;
    counts.nonceChanges += nonceChanges.length;
    counts.codeChanges += codeChanges.length;
  }
  const items = countBlockAccessListItems(bal);
  const maxItems = Number(blockGasLimit / BigInt(BLOCK_ACCESS_LIST_ITEM_COST));
  return {
    hash: bytesToHex(bal.hash()),
    rlpBytes: rlp.length,
    gzipBytes: gzipSync(rlp, { level: 9 }).length,
    counts,
    items,
    maxItems,
    itemCost: BLOCK_ACCESS_LIST_ITEM_COST,
    withinLimit: items <= maxItems,
  };
}
