/**
 * Predicted speedups at thread counts this machine does not have: a deterministic
 * virtual-time simulation of stm's Block-STM executor (docs/executor.md) on one block's
 * dependency graph and measured per-transaction times, beside the oracle schedule that
 * knows the read/write sets in advance (a list schedule on the graph) and ceiling(T).
 * The model and its calibration are in docs/simulator.md.
 *
 * What is modelled, per transaction j and incarnation:
 *   - T workers; a free worker takes the lowest-index ready transaction (each worker
 *     keeps a task queued, so it never idles for a round trip), paying `taskUs`.
 *   - Execution costs j's measured serial time × `slowdown` (threads that run at once
 *     are slower than one alone: shared caches, GC helpers; 1 at one thread).
 *   - At its start, j sees each predecessor p (in the dependency graph) in one of three
 *     states: p's final (correct) write is visible → fine; p's writes are ESTIMATE
 *     markers (p was aborted) → j stops at once and waits for p's next result; p has not
 *     produced a result yet, or its visible result is itself wrong → j runs on a stale
 *     value and is aborted when p's next result arrives (early abort stops it then if
 *     still running; push validation re-queues it if it had finished).
 *   - A result becomes visible after `resultUs` (message) plus the coordinator's
 *     `coordinatorUs` per result, on one coordinator that handles results one at a time.
 *   - Same-sender rule: j whose sender has an earlier transaction waits until that one's
 *     correct result (it is queued behind it, no round trip).
 *   - Patience: a transaction aborted twice waits until everything below it is committed.
 *   - Fallback: the executor's own pre-run rules (src/parallel/fallback.ts) are reported
 *     beside the prediction, which is for the executor with --no-fallback.
 *   - With `cores` set (the machine the simulation stands for), the workers' and the
 *     coordinator's work cannot exceed what that many cores do: makespan ≥ (worker busy
 *     time + coordinator time) / cores.
 * An incarnation is correct when every predecessor's visible result was correct at its
 * start, so correctness is decided once per incarnation and never changes: the
 * simulation needs only the graph, not the values.
 */
import { remainingPathWeights, listSchedule, ceilings } from '../analysis/ceiling.js';
import type { DependencyGraph } from '../analysis/dependencyGraph.js';
import { decideFallback } from '../parallel/fallback.js';

/** Overheads of the executor, µs (and a factor). Calibrated in docs/simulator.md. */
export interface SimulationModel {
  /** Worker time per task (take the task, set up the incarnation, send the result). */
  taskUs: number;
  /** Delay before a result reaches the coordinator (message). */
  resultUs: number;
  /** Coordinator time per result (apply writes, validate, schedule), one at a time. */
  coordinatorUs: number;
  /** Per-transaction time factor when two or more workers run at once. */
  slowdown: number;
  /** Share of a transaction's time spent before it meets an ESTIMATE and stops. */
  estimateShare: number;
}

/** replayParallel.ts: warm-up runs slower than this fall back to serial. */
const MEASURED_FALLBACK_BELOW = 0.85;

/** From measured per-message and coordinator costs, not fitted (docs/simulator.md: validation). */
export const DEFAULT_MODEL: SimulationModel = { taskUs: 25, resultUs: 50, coordinatorUs: 45, slowdown: 1.15, estimateShare: 0.1 };

export interface SimulationPoint {
  threads: number;
  /** Predicted Block-STM speedup (serial time / simulated parallel time), as with --no-fallback. */
  blockStm: number;
  /** The executor as run by default: 1 (serial) where its fallback rules or its warm-up runs (< 0.85×) would send the block to the serial path. */
  withFallback: number;
  /** The oracle schedule (read/write sets known in advance: a list schedule on the graph) with the same per-task overheads. */
  oracle: number;
  /** ceiling(T) by time: the best list schedule without overheads. */
  ceiling: number;
  /** Simulated re-executions of the Block-STM run. */
  reexecutions: number;
  /** Why the executor would, by default, run this block serially at this thread count (speedup ≈ 1), or null. */
  fallback: string | null;
}

export interface SimulationReport {
  /** The overhead constants used (µs, and the slowdown factor). */
  model: SimulationModel;
  /** Cores of the simulated machine; null = as many as needed (threads + coordinator). */
  cores: number | null;
  points: SimulationPoint[];
}

export interface SimulateInput {
  graph: DependencyGraph;
  txTimesMs: ArrayLike<number>;
  gasUsed: bigint[];
  senders: string[];
  threads: number[];
  model?: SimulationModel;
  cores?: number;
}

export function simulateBlock(input: SimulateInput): SimulationReport {
  const model = input.model ?? DEFAULT_MODEL;
  const points = input.threads.map((t) => {
    const fallback = decideFallback(input.graph.txCount, input.gasUsed, t, input.senders) ?? null;
    const sim = simulateBlockStm(input.graph, input.txTimesMs, input.senders, t, model, input.cores, input.gasUsed);
    // The executor's default: its pre-run rules, then its warm-up runs (below 0.85× it runs serially).
    const serialPath = fallback !== null || (t >= 2 && sim.speedup < MEASURED_FALLBACK_BELOW);
    return {
      threads: t,
      blockStm: round(sim.speedup),
      withFallback: serialPath ? 1 : round(sim.speedup),
      oracle: round(simulateOracle(input.graph, input.txTimesMs, t, model)),
      ceiling: round(ceilings(input.graph, input.txTimesMs, t).threads),
      reexecutions: sim.reexecutions,
      fallback,
    };
  });
  return { model: { ...model }, cores: input.cores ?? null, points };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The oracle: list schedule (highest remaining path first) with per-task overheads added to each transaction. */
export function simulateOracle(graph: DependencyGraph, txTimesMs: ArrayLike<number>, threads: number, model: SimulationModel): number {
  const n = graph.txCount;
  const serial = total(txTimesMs) * 1000;
  if (n === 0 || serial === 0) return 1;
  const factor = threads >= 2 ? model.slowdown : 1;
  const weights = Array.from({ length: n }, (_, i) => txTimesMs[i]! * 1000 * factor + model.taskUs);
  const { makespan } = listSchedule(graph, weights, remainingPathWeights(graph, weights), threads);
  return serial / (makespan + model.resultUs + model.coordinatorUs);
}

/** Transactions per task, as the executor chooses it from the median transaction's gas. */
export function chunkSize(gasUsed: bigint[] | undefined): number {
  if (gasUsed === undefined || gasUsed.length === 0) return 1;
  const sorted = gasUsed.map(Number).sort((a, b) => a - b);
  return Math.max(1, Math.min(32, Math.floor(500_000 / Math.max(sorted[sorted.length >> 1]!, 1))));
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
}

const enum Status {
  Pending, // waiting for a same-sender predecessor
  Ready,
  Running,
  Waiting, // met an ESTIMATE
  Done,
}

/** One simulated Block-STM run on `threads` workers; see the module comment for the model. */
export function simulateBlockStm(graph: DependencyGraph, txTimesMs: ArrayLike<number>, senders: string[], threads: number, model: SimulationModel, cores?: number, gasUsed?: bigint[]): BlockStmSimulation {
  const n = graph.txCount;
  // Small transactions travel in chunks (coordinator.ts chooseChunkSize: ~500k gas per task,
  // by the median transaction), so the per-task cost is shared by the chunk.
  const taskUs = model.taskUs / chunkSize(gasUsed);
  const serial = total(txTimesMs) * 1000;
  if (n === 0 || serial === 0) return { speedup: 1, makespanUs: 0, reexecutions: 0 };
  const factor = threads >= 2 ? model.slowdown : 1;
  const cost = Float64Array.from({ length: n }, (_, i) => txTimesMs[i]! * 1000 * factor);

  const previousSender = new Int32Array(n).fill(-1);
  const nextSender = new Int32Array(n).fill(-1);
  const lastOf = new Map<string, number>();
  senders.forEach((s, i) => {
    const prev = lastOf.get(s);
    if (prev !== undefined) {
      previousSender[i] = prev;
      nextSender[prev] = i;
    }
    lastOf.set(s, i);
  });

  const status = new Uint8Array(n);
  const incarnation = new Int32Array(n); // current incarnation number
  const correct = new Uint8Array(n); // the current incarnation read only correct values
  const visible = new Uint8Array(n); // a result of it is in memory
  const estimate = new Uint8Array(n); // its writes are ESTIMATE markers
  const aborts = new Int32Array(n);
  const blockedReaders: Array<Array<[number, number]>> = Array.from({ length: n }, () => []); // readers (tx, incarnation) of a wrong or missing result
  const estimateWaiters: number[][] = Array.from({ length: n }, () => []);
  let reexecutions = 0;
  let committed = 0;
  let busyUs = 0;
  let coordinatorUs = 0;

  // Ready transactions: lowest index first (a sorted array with a flag is enough at these sizes).
  const ready = new MinHeap();
  const patient: number[] = [];
  for (let i = 0; i < n; i++) {
    if (previousSender[i] === -1) {
      status[i] = Status.Ready;
      ready.push(i);
    } else status[i] = Status.Pending;
  }

  // Events: finish of an execution and arrival of a result at the coordinator.
  const events = new EventQueue();
  const workerFree: number[] = Array.from({ length: threads }, () => 0);
  const runningOn = new Int32Array(n).fill(-1);
  const startedAt = new Float64Array(n);
  const waitingFor = new Int32Array(n).fill(-1);
  let coordinatorFree = 0;
  let now = 0;
  let makespan = 0;

  const makeReady = (j: number): void => {
    status[j] = Status.Ready;
    ready.push(j);
  };

  const schedule = (): void => {
    for (let w = 0; w < threads; w++) {
      if (workerFree[w]! > now || runningOnWorker[w] !== -1) continue;
      let j = -1;
      while (ready.size > 0) {
        const candidate = ready.pop();
        if (status[candidate] !== Status.Ready) continue;
        if (aborts[candidate]! >= 2 && committed < candidate) {
          patient.push(candidate);
          continue;
        }
        j = candidate;
        break;
      }
      if (j === -1) return;
      start(j, w);
    }
  };
  const runningOnWorker: number[] = Array.from({ length: threads }, () => -1);

  const start = (j: number, w: number): void => {
    const inc = incarnation[j]!;
    let ok = true;
    let waitOn = -1;
    const blockers: number[] = [];
    for (const p of graph.preds[j]!) {
      if (estimate[p]) {
        waitOn = p;
        break;
      }
      const sameWorker = p === previousSender[j] && status[p] === Status.Done && correct[p] === 1;
      if (!sameWorker && (!visible[p] || !correct[p])) {
        ok = false;
        blockers.push(p);
      }
    }
    status[j] = Status.Running;
    runningOn[j] = w;
    runningOnWorker[w] = j;
    startedAt[j] = now;
    waitingFor[j] = waitOn;
    if (waitOn !== -1) {
      const d = taskUs + cost[j]! * model.estimateShare;
      events.push(now + d, 'stop', j, inc);
      estimateWaiters[waitOn]!.push(j);
      return;
    }
    correct[j] = ok ? 1 : 0;
    for (const p of blockers) blockedReaders[p]!.push([j, inc]);
    events.push(now + taskUs + cost[j]!, 'finish', j, inc);
  };

  const freeWorker = (j: number): void => {
    const w = runningOn[j]!;
    if (w === -1) return;
    runningOn[j] = -1;
    runningOnWorker[w] = -1;
    workerFree[w] = now;
  };

  const abort = (r: number): void => {
    // r's current incarnation read a value that has now changed.
    if (status[r] === Status.Running) {
      busyUs += now - startedAt[r]!;
      const w = runningOn[r]!;
      runningOn[r] = -1;
      runningOnWorker[w] = -1;
    } else if (status[r] === Status.Done) {
      estimate[r] = 1;
    } else return;
    incarnation[r]!++;
    aborts[r]!++;
    reexecutions++;
    makeReady(r);
  };

  let guard = 0;
  const limit = 3 * n + 100;
  schedule();

  while (events.size > 0) {
    const event = events.pop();
    now = event.time;
    const j = event.tx;
    if (event.inc !== incarnation[j] || (event.kind !== 'result' && status[j] !== Status.Running)) {
      schedule();
      continue;
    }
    if (event.kind === 'stop') {
      busyUs += now - startedAt[j]!;
      freeWorker(j);
      status[j] = Status.Waiting;
      // The writer's next result may have arrived while this incarnation was stopping.
      if (!estimate[waitingFor[j]!]) makeReady(j);
    } else if (event.kind === 'finish') {
      busyUs += now - startedAt[j]!;
      freeWorker(j);
      status[j] = Status.Done;
      // The sender's next transaction is queued behind it on this worker: no round trip.
      if (correct[j]) {
        const next = nextSender[j]!;
        if (next !== -1 && status[next] === Status.Pending) makeReady(next);
      }
      const arrive = Math.max(now + model.resultUs, coordinatorFree) + model.coordinatorUs;
      coordinatorFree = arrive;
      coordinatorUs += model.coordinatorUs;
      events.push(arrive, 'result', j, incarnation[j]!);
    } else {
      // The coordinator applied j's result: its writes are visible.
      if (status[j] !== Status.Done) {
        schedule();
        continue;
      }
      visible[j] = 1;
      estimate[j] = 0;
      const readers = blockedReaders[j]!;
      blockedReaders[j] = [];
      for (const [r, inc] of readers) {
        if (incarnation[r] === inc) abort(r);
      }
      for (const r of estimateWaiters[j]!) if (status[r] === Status.Waiting) makeReady(r);
      estimateWaiters[j] = [];
      if (correct[j]) {
        const next = nextSender[j]!;
        if (next !== -1 && status[next] === Status.Pending) makeReady(next);
      }
      while (committed < n && status[committed] === Status.Done && correct[committed]) committed++;
      if (patient.length > 0) {
        for (const p of patient.splice(0)) if (status[p] === Status.Ready) ready.push(p);
      }
      if (committed === n) {
        makespan = now;
        break;
      }
    }
    if (++guard > 50 * (n + 10) || reexecutions > limit) {
      // The executor gives up after too many re-executions and runs the block serially.
      makespan = now + serial;
      break;
    }
    schedule();
  }
  if (makespan === 0) makespan = Math.max(now, serial); // should not happen: every tx committed
  if (cores !== undefined && cores > 0) makespan = Math.max(makespan, (busyUs + coordinatorUs) / cores);
  return { speedup: serial / makespan, makespanUs: makespan, reexecutions };
}

class MinHeap {
  private items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    let k = a.length - 1;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (a[p]! <= x) break;
      a[k] = a[p]!;
      k = p;
    }
    a[k] = x;
  }
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let k = 0;
      for (;;) {
        let c = 2 * k + 1;
        if (c >= a.length) break;
        if (c + 1 < a.length && a[c + 1]! < a[c]!) c++;
        if (a[c]! >= last) break;
        a[k] = a[c]!;
        k = c;
      }
      a[k] = last;
    }
    return top;
  }
}

interface SimEvent {
  time: number;
  seq: number;
  kind: 'finish' | 'stop' | 'result';
  tx: number;
  inc: number;
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
  push(time: number, kind: SimEvent['kind'], tx: number, inc: number): void {
    const e: SimEvent = { time, seq: this.seq++, kind, tx, inc };
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
