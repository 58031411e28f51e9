/**
 * The root of an Ethereum "ordered trie" (the transactions and receipts tries: key
 * RLP(index), value the encoded item), built in one pass over the sorted keys instead of
 * one trie insertion at a time. For a gigagas block (48,000 transactions) ethereumjs's
 * MerklePatriciaTrie takes ~12 s per trie on a small machine; this takes well under one.
 * test/synth/orderedTrie.test.ts checks it against MerklePatriciaTrie.
 *
 * A node is RLP-encoded; a child whose encoding is shorter than 32 bytes is embedded in
 * its parent, a longer one is referenced by its keccak-256. Paths are hex-prefix encoded
 * (Yellow Paper appendix C and D).
 */
import { RLP } from '@ethereumjs/rlp';
import { keccak_256 as keccak256 } from '@noble/hashes/sha3.js';

type Encoded = Uint8Array | Uint8Array[] | Encoded[];

interface Item {
  nibbles: Uint8Array;
  value: Uint8Array;
}

function toNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4;
    out[2 * i + 1] = key[i]! & 15;
  }
  return out;
}

/** Hex-prefix encoding of a nibble path (leaf flag 2, odd-length flag 1). */
function hexPrefix(nibbles: Uint8Array, leaf: boolean): Uint8Array {
  const odd = nibbles.length % 2 === 1;
  const out = new Uint8Array(Math.floor(nibbles.length / 2) + 1);
  out[0] = ((leaf ? 2 : 0) + (odd ? 1 : 0)) << 4;
  let i = 0;
  if (odd) out[0] |= nibbles[i++]!;
  for (let j = 1; i < nibbles.length; i += 2, j++) out[j] = (nibbles[i]! << 4) | nibbles[i + 1]!;
  return out;
}

/** How a child appears in its parent: its structure when its encoding is short, else its hash. */
function reference(node: Encoded): Encoded {
  const encoded = RLP.encode(node as never);
  return encoded.length < 32 ? node : keccak256(encoded);
}

/** The node for items[from, to), all sharing their first `depth` nibbles (sorted by nibbles). */
function build(items: Item[], from: number, to: number, depth: number): Encoded {
  const first = items[from]!;
  if (to - from === 1) return [hexPrefix(first.nibbles.subarray(depth), true), first.value];
  // The longest common prefix beyond `depth`: first and last share it when sorted.
  const last = items[to - 1]!;
  let common = depth;
  while (common < first.nibbles.length && common < last.nibbles.length && first.nibbles[common] === last.nibbles[common]) common++;
  if (common > depth) return [hexPrefix(first.nibbles.subarray(depth, common), false), reference(build(items, from, to, common))];
  const branch: Encoded[] = Array.from({ length: 17 }, () => new Uint8Array(0));
  let i = from;
  if (first.nibbles.length === depth) branch[16] = items[i++]!.value; // a key that ends here
  while (i < to) {
    const nibble = items[i]!.nibbles[depth]!;
    let j = i + 1;
    while (j < to && items[j]!.nibbles[depth] === nibble) j++;
    branch[nibble] = reference(build(items, i, j, depth + 1));
    i = j;
  }
  return branch;
}

function compareNibbles(a: Item, b: Item): number {
  const n = Math.min(a.nibbles.length, b.nibbles.length);
  for (let i = 0; i < n; i++) if (a.nibbles[i] !== b.nibbles[i]) return a.nibbles[i]! - b.nibbles[i]!;
  return a.nibbles.length - b.nibbles.length;
}

/** keccak-256 root of the trie mapping RLP(i) → values[i]. */
export function orderedTrieRoot(values: Uint8Array[]): Uint8Array {
  if (values.length === 0) return keccak256(RLP.encode(new Uint8Array(0)));
  const items = values.map((value, i) => ({ nibbles: toNibbles(RLP.encode(i)), value }));
  items.sort(compareNibbles);
  return keccak256(RLP.encode(build(items, 0, items.length, 0) as never));
}
