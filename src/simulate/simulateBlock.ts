/**
 * Predicted speedups at thread counts this machine does not have: a deterministic
 * virtual-time simulation of stm's Block-STM executor (docs/executor.md) on one block's
 * dependency graph and measured per-transaction times, beside the oracle schedule that
 * knows the read/write sets in advance (a list schedule on the graph) and ceiling(T).
 * The model, its constants and its validation are in docs/simulator.md.
 *
 * The executor simulated (src/parallel/blockStmScheduler.ts): T threads are T executors,
 * T-1 workers and the main thread, and the main thread is also the coordinator. Modelled:
 *   - First incarnations are claimed, as the executor's threads claim them (with at least
 *     one worker): an executor that holds no task that has reached it claims the next
 *     transaction of firstIncarnationOrder at once (workers from `workerStartUs` on, when
 *     the run's message has woken them), and a worker sends claimed results every CLAIM_FLUSH_MS
 *     and when nothing is left to claim.
 *   - Dispatch of re-executions (on the main thread, after every result it handles) is the executor's own
 *     policy, src/parallel/blockStmPolicy.ts and taskSlots.ts, driven by the virtual clock
 *     (chunks of `chooseChunkSize` transactions to the freest executor, same-sender waits
 *     except where sender updates commute (`independent`), heavy transactions early on a
 *     worker, large ones off the main thread, patience, commit order).
 *   - Nothing runs before the run is built (runStartUs in simulationModel.ts); the workers
 *     claim `workerStartUs` after that (the run's message wakes them).
 *   - A worker receives its chunks `resultUs` after dispatch, runs its queue in order,
 *     pays `taskUs` per transaction besides executing it, and sends the results of a chunk
 *     together when it ends; they reach the main thread `resultUs` later.
 *   - The main thread runs its own transactions one at a time, `mainTaskUs` apart (a turn
 *     of the event loop; with claims or alone, one turn per CLAIMING_MAIN_TURN_MS of its own
 *     transactions, and results that arrive meanwhile wait for the turn's end), and
 *     handles nothing while it executes. After each of its own
 *     transactions, and whenever it is idle, it handles the results that have arrived,
 *     one at a time: `coordinatorUs` + `locationUs` per location the transaction read
 *     and wrote (apply, validate, dispatch), + `messageLocationUs` per location for a
 *     worker's (receiving it; handlingUs in simulationModel.ts). So the
 *     coordinator's work comes out of one executor's time, and a worker whose two chunks
 *     are done waits until the main thread gets to its results.
 *   - A transaction costs its measured serial time (plus its share of the block's untimed
 *     serial work, see withUntimedWork) × `slowdown` at T ≥ 2 (threads running at once
 *     are each slower than one alone: shared caches and memory bandwidth, GC helpers;
 *     measured on this machine), × `slowdown1` at T = 1.
 *   - At its start, tx j sees each predecessor p (in the dependency graph) in one of
 *     three states: p's correct result is visible to this executor (in the main thread's
 *     memory; in a worker's replica `resultUs` after the main thread applied it, or at
 *     once if this worker ran it) → fine; p's writes are ESTIMATE markers (p was aborted)
 *     → j stops after `estimateShare` of its work and waits for p to be done; else j runs
 *     on a stale value. A stale incarnation is aborted once p's next result is applied: on
 *     a worker early (`resultUs` later, when the write reaches the replica); on the main
 *     thread, or when it has finished already, when the main thread validates it; a done
 *     one by push validation (its writes become ESTIMATEs). When p is j's sender's
 *     previous transaction and has no result here at all, j fails at once on its nonce
 *     (`estimateShare` of its work, no writes).
 *   - The run ends when the main thread has handled every transaction's final result.
 * An incarnation is correct when every predecessor's visible result was correct at its
 * start, so correctness is decided once per incarnation and never changes: the
 * simulation needs only the graph, not the values. Events are ordered by time, then by
 * insertion: no randomness, the same input gives the same prediction.
 *
 * Around the run: `blockStm` is the executor with --no-fallback; `withFallback` applies
 * its fallback rules, all from src/parallel/fallback.ts: the pre-run rules
 * (decideFallback), the re-execution limit (reexecutionLimit), and the measured fallback
 * (a predicted speedup below MEASURED_FALLBACK_BELOW, standing for the median of the
 * executor's warm-up runs after the first). With `cores` set (the machine the simulation stands for), the
 * executors' and the coordinator's work cannot exceed what that many cores do.
 */
import { remainingPathWeights, listSchedule, ceilings } from '../analysis/ceiling.js';
import type { DependencyGraph } from '../analysis/dependencyGraph.js';
import { BlockStmPolicy, DISPATCHED, DONE, claimsFirstIncarnations, previousSameSender, recipientIds, type DispatchTrace } from '../parallel/blockStmPolicy.js';
import { CLAIM_FLUSH_MS, mainTurnMs } from '../parallel/protocol.js';
import { MEASURED_FALLBACK_BELOW, decideFallback, reexecutionLimit } from '../parallel/fallback.js';
import { TaskSlots, chooseChunkSize } from '../parallel/taskSlots.js';
import { perUnitOf, type UnitStarts } from '../parallel/txUnits.js';
import { simulateBal } from './simulateBal.js';
import { handlingUs, runStartUs, scheduledTaskUs, type SimulationModel } from './simulationModel.js';

export type { SimulationModel } from './simulationModel.js';

export { MEASURED_FALLBACK_BELOW } from '../parallel/fallback.js';

/**
 * Calibrated on this 2-core machine (docs/simulator.md, scripts/simulator/measure-simulator.ts and
 * scripts/simulator/fit-simulator.ts; 2026-12-05, the executor warmed to its steady state): the
 * main thread's costs (coordinatorUs, locationUs, messageLocationUs, mainTaskUs) from the
 * executor's counters and the start of a run from its edges, the rest fitted to measured
 * speedups at 1 and 2 threads, both on half of the bundled blocks; checked on the other half.
 */
export const DEFAULT_MODEL: SimulationModel = {
  taskUs: 10,
  mainTaskUs: 8.4,
  resultUs: 100,
  coordinatorUs: 0,
  locationUs: 0.79,
  messageLocationUs: 0.59,
  slowdown: 1.2,
  slowdown1: 1.02,
  estimateShare: 0.1,
  runStartUs: 198,
  runStartTxUs: 0,
  workerStartUs: 86,
};

export interface SimulationPoint {
  threads: number;
  /** Predicted Block-STM speedup (serial time / simulated parallel time), as with --no-fallback. */
  blockStm: number;
  /** The executor as run by default: 1 (serial) where its pre-run rules, its re-execution limit or its warm-up runs (< 0.95×) would send the block to the serial path. */
  withFallback: number;
  /** The oracle schedule (read/write sets known in advance: a list schedule on the graph) with the same per-task overheads. */
  oracle: number;
  /** ceiling(T) by time: the best list schedule without overheads. */
  ceiling: number;
  /** Predicted speedup of execution with the block-level access list (src/simulate/simulateBal.ts). */
  bal?: number;
  /** Simulated re-executions of the Block-STM run. */
  reexecutions: number;
  /** The pre-run fallback rule (decideFallback) that would send this block to the serial path at this thread count, or null. */
  fallback: string | null;
}

export interface SimulationReport {
  /** The overhead constants used (µs, and the slowdown factors). */
  model: SimulationModel;
  /** Cores of the simulated machine; null = one per thread. */
  cores: number | null;
  /** Transactions per task, as the executor would choose (from the gas limits). */
  chunk: number;
  points: SimulationPoint[];
}

export interface SimulateInput {
  graph: DependencyGraph;
  txTimesMs: ArrayLike<number>;
  gasUsed: bigint[];
  /** Gas limits, from which the executor chooses its chunk size (default: gasUsed). */
  gasLimits?: bigint[];
  senders: string[];
  /** Per transaction: its recipient (`to`), null for a creation; the policy learns hot ones as the executor does. */
  recipients?: ReadonlyArray<string | null>;
  /** Per transaction: its sender updates commute (src/exec/commutativeUpdates.ts); pass with the matching graph view. */
  independent?: ArrayLike<boolean>;
  threads: number[];
  /** Per transaction: the locations its serial run read and wrote (readWriteLocations): the main thread's handling of a result follows them. */
  locations: ArrayLike<number>;
  /**
   * The serial replay's time for the whole block, ms (default: the sum of txTimesMs). The
   * per-transaction work outside the timed part (setting up a transaction's state, building
   * and committing its write set) is spread evenly over the transactions, and the speedup
   * is this time over the simulated one, as the executor measures it.
   */
  serialMs?: number;
  model?: SimulationModel;
  cores?: number;
  /**
   * The executor's units (src/parallel/txUnits.ts) with, per unit, the distinct locations its
   * transactions read and wrote (unitLocations): Block-STM is then simulated over units, as
   * the executor runs it (the ceilings, the oracle and the fallback rules stay per transaction).
   */
  units?: { starts: UnitStarts; locations: number[] };
}

export function simulateBlock(input: SimulateInput): SimulationReport {
  const model = input.model ?? DEFAULT_MODEL;
  const chunk = chooseChunkSize(input.gasLimits ?? input.gasUsed);
  const options = {
    chunk,
    ...(input.independent === undefined ? {} : { independent: input.independent }),
    ...(input.cores === undefined ? {} : { cores: input.cores }),
    ...(input.gasLimits === undefined ? {} : { gasLimits: input.gasLimits.map(Number) }),
    ...(input.recipients === undefined ? {} : { recipients: input.recipients }),
    locations: input.locations,
  };
  const times = withUntimedWork(input.txTimesMs, input.serialMs);
  const stm = input.units === undefined ? { graph: input.graph, times, senders: input.senders, options } : overUnits(input, times, options, input.units);
  const points = input.threads.map((t) => {
    const fallback = decideFallback(input.graph.txCount, input.gasUsed, t, input.senders, input.independent) ?? null;
    const sim = simulateBlockStm(stm.graph, stm.times, stm.senders, t, model, stm.options);
    // The executor with --fallback: its pre-run rules, its re-execution limit, then its
    // warm-up runs (median below MEASURED_FALLBACK_BELOW: serial), at one thread too.
    const gaveUp = sim.reexecutions > reexecutionLimit(input.graph.txCount);
    const serialPath = fallback !== null || gaveUp || sim.speedup < MEASURED_FALLBACK_BELOW;
    return {
      threads: t,
      blockStm: round(sim.speedup),
      withFallback: serialPath ? 1 : round(sim.speedup),
      oracle: round(simulateOracle(input.graph, times, t, model, input.locations)),
      ceiling: round(ceilings(input.graph, input.txTimesMs, t).threads),
      bal: round(simulateBal(times, t, model, input.txTimesMs, input.gasLimits, input.locations)),
      reexecutions: sim.reexecutions,
      fallback,
    };
  });
  return { model: { ...model }, cores: input.cores ?? null, chunk, points };
}

/** Block-STM's inputs over units: a unit depends on every unit its transactions depend on, and takes their summed time (the rest as the executor's perUnit). */
function overUnits(input: SimulateInput, times: number[], options: SimulationOptions & { chunk: number }, units: { starts: UnitStarts; locations: number[] }) {
  const { starts } = units;
  const unitOf = new Int32Array(input.graph.txCount);
  for (let u = 0; u + 1 < starts.length; u++) unitOf.fill(u, starts[u]!, starts[u + 1]!);
  const preds = perUnitOf(starts, input.graph.preds, (lists) => [...new Set(lists.flat().map((p) => unitOf[p]!))]);
  preds.forEach((list, u) => {
    const own = list.indexOf(u);
    if (own >= 0) list.splice(own, 1);
    list.sort((a, b) => a - b);
  });
  const succs = preds.map((): number[] => []);
  preds.forEach((list, u) => list.forEach((p) => succs[p]!.push(u)));
  const graph: DependencyGraph = { txCount: preds.length, preds, succs, edgeCount: preds.reduce((s, p) => s + p.length, 0) };
  const first = <T>(values: T[]): T => values[0]!;
  return {
    graph,
    times: perUnitOf(starts, times, (values) => total(values)),
    senders: perUnitOf(starts, input.senders, first),
    options: {
      ...options,
      ...(options.independent === undefined ? {} : { independent: perUnitOf(starts, options.independent, first) }),
      ...(options.gasLimits === undefined ? {} : { gasLimits: perUnitOf(starts, options.gasLimits, (values) => Math.max(...values)) }),
      ...(options.recipients === undefined ? {} : { recipients: perUnitOf(starts, options.recipients, (values, size) => (size > 1 ? null : values[0]!)) }),
      locations: units.locations,
    },
  };
}

/** Per unit: the distinct locations its transactions read and wrote (SimulateInput.units). */
export function unitLocations(txs: ReadonlyArray<{ reads: { keys: readonly string[] }; writes: { keys: readonly string[]; creditKeys: readonly string[] } }>, starts: UnitStarts): number[] {
  return perUnitOf(starts, txs, (unit) => new Set(unit.flatMap((tx) => [...tx.reads.keys, ...tx.writes.keys, ...tx.writes.creditKeys])).size);
}

/** Per transaction: the locations its run read and wrote (reads, writes and credits): SimulateInput.locations. */
export function readWriteLocations(txs: ReadonlyArray<{ reads: { keys: readonly string[] }; writes: { keys: readonly string[]; creditKeys: readonly string[] } }>): number[] {
  return txs.map((tx) => tx.reads.keys.length + tx.writes.keys.length + tx.writes.creditKeys.length);
}

/** Per-transaction times with the block's untimed serial work (serialMs − their sum, when positive) spread evenly over them. */
export function withUntimedWork(txTimesMs: ArrayLike<number>, serialMs: number | undefined): number[] {
  const times = Array.from(txTimesMs);
  const extra = serialMs === undefined || times.length === 0 ? 0 : (serialMs - total(times)) / times.length;
  return extra > 0 ? times.map((t) => t + extra) : times;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * The oracle: a list schedule (highest remaining path first) on T executors with the
 * executor's per-transaction costs: time × slowdown, a worker's per-transaction cost for
 * the (T-1)/T of transactions workers run, and the main thread's handling of each result
 * spread over the T executors (it runs on one of them).
 */
export function simulateOracle(graph: DependencyGraph, txTimesMs: ArrayLike<number>, threads: number, model: SimulationModel, locations?: ArrayLike<number>): number {
  const n = graph.txCount;
  const serial = total(txTimesMs) * 1000;
  if (n === 0 || serial === 0) return 1;
  const weights = scheduledTaskUs(txTimesMs, threads, model, locations);
  const { makespan } = listSchedule(graph, weights, remainingPathWeights(graph, weights), threads);
  return serial / (makespan + (threads >= 2 ? model.resultUs : 0));
}

function total(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum;
}

export interface BlockStmSimulation {
  speedup: number;
  makespanUs: number;
  reexecutions: number;
  /** Main-thread time spent coordinating (handling results), µs. */
  coordinatorUs: number;
  /** Per executor (the workers, then the main thread): time spent executing, µs. */
  executorBusyUs: number[];
  /** The run did not finish within the simulation's event budget (a model bug; the serial time is added). */
  stuck: boolean;
  /** Recipients the policy learned hot (blockStmPolicy.ts, "Hot recipients"). */
  hotRecipients: number;
}

export interface SimulationOptions {
  /** Transactions per task (default 1). */
  chunk?: number;
  /** Cores of the simulated machine (default: one per thread). */
  cores?: number;
  /** Gas limit per transaction: dispatch keeps heavy ones off the main thread and starts far ones early (blockStmPolicy.ts). */
  gasLimits?: number[];
  /** Per transaction: its sender updates commute, so it does not wait for its sender's earlier transactions. */
  independent?: ArrayLike<boolean>;
  /** Per transaction: its recipient, null for a creation (hot recipients, blockStmPolicy.ts). */
  recipients?: ReadonlyArray<string | null>;
  /** Per transaction: the locations it read and wrote (the main thread's handling of its results; absent: 0). */
  locations?: ArrayLike<number>;
  /** Observe every task dispatched (tests). */
  onDispatch?: DispatchTrace;
}


interface Task {
  tx: number;
  inc: number;
  /** The last transaction of its chunk (a worker sends the chunk's results then). */
  last: boolean;
  /** When it reaches the executor. */
  at: number;
}

interface Result {
  tx: number;
  inc: number;
  executor: number;
  /** -1: a finished incarnation; else it stopped (ESTIMATE, early abort) and waits for this transaction. */
  blockedOn: number;
  /** It failed at once on a stale nonce: no writes. */
  failed: boolean;
}

interface Running {
  tx: number;
  inc: number;
  token: number;
  startedAt: number;
  last: boolean;
  blockedOn: number;
  failed: boolean;
}

/** One simulated Block-STM run on `threads` threads (threads-1 workers and the main thread); see the module comment. */
export function simulateBlockStm(
  graph: DependencyGraph,
  txTimesMs: ArrayLike<number>,
  senders: string[],
  threads: number,
  model: SimulationModel,
  options: SimulationOptions = {},
): BlockStmSimulation {
  const n = graph.txCount;
  const T = Math.max(1, Math.floor(threads));
  const MAIN = T - 1;
  const serial = total(txTimesMs) * 1000;
  const executorBusyUs = new Array<number>(T).fill(0);
  if (n === 0 || serial === 0) return { speedup: 1, makespanUs: 0, reexecutions: 0, coordinatorUs: 0, executorBusyUs, stuck: false, hotRecipients: 0 };
  const chunk = Math.max(1, Math.floor(options.chunk ?? 1));
  const factor = T >= 2 ? model.slowdown : model.slowdown1;
  const cost = Float64Array.from({ length: n }, (_, i) => txTimesMs[i]! * 1000 * factor);
  const lag = (e: number): number => (e === MAIN ? 0 : model.resultUs);
  const locations = options.locations;
  const resultHandlingUs = (result: Result): number => handlingUs(model, locations?.[result.tx] ?? 0, result.executor !== MAIN);
  // The executor's own scheduling policy (blockStmPolicy.ts) on T executors: T-1 workers and the main thread.
  const status = new Int8Array(n); // READY
  const incarnation = new Int32Array(n);
  const slots = new TaskSlots(T - 1, true, n, chunk, options.gasLimits);
  // First incarnations are claimed from one queue, as the executor's threads do (blockStmPolicy.ts).
  const claimed = claimsFirstIncarnations(slots);
  const claimState = new Uint8Array(n); // 0 open, 1 claimed, 2 withdrawn (protocol.ts, claimQueue)
  let claimOrder: number[] = [];
  let claimedCount = 0;
  const claimsLeft = (): boolean => claimedCount < claimOrder.length;
  const claimNext = (): number => {
    while (claimedCount < claimOrder.length) {
      const tx = claimOrder[claimedCount++]!;
      if (claimState[tx] === 0) {
        claimState[tx] = 1;
        return tx;
      }
    }
    return -1;
  };
  const recipientIdsOf = options.recipients === undefined ? undefined : recipientIds(options.recipients);
  const policy = new BlockStmPolicy(
    status,
    incarnation,
    slots,
    previousSameSender(senders, options.independent, recipientIdsOf),
    recipientIdsOf,
    claimed
      ? {
          withdraw: (tx) => {
            if (claimState[tx] !== 0) return false;
            claimState[tx] = 2;
            return true;
          },
        }
      : undefined,
  );
  claimOrder = policy.claimOrder();
  policy.onDispatch = options.onDispatch;
  const previous = policy.previous;
  const runsOn = new Int32Array(n).fill(-1); // the executor that started its current incarnation
  const correct = new Uint8Array(n); // the current incarnation read only correct values
  const invalid = new Uint8Array(n); // the current incarnation will fail validation (read a value since rewritten)
  const invalidBy = new Int32Array(n).fill(-1);
  const estimate = new Uint8Array(n); // its writes in the main thread's memory are ESTIMATE markers
  const appliedCorrect = new Uint8Array(n); // its result in the main thread's memory is correct (final)
  const appliedAt = new Float64Array(n);
  const resultAt = new Float64Array(n).fill(Number.POSITIVE_INFINITY); // when its latest result (correct or not) was applied
  const lastOn = new Int32Array(n).fill(-1); // the worker that last finished an incarnation of it (its writes are in that replica)
  const ownOn = new Int32Array(n).fill(-1); // the worker that ran its latest correct incarnation (in that replica at once)
  const blockedReaders: Array<Array<[number, number]>> = Array.from({ length: n }, () => []); // (tx, incarnation) that read a wrong or missing result of it

  const queues: Task[][] = Array.from({ length: T }, () => []);
  const running: Array<Running | null> = Array.from({ length: T }, () => null);
  const outbox: Result[][] = Array.from({ length: T }, () => []);
  const wakeAt = new Float64Array(T).fill(-1);
  const flushedAt = new Float64Array(T); // when each worker last sent its results
  const inbox: Result[] = [];
  let mainState: 'idle' | 'exec' | 'coord' = 'idle';
  // With claims, or alone, the main thread runs its own tasks for a turn before it takes in results (one turn's cost).
  const mainTurnUs = mainTurnMs(claimed, T - 1) * 1000;
  let turnStartedAt = Number.NEGATIVE_INFINITY;
  let payTurn = true;
  let coordinatorUs = 0;
  let reexecutions = 0;
  let token = 0;
  let finishedAt = -1;
  const events = new EventQueue();

  const conflict = (tx: number): void => {
    incarnation[tx]!++;
    reexecutions++;
  };
  const makeRunnable = (tx: number, blocker: number): void => {
    policy.makeRunnable(tx, blocker);
    // The done calls after it to a hot address go with it (blockStmPolicy.ts,
    // hotFollowersToAbort), as the executor does.
    for (const [f, before] of policy.hotFollowersToAbort(tx, (call, before) => graph.preds[call]!.includes(before))) {
      estimate[f] = 1;
      appliedCorrect[f] = 0;
      conflict(f);
      policy.makeRunnable(f, before);
    }
  };
  const wakeDependents = (tx: number): void => policy.wakeDependents(tx);
  const mayCommit = (tx: number): boolean => correct[tx] === 1;

  /** p's new result is in the main thread's memory at time t: what read its previous values is wrong. */
  const abortReaders = (p: number, t: number): void => {
    const readers = blockedReaders[p]!;
    if (readers.length === 0) return;
    blockedReaders[p] = [];
    for (const [r, inc] of readers) {
      if (incarnation[r] !== inc) continue;
      if (status[r] === DONE) {
        // Push validation: r's writes become ESTIMATEs and r runs again.
        estimate[r] = 1;
        appliedCorrect[r] = 0;
        conflict(r);
        makeRunnable(r, p);
      } else if (status[r] === DISPATCHED) {
        invalid[r] = 1;
        invalidBy[r] = p;
        const e = runsOn[r]!;
        const run = e < 0 ? null : running[e]!;
        // Early abort: a worker stops the incarnation when the write reaches its replica.
        if (e !== MAIN && run !== null && run.tx === r && run.inc === inc && run.blockedOn < 0) stopRun(e, t + lag(e), p);
      }
    }
  };

  /** Replaces a worker's running incarnation's end by an early stop at time `at`. */
  const stopRun = (e: number, at: number, on: number): void => {
    const run = running[e]!;
    run.token = ++token;
    run.blockedOn = on;
    events.push(Math.max(at, run.startedAt), 'finish', e, run.token);
  };

  /** The main thread handles one result; its effects are visible from time t. */
  const handle = (result: Result, t: number): void => {
    slots.release(result.executor, result.tx);
    const j = result.tx;
    if (status[j] !== DISPATCHED || incarnation[j] !== result.inc) return;
    if (result.blockedOn >= 0) {
      conflict(j);
      makeRunnable(j, result.blockedOn);
      return;
    }
    abortReaders(j, t);
    if (result.failed) resultAt[j] = Number.POSITIVE_INFINITY; // no writes: its previous ones are removed
    if (invalid[j]) {
      // Validation fails: the writes just applied become ESTIMATEs.
      estimate[j] = 1;
      appliedCorrect[j] = 0;
      conflict(j);
      makeRunnable(j, invalidBy[j]!);
      return;
    }
    status[j] = DONE;
    estimate[j] = 0;
    if (!result.failed) resultAt[j] = t;
    appliedCorrect[j] = correct[j]!;
    appliedAt[j] = t;
    wakeDependents(j);
    if (policy.advanceCommit(mayCommit) && finishedAt < 0) finishedAt = t;
  };

  /** The policy hands over a task: it reaches its executor `lag` later. */
  const deliverAt = (now: number) => (target: number, txs: number[], incs: number[]): void => {
    const at = now + lag(target);
    txs.forEach((tx, i) => queues[target]!.push({ tx, inc: incs[i]!, last: i === txs.length - 1, at }));
    if (target !== MAIN) wakeWorker(target, now);
  };
  const dispatch = (now: number): void => policy.dispatch(deliverAt(now));

  const wakeWorker = (e: number, now: number): void => {
    if (running[e] !== null) return;
    const head = queues[e]![0];
    if (head === undefined || head.at > now) {
      const tx = claimNext();
      if (tx >= 0) return start({ tx, inc: 0, last: false, at: now }, e, now);
    }
    if (head === undefined) return;
    if (head.at > now) {
      if (wakeAt[e] !== head.at) {
        wakeAt[e] = head.at;
        events.push(head.at, 'wake', e, 0);
      }
      return;
    }
    start(queues[e]!.shift()!, e, now);
  };

  /** Executor e starts a task: which predecessors it sees decides the incarnation's fate. */
  const start = (task: Task, e: number, now: number): void => {
    const j = task.tx;
    let ok = true;
    let waitOn = -1;
    let arriving = Number.POSITIVE_INFINITY;
    let arrivingFrom = -1;
    let nonceMissing = false;
    const blockers: number[] = [];
    for (const p of graph.preds[j]!) {
      const seen = (appliedCorrect[p] === 1 && appliedAt[p]! + lag(e) <= now) || (e !== MAIN && ownOn[p] === e);
      if (seen) continue;
      if (estimate[p]) {
        waitOn = p;
        break;
      }
      ok = false;
      // No result at all of the sender's previous transaction here: the nonce check fails at once.
      if (p === previous[j] && resultAt[p]! + lag(e) > now && lastOn[p] !== e) nonceMissing = true;
      if (appliedCorrect[p] === 1) {
        // Final already, but the write has not reached this worker's replica yet.
        if (appliedAt[p]! + lag(e) < arriving) {
          arriving = appliedAt[p]! + lag(e);
          arrivingFrom = p;
        }
      } else blockers.push(p);
    }
    invalid[j] = 0;
    invalidBy[j] = -1;
    runsOn[j] = e;
    const pre = e === MAIN ? (payTurn ? model.mainTaskUs : 0) : model.taskUs;
    const run: Running = { tx: j, inc: task.inc, token: ++token, startedAt: now, last: task.last, blockedOn: -1, failed: false };
    running[e] = run;
    if (waitOn >= 0) {
      run.blockedOn = waitOn;
      events.push(now + pre + cost[j]! * model.estimateShare, 'finish', e, run.token);
      return;
    }
    correct[j] = ok ? 1 : 0;
    for (const p of blockers) blockedReaders[p]!.push([j, task.inc]);
    run.failed = nonceMissing;
    const end = now + pre + cost[j]! * (nonceMissing ? model.estimateShare : 1);
    if (arrivingFrom >= 0) {
      invalid[j] = 1;
      invalidBy[j] = arrivingFrom;
      if (arriving < end) {
        run.blockedOn = arrivingFrom;
        events.push(Math.max(now, arriving), 'finish', e, run.token);
        return;
      }
    }
    events.push(end, 'finish', e, run.token);
  };

  /** The main thread handles one result starting at `at`: returns when it is done, or -1 once the block is. */
  const handleOnMain = (result: Result, at: number): number => {
    const d = resultHandlingUs(result);
    const t = at + d;
    coordinatorUs += d;
    handle(result, t);
    if (finishedAt >= 0) return -1;
    dispatch(t);
    return t;
  };

  /** The main thread is free: it handles what has arrived, else runs its next task, else idles. */
  const mainStep = (now: number): void => {
    if (finishedAt >= 0) return;
    const inTurn = mainState === 'coord' && now - turnStartedAt < mainTurnUs;
    if (inbox.length > 0 && !inTurn) {
      turnStartedAt = Number.NEGATIVE_INFINITY; // the next task of its own starts a new turn
      let t = now;
      for (const result of inbox.splice(0)) {
        t = handleOnMain(result, t);
        if (t < 0) return;
      }
      mainState = 'coord';
      events.push(t, 'main', MAIN, 0);
      return;
    }
    const claim = queues[MAIN]!.length > 0 ? -1 : claimNext();
    const task = queues[MAIN]!.shift() ?? (claim >= 0 ? { tx: claim, inc: 0, last: false, at: now } : undefined);
    if (task !== undefined) {
      mainState = 'exec';
      payTurn = !inTurn;
      if (payTurn) turnStartedAt = now;
      start(task, MAIN, now);
      return;
    }
    if (inbox.length > 0) {
      // Nothing of its own left: the turn ends, and what arrived meanwhile is handled.
      turnStartedAt = Number.NEGATIVE_INFINITY;
      return mainStep(now);
    }
    mainState = 'idle';
  };

  const finish = (e: number, tok: number, now: number): void => {
    const run = running[e];
    if (run === null || run.token !== tok) return;
    running[e] = null;
    executorBusyUs[e]! += now - run.startedAt;
    const result: Result = { tx: run.tx, inc: run.inc, executor: e, blockedOn: run.blockedOn, failed: run.failed };
    if (e === MAIN) {
      // Its own result, handled at once (no message), then what has arrived meanwhile.
      const t = handleOnMain(result, now);
      if (t < 0) return;
      mainState = 'coord';
      events.push(t, 'main', MAIN, 0);
      return;
    }
    // A worker applies its own writes to its replica at once: its next tasks see them.
    if (run.blockedOn < 0 && !run.failed) {
      lastOn[run.tx] = e;
      if (correct[run.tx]) ownOn[run.tx] = e;
    }
    outbox[e]!.push(result);
    const nextReceived = queues[e]![0] !== undefined && queues[e]![0]!.at <= now;
    // A claimed incarnation's results go out every CLAIM_FLUSH_MS, and when nothing is left to claim.
    const send = !slots.assigned(run.tx) ? !claimsLeft() || now - flushedAt[e]! >= CLAIM_FLUSH_MS * 1000 : run.last || !nextReceived;
    if (send) {
      flushedAt[e] = now;
      events.push(now + model.resultUs, 'arrive', e, 0, outbox[e]!.splice(0));
    }
    wakeWorker(e, now);
  };

  // The run is built before anything runs; the workers start claiming when its message
  // has woken them.
  const startedAt = runStartUs(model, n);
  dispatch(startedAt);
  if (claimed) for (let e = 0; e < MAIN; e++) events.push(startedAt + model.workerStartUs, 'wake', e, 0);
  mainStep(startedAt);
  let now = startedAt;
  let budget = 2000 * (n + 10);
  while (events.size > 0 && finishedAt < 0 && budget-- > 0) {
    const event = events.pop();
    now = event.time;
    if (event.kind === 'finish') finish(event.executor, event.token, now);
    else if (event.kind === 'wake') {
      wakeAt[event.executor] = -1;
      wakeWorker(event.executor, now);
    } else if (event.kind === 'arrive') {
      inbox.push(...event.results!);
      if (mainState === 'idle') mainStep(now);
    } else mainStep(now);
  }
  const stuck = finishedAt < 0;
  let makespan = stuck ? now + serial : finishedAt;
  if (options.cores !== undefined && options.cores > 0) {
    const work = executorBusyUs.reduce((a, b) => a + b, 0) + coordinatorUs;
    makespan = Math.max(makespan, work / options.cores);
  }
  return { speedup: serial / makespan, makespanUs: makespan, reexecutions, coordinatorUs, executorBusyUs, stuck, hotRecipients: policy.hotRecipientTxs.length };
}

interface SimEvent {
  time: number;
  seq: number;
  kind: 'finish' | 'wake' | 'arrive' | 'main';
  executor: number;
  token: number;
  results: Result[] | undefined;
}

/** Events by time, then by insertion order: deterministic. */
class EventQueue {
  private items: SimEvent[] = [];
  private seq = 0;
  get size(): number {
    return this.items.length;
  }
  private before(a: SimEvent, b: SimEvent): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }
  push(time: number, kind: SimEvent['kind'], executor: number, token: number, results?: Result[]): void {
    const e: SimEvent = { time, seq: this.seq++, kind, executor, token, results };
    const a = this.items;
    a.push(e);
    let k = a.length - 1;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!this.before(e, a[p]!)) break;
      a[k] = a[p]!;
      k = p;
    }
    a[k] = e;
  }
  pop(): SimEvent {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let k = 0;
      for (;;) {
        let c = 2 * k + 1;
        if (c >= a.length) break;
        if (c + 1 < a.length && this.before(a[c + 1]!, a[c]!)) c++;
        if (!this.before(a[c]!, last)) break;
        a[k] = a[c]!;
        k = c;
      }
      a[k] = last;
    }
    return top;
  }
}
