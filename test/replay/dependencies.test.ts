// The dependency graph a replay records, on blocks built to have one known shape each
// (test/helpers/syntheticBlock.ts): the acceptance specs for what counts as a dependency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { bytesToBigInt } from '@ethereumjs/util';
import { ETHER, GWEI, fund, syntheticBlock, testAccount, testAddress } from '../helpers/syntheticBlock.js';

const quick = { runs: 1, warmup: 0, threads: 4 };

/** The (from, to) pairs of the graph, as "i→j" strings. */
function edgePairs(preds: number[][]): string[] {
  return preds.flatMap((list, to) => list.map((from) => `${from}→${to}`));
}

test('a block of independent transfers that share a coinbase has zero dependencies', async () => {
  const senders = [1, 2, 3, 4].map(testAccount);
  const data = syntheticBlock({
    prestate: fund(senders),
    txs: senders.map((from, i) => ({ from, to: testAddress(0x100 + i), value: ETHER / 10n, type: i % 2 === 0 ? '1559' : 'legacy' })),
  });
  const serial = await replaySerial(data, quick);
  assert.deepEqual(serial.gasUsed, [21000n, 21000n, 21000n, 21000n]);
  // Every transaction paid a fee to the same coinbase ...
  for (const run of serial.run.txs) assert.deepEqual(run.writes.creditKeys, [`b:${data.block.miner}`]);
  // ... and none depends on another: the fee credit is commutative.
  assert.deepEqual(edgePairs(serial.analysis.graph.preds), []);
  assert.equal(serial.analysis.all.dependentTxs, 0);
  assert.equal(serial.analysis.all.longestChain, 1);
  assert.deepEqual(serial.analysis.edges, []);
});

test('in a block where tx 2 spends what tx 1 sent, the graph has exactly the edge 1→2', async () => {
  const [alice, bob, carol] = [11, 12, 13].map(testAccount) as [ReturnType<typeof testAccount>, ReturnType<typeof testAccount>, ReturnType<typeof testAccount>];
  const data = syntheticBlock({
    // bob starts with nothing: he can only pay for tx 2 with what tx 1 sends him.
    prestate: fund([alice, carol]),
    txs: [
      { from: carol, to: testAddress(0x200), value: ETHER },
      { from: alice, to: bob.address, value: ETHER },
      { from: bob, to: testAddress(0x201), value: ETHER / 2n },
    ],
  });
  const serial = await replaySerial(data, quick);
  assert.ok(serial.run.txs.every((run) => run.gasUsed === 21000n), 'all three transfers succeed');
  assert.deepEqual(edgePairs(serial.analysis.graph.preds), ['1→2']);
  assert.deepEqual(serial.analysis.graph.preds, [[], [], [1]]);
  assert.equal(serial.analysis.all.edges, 1);
  assert.equal(serial.analysis.all.longestChain, 2);
  // The edge is through bob's balance.
  const locations = serial.analysis.edges.filter((e) => e.from === 1 && e.to === 2).map((e) => e.location);
  assert.ok(locations.includes(`b:${bob.address}`), `edge 1→2 through bob's balance, got ${locations.join(', ')}`);
  // Balances are not storage: the storage-only view has no edge.
  assert.equal(serial.analysis.storageOnly.edges, 0);
});

test('a tx that reads BALANCE(COINBASE) depends on the earlier fee payers', async () => {
  const payers = [21, 22, 23].map(testAccount);
  const reader = testAccount(24);
  const probe = testAddress(0xbbbb);
  const data = syntheticBlock({
    prestate: {
      ...fund([...payers, reader]),
      // COINBASE BALANCE PUSH0 SSTORE STOP: stores the coinbase's balance in slot 0.
      [probe]: { balance: '0x0', nonce: 1, code: '0x41315f5500' },
    },
    txs: [...payers.map((from, i) => ({ from, to: testAddress(0x300 + i), value: 1000n })), { from: reader, to: probe, gasLimit: 100_000n }],
  });
  const serial = await replaySerial(data, quick);
  const last = payers.length;
  const coinbaseBalance = `b:${data.block.miner}`;
  assert.deepEqual(serial.analysis.graph.preds[last], [0, 1, 2]);
  for (let i = 0; i < last; i++) {
    assert.ok(
      serial.analysis.edges.some((e) => e.from === i && e.to === last && e.location === coinbaseBalance),
      `edge ${i}→${last} through the coinbase balance`,
    );
  }
  // The fee payers themselves stay independent of each other.
  assert.deepEqual(serial.analysis.graph.preds.slice(0, last), [[], [], []]);
  // What the probe stored is the coinbase balance including all three earlier fees.
  const stored = serial.run.txs[last]!.writes.keys.indexOf(`s:${probe}:0x${'00'.repeat(32)}`);
  assert.notEqual(stored, -1, 'the probe wrote slot 0');
  const value = bytesToBigInt(serial.run.txs[last]!.writes.values[stored] as Uint8Array);
  assert.equal(value, 3n * 21_000n * GWEI, 'three fees of 21,000 gas at a 1 gwei tip');
});
