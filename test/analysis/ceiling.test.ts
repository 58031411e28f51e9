import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDependencyGraph, criticalPath, type DependencyGraph } from '../../src/analysis/dependencyGraph.js';
import {
  ceilingInfinite,
  ceilings,
  ceilingThreads,
  listSchedule,
  remainingPathWeights,
} from '../../src/analysis/ceiling.js';

const EPS = 1e-9;

function assertClose(actual: number, expected: number, message?: string): void {
  assert.ok(Math.abs(actual - expected) <= EPS * Math.max(1, Math.abs(expected)), message ?? `${actual} ≉ ${expected}`);
}

function graph(txCount: number, pairs: Array<[number, number]>): DependencyGraph {
  return buildDependencyGraph(
    txCount,
    pairs.map(([from, to]) => ({ from, to, location: 's:0xaa:0x01' })),
  );
}

/** mulberry32: a small seeded PRNG so the random cases are the same on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random DAG on n txs (each forward pair is an edge with probability p) with weights from `weight`. */
function randomBlock(
  random: () => number,
  n: number,
  p: number,
  weight: () => number,
): { g: DependencyGraph; w: number[] } {
  const pairs: Array<[number, number]> = [];
  for (let j = 1; j < n; j++) for (let i = 0; i < j; i++) if (random() < p) pairs.push([i, j]);
  return { g: graph(n, pairs), w: Array.from({ length: n }, weight) };
}

/**
 * Reference list schedule, written the slow obvious way: at each moment finish
 * what is due, let ready zero-weight txs finish at once, then hand free threads
 * to ready txs by priority (ties by lower index), and jump to the next finish.
 */
function naiveMakespan(g: DependencyGraph, w: number[], priority: ArrayLike<number>, threads: number): number {
  const n = g.txCount;
  const finishAt: Array<number | undefined> = new Array(n).fill(undefined); // set when started
  const done = new Array<boolean>(n).fill(false);
  let now = 0;
  for (;;) {
    for (let i = 0; i < n; i++) if (finishAt[i] !== undefined && finishAt[i]! <= now) done[i] = true;
    const isReady = (j: number): boolean => finishAt[j] === undefined && g.preds[j]!.every((i) => done[i]);
    for (let changed = true; changed; ) {
      changed = false;
      for (let j = 0; j < n; j++) {
        if (w[j] === 0 && isReady(j)) {
          finishAt[j] = now;
          done[j] = true;
          changed = true;
        }
      }
    }
    if (done.every(Boolean)) return now;
    const busy = finishAt.filter((f, i) => f !== undefined && !done[i]).length;
    const ready = [...Array(n).keys()].filter(isReady).sort((a, b) => priority[b]! - priority[a]! || a - b);
    for (const j of ready.slice(0, threads - busy)) finishAt[j] = now + w[j]!;
    now = Math.min(...finishAt.filter((f, i): f is number => f !== undefined && !done[i]));
  }
}

test('a chain of 4 equal txs has ceiling(∞) = 1 and ceiling(T) = 1 at every T', () => {
  const g = graph(4, [[0, 1], [1, 2], [2, 3]]);
  const w = [1, 1, 1, 1];
  assert.equal(ceilingInfinite(g, w), 1);
  for (const T of [1, 2, 4, 8]) assert.equal(ceilingThreads(g, w, T), 1);
});

test('4 equal independent txs have ceiling(∞) = 4, ceiling(2) = 2, and ceiling(8) = 4', () => {
  const g = graph(4, []);
  const w = [3, 3, 3, 3];
  assert.equal(ceilingInfinite(g, w), 4);
  assert.equal(ceilingThreads(g, w, 2), 2);
  assert.equal(ceilingThreads(g, w, 4), 4);
  assert.equal(ceilingThreads(g, w, 8), 4);
});

test('3 equal independent txs have ceiling(2) = 1.5 (the third runs alone)', () => {
  const g = graph(3, []);
  const w = [1, 1, 1];
  assert.equal(ceilingInfinite(g, w), 3);
  assert.equal(ceilingThreads(g, w, 2), 1.5);
  assert.equal(ceilingThreads(g, w, 3), 3);
});

test('unequal independent txs have ceiling(∞) = total weight / heaviest tx', () => {
  const g = graph(4, []);
  const w = [1, 2, 3, 6];
  assert.equal(ceilingInfinite(g, w), 2);
  // 2 threads: 6 alone on one, 3 + 2 + 1 on the other; makespan 6.
  assert.equal(ceilingThreads(g, w, 2), 2);
});

test('a fan-out of one root and 4 equal children has ceiling(∞) = 2.5 and ceiling(2) = 5/3', () => {
  const g = graph(5, [[0, 1], [0, 2], [0, 3], [0, 4]]);
  const w = [1, 1, 1, 1, 1];
  assert.equal(ceilingInfinite(g, w), 2.5);
  assertClose(ceilingThreads(g, w, 2), 5 / 3);
  assert.equal(ceilingThreads(g, w, 4), 2.5);
});

test('a fan-in of 4 equal parents into one tx has ceiling(∞) = 2.5 and ceiling(2) = 5/3', () => {
  const g = graph(5, [[0, 4], [1, 4], [2, 4], [3, 4]]);
  const w = [1, 1, 1, 1, 1];
  assert.equal(ceilingInfinite(g, w), 2.5);
  assertClose(ceilingThreads(g, w, 2), 5 / 3);
  assert.equal(ceilingThreads(g, w, 4), 2.5);
});

test('a diamond whose heavy side is the critical path has ceiling(2) = ceiling(∞) = total / critical path', () => {
  const g = graph(4, [[0, 1], [0, 2], [1, 3], [2, 3]]);
  const w = [1, 5, 2, 1];
  assertClose(ceilingInfinite(g, w), 9 / 7);
  assertClose(ceilingThreads(g, w, 2), 9 / 7);
  assert.equal(ceilingThreads(g, w, 1), 1);
});

test('the ready tx with the longest remaining path runs first, not the lowest index', () => {
  // txs 0 and 1 are independent; 2 -> 3 is a chain with a heavy tail.
  const g = graph(4, [[2, 3]]);
  const w = [1, 1, 1, 3];
  assert.deepEqual([...remainingPathWeights(g, w)], [1, 1, 4, 3]);
  // Starting 2 at once lets 3 overlap 0 and 1: makespan 4, speedup 6/4.
  assert.equal(listSchedule(g, w, remainingPathWeights(g, w), 2).makespan, 4);
  assert.equal(ceilingThreads(g, w, 2), 1.5);
  assert.equal(ceilingInfinite(g, w), 1.5);
  // Block order as the priority would run 0 and 1 first and finish at 5.
  const blockOrder = w.map((_, i) => -i);
  assert.equal(listSchedule(g, w, blockOrder, 2).makespan, 5);
});

test('a list-scheduling anomaly (4 threads finishing later than 3) does not lower ceiling(4)', () => {
  const g = graph(11, [
    [0, 1], [2, 4], [3, 6], [4, 6], [0, 7], [3, 7], [6, 8], [7, 8], [0, 10], [2, 10], [4, 10], [5, 10],
  ]);
  const w = [3, 8, 1, 6, 1, 4, 6, 5, 6, 9, 8];
  const priority = remainingPathWeights(g, w);
  assert.equal(listSchedule(g, w, priority, 3).makespan, 20);
  assert.equal(listSchedule(g, w, priority, 4).makespan, 22);
  assert.equal(ceilingThreads(g, w, 3), 57 / 20);
  assert.equal(ceilingThreads(g, w, 4), 57 / 20);
});

test('an empty block has every ceiling equal to 1', () => {
  const g = graph(0, []);
  assert.equal(ceilingInfinite(g, []), 1);
  assert.equal(ceilingThreads(g, [], 8), 1);
  assert.deepEqual(ceilings(g, [], 8), { infinite: 1, threads: 1, T: 8 });
});

test('a block whose weights are all zero has every ceiling equal to 1', () => {
  const g = graph(3, [[0, 1]]);
  const w = [0, 0, 0];
  assert.equal(ceilingInfinite(g, w), 1);
  assert.equal(ceilingThreads(g, w, 4), 1);
});

test('zero-weight txs take no thread time', () => {
  // A zero-weight root releasing two children: both children run side by side.
  const fan = graph(3, [[0, 1], [0, 2]]);
  assert.equal(ceilingInfinite(fan, [0, 2, 2]), 2);
  assert.equal(ceilingThreads(fan, [0, 2, 2], 2), 2);
  // Zero-weight txs among independent ones do not occupy a thread.
  const free = graph(4, []);
  assert.equal(ceilingThreads(free, [0, 0, 2, 2], 2), 2);
  assert.equal(listSchedule(free, [0, 0, 2, 2], [0, 0, 2, 2], 1).makespan, 4);
});

test('ceiling(1) is exactly 1, even with weights that do not add up exactly in floating point', () => {
  const random = prng(11);
  for (let k = 0; k < 20; k++) {
    const { g, w } = randomBlock(random, 40, 0.05, () => random() * 0.3);
    assert.equal(ceilingThreads(g, w, 1), 1);
  }
});

test('ceilings() returns the same numbers as ceilingInfinite and ceilingThreads', () => {
  const random = prng(5);
  const { g, w } = randomBlock(random, 60, 0.04, () => random() * 10);
  assert.deepEqual(ceilings(g, w, 4), { infinite: ceilingInfinite(g, w), threads: ceilingThreads(g, w, 4), T: 4 });
});

test('a thread count that is not a positive integer is rejected', () => {
  const g = graph(2, []);
  assert.throws(() => ceilingThreads(g, [1, 1], 0), /thread count/);
  assert.throws(() => ceilingThreads(g, [1, 1], 1.5), /thread count/);
  assert.throws(() => ceilingThreads(g, [1, 1], Number.NaN), /thread count/);
});

test('weights of the wrong length are rejected', () => {
  const g = graph(2, []);
  assert.throws(() => ceilingInfinite(g, [1]), /2 txs/);
  assert.throws(() => ceilingThreads(g, [1, 2, 3], 2), /2 txs/);
});

test('the list schedule matches a slow reference simulation on random DAGs', () => {
  const random = prng(2024);
  for (let k = 0; k < 150; k++) {
    const n = 1 + Math.floor(random() * 25);
    const { g, w } = randomBlock(random, n, random() * 0.4, () => (random() < 0.1 ? 0 : 1 + Math.floor(random() * 9)));
    const priority = remainingPathWeights(g, w);
    for (const T of [1, 2, 3, 5]) {
      assert.equal(listSchedule(g, w, priority, T).makespan, naiveMakespan(g, w, priority, T), `case ${k}, T = ${T}`);
    }
  }
});

test('on random DAGs ceiling(T) stays within [1, min(T, ceiling(∞))], beats Graham’s bound, and never falls as T grows', () => {
  const random = prng(42);
  for (let k = 0; k < 200; k++) {
    const n = 1 + Math.floor(random() * 60);
    const integer = random() < 0.5;
    const { g, w } = randomBlock(random, n, random() * 0.3, () =>
      random() < 0.05 ? 0 : integer ? 1 + Math.floor(random() * 9) : random() * 5,
    );
    const infinite = ceilingInfinite(g, w);
    const total = w.reduce((a, b) => a + b, 0);
    const cp = criticalPath(g, w).weight;
    let previous = 0;
    for (const T of [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 32, 64]) {
      const c = ceilingThreads(g, w, T);
      const where = `case ${k} (n = ${n}), T = ${T}`;
      assert.ok(c >= 1, `${where}: ${c} < 1`);
      assert.ok(c <= Math.min(T, infinite), `${where}: ${c} > min(${T}, ${infinite})`);
      assert.ok(c >= previous, `${where}: ${c} < ceiling at fewer threads ${previous}`);
      // Any list schedule finishes within total/T + (1 - 1/T) * critical path.
      if (total > 0) assert.ok(c >= total / (total / T + (1 - 1 / T) * cp) - EPS, `${where}: below Graham's bound`);
      previous = c;
    }
    assertClose(ceilingThreads(g, w, Math.max(1, n)), infinite, `case ${k}: n threads reach ceiling(∞)`);
  }
});

test('a synthetic block of 50,000 txs and 100,000 edges gets its ceilings', () => {
  const random = prng(7);
  const n = 50_000;
  const pairs: Array<[number, number]> = [];
  for (let k = 0; k < 100_000; k++) {
    const to = 1 + Math.floor(random() * (n - 1));
    pairs.push([Math.max(0, to - 1 - Math.floor(random() * random() * 2000)), to]);
  }
  const g = graph(n, pairs);
  const w = Array.from({ length: n }, () => random() * 5);
  const c = ceilings(g, w, 16);
  assert.ok(c.threads >= 1 && c.threads <= Math.min(16, c.infinite));
});
