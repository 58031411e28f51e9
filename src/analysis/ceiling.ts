// Parallel-speedup ceilings: how much faster could this block run if the only
// thing holding it back were its dependency graph?
//
// ceiling(∞) is exact and cheap: with unlimited threads and no overhead every
// tx starts the moment its predecessors finish, so the makespan is the weight of
// the critical path.
//
// ceiling(T) asks for the best schedule on T threads, which is NP-hard in
// general, so we estimate it with a list schedule: whenever a thread is free it
// takes the ready tx with the longest remaining path (its own weight plus the
// heaviest path from it to a sink; ties by lower index). That priority ("highest
// level first") keeps the critical path moving, and any list schedule is within
// a factor 2 of optimal. A list schedule is not monotone in T, though (Graham's
// anomalies: one more thread can make it finish later), while the best schedule
// is: a T-thread machine can always leave threads idle. So ceiling(T) is the
// best list schedule on at most T threads (the minimum makespan over 1..T
// threads). That is still an achievable schedule, hence still bounded by
// min(T, ceiling(∞)), and at least 1. The search walks down from T and stops
// once the best speedup found reaches the thread count being tried (t threads
// cannot exceed speedup t) or ceiling(∞), so it usually runs one or a few
// simulations.
//
// The simulation is event-driven: a heap of ready txs ordered by priority and a
// heap of running txs ordered by finish time, O((n + e) log n) per thread count.
// Zero-weight txs take no thread time: they finish the moment they become ready.

import { assertWeights, criticalPath, totalWeight, type DependencyGraph } from './dependencyGraph.js';

export interface Ceilings {
  /** ceiling(∞): total weight / critical-path weight */
  infinite: number;
  /** ceiling(T): total weight / makespan of the best list schedule on at most T threads */
  threads: number;
  /** the thread count `threads` was computed for */
  T: number;
}

/**
 * Total weight / critical-path weight: the speedup with unlimited threads and
 * no overhead. 1 for an empty block or when every weight is zero.
 */
export function ceilingInfinite(g: DependencyGraph, weights: ArrayLike<number>): number {
  assertWeights(g, weights);
  const total = totalWeight(weights);
  if (g.txCount === 0 || total === 0) return 1;
  return infiniteFrom(total, criticalPath(g, weights).weight);
}

/**
 * Total weight / makespan of the best longest-remaining-path list schedule on
 * at most `threads` threads. Clamped to [1, min(threads, ceiling(∞))], which
 * any real schedule satisfies; the clamp only absorbs float rounding.
 */
export function ceilingThreads(g: DependencyGraph, weights: ArrayLike<number>, threads: number): number {
  return ceilings(g, weights, threads).threads;
}

/** ceiling(∞) and ceiling(T) together, sharing the critical-path pass. */
export function ceilings(g: DependencyGraph, weights: ArrayLike<number>, T: number): Ceilings {
  assertThreads(T);
  assertWeights(g, weights);
  const total = totalWeight(weights);
  if (g.txCount === 0 || total === 0) return { infinite: 1, threads: 1, T };
  const cpWeight = criticalPath(g, weights).weight;
  const infinite = infiniteFrom(total, cpWeight);
  if (T === 1) return { infinite, threads: 1, T };

  const priority = remainingPathWeights(g, weights);
  // Walk down from T keeping the best speedup. A schedule on t threads has
  // speedup <= t, so once the best so far reaches t, fewer threads cannot beat
  // it; and nothing beats ceiling(∞) (reaching it up to rounding is enough).
  // More threads than txs never help, so start at min(T, n).
  const reachable = infinite * (1 - 1e-12);
  let speedup = 1;
  for (let t = Math.min(T, g.txCount); t >= 2 && t > speedup && speedup < reachable; t--) {
    const { makespan } = listSchedule(g, weights, priority, t);
    if (makespan > 0 && total / makespan > speedup) speedup = total / makespan;
  }
  return { infinite, threads: Math.max(1, Math.min(speedup, T, infinite)), T };
}

/** Result of simulating one list schedule. */
export interface ListScheduleReturnType {
  /** time at which the last tx finishes */
  makespan: number;
}

/**
 * Simulates the list schedule on exactly `threads` threads: whenever a thread
 * is free it runs the ready tx with the highest `priority` (ties by lower
 * index). Use `remainingPathWeights` for the priority ceiling(T) uses.
 */
export function listSchedule(
  g: DependencyGraph,
  weights: ArrayLike<number>,
  priority: ArrayLike<number>,
  threads: number,
): ListScheduleReturnType {
  assertThreads(threads);
  assertWeights(g, weights);
  const n = g.txCount;
  const missing = new Int32Array(n); // predecessors not yet finished
  const finish = new Float64Array(n);
  const ready = new IndexHeap(n, (a, b) => priority[a]! > priority[b]! || (priority[a] === priority[b] && a < b));
  const running = new IndexHeap(n, (a, b) => finish[a]! < finish[b]! || (finish[a] === finish[b] && a < b));
  const instant: number[] = []; // zero-weight txs that became ready; they finish on the spot

  let done = 0;
  // Marks tx j ready at the current time; zero-weight txs complete immediately
  // and release their own successors.
  const release = (j: number): void => {
    if (weights[j] === 0) instant.push(j);
    else ready.push(j);
  };
  const complete = (i: number): void => {
    done++;
    for (const s of g.succs[i]!) if (--missing[s] === 0) release(s);
  };
  const drainInstant = (): void => {
    while (instant.length > 0) complete(instant.pop()!);
  };

  for (let j = 0; j < n; j++) {
    missing[j] = g.preds[j]!.length;
    if (missing[j] === 0) release(j);
  }
  drainInstant();

  let now = 0;
  let free = threads;
  while (done < n) {
    while (free > 0 && ready.size > 0) {
      const j = ready.pop();
      finish[j] = now + weights[j]!;
      running.push(j);
      free--;
    }
    if (running.size === 0) {
      throw new Error('listSchedule: no tx is running or ready before the block finished (graph has a cycle?)');
    }
    // Advance to the next finish and retire everything that finishes then,
    // so the next assignment sees all txs ready at that moment.
    now = finish[running.peek()]!;
    while (running.size > 0 && finish[running.peek()] === now) {
      complete(running.pop());
      free++;
    }
    drainInstant();
  }
  return { makespan: now };
}

/**
 * For each tx, its own weight plus the heaviest path from it to a sink: the
 * least time the block still needs once this tx starts. Edges point forward,
 * so one reverse pass computes it.
 */
export function remainingPathWeights(g: DependencyGraph, weights: ArrayLike<number>): Float64Array {
  assertWeights(g, weights);
  const rest = new Float64Array(g.txCount);
  for (let i = g.txCount - 1; i >= 0; i--) {
    let tail = 0;
    for (const s of g.succs[i]!) if (rest[s]! > tail) tail = rest[s]!;
    rest[i] = weights[i]! + tail;
  }
  return rest;
}

function infiniteFrom(total: number, cpWeight: number): number {
  // cpWeight > 0 whenever total > 0: the path includes the heaviest tx.
  return Math.max(1, total / cpWeight);
}

function assertThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`thread count must be a positive integer, got ${threads}`);
  }
}

/** Binary min-heap of tx indices under a caller-supplied order (`before(a, b)`: a comes out first). */
class IndexHeap {
  private readonly items: Int32Array;
  size = 0;

  constructor(
    capacity: number,
    private readonly before: (a: number, b: number) => boolean,
  ) {
    this.items = new Int32Array(Math.max(1, capacity));
  }

  peek(): number {
    return this.items[0]!;
  }

  push(x: number): void {
    const items = this.items;
    let k = this.size++;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      const p = items[parent]!;
      if (!this.before(x, p)) break;
      items[k] = p;
      k = parent;
    }
    items[k] = x;
  }

  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items[--this.size]!;
    const n = this.size;
    let k = 0;
    for (;;) {
      let child = 2 * k + 1;
      if (child >= n) break;
      if (child + 1 < n && this.before(items[child + 1]!, items[child]!)) child++;
      if (!this.before(items[child]!, last)) break;
      items[k] = items[child]!;
      k = child;
    }
    if (n > 0) items[k] = last;
    return top;
  }
}
