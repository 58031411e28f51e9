// The one-pass ordered-trie root (transactions and receipts roots of synthetic blocks)
// equals ethereumjs's MerklePatriciaTrie, for sizes around every change of key length
// and branch shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex } from '@ethereumjs/util';
import { orderedTrieRoot } from '../../src/synth/orderedTrie.js';

test('orderedTrieRoot equals MerklePatriciaTrie for 0 to 1,000 items of short and long values', async () => {
  for (const n of [0, 1, 2, 3, 15, 16, 17, 127, 128, 129, 255, 256, 257, 1000]) {
    // Values from 1 to 60 bytes: some nodes are embedded in their parent (< 32 bytes), some hashed.
    const values = Array.from({ length: n }, (_, i) => Uint8Array.from({ length: ((i * 7) % 60) + 1 }, (_, j) => (i * 31 + j) & 255));
    const trie = new MerklePatriciaTrie();
    for (let i = 0; i < n; i++) await trie.put(RLP.encode(i), values[i]!);
    assert.equal(bytesToHex(orderedTrieRoot(values)), bytesToHex(trie.root()), `${n} items`);
  }
});
