// The block's dependency graph: which transactions must wait for which.
//
// Transactions are numbered 0..n-1 in block order and tx j depends on tx i < j
// when j read a location whose last writer before j was i. The caller (the
// replay) decides what counts as a location and computes those read-after-write
// edges; this module only turns them into a graph and measures it. Because every
// edge points forward in block order, block order is already a topological
// order, so every path question here is one linear pass (O(n + e)) with no
// explicit sort and no cycle check. Edges keep their location only until the
// optional filter has run (that is how the storage-only view is built); the
// graph itself records unique (from, to) pairs, because a second shared location
// does not make a transaction wait any longer.

/** One read-after-write dependency as reported by the replay. */
export interface DependencyEdge {
  /** the writer: the last tx before `to` that wrote `location` */
  from: number;
  /** the reader; always greater than `from` */
  to: number;
  /** opaque location key, e.g. "b:0xabc…" (balance) or "s:0xabc…:0x…" (storage slot); see src/state/locations.ts */
  location: string;
}

export interface DependencyGraph {
  /** number of transactions in the block; nodes are 0..txCount-1 */
  txCount: number;
  /** preds[j]: the txs j waits for, ascending and unique */
  preds: number[][];
  /** succs[i]: the txs that wait for i, ascending and unique */
  succs: number[][];
  /** unique (from, to) pairs; several shared locations count once */
  edgeCount: number;
}

/** A path through the graph, as tx indices in block order. */
export interface LongestChainReturnType {
  /** number of txs on the path */
  length: number;
  path: number[];
}

export interface CriticalPathReturnType {
  /** summed weight of the txs on the path */
  weight: number;
  path: number[];
}

/**
 * The storage-only view's filter: keeps contract-storage locations, i.e. storage
 * slots ("s:" keys) and the storage-wipe marker ("w:", a write to every slot of
 * the account), and drops balance, nonce, code and existence locations. Key
 * kinds are defined in src/state/locations.ts. Pass it as `filter` to
 * `buildDependencyGraph`.
 */
export function isStorageLocation(location: string): boolean {
  return location.startsWith('s:') || location.startsWith('w:');
}

/**
 * Builds the graph from read-after-write edges. Edges whose location fails
 * `filter` are dropped; duplicate (from, to) pairs are kept once. Throws on
 * malformed input (these are programming errors in the caller).
 */
export function buildDependencyGraph(
  txCount: number,
  edges: Iterable<DependencyEdge>,
  filter?: (location: string) => boolean,
): DependencyGraph {
  if (!Number.isInteger(txCount) || txCount < 0) {
    throw new Error(`buildDependencyGraph: txCount must be a non-negative integer, got ${txCount}`);
  }
  const preds: number[][] = Array.from({ length: txCount }, () => []);
  for (const edge of edges) {
    const { from, to, location } = edge;
    if (!Number.isInteger(from) || !Number.isInteger(to)) {
      throw new Error(`buildDependencyGraph: edge ${from} -> ${to} (${location}) has a non-integer endpoint`);
    }
    if (from < 0 || to >= txCount) {
      throw new Error(
        `buildDependencyGraph: edge ${from} -> ${to} (${location}) is out of range for a block of ${txCount} txs`,
      );
    }
    if (from >= to) {
      throw new Error(
        `buildDependencyGraph: edge ${from} -> ${to} (${location}) does not point forward; need from < to`,
      );
    }
    if (filter !== undefined && !filter(location)) continue;
    preds[to]!.push(from);
  }

  const succs: number[][] = Array.from({ length: txCount }, () => []);
  let edgeCount = 0;
  for (let j = 0; j < txCount; j++) {
    const list = preds[j]!;
    if (list.length > 1) {
      list.sort((a, b) => a - b);
      let w = 1;
      for (let r = 1; r < list.length; r++) {
        if (list[r] !== list[w - 1]) list[w++] = list[r]!;
      }
      list.length = w;
    }
    edgeCount += list.length;
    // j ascends, so each succs list is filled in ascending order.
    for (const i of list) succs[i]!.push(j);
  }
  return { txCount, preds, succs, edgeCount };
}

/** Number of txs with at least one predecessor (txs that must wait for another). */
export function dependentTxCount(g: DependencyGraph): number {
  let count = 0;
  for (const list of g.preds) if (list.length > 0) count++;
  return count;
}

/**
 * The longest dependency chain counted in txs: 0 for an empty block, 1 when no
 * tx depends on another. Ties go to the path that ends, and at each step
 * continues, at the lowest index.
 */
export function longestChain(g: DependencyGraph): LongestChainReturnType {
  const { weight, path } = heaviestPath(g, () => 1);
  return { length: weight, path };
}

/**
 * The heaviest path by summed node weight (weights[i] is tx i's serial time or
 * gas). Empty block: weight 0, empty path. Ties as in `longestChain`.
 */
export function criticalPath(g: DependencyGraph, weights: ArrayLike<number>): CriticalPathReturnType {
  assertWeights(g, weights);
  return heaviestPath(g, (i) => weights[i]!);
}

/**
 * Throws unless `weights` has one finite, non-negative entry per tx. Shared
 * with the ceiling computations.
 */
export function assertWeights(g: DependencyGraph, weights: ArrayLike<number>): void {
  if (weights.length !== g.txCount) {
    throw new Error(`weights has ${weights.length} entries for a block of ${g.txCount} txs`);
  }
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!Number.isFinite(w) || w < 0) {
      throw new Error(`weights[${i}] must be a finite non-negative number, got ${w}`);
    }
  }
}

/** Sum of all weights (the serial cost of the block). */
export function totalWeight(weights: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i]!;
  return sum;
}

function heaviestPath(g: DependencyGraph, weightOf: (i: number) => number): CriticalPathReturnType {
  const n = g.txCount;
  if (n === 0) return { weight: 0, path: [] };
  // best[j]: heaviest path ending at j; via[j]: the predecessor on it (-1 = starts at j).
  const best = new Float64Array(n);
  const via = new Int32Array(n).fill(-1);
  let end = 0;
  for (let j = 0; j < n; j++) {
    let bestPred = -1;
    let bestPredWeight = 0;
    for (const i of g.preds[j]!) {
      if (bestPred === -1 || best[i]! > bestPredWeight) {
        bestPred = i;
        bestPredWeight = best[i]!;
      }
    }
    best[j] = weightOf(j) + bestPredWeight;
    via[j] = bestPred;
    if (best[j]! > best[end]!) end = j;
  }
  const path: number[] = [];
  for (let j = end; j !== -1; j = via[j]!) path.push(j);
  path.reverse();
  return { weight: best[end]!, path };
}
