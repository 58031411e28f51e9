// stm analyze: block selection, hotspots, the heatmap, the exit code, and the command's
// usage errors. The simulator and the HTML page have their own files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { analyzeRange } from '../../src/rangeAnalysis/analyzeRange.js';
import { parseBlockList, parseBlockRange, parseThreadList, selectBlocks } from '../../src/rangeAnalysis/blockSelection.js';
import { blockHotspots } from '../../src/rangeAnalysis/hotspots.js';
import { addressName } from '../../src/rangeAnalysis/knownAddresses.js';
import { buildDependencyGraph } from '../../src/analysis/dependencyGraph.js';
import { BlockNotFoundError, UsageError } from '../../src/errors.js';
import { renderHeatmap, shadeIndex } from '../../src/cli/render/analyzeHeatmap.js';
import { ETHER, fund, syntheticBlock, testAccount, testAddress } from '../helpers/syntheticBlock.js';

const machine = { cpuModel: 'test', cores: 2, memoryGb: 1, node: process.version, platform: 'linux', arch: 'x64' } as never;
const stm = fileURLToPath(new URL('../../../bin/stm.js', import.meta.url));

test('--range A..B and --blocks a,b,c select blocks; anything else is a usage error', () => {
  assert.deepEqual(parseBlockRange('10..12'), [10n, 11n, 12n]);
  assert.deepEqual(parseBlockRange('0x10..0x11'), [16n, 17n]);
  assert.deepEqual(parseBlockList('5, 3,5'), [5n, 3n]);
  assert.deepEqual(parseThreadList('8,1,2,2'), [1, 2, 8]);
  for (const bad of ['10', '12..10', 'a..b', '1...3', '1..', '']) assert.throws(() => parseBlockRange(bad), UsageError, bad);
  for (const bad of ['1,,2', 'x', '']) assert.throws(() => parseBlockList(bad), UsageError, bad);
  assert.throws(() => selectBlocks({}), UsageError);
  assert.throws(() => selectBlocks({ range: '1..2', blocks: '3' }), UsageError);
  assert.throws(() => parseThreadList('0,2'), UsageError);
});

test('a malformed range exits 2 with one line on stderr', () => {
  const run = spawnSync(process.execPath, [stm, 'analyze', '--range', '5..x'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /^stm: --range expects/);
});

test('hotspots charge edges, critical-path time and conflicts to the contract and slot behind them', () => {
  const A = '0x' + 'aa'.repeat(20);
  const B = '0x' + 'bb'.repeat(20);
  const slot = '0x' + '00'.repeat(31) + '01';
  const edges = [
    { from: 0, to: 1, location: `s:${A}:${slot}` },
    { from: 0, to: 1, location: `b:${A}` }, // same pair, same contract: one edge for A
    { from: 1, to: 2, location: `s:${A}:${slot}` },
    { from: 0, to: 3, location: `n:${B}` },
  ];
  const graph = buildDependencyGraph(4, edges);
  const spots = blockHotspots(graph, edges, [1, 2, 3, 0.5], [[], [`s:${A}:${slot}`], [`s:${A}:${slot}`, `n:${B}`], []]);
  assert.deepEqual(spots.criticalPath, [0, 1, 2]);
  assert.deepEqual(spots.contracts.get(A), { edges: 2, criticalMs: 5, conflicts: 2 });
  assert.deepEqual(spots.contracts.get(B), { edges: 1, criticalMs: 0, conflicts: 1 });
  assert.deepEqual(spots.locations.get(`s:${A}:${slot}`), { edges: 2, criticalMs: 5, conflicts: 2 });
  assert.deepEqual(spots.locations.get(`b:${A}`), { edges: 1, criticalMs: 2, conflicts: 0 });
});

test('well-known addresses have names; the block miner is "coinbase"', () => {
  assert.equal(addressName('0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2'), 'WETH');
  assert.equal(addressName('0x4838b106fce9647bdf1e7877bf73ce8b0bad5f97'), 'Titan Builder');
  assert.equal(addressName('0x' + '12'.repeat(20), '0x' + '12'.repeat(20)), 'coinbase');
  assert.equal(addressName('0x' + '12'.repeat(20)), undefined);
});

test('the heatmap reads without colour: one row per block, one shade character per cell', () => {
  assert.equal(shadeIndex(0, 10), 0);
  assert.equal(shadeIndex(1, 10), 1);
  assert.equal(shadeIndex(10, 10), 5);
  const text = renderHeatmap({ measure: 'edges', blocks: ['7', '8'], contracts: [{ address: '0xaa', name: 'WETH' }, { address: '0xbb', name: null }], cells: [[10, 0], [1, 5]] });
  assert.doesNotMatch(text, /\u001b\[/); // chalk is off in tests (not a TTY)
  const rows = text.split('\n').filter((line) => /^\s*[78] │/.test(line));
  assert.equal(rows.length, 2);
  assert.match(rows[0]!, /██/);
  assert.match(text, /1 {2}0xaa \(WETH\)/);
});

test('a range with a missing block reports it in its row, analyses the rest, and exits non-zero', async () => {
  const senders = [1, 2, 3].map(testAccount);
  const chained = testAccount(9);
  const data = syntheticBlock({
    prestate: fund([...senders, chained]),
    txs: [
      ...senders.map((from, i) => ({ from, to: testAddress(0x100 + i), value: ETHER / 10n })),
      { from: chained, to: testAddress(0x200), value: 1n },
      { from: chained, to: testAddress(0x201), value: 1n }, // same sender: depends on the previous one
    ],
  });
  const report = await analyzeRange({
    numbers: [data.number, 42n],
    load: async (n) => {
      if (n === data.number) return data;
      throw new BlockNotFoundError(`block ${n} was not found locally`);
    },
    options: { threads: 2, runs: 1, warmup: 0, parallel: false, fallback: true, heat: 'edges', simulate: [1, 4] },
    machine,
    toolVersion: 'test',
  });
  assert.equal(report.blocks.length, 2);
  // Blocks come in ascending number order, whatever the order asked.
  const [missing, ok] = report.blocks;
  // A synthetic block carries no receipts from a chain to verify against: it replays, but is not "ok".
  assert.notEqual(ok!.status, 'error');
  assert.equal(ok!.status, ok!.verified ? 'ok' : 'mismatch');
  assert.equal(ok!.txCount, 5);
  assert.equal(ok!.dependencies!.all.dependentTxs, 1);
  assert.deepEqual(ok!.dependsOn[4], [3]);
  assert.equal(ok!.simulation!.points.length, 2);
  assert.equal(missing!.status, 'error');
  assert.equal(missing!.error!.exitCode, 2);
  assert.match(missing!.error!.message, /not found/);
  assert.equal(report.exitCode, 1);
  assert.equal(report.summary.failed, 1);
  // The sender's account is the hot "contract" of the one dependency edge.
  assert.equal(report.rankings.contractsByEdges[0]!.key, chained.address.toLowerCase());
  assert.deepEqual(report.heatmap.cells, [[0], [1]]);
  // JSON round trip: no bigint left anywhere.
  assert.deepEqual(JSON.parse(JSON.stringify(report)).blocks[1].number, data.number.toString());
});

test('when every block fails to load, the exit code is the failure\'s own (2: not found)', async () => {
  const report = await analyzeRange({
    numbers: [1n, 2n],
    load: async (n) => {
      throw new BlockNotFoundError(`block ${n} was not found locally`);
    },
    options: { threads: 2, runs: 1, warmup: 0, parallel: false, fallback: true, heat: 'conflicts', simulate: [] },
    machine,
    toolVersion: 'test',
  });
  assert.equal(report.exitCode, 2);
  assert.deepEqual(report.heatmap.contracts, []);
});
