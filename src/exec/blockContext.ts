/**
 * BlockContext: everything about one block that does not change between runs: the
 * ethereumjs Block and Common, transactions with their senders recovered once (and
 * checked against the block's `from`; recovered here, by other threads, or read from the
 * sender cache), the pre-state with the block's system writes
 * applied, and the ancestor hashes BLOCKHASH is served from. Serial runs, parallel
 * workers and verification all start from one.
 */
import { createBlockFromRPC, type Block } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import type { TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex, publicToAddress } from '@ethereumjs/util';
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
  /**
   * Public keys recovered by stm itself elsewhere (another thread, this process), to skip
   * ecrecover. Each is still checked against the transaction's `from` (a hash, cheap).
   */
  senderPublicKeys?: Uint8Array[];
  /**
   * Public keys read from the sender cache, with the transaction hashes they were recovered
   * for. Used only where the hash of the decoded transaction (which covers its signature)
   * and the key's address both match; any other transaction is recovered as usual.
   */
  cachedSenders?: { txHashes: Uint8Array[]; keys: Uint8Array[] };
}

/** The address of a 64-byte public key, as lowercase hex. */
function addressOf(publicKey: Uint8Array): string {
  return bytesToHex(publicToAddress(publicKey));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Recovers the senders of transactions [start, end) of a decoded block (ecrecover, ~1–3 ms
 * each), checked against the block's `from`. Threads split a large block between them.
 */
export function recoverSenders(data: BlockData, txs: TypedTransaction[], start: number, end: number, into: Uint8Array[]): void {
  for (let i = start; i < end; i++) {
    let sender: string;
    try {
      into[i] = txs[i]!.getSenderPublicKey();
      sender = addressOf(into[i]!);
    } catch (error) {
      throw new CorruptDataError(`transaction ${i} (${data.block.transactions[i]!.hash}) of block ${data.number} has an invalid signature`, { cause: error });
    }
    const expected = data.block.transactions[i]!.from.toLowerCase();
    if (sender !== expected) {
      throw new CorruptDataError(`transaction ${i} (${data.block.transactions[i]!.hash}): recovered sender ${sender} differs from the block's "from" ${expected}`);
    }
  }
}

/** Decodes the block (ethereumjs Block and Common) without recovering senders. */
export function decodeBlock(data: BlockData): { profile: ChainProfile; block: Block } {
  const profile = profileFor(data);
  const blobs = data.block.transactions.some((tx) => tx.type === '0x3');
  const common = profile.commonFor(BigInt(data.block.number), BigInt(data.block.timestamp), blobs);
  try {
    return { profile, block: createBlockFromRPC(data.block as never, [], { common, setHardfork: true }) };
  } catch (error) {
    throw new CorruptDataError(`block ${data.number} cannot be decoded: ${(error as Error).message}`, { cause: error });
  }
}

export function createBlockContext(data: BlockData, options: BlockContextOptions = {}): BlockContext {
  const { profile, block } = decodeBlock(data);
  const txs = block.transactions as TypedTransaction[];
  const senderPublicKeys: Uint8Array[] = new Array<Uint8Array>(txs.length);
  const cached = options.cachedSenders;
  txs.forEach((tx, i) => {
    let given = options.senderPublicKeys?.[i];
    if (given === undefined && cached !== undefined && cached.keys[i] !== undefined && cached.txHashes[i] !== undefined && sameBytes(tx.hash(), cached.txHashes[i]!)) given = cached.keys[i];
    if (given !== undefined && addressOf(given) === data.block.transactions[i]!.from.toLowerCase()) {
      (tx as unknown as { cache: { senderPubKey?: Uint8Array } }).cache.senderPubKey = given;
      senderPublicKeys[i] = given;
      return;
    }
    if (given !== undefined && options.senderPublicKeys !== undefined) {
      throw new CorruptDataError(`transaction ${i} (${data.block.transactions[i]!.hash}): the sender recovered for it is not the block's "from" ${data.block.transactions[i]!.from}`);
    }
    recoverSenders(data, txs, i, i + 1, senderPublicKeys);
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
