/**
 * BlockContext: everything about one block that does not change between runs: the
 * ethereumjs Block and Common, transactions with their senders recovered once (and
 * checked against the block's `from`), the pre-state with the block's system writes
 * applied, and the ancestor hashes BLOCKHASH is served from. Serial runs, parallel
 * workers and verification all start from one.
 */
import { createBlockFromRPC, type Block } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import type { TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex } from '@ethereumjs/util';
import type { ChainProfile } from '../chain/chainProfile.js';
import { profileFor } from '../chain/profiles.js';
import type { BlockData } from '../data/blockData.js';
import { CorruptDataError, StmError } from '../errors.js';
import { PreState } from '../state/preState.js';
import { applySystemPrelude, type SystemPrelude } from './systemOps.js';

export interface BlockContext {
  data: BlockData;
  profile: ChainProfile;
  common: Common;
  block: Block;
  txs: TypedTransaction[];
  /** Sender public keys (64 bytes each), recovered once; workers get these instead of recovering again. */
  senderPublicKeys: Uint8Array[];
  pre: PreState;
  /** The block's system writes before its transactions (already in `pre`), for the access list's index 0. */
  prelude: SystemPrelude;
  coinbase: string;
  hardfork: string;
  /** EIP-161 active: touched empty accounts are deleted. */
  deletesEmptyAccounts: boolean;
  byzantium: boolean;
}

export interface BlockContextOptions {
  /** Public keys recovered elsewhere (the main thread), to skip ecrecover in workers. */
  senderPublicKeys?: Uint8Array[];
}

export function createBlockContext(data: BlockData, options: BlockContextOptions = {}): BlockContext {
  const profile = profileFor(data);
  const blobs = data.block.transactions.some((tx) => tx.type === '0x3');
  const common = profile.commonFor(BigInt(data.block.number), BigInt(data.block.timestamp), blobs);
  let block: Block;
  try {
    block = createBlockFromRPC(data.block as never, [], { common, setHardfork: true });
  } catch (error) {
    throw new CorruptDataError(`block ${data.number} cannot be decoded: ${(error as Error).message}`, { cause: error });
  }
  const txs = block.transactions as TypedTransaction[];
  const senderPublicKeys: Uint8Array[] = [];
  txs.forEach((tx, i) => {
    const given = options.senderPublicKeys?.[i];
    if (given !== undefined) {
      (tx as unknown as { cache: { senderPubKey?: Uint8Array } }).cache.senderPubKey = given;
      senderPublicKeys.push(given);
      return;
    }
    let sender: string;
    try {
      senderPublicKeys.push(tx.getSenderPublicKey());
      sender = tx.getSenderAddress().toString();
    } catch (error) {
      throw new CorruptDataError(`transaction ${i} (${data.block.transactions[i]!.hash}) of block ${data.number} has an invalid signature`, { cause: error });
    }
    const expected = data.block.transactions[i]!.from.toLowerCase();
    if (sender !== expected) {
      throw new CorruptDataError(`transaction ${i} (${data.block.transactions[i]!.hash}): recovered sender ${sender} differs from the block's "from" ${expected}`);
    }
  });
  const pre = new PreState(data.prestate);
  const blockCommon = block.common;
  const prelude = applySystemPrelude(blockCommon, block, pre);
  return {
    data,
    profile,
    common: blockCommon,
    block,
    txs,
    senderPublicKeys,
    pre,
    prelude,
    coinbase: block.header.coinbase.toString(),
    hardfork: blockCommon.hardfork(),
    deletesEmptyAccounts: blockCommon.gteHardfork('spuriousDragon'),
    byzantium: blockCommon.gteHardfork('byzantium'),
  };
}

/** The hash of transaction i, as hex. */
export function txHash(ctx: BlockContext, i: number): string {
  return ctx.data.block.transactions[i]?.hash ?? bytesToHex(ctx.txs[i]!.hash());
}

export class UnsupportedBlockError extends StmError {
  override name = 'UnsupportedBlockError';
}
