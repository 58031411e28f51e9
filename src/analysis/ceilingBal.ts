/**
 * The ceiling of execution with a block-level access list, and its efficiency score.
 *
 * With an access list every transaction's pre-state is known in advance: there are no
 * dependency edges, so the best T-thread schedule is a makespan problem on independent
 * jobs. ceiling_bal(T) = total time / makespan of the list schedule (longest first) of
 * the measured transaction times on T threads, the same estimator as ceiling(T) on an
 * empty graph; it can never beat max(largest, total / T) as a makespan, i.e.
 * min(T, total / largest) as a speedup.
 *
 * M = (S - A) / (S - L): S the serial time, A the access-list executor's time, L the
 * largest transaction's time. 1 when the executor reaches the one bound no schedule can
 * beat (the largest transaction alone), 0 when it gains nothing, negative when slower.
 */
import { ceilings, type Ceilings } from './ceiling.js';
import { buildDependencyGraph } from './dependencyGraph.js';

/**
 * ceiling_bal(T) by the given weights (measured times): docs/metrics.md. A list schedule
 * is an estimate, and longest-first on independent jobs can miss a packing that the
 * graph's schedule happens to find; every schedule of the graph is a schedule without
 * edges, so with `graph` (ceiling(T) of the same weights at the same T) the better of the
 * two is taken.
 */
export function ceilingBal(weights: ArrayLike<number>, threads: number, graph?: Ceilings): number {
  const own = ceilings(buildDependencyGraph(weights.length, []), weights, threads).threads;
  return graph !== undefined && graph.T === threads ? Math.max(own, graph.threads) : own;
}

/** The bound ceiling_bal(T) cannot beat: min(T, total / largest). */
export function balBound(weights: ArrayLike<number>, threads: number): number {
  let total = 0;
  let largest = 0;
  for (let i = 0; i < weights.length; i++) {
    total += weights[i]!;
    if (weights[i]! > largest) largest = weights[i]!;
  }
  return largest > 0 ? Math.min(threads, total / largest) : 1;
}

/** M = (S - A) / (S - L); undefined when S <= L (one transaction is the whole block: nothing to gain). */
export function balScore(serialMs: number, balMs: number, largestTxMs: number): number | undefined {
  const room = serialMs - largestTxMs;
  return room > 0 ? (serialMs - balMs) / room : undefined;
}
