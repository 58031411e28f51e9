/**
 * The header fields a block's own data proves, with no chain to ask: the transactions
 * root (the trie of the signed transactions, built by @ethereumjs/block), the block hash
 * (keccak of the RLP header, ethereumjs BlockHeader.hash()), and each transaction's hash
 * (keccak of its signed payload). A replay reproduces gas, bloom and receipts; these three
 * catch a block file whose header or transactions were changed without the replay noticing.
 *
 * What the data cannot prove is listed too (`uncheckedFields`), so a ✓ never implies more
 * than it checked: the state root (a partial pre-state cannot compute the post-state
 * trie), the miner and the other header fields the replay does not reproduce (covered only
 * by the block hash, which ties them together but is itself proven only by the chain), and
 * the ancestor hashes BLOCKHASH serves (they only land in stack and storage).
 */
import { genTransactionsTrieRoot } from '@ethereumjs/block';
import { bytesToHex } from '@ethereumjs/util';
import type { BlockContext } from '../exec/blockContext.js';
import type { Check } from './check.js';

/**
 * Header fields later hardforks add. A block replayed under later rules than its own (a
 * dev chain's --hardfork) gets them filled with defaults, so its hash cannot be recomputed.
 */
const HARDFORK_HEADER_FIELDS = ['baseFeePerGas', 'withdrawalsRoot', 'blobGasUsed', 'excessBlobGas', 'parentBeaconBlockRoot', 'requestsHash'] as const;

export interface HeaderFieldChecks {
  /** Header transactionsRoot against the trie of the block's transactions. */
  transactionsRoot: Check;
  /** The block's `hash` against the hash of its header fields. */
  blockHash: Check;
  /** Each transaction's `hash` against the hash of its signed payload; `note` names the first that differs. */
  txHashes: Check;
}

/** A header field (or datum) nothing in the block's data can check, and why. */
export interface UncheckedField {
  field: string;
  reason: string;
}

export async function checkHeaderFields(ctx: BlockContext): Promise<HeaderFieldChecks> {
  const block = ctx.data.block;
  const notEthereum = (what: string): Check => ({ status: 'n/a', note: `${ctx.profile.name} ${what}` });
  let transactionsRoot: Check;
  let blockHash: Check;
  if (!ctx.profile.verifiesHeaderRoots) {
    transactionsRoot = notEthereum('transactions roots are not Ethereum tries');
    blockHash = notEthereum('block hashes are not hashes of an Ethereum header');
  } else {
    const given = typeof block.transactionsRoot === 'string' ? block.transactionsRoot.toLowerCase() : undefined;
    transactionsRoot =
      given === undefined
        ? { status: 'n/a', note: 'the block data has no transactionsRoot' }
        : compare(given, bytesToHex(await genTransactionsTrieRoot(ctx.txs)));
    const added = HARDFORK_HEADER_FIELDS.filter((field) => block[field] === undefined && ctx.block.header[field] !== undefined);
    blockHash =
      added.length > 0
        ? { status: 'n/a', note: `the replay's rules (${ctx.hardfork}) add ${added.join(', ')} to the header, which the block does not have` }
        : compare(block.hash.toLowerCase(), bytesToHex(ctx.block.header.hash()));
  }
  let txHashes: Check = { status: 'ok', note: `${ctx.txs.length} transaction${ctx.txs.length === 1 ? '' : 's'}` };
  for (let i = 0; i < ctx.txs.length; i++) {
    const given = block.transactions[i]!.hash.toLowerCase();
    const computed = bytesToHex(ctx.txs[i]!.hash());
    if (given !== computed) {
      txHashes = { status: 'mismatch', expected: given, actual: computed, note: `transaction ${i}` };
      break;
    }
  }
  return { transactionsRoot, blockHash, txHashes };
}

/** What this block's data cannot prove (docs/metrics.md, "What verification cannot check"). */
export function uncheckedFields(ctx: BlockContext): UncheckedField[] {
  const byHashOnly = ctx.profile.verifiesHeaderRoots
    ? 'not reproduced by the replay; covered only by the block hash, which the data cannot prove is on the chain'
    : `not reproduced by the replay, and ${ctx.profile.name} block hashes do not cover it`;
  const fields: UncheckedField[] = [
    { field: 'stateRoot', reason: 'the pre-state holds only what the block touches, so the post-state trie cannot be computed' },
    { field: 'miner', reason: `${byHashOnly} (the fee credits go to it, but nothing compares it with the chain)` },
  ];
  const n = ctx.data.number;
  if (n > 1n) {
    const oldest = n > 256n ? n - 256n : 0n;
    fields.push({
      field: 'ancestor hashes',
      reason: `BLOCKHASH of blocks ${oldest}..${n - 2n} comes from blockhashes.json and only lands in stack or storage; block ${n - 1n}'s must equal parentHash`,
    });
  }
  return fields;
}

function compare(expected: string, actual: string): Check {
  return expected === actual ? { status: 'ok', expected, actual } : { status: 'mismatch', expected, actual };
}
