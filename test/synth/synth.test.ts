// Synthetic blocks (src/synth) as specifications: the graph each one has by construction is
// exactly the graph stm's serial replay finds in it, with the same ceilings, for every kind
// and several contention settings; blocks verify against their own header; the same
// parameters give the same bytes; impossible parameters are refused in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ceilings } from '../../src/analysis/ceiling.js';
import { readBlockDir } from '../../src/data/fixtureStore.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { replaySerial, type SerialReplay } from '../../src/replay/replayBlock.js';
import { parseSynthOptions, type SynthCommandOptions } from '../../src/cli/commands/synth.js';
import { generateBlock, type SyntheticBlock } from '../../src/synth/generate.js';
import { GAS_LIMIT } from '../../src/synth/layout.js';
import { resolveParams, type SynthParams } from '../../src/synth/params.js';
import { GAS_ESTIMATE } from '../../src/synth/plan.js';
import { expectedDependencyGraph } from '../../src/synth/summary.js';
import { writeSyntheticBlock } from '../../src/synth/writeBlock.js';

const quick = { runs: 1, warmup: 0, threads: 4 };
const out = mkdtempSync(join(tmpdir(), 'stm-synth-test-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));

async function synthAndReplay(given: Partial<SynthParams> & { kind: SynthParams['kind'] }): Promise<{ block: SyntheticBlock; serial: SerialReplay }> {
  const block = await generateBlock(resolveParams(given));
  const serial = await replaySerial(block.data, quick);
  return { block, serial };
}

/** Every read-after-write as "from→to @location", unique and sorted. */
function edgeSet(edges: Array<{ from: number; to: number; location: string }>): string[] {
  return [...new Set(edges.map((e) => `${e.from}→${e.to} @${e.location}`))].sort();
}

/** Asserts the replay found exactly the graph and ceilings the block has by construction. */
function assertGraphAsConstructed(block: SyntheticBlock, serial: SerialReplay): void {
  const v = serial.verification;
  assert.ok(v.ok, `the block verifies against its own header: gas ${v.gas.status}, bloom ${v.logsBloom.status}, receipts root ${v.receiptsRoot.status}`);
  assert.deepEqual(serial.gasUsed, block.gasUsed, 'gas per tx as generated');
  assert.deepEqual(serial.analysis.graph.preds, block.expected.preds, 'preds');
  assert.equal(serial.analysis.graph.edgeCount, block.expected.edgeCount, 'edge count');
  assert.deepEqual(edgeSet(serial.analysis.edges), edgeSet(block.expected.edges), 'every edge, with its location');
  const expected = ceilings(expectedDependencyGraph(block), block.gasUsed.map(Number), quick.threads);
  assert.equal(serial.analysis.all.byGas.infinite, expected.infinite, 'ceiling(∞) by gas');
  assert.equal(serial.analysis.all.byGas.threads, expected.threads, `ceiling(${quick.threads}) by gas`);
  // The "transfers commute" view: exactly the graph with commutative sender updates.
  assert.deepEqual(serial.analysis.commutativeGraph.preds, block.expectedCommutative.preds, 'preds (transfers commute)');
  assert.deepEqual(edgeSet(serial.analysis.commutativeEdges), edgeSet(block.expectedCommutative.edges), 'every edge, with its location (transfers commute)');
}

const cases: Array<Partial<SynthParams> & { kind: SynthParams['kind'] }> = [
  { kind: 'eth', txs: 60, contention: 0.5, hotKeys: 1 },
  { kind: 'eth', txs: 80, contention: 0.6, hotKeys: 4, txsPerSender: 2 },
  { kind: 'eth', txs: 60, contention: 1, hotKeys: 2, seed: 7 },
  { kind: 'erc20', txs: 60, contention: 0.3, hotKeys: 1 },
  { kind: 'erc20', txs: 80, contention: 0.5, hotKeys: 3, txsPerSender: 3 },
  { kind: 'amm', txs: 60, contention: 0.5, hotKeys: 2 },
  { kind: 'amm', txs: 80, contention: 0.25, hotKeys: 1, txsPerSender: 4, seed: 3 },
  { kind: 'mix', txs: 90, contention: 0.4, hotKeys: 2, txsPerSender: 2 },
  { kind: 'mix', txs: 90, contention: 1, hotKeys: 5, seed: 11 },
  { kind: 'payout', txs: 80, hotKeys: 1 },
  { kind: 'payout', txs: 90, hotKeys: 3, seed: 5 },
];

for (const params of cases) {
  const name = Object.entries(params).map(([k, v]) => `${k} ${v}`).join(', ');
  test(`stm finds exactly the graph a synthetic block has by construction (${name})`, async () => {
    const { block, serial } = await synthAndReplay(params);
    assert.ok(block.expected.edgeCount > 0, 'a case with dependencies');
    assertGraphAsConstructed(block, serial);
  });
}

test('a payout block of K wallets is K chains through their balance and nonce, and no edge at all when transfers commute', async () => {
  const { block, serial } = await synthAndReplay({ kind: 'payout', txs: 60, hotKeys: 3 });
  assertGraphAsConstructed(block, serial);
  assert.equal(new Set(block.txs.map((tx) => tx.sender)).size, 3);
  assert.equal(serial.analysis.all.dependentTxs, 57);
  assert.equal(serial.analysis.all.longestChain, 20);
  assert.equal(serial.analysis.transfersCommute.edges, 0);
  assert.equal(serial.analysis.transfersCommute.longestChain, 1);
});

test('--kind payout takes its wallets from --hot-keys: --contention and --txs-per-sender are refused', () => {
  assert.throws(() => resolveParams({ kind: 'payout', txs: 10, contention: 0.5 }), UsageError);
  assert.throws(() => resolveParams({ kind: 'payout', txs: 10, txsPerSender: 2 }), UsageError);
});

test('with contention 0 and one tx per sender, no transaction of any kind depends on another', async () => {
  for (const kind of ['eth', 'erc20', 'amm', 'mix'] as const) {
    const { block, serial } = await synthAndReplay({ kind, txs: 40 });
    assertGraphAsConstructed(block, serial);
    assert.equal(serial.analysis.graph.edgeCount, 0, kind);
    assert.equal(serial.analysis.all.longestChain, 1, kind);
  }
});

test('erc20 transfers all paying one hot recipient form one chain', async () => {
  const { block, serial } = await synthAndReplay({ kind: 'erc20', txs: 30, contention: 1, hotKeys: 1 });
  assertGraphAsConstructed(block, serial);
  assert.deepEqual(serial.analysis.graph.preds, block.txs.map((_, j) => (j === 0 ? [] : [j - 1])));
  assert.equal(serial.analysis.all.longestChain, 30);
  // Storage conflicts only: the storage-only view is the same graph.
  assert.equal(serial.analysis.storageOnly.edges, 29);
});

test('swaps on K hot pools form K chains, one per pool', async () => {
  const { block, serial } = await synthAndReplay({ kind: 'amm', txs: 48, contention: 1, hotKeys: 3 });
  assertGraphAsConstructed(block, serial);
  const byPool = new Map<string, number[]>();
  block.txs.forEach((tx, i) => byPool.set(tx.counterparty, [...(byPool.get(tx.counterparty) ?? []), i]));
  assert.equal(byPool.size, 3);
  for (const members of byPool.values()) members.forEach((j, k) => assert.deepEqual(serial.analysis.graph.preds[j], k === 0 ? [] : [members[k - 1]]));
  assert.equal(serial.analysis.all.longestChain, Math.max(...[...byPool.values()].map((m) => m.length)));
});

test('S transactions per sender make chains of S through the nonce, and nothing else', async () => {
  const { block, serial } = await synthAndReplay({ kind: 'eth', txs: 50, txsPerSender: 5 });
  assertGraphAsConstructed(block, serial);
  assert.equal(new Set(block.txs.map((tx) => tx.sender)).size, 10);
  assert.equal(serial.analysis.all.dependentTxs, 40);
  assert.equal(serial.analysis.all.longestChain, 5);
  for (const edge of serial.analysis.edges) assert.match(edge.location, /^[bn]:/, 'through the sender balance and nonce');
});

test('a transfer into a hot account is a credit; the hot account waits for it only when it spends', async () => {
  const { block, serial } = await synthAndReplay({ kind: 'eth', txs: 40, contention: 1, hotKeys: 2 });
  assertGraphAsConstructed(block, serial);
  // Every transfer goes between the two hot accounts: a tx waits for the previous tx of
  // its sender and for the transfers into its sender since then, never for the recipient.
  for (const edge of serial.analysis.edges) assert.equal(edge.location, `${edge.location[0]}:${block.txs[edge.to]!.sender}`);
});

test('--gas fills the block: gas used within one transaction of the target, and every transaction fits', async () => {
  const target = 3_000_000n;
  const block = await generateBlock(resolveParams({ kind: 'mix', gas: target, contention: 0.2, seed: 5 }));
  const used = block.gasUsed.reduce((a, b) => a + b, 0n);
  assert.ok(used <= target, `${used} ≤ ${target}`);
  assert.ok(target - used < GAS_LIMIT.erc20, `under-filled by ${target - used}`);
  let before = 0n;
  block.txs.forEach((tx, i) => {
    assert.ok(before + tx.gasLimit <= target, `tx ${i} fits`);
    before += block.gasUsed[i]!;
  });
  assert.equal(BigInt(block.data.block.gasLimit), 30_000_000n, 'a mainnet gas limit below 30M gas');
  const gigagas = resolveParams({ kind: 'eth', gas: 1_000_000_000n });
  assert.equal(gigagas.gas, 1_000_000_000n);
});

test('gas estimates used to plan --gas blocks are at most the gas actually used', async () => {
  const { block } = await synthAndReplay({ kind: 'mix', txs: 60, contention: 0.5 });
  block.txs.forEach((tx, i) => {
    const estimate = tx.kind === 'eth' ? GAS_ESTIMATE.eth : tx.kind === 'amm' ? GAS_ESTIMATE.amm : tx.hot ? GAS_ESTIMATE.erc20Hot : GAS_ESTIMATE.erc20Fresh;
    const used = Number(block.gasUsed[i]);
    assert.ok(estimate <= used && used <= estimate * 1.01, `${tx.kind}${tx.hot ? ' (hot)' : ''}: estimate ${estimate}, used ${used}`);
    assert.ok(used <= Number(tx.gasLimit));
  });
});

test('the same parameters and seed give byte-identical files; another seed does not', async () => {
  const params = resolveParams({ kind: 'mix', txs: 30, contention: 0.5, hotKeys: 2, txsPerSender: 2, seed: 42 });
  const dirs = [join(out, 'a'), join(out, 'b'), join(out, 'c')];
  writeSyntheticBlock(await generateBlock(params), dirs[0]!);
  writeSyntheticBlock(await generateBlock(params), dirs[1]!);
  writeSyntheticBlock(await generateBlock({ ...params, seed: 43 }), dirs[2]!);
  const files = (dir: string) => readdirSync(join(dir, params.number.toString())).sort();
  assert.deepEqual(files(dirs[0]!), ['block.json.gz', 'blockhashes.json.gz', 'expected-graph.json', 'prestate.json.gz']);
  for (const file of files(dirs[0]!)) {
    const [a, b, c] = dirs.map((dir) => readFileSync(join(dir, params.number.toString(), file)));
    assert.ok(a!.equals(b!), `${file} is byte-identical`);
    if (file !== 'blockhashes.json.gz') assert.ok(!a!.equals(c!), `${file} differs with another seed`);
  }
});

test('a written block reads back through the fixture store and replays to the same graph', async () => {
  const block = await generateBlock(resolveParams({ kind: 'amm', txs: 20, contention: 0.5, number: 90_000_123n }));
  const dir = writeSyntheticBlock(block, join(out, 'rw'));
  // Writing again replaces it atomically: no temporary folders left behind.
  writeSyntheticBlock(block, join(out, 'rw'));
  assert.deepEqual(readdirSync(join(out, 'rw')), ['90000123']);
  const data = readBlockDir(dir, 90_000_123n, { kind: 'fixtures', dir });
  assert.deepEqual(data.blockHashes, new Map([[90_000_122n, block.data.block.parentHash]]));
  const serial = await replaySerial(data, quick);
  assertGraphAsConstructed(block, serial);
  const file = JSON.parse(readFileSync(join(dir, 'expected-graph.json'), 'utf8')) as { preds: number[][]; params: { kind: string } };
  assert.deepEqual(file.preds, block.expected.preds);
  assert.equal(file.params.kind, 'amm');
});

test('impossible parameters are refused with one-line usage errors (exit code 2)', async () => {
  const base: SynthCommandOptions = { kind: 'erc20', out: out };
  const refused: Array<[Partial<SynthCommandOptions>, RegExp]> = [
    [{ txs: '-5' }, /^--txs expects a whole number; got "-5"$/],
    [{ txs: '2.5' }, /^--txs expects a whole number/],
    [{ txs: '0' }, /^--txs expects a whole number from 1/],
    [{ hotKeys: '0' }, /^--hot-keys expects a whole number ≥ 1/],
    [{ hotKeys: '-1' }, /^--hot-keys expects a whole number/],
    [{ txsPerSender: 'x' }, /^--txs-per-sender expects a whole number/],
    [{ seed: '1.5' }, /^--seed expects a whole number/],
    [{ contention: '1.5' }, /^--contention expects a fraction from 0 to 1/],
    [{ contention: '-0.1' }, /^--contention expects a fraction from 0 to 1/],
    [{ gas: '-1' }, /^--gas expects a whole amount of gas/],
    [{ gas: '1.5e6' }, /^--gas expects a whole amount of gas/],
    [{ txs: '10', gas: '1000000' }, /^give either --txs or --gas, not both$/],
    [{ kind: 'nft' }, /^--kind expects one of eth, erc20, amm, mix/],
    [{ block: '100' }, /^--block must be a post-merge number/],
  ];
  for (const [options, message] of refused) {
    assert.throws(() => parseSynthOptions({ ...base, ...options }), (error: unknown) => {
      assert.ok(error instanceof UsageError, `${JSON.stringify(options)}: a UsageError`);
      assert.equal(error.exitCode, ExitCode.usage);
      assert.match(error.shortMessage, message);
      assert.doesNotMatch(error.shortMessage, /\n/);
      return true;
    });
  }
  // Too little gas for one transaction is found when planning, before anything is signed.
  await assert.rejects(generateBlock(resolveParams({ kind: 'eth', gas: 20_999n })), /^UsageError: --gas 20999 is too small for one transaction: an eth transaction has a gas limit of 21000$/);
  await assert.rejects(generateBlock(resolveParams({ kind: 'erc20', gas: 30_000n })), /too small for one transaction: an erc20 transaction has a gas limit of 65000/);
  await generateBlock(resolveParams({ kind: 'eth', gas: 21_000n })).then((block) => assert.equal(block.txs.length, 1));
});
