// The Block-STM simulator: deterministic, bounded by the graph, and sensible on the
// two shapes whose answer is known (independent transactions, one chain).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDependencyGraph } from '../../src/analysis/dependencyGraph.js';
import { simulateBlock, simulateBlockStm, type SimulationModel } from '../../src/simulate/simulateBlock.js';

const free: SimulationModel = { taskUs: 0, resultUs: 0, coordinatorUs: 0, slowdown: 1, estimateShare: 0 };
const n = 64;
const times = Array.from({ length: n }, () => 1);
const senders = Array.from({ length: n }, (_, i) => `0x${i}`);

test('independent transactions without overheads: speedup = threads', () => {
  const graph = buildDependencyGraph(n, []);
  for (const t of [1, 2, 4, 8, 16]) assert.ok(Math.abs(simulateBlockStm(graph, times, senders, t, free).speedup - t) < 1e-9, `T=${t}`);
});

test('one dependency chain: no speedup however many threads, and re-executions are spent on it', () => {
  const graph = buildDependencyGraph(n, Array.from({ length: n - 1 }, (_, i) => ({ from: i, to: i + 1, location: 's:x' })));
  const result = simulateBlockStm(graph, times, senders, 8, { ...free, resultUs: 10 });
  assert.ok(result.speedup <= 1.0001, String(result.speedup));
  assert.ok(result.reexecutions > 0);
  // A same-sender chain is known in advance: it waits instead of re-executing.
  const oneSender = Array.from({ length: n }, () => '0xs');
  assert.equal(simulateBlockStm(graph, times, oneSender, 8, free).reexecutions, 0);
});

test('predictions are deterministic and never beat the oracle without overheads or ceiling(∞)', () => {
  const edges = [];
  for (let j = 1; j < n; j++) if (j % 5 === 0) edges.push({ from: j - 3, to: j, location: 's:y' });
  const graph = buildDependencyGraph(n, edges);
  const varied = Array.from({ length: n }, (_, i) => 0.2 + (i % 7) * 0.3);
  const input = { graph, txTimesMs: varied, gasUsed: Array.from({ length: n }, () => 100_000n), senders, threads: [1, 2, 4, 8, 64] };
  const a = simulateBlock(input);
  const b = simulateBlock(input);
  assert.deepEqual(a, b);
  for (const p of simulateBlock({ ...input, model: free }).points) {
    assert.ok(p.blockStm <= p.ceiling + 1e-6 || p.blockStm <= p.oracle + 1e-6, JSON.stringify(p));
    assert.ok(p.blockStm <= p.threads + 1e-9);
  }
  assert.ok(a.points[0]!.blockStm < 1, 'one thread pays the overheads');
});
