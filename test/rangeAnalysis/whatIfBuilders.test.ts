// What-if ceilings and builders on synthetic blocks whose graph and fee recipient are set
// by construction: the gains are exactly those of the graph with the same edges removed by
// hand, and blocks group by fee recipient with the builder's name read from extraData.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRange } from '../../src/rangeAnalysis/analyzeRange.js';
import { readableExtraData, topOfBlock } from '../../src/rangeAnalysis/analyzeBlock.js';
import { ceilings } from '../../src/analysis/ceiling.js';
import { buildDependencyGraph } from '../../src/analysis/dependencyGraph.js';
import type { BlockData } from '../../src/data/blockData.js';
import { generateBlock } from '../../src/synth/generate.js';
import { resolveParams } from '../../src/synth/params.js';
import { ETHER, fund, syntheticBlock, testAccount, testAddress, type TestAccount } from '../helpers/syntheticBlock.js';

const machine = { cpuModel: 'test', cores: 2, memoryGb: 1, node: process.version, platform: 'linux', arch: 'x64' } as never;
const A = testAccount(1);
const B = testAccount(2);
const C = testAccount(3);
const pay = (from: TestAccount, to: number) => ({ from, to: testAddress(to), value: ETHER / 100n });
// By construction (docs/synth.md, "Expected graph"): a sender's transactions form a chain
// through its nonce and balance; transfers to fresh addresses and the fee are no edges.
//   0: A→   1: A→ (waits for 0)   2: B→   3: A→ (waits for 1)   4: B→ (waits for 2)   5: C→
const TXS = [pay(A, 0x100), pay(A, 0x101), pay(B, 0x102), pay(A, 0x103), pay(B, 0x104), pay(C, 0x105)];
const EDGES = [
  { from: 0, to: 1, owner: A.address },
  { from: 1, to: 3, owner: A.address },
  { from: 2, to: 4, owner: B.address },
];

function blockOf(number: bigint, coinbase: string, extraData: string): BlockData {
  return syntheticBlock({ number, coinbase, extraData, prestate: fund([A, B, C]), txs: TXS });
}

test('--what-if: each block\'s ceilings with a sender\'s (contract\'s) edges removed equal those of the graph with the same edges removed by hand', { timeout: 60_000 }, async () => {
  const data = blockOf(17_100_000n, testAddress(0xb1), '0x');
  const report = await analyzeRange({ numbers: [data.number], load: async () => data, options: { threads: 2, runs: 1, warmup: 0, parallel: false, fallback: true, heat: 'edges', simulate: [], whatIf: 3 }, machine, toolVersion: 'test' });
  const block = report.blocks[0]!;
  assert.deepEqual(block.dependsOn, [[], [0], [], [1], [2], []], 'the graph is the constructed one');
  const txMs = block.txMs;
  const byHand = (owner: string | null) => {
    const kept = EDGES.filter((e) => e.owner !== owner).map((e) => ({ from: e.from, to: e.to, location: e.owner }));
    const c = ceilings(buildDependencyGraph(6, kept), txMs, 2);
    return { infinite: c.infinite, threads: c.threads };
  };
  const whatIf = block.whatIf!;
  assert.deepEqual(whatIf.base, byHand(null));
  for (const sender of [A, B]) {
    const expected = byHand(sender.address);
    const changes = expected.infinite !== whatIf.base.infinite || expected.threads !== whatIf.base.threads;
    assert.deepEqual(whatIf.contracts[sender.address], changes ? expected : undefined, sender.address);
    // A sender's balance and nonce are separate locations: each alone leaves the chain in place (the other still orders it).
    assert.equal(whatIf.slots[`n:${sender.address}`], undefined);
  }
  // One of the two chains is the critical path: removing it changes ceiling(∞).
  assert.ok(Object.keys(whatIf.contracts).length >= 1, JSON.stringify(whatIf));
  // The range table lists what changes something, with gain = after / base, exactly.
  for (const sender of [A, B]) {
    const after = whatIf.contracts[sender.address];
    if (after === undefined) continue;
    const entry = report.whatIf!.contracts.find((e) => e.key === sender.address)!;
    assert.equal(entry.medianGainInfinite, after.infinite / whatIf.base.infinite);
    assert.equal(entry.meanGainThreads, after.threads / whatIf.base.threads);
    assert.deepEqual(entry.perBlock, [{ number: block.number, infinite: after.infinite, threads: after.threads, gainInfinite: after.infinite / whatIf.base.infinite, gainThreads: after.threads / whatIf.base.threads }]);
    assert.equal(entry.blocks, 1);
    assert.ok(entry.medianGainInfinite >= 1);
  }
  // Ranked by gain: the first entry gains the most.
  const gains = report.whatIf!.contracts.map((e) => e.meanGainInfinite);
  assert.deepEqual(gains, [...gains].sort((a, b) => b - a));
});

test('builders: blocks grouped by fee recipient, named from extraData when it is readable, with medians of their figures', { timeout: 60_000 }, async () => {
  const x = testAddress(0xb1);
  const y = testAddress(0xb2);
  const titan = '0x' + Buffer.from('Titan (titanbuilder.xyz)').toString('hex');
  const blocks = [blockOf(17_100_001n, x, titan), blockOf(17_100_002n, x, titan), blockOf(17_100_003n, y, '0xd883010a0e846765746888676f312e32312e36856c696e7578'), blockOf(17_100_004n, x, titan)];
  const byNumber = new Map(blocks.map((b) => [b.number, b]));
  const report = await analyzeRange({ numbers: blocks.map((b) => b.number), load: async (n) => byNumber.get(n)!, options: { threads: 2, runs: 1, warmup: 0, parallel: false, fallback: true, heat: 'edges', simulate: [] }, machine, toolVersion: 'test' });
  assert.equal(report.builders.length, 2);
  const [first, second] = report.builders;
  assert.equal(first!.feeRecipient, x);
  assert.equal(first!.name, 'Titan (titanbuilder.xyz)');
  assert.deepEqual(first!.extraData, ['Titan (titanbuilder.xyz)']);
  assert.equal(first!.blocks, 3);
  assert.equal(first!.txs, 18);
  assert.equal(first!.medianDependentTxs, 3);
  assert.equal(first!.medianConflicts, null, 'no executor run');
  // Top 10% of 6 transactions = the first one, which depends on nothing.
  assert.equal(first!.medianDependentTop, 0);
  assert.equal(first!.medianDependentRest, 3);
  assert.equal(second!.feeRecipient, y);
  assert.equal(second!.name, null, 'a geth version string in RLP is not a name');
  assert.equal(second!.blocks, 1);
  assert.equal(report.blocks[0]!.builder!.extraDataText, 'Titan (titanbuilder.xyz)');
  assert.deepEqual(report.chainIds, [1]);
});

test('extraData is a name only when it is printable text', () => {
  assert.equal(readableExtraData('0x6265617665726275696c642e6f7267'), 'beaverbuild.org');
  assert.equal(readableExtraData('0x'), null);
  assert.equal(readableExtraData('0x' + Buffer.from('evil\u202Eredliub').toString('hex')), null, 'a bidi override would reorder the terminal line');
  assert.equal(readableExtraData('0x' + Buffer.from('0x486976656f6e20506f6f6c').toString('hex')), 'Hiveon Pool', 'a name written hex-encoded as text');
  assert.equal(readableExtraData('0xd883010a0e846765746888676f312e32312e36856c696e7578'), null);
  assert.equal(readableExtraData('0x' + Buffer.from('🦫 beaver').toString('hex')), '🦫 beaver');
});

test('the top of the block: the first 10% of transactions against the rest', () => {
  // 20 txs: the top is txs 0 and 1. Tx 1 and tx 5 depend on tx 0; the critical path 0 → 1 → 5.
  const dependsOn = Array.from({ length: 20 }, (_, j) => (j === 1 || j === 5 ? [0] : []));
  const txMs = Array.from({ length: 20 }, () => 1);
  const split = topOfBlock(dependsOn, [0, 1, 5], txMs);
  assert.deepEqual(split, { topTxs: 2, dependentTop: 1, dependentRest: 1, criticalShareTop: 2 / 3, criticalShareRest: 1 / 3 });
  assert.deepEqual(topOfBlock([], [], []), { topTxs: 0, dependentTop: 0, dependentRest: 0, criticalShareTop: 0, criticalShareRest: 0 });
  assert.equal(topOfBlock([[]], [0], [0]).criticalShareTop, 1);
});

test('stm synth --fee-recipient/--extra-data: generated blocks verify and group by their builder', { timeout: 120_000 }, async () => {
  const titan = '0x4838b106fce9647bdf1e7877bf73ce8b0bad5f97';
  const other = '0x' + '77'.repeat(20);
  const made = [];
  for (const [i, feeRecipient, extraData] of [[0, titan, 'Titan (titanbuilder.xyz)'], [1, other, 'local'], [2, titan, 'Titan (titanbuilder.xyz)']] as const) {
    made.push(await generateBlock(resolveParams({ kind: 'erc20', txs: 12, contention: 0.5, number: 90_000_000n + BigInt(i), seed: i + 1, feeRecipient, extraData })));
  }
  assert.equal(made[1]!.data.block.miner, other);
  assert.equal(made[1]!.data.block.extraData, '0x' + Buffer.from('local').toString('hex'));
  const byNumber = new Map(made.map((m) => [m.data.number, m.data]));
  const report = await analyzeRange({ numbers: [...byNumber.keys()], load: async (n) => byNumber.get(n)!, options: { threads: 2, runs: 1, warmup: 0, parallel: false, fallback: true, heat: 'edges', simulate: [] }, machine, toolVersion: 'test' });
  assert.equal(report.summary.ok, 3, 'synthetic blocks verify');
  assert.deepEqual(report.builders.map((b) => [b.feeRecipient, b.name, b.blocks]), [[titan, 'Titan Builder', 2], [other, 'local', 1]]);
  // Their graphs are the constructed ones.
  for (const m of made) assert.equal(report.blocks.find((b) => b.number === m.data.number.toString())!.dependencies!.all.dependentTxs, m.expected.preds.filter((p) => p.length > 0).length);
});
