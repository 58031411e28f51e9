import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildDependencyGraph,
  criticalPath,
  dependentTxCount,
  isStorageLocation,
  longestChain,
  type DependencyEdge,
} from '../../src/analysis/dependencyGraph.js';

/** Edges from [from, to] pairs, all on one storage slot unless a location is given. */
function edges(pairs: Array<[number, number, string?]>): DependencyEdge[] {
  return pairs.map(([from, to, location]) => ({ from, to, location: location ?? 's:0xaa:0x01' }));
}

test('an empty block has no edges, no dependent txs and a longest chain of 0', () => {
  const g = buildDependencyGraph(0, []);
  assert.deepEqual(g, { txCount: 0, preds: [], succs: [], edgeCount: 0 });
  assert.equal(dependentTxCount(g), 0);
  assert.deepEqual(longestChain(g), { length: 0, path: [] });
  assert.deepEqual(criticalPath(g, []), { weight: 0, path: [] });
});

test('a block of 3 independent txs has no dependent txs and a longest chain of 1', () => {
  const g = buildDependencyGraph(3, []);
  assert.equal(g.edgeCount, 0);
  assert.equal(dependentTxCount(g), 0);
  assert.deepEqual(longestChain(g), { length: 1, path: [0] });
});

test('a chain of 4 txs has 3 dependent txs and a longest chain of 4 through every tx', () => {
  const g = buildDependencyGraph(4, edges([[0, 1], [1, 2], [2, 3]]));
  assert.deepEqual(g.preds, [[], [0], [1], [2]]);
  assert.deepEqual(g.succs, [[1], [2], [3], []]);
  assert.equal(g.edgeCount, 3);
  assert.equal(dependentTxCount(g), 3);
  assert.deepEqual(longestChain(g), { length: 4, path: [0, 1, 2, 3] });
  assert.deepEqual(criticalPath(g, [1, 2, 3, 4]), { weight: 10, path: [0, 1, 2, 3] });
});

test('a fan-out of one root and 5 children has 5 dependent txs and a longest chain of 2', () => {
  const g = buildDependencyGraph(6, edges([[0, 1], [0, 2], [0, 3], [0, 4], [0, 5]]));
  assert.deepEqual(g.succs[0], [1, 2, 3, 4, 5]);
  assert.equal(g.edgeCount, 5);
  assert.equal(dependentTxCount(g), 5);
  assert.deepEqual(longestChain(g), { length: 2, path: [0, 1] });
  assert.deepEqual(criticalPath(g, [1, 1, 1, 7, 1, 1]), { weight: 8, path: [0, 3] });
});

test('a fan-in of 4 parents into one tx has 1 dependent tx with its preds ascending', () => {
  const g = buildDependencyGraph(5, edges([[3, 4], [1, 4], [0, 4], [2, 4]]));
  assert.deepEqual(g.preds[4], [0, 1, 2, 3]);
  assert.deepEqual(g.succs, [[4], [4], [4], [4], []]);
  assert.equal(dependentTxCount(g), 1);
  assert.deepEqual(longestChain(g), { length: 2, path: [0, 4] });
  assert.deepEqual(criticalPath(g, [1, 1, 5, 1, 2]), { weight: 7, path: [2, 4] });
});

test('in a diamond the critical path takes the heavier middle tx', () => {
  const g = buildDependencyGraph(4, edges([[0, 1], [0, 2], [1, 3], [2, 3]]));
  assert.equal(dependentTxCount(g), 3);
  assert.deepEqual(longestChain(g), { length: 3, path: [0, 1, 3] });
  assert.deepEqual(criticalPath(g, [1, 2, 5, 1]), { weight: 7, path: [0, 2, 3] });
});

test('the critical path can be a single heavy tx while the longest chain is long', () => {
  const g = buildDependencyGraph(5, edges([[0, 1], [1, 2], [2, 3]]));
  assert.deepEqual(longestChain(g), { length: 4, path: [0, 1, 2, 3] });
  assert.deepEqual(criticalPath(g, [1, 1, 1, 1, 10]), { weight: 10, path: [4] });
});

test('duplicate edges and several shared locations between the same pair count once', () => {
  const g = buildDependencyGraph(
    3,
    edges([
      [0, 2, 's:0xaa:0x01'],
      [0, 2, 's:0xaa:0x01'],
      [0, 2, 'b:0xbb'],
      [1, 2, 'n:0xcc'],
      [0, 1, 'b:0xbb'],
    ]),
  );
  assert.equal(g.edgeCount, 3);
  assert.deepEqual(g.preds, [[], [0], [0, 1]]);
  assert.deepEqual(g.succs, [[1, 2], [2], []]);
});

test('the storage-only view drops balance and nonce edges and keeps storage edges', () => {
  const all = edges([
    [0, 1, 'b:0xaa'],
    [1, 2, 'n:0xaa'],
    [0, 2, 's:0xcc:0x01'],
    [2, 3, 's:0xcc:0x02'],
    [1, 3, 'b:0xbb'],
  ]);
  const full = buildDependencyGraph(4, all);
  assert.equal(full.edgeCount, 5);
  assert.equal(longestChain(full).length, 4);

  const storageOnly = (location: string): boolean => !location.startsWith('b:') && !location.startsWith('n:');
  const storage = buildDependencyGraph(4, all, storageOnly);
  assert.deepEqual(storage.preds, [[], [], [0], [2]]);
  assert.equal(storage.edgeCount, 2);
  assert.equal(dependentTxCount(storage), 2);
  assert.deepEqual(longestChain(storage), { length: 3, path: [0, 2, 3] });
  assert.deepEqual(buildDependencyGraph(4, all, isStorageLocation).preds, storage.preds);
});

test('isStorageLocation keeps storage slots and storage wipes and drops account fields', () => {
  assert.ok(isStorageLocation('s:0xaa:0x01'));
  assert.ok(isStorageLocation('w:0xaa'));
  for (const key of ['b:0xaa', 'n:0xaa', 'c:0xaa', 'e:0xaa']) assert.ok(!isStorageLocation(key), key);
});

test('edges may come from any iterable, such as a generator', () => {
  function* gen(): Generator<DependencyEdge> {
    yield { from: 0, to: 1, location: 's:0x1:0x0' };
    yield { from: 1, to: 2, location: 's:0x1:0x0' };
  }
  assert.equal(buildDependencyGraph(3, gen()).edgeCount, 2);
});

test('zero weights give a zero-weight critical path without breaking anything', () => {
  const g = buildDependencyGraph(3, edges([[0, 1]]));
  const cp = criticalPath(g, [0, 0, 0]);
  assert.equal(cp.weight, 0);
  assert.ok(cp.path.length >= 1);
  assert.deepEqual(criticalPath(g, [0, 0, 3]), { weight: 3, path: [2] });
});

test('an edge that does not point forward is rejected', () => {
  assert.throws(() => buildDependencyGraph(3, edges([[1, 1]])), /from < to/);
  assert.throws(() => buildDependencyGraph(3, edges([[2, 0]])), /from < to/);
});

test('an edge outside the block is rejected, even when the filter would drop it', () => {
  assert.throws(() => buildDependencyGraph(3, edges([[0, 3]])), /out of range/);
  assert.throws(() => buildDependencyGraph(3, edges([[-1, 2]])), /out of range/);
  assert.throws(() => buildDependencyGraph(3, edges([[0, 5, 'b:0xaa']]), isStorageLocation), /out of range/);
  assert.throws(() => buildDependencyGraph(3, edges([[0.5, 2]])), /non-integer/);
});

test('a negative or fractional tx count is rejected', () => {
  assert.throws(() => buildDependencyGraph(-1, []), /txCount/);
  assert.throws(() => buildDependencyGraph(2.5, []), /txCount/);
});

test('weights must have one finite non-negative entry per tx', () => {
  const g = buildDependencyGraph(2, []);
  assert.throws(() => criticalPath(g, [1]), /2 txs/);
  assert.throws(() => criticalPath(g, [1, -1]), /weights\[1\]/);
  assert.throws(() => criticalPath(g, [Number.NaN, 1]), /weights\[0\]/);
});
