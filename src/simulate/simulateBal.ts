/**
 * Predicted speedups of execution with a block-level access list (`--scheduler bal`,
 * docs/bal.md) at thread counts this machine does not have. With the list every
 * transaction is ready at once and runs once, so the prediction is a list schedule with
 * no edges, in the order the executor's threads claim them (largest gas limit first, by
 * index without gas limits: taskSlots.ts, claimOrder), with the same
 * per-transaction costs the Block-STM simulation charges (src/simulate/simulateBlock.ts's
 * SimulationModel): each transaction's time × slowdown, a worker's per-task cost for the
 * (T-1)/T of transactions the workers run, and the main thread's handling of every result
 * (checking it against the list instead of validating) spread over the T executors; plus
 * one message delay at the end. Where ceiling_bal(T) < 1.1 the executor runs serially: 1.
 */
import { ceilingBal } from '../analysis/ceilingBal.js';
import { buildDependencyGraph } from '../analysis/dependencyGraph.js';
import { listSchedule } from '../analysis/ceiling.js';
import { BAL_FALLBACK_BELOW } from '../parallel/fallback.js';
import { claimOrder } from '../parallel/taskSlots.js';
import { scheduledTaskUs, type SimulationModel } from './simulationModel.js';

/**
 * The predicted speedup of the access-list executor on `threads` threads.
 * `times`: per-transaction times, ms, with the block's untimed serial work included (the
 * speedup's numerator is their sum); `measuredTxMs`: the measured times alone (for the
 * fallback rule, as the executor decides it); `locations`: per transaction, what it read
 * and wrote (the main thread's handling, simulationModel.ts).
 */
export function simulateBal(times: ArrayLike<number>, threads: number, model: SimulationModel, measuredTxMs: ArrayLike<number> = times, gasLimits?: ArrayLike<number | bigint>, locations?: ArrayLike<number>): number {
  const n = times.length;
  let serialUs = 0;
  for (let i = 0; i < n; i++) serialUs += times[i]! * 1000;
  if (n === 0 || serialUs === 0) return 1;
  if (threads >= 2 && ceilingBal(measuredTxMs, threads) < BAL_FALLBACK_BELOW) return 1;
  const weights = scheduledTaskUs(times, threads, model, locations);
  const graph = buildDependencyGraph(n, []);
  // listSchedule takes the highest priority first.
  const claimed = claimOrder(n, gasLimits);
  const order = new Array<number>(n);
  claimed.forEach((tx, position) => (order[tx] = n - position));
  const { makespan } = listSchedule(graph, weights, order, threads);
  return serialUs / (makespan + (threads >= 2 ? model.resultUs : 0));
}
