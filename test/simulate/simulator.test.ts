// The Block-STM simulator: deterministic, bounded by the graph, sensible on the two shapes
// whose answer is known (independent transactions, one chain), with the coordinator's work
// on the main thread (one of the T executors), and the executor's fallback rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDependencyGraph } from '../../src/analysis/dependencyGraph.js';
import { DEFAULT_MODEL, simulateBlock, simulateBlockStm, withUntimedWork, type SimulationModel } from '../../src/simulate/simulateBlock.js';

const free: SimulationModel = { taskUs: 0, mainTaskUs: 0, resultUs: 0, coordinatorUs: 0, locationUs: 0, messageLocationUs: 0, slowdown: 1, slowdown1: 1, estimateShare: 0, runStartUs: 0, runStartTxUs: 0, workerStartUs: 0 };
const n = 64;
const times = Array.from({ length: n }, () => 1);
const senders = Array.from({ length: n }, (_, i) => `0x${i}`);

test('independent transactions without overheads: speedup = threads', () => {
  const graph = buildDependencyGraph(n, []);
  for (const t of [1, 2, 4, 8, 16]) {
    const result = simulateBlockStm(graph, times, senders, t, free);
    assert.ok(Math.abs(result.speedup - t) < 1e-9, `T=${t}: ${result.speedup}`);
    assert.equal(result.stuck, false);
  }
});

test('one dependency chain: no speedup however many threads, and re-executions are spent on it', () => {
  const graph = buildDependencyGraph(n, Array.from({ length: n - 1 }, (_, i) => ({ from: i, to: i + 1, location: 's:x' })));
  const result = simulateBlockStm(graph, times, senders, 8, { ...free, resultUs: 10 });
  assert.ok(result.speedup <= 1.0001, String(result.speedup));
  assert.ok(result.reexecutions > 0);
  // A same-sender chain is known in advance: it waits instead of re-executing.
  const oneSender = Array.from({ length: n }, () => '0xs');
  const chained = simulateBlockStm(graph, times, oneSender, 8, free);
  assert.equal(chained.reexecutions, 0);
  assert.equal(chained.stuck, false);
});

test('gas limits: an independent heavy transaction at the end starts early on a worker, not last', () => {
  // 64 transactions of 1 ms and, last, one of 40 ms with a 5M gas limit (the shape of
  // 18426253, whose 113 ms transaction comes last). In index order it starts after
  // everything else; started early on the worker it overlaps the rest.
  const graph = buildDependencyGraph(n + 1, []);
  const heavyTimes = [...times, 40];
  const heavySenders = [...senders, '0xheavy'];
  const gasLimits = [...Array.from({ length: n }, () => 50_000), 5_000_000];
  const inOrder = simulateBlockStm(graph, heavyTimes, heavySenders, 2, free, { chunk: 4 });
  const early = simulateBlockStm(graph, heavyTimes, heavySenders, 2, free, { chunk: 4, gasLimits });
  assert.ok(inOrder.makespanUs >= 40_000 + 20_000, `in index order: ${inOrder.makespanUs} µs`);
  assert.ok(early.makespanUs <= 53_000, `heavy first: ${early.makespanUs} µs`);
  assert.equal(early.reexecutions, 0);
  // The main thread did not take the heavy one: the worker's busy time includes it.
  const [worker] = early.executorBusyUs as [number, number];
  assert.ok(worker >= 40_000, `worker busy ${worker} µs`);
});

test('the main thread executes and coordinates: its coordinator work comes out of one executor', () => {
  const graph = buildDependencyGraph(n, []);
  const coordinating: SimulationModel = { ...free, coordinatorUs: 250 }; // a quarter of each 1 ms transaction
  // One thread: the main thread alone executes every transaction and handles every result.
  const one = simulateBlockStm(graph, times, senders, 1, coordinating);
  assert.ok(Math.abs(one.speedup - n / (n + n * 0.25)) < 1e-9, String(one.speedup));
  assert.equal(one.coordinatorUs, n * 250);
  // Two threads: one worker and the main thread. All the coordinator's time is on the main
  // thread, which therefore executes fewer transactions than the worker; the makespan is at
  // least the shared work over the two executors (not the execution alone, as with a core of
  // its own for the coordinator, which would give 2×), and a little more: the worker, with
  // two tasks queued, sometimes waits for the main thread to finish its own transaction
  // before its results are handled and it gets new tasks.
  const two = simulateBlockStm(graph, times, senders, 2, coordinating);
  assert.equal(two.coordinatorUs, n * 250);
  const [worker, main] = two.executorBusyUs as [number, number];
  assert.ok(main < worker, `main ${main} µs, worker ${worker} µs`);
  assert.equal(worker + main, n * 1000);
  const shared = (n * 1000 + n * 250) / 2;
  assert.ok(two.makespanUs >= shared - 1e-6 && two.makespanUs < shared * 1.1, `${two.makespanUs} µs vs ${shared} µs`);
  assert.ok(two.speedup < 1.65, String(two.speedup));
  // A result costs the main thread per location it read and wrote, and a worker's result its message too (per location).
  const locations = Array.from({ length: n }, () => 10);
  const perLocation = simulateBlockStm(graph, times, senders, 1, { ...coordinating, locationUs: 5 }, { locations });
  assert.equal(perLocation.coordinatorUs, n * (250 + 10 * 5));
  const messages = simulateBlockStm(graph, times, senders, 2, { ...coordinating, messageLocationUs: 10 }, { locations });
  assert.equal(messages.coordinatorUs, n * 250 + (n - countOnMain(messages)) * 100);
  assert.ok(messages.speedup < two.speedup);
});

/** Transactions the main thread ran (all run once: independent, no conflicts). */
function countOnMain(result: { executorBusyUs: number[] }): number {
  return Math.round(result.executorBusyUs[result.executorBusyUs.length - 1]! / 1000);
}

test('predictions are deterministic and never beat the oracle without overheads or ceiling(∞)', () => {
  const edges = [];
  for (let j = 1; j < n; j++) if (j % 5 === 0) edges.push({ from: j - 3, to: j, location: 's:y' });
  const graph = buildDependencyGraph(n, edges);
  const varied = Array.from({ length: n }, (_, i) => 0.2 + (i % 7) * 0.3);
  const input = { graph, txTimesMs: varied, gasUsed: Array.from({ length: n }, () => 100_000n), senders, threads: [1, 2, 4, 8, 64], locations: Array.from({ length: n }, () => 10) };
  const a = simulateBlock(input);
  const b = simulateBlock(input);
  assert.deepEqual(a, b);
  for (const p of simulateBlock({ ...input, model: free }).points) {
    assert.ok(p.blockStm <= p.ceiling + 1e-6 || p.blockStm <= p.oracle + 1e-6, JSON.stringify(p));
    assert.ok(p.blockStm <= p.threads + 1e-9);
  }
  assert.ok(a.points[0]!.blockStm < 1, 'one thread pays the overheads');
});

test('random graphs with same-sender chains always finish', () => {
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 20; round++) {
    const size = 20 + Math.floor(random() * 200);
    const edges = [];
    const who = Array.from({ length: size }, () => `0x${Math.floor(random() * size * 0.3)}`);
    const last = new Map<string, number>();
    for (let j = 0; j < size; j++) {
      const prev = last.get(who[j]!);
      if (prev !== undefined) edges.push({ from: prev, to: j, location: `n:${who[j]}` });
      last.set(who[j]!, j);
      if (j > 0 && random() < 0.3) edges.push({ from: Math.floor(random() * j), to: j, location: 's:z' });
    }
    const graph = buildDependencyGraph(size, edges);
    const txTimes = Array.from({ length: size }, () => 0.02 + random() * 2);
    for (const t of [1, 2, 3, 8]) {
      const result = simulateBlockStm(graph, txTimes, who, t, DEFAULT_MODEL, { chunk: 1 + Math.floor(random() * 6) });
      assert.equal(result.stuck, false, `round ${round}, T=${t}`);
      assert.ok(result.speedup > 0 && result.speedup <= t + 1e-9, `round ${round}, T=${t}: ${result.speedup}`);
    }
  }
});

test('the executor default: pre-run fallback rules and the measured fallback below 0.95×', () => {
  const graph = buildDependencyGraph(n, []);
  // 64 × 100k gas = 6.4M: enough for 2 threads (2 × 2.5M), too little for 4.
  const input = { graph, txTimesMs: times, gasUsed: Array.from({ length: n }, () => 100_000n), senders, threads: [2, 4], locations: Array.from({ length: n }, () => 10) };
  const [two, four] = simulateBlock({ ...input, model: free }).points as [ReturnType<typeof simulateBlock>['points'][number], ReturnType<typeof simulateBlock>['points'][number]];
  assert.equal(two.fallback, null);
  assert.equal(two.withFallback, two.blockStm);
  assert.match(four.fallback ?? '', /gas/);
  assert.equal(four.withFallback, 1);
  assert.ok(four.blockStm > 3);
  // Predicted below 0.95×: the warm-up runs would send the block to the serial path.
  const slow = simulateBlock({ ...input, threads: [2], model: { ...free, coordinatorUs: 2000 } }).points[0]!;
  assert.ok(slow.blockStm < 0.95, String(slow.blockStm));
  assert.equal(slow.fallback, null);
  assert.equal(slow.withFallback, 1);
  // One transaction with more than half the block's gas: serial, at any thread count.
  const dominated = simulateBlock({ ...input, gasUsed: [7_000_000n, ...input.gasUsed.slice(1)], model: free }).points;
  for (const point of dominated) assert.match(point.fallback ?? '', /one transaction uses 53% of the block's gas: no schedule beats 1\.90× on any number of threads/);
});

test('untimed serial work is spread over the transactions', () => {
  assert.deepEqual(withUntimedWork([1, 2, 3], 9), [2, 3, 4]);
  assert.deepEqual(withUntimedWork([1, 2, 3], 5), [1, 2, 3]);
  assert.deepEqual(withUntimedWork([1, 2, 3], undefined), [1, 2, 3]);
});

test('hot recipients: calls to one contract that keep aborting each other run as one chain, learned during the run', () => {
  // The shape of 6196166: 12 independent transactions, then 48 calls to one contract, each
  // reading what the one before wrote (a counter slot), then 12 more independent ones.
  const m = 72;
  const hotFrom = 12;
  const hotTo = 60;
  const edges = Array.from({ length: hotTo - hotFrom - 1 }, (_, i) => ({ from: hotFrom + i, to: hotFrom + i + 1, location: 's:0xc:7' }));
  const graph = buildDependencyGraph(m, edges);
  const ones = Array.from({ length: m }, () => 1);
  const distinct = Array.from({ length: m }, (_, i) => `0x${i}`);
  const recipients = Array.from({ length: m }, (_, i) => (i >= hotFrom && i < hotTo ? '0xc' : `0xr${i}`));
  const model = { ...free, resultUs: 20 };
  const blind = simulateBlockStm(graph, ones, distinct, 2, model, { chunk: 4 });
  const learning = simulateBlockStm(graph, ones, distinct, 2, model, { chunk: 4, recipients });
  assert.equal(learning.stuck, false);
  // Every call was started once before three aborts made the contract hot; from then on each
  // runs behind the previous one, so none runs a third time.
  assert.ok(learning.reexecutions <= hotTo - hotFrom + 12, `re-executions ${blind.reexecutions} → ${learning.reexecutions}`);
  assert.ok(learning.reexecutions < blind.reexecutions, `re-executions ${blind.reexecutions} → ${learning.reexecutions}`);
  assert.equal(learning.hotRecipients, 1);
  assert.equal(blind.hotRecipients, 0, 'without recipients nothing is learned');
  // Independent calls to one address (no edges between them) never make it hot.
  const independent = simulateBlockStm(buildDependencyGraph(m, []), ones, distinct, 2, model, { chunk: 4, recipients });
  const baseline = simulateBlockStm(buildDependencyGraph(m, []), ones, distinct, 2, model, { chunk: 4 });
  assert.equal(independent.makespanUs, baseline.makespanUs);
  assert.equal(independent.hotRecipients, 0);
});
