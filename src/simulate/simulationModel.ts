/**
 * The simulator's cost model: the executor's overheads it adds to the measured transaction
 * times (docs/simulator.md). Its calibrated values are DEFAULT_MODEL in simulateBlock.ts.
 */
/** Overheads of the executor, µs (and factors). Calibrated in docs/simulator.md. */
export interface SimulationModel {
  /** Worker time per transaction besides executing it (pull pending writes, set up the incarnation, encode its result). */
  taskUs: number;
  /** Main-thread time per transaction it executes besides executing it (a turn of the event loop between its tasks). */
  mainTaskUs: number;
  /** One-way message delay between the main thread and a worker. */
  resultUs: number;
  /** Main-thread time per handled result (apply writes, validate, broadcast, dispatch): the fixed part… */
  coordinatorUs: number;
  /** …plus this per location the result read or wrote (the work follows the read and write sets, not the transaction's time)… */
  locationUs: number;
  /** …plus, for a worker's result, this per location: receiving and decoding its message. */
  messageLocationUs: number;
  /** Per-transaction time factor when two or more threads run at once. */
  slowdown: number;
  /** Per-transaction time factor at one thread (the main thread executing against MVMemory). */
  slowdown1: number;
  /** Share of a transaction's time spent before it stops on an ESTIMATE, or fails on a nonce its sender's previous transaction has not written yet. */
  estimateShare: number;
  /** The start of a run before the main thread's first task (building the run: its memory, policy and claim order, then a turn of the event loop): this… */
  runStartUs: number;
  /** …plus this per transaction of the block. */
  runStartTxUs: number;
  /** After that, until a worker asleep since the last run has the run's first message and claims (with claims; else `resultUs`). */
  workerStartUs: number;
}

/** When the main thread starts its first task in a run of `txCount` transactions, µs after the run's clock starts. */
export function runStartUs(model: SimulationModel, txCount: number): number {
  return model.runStartUs + model.runStartTxUs * txCount;
}

/**
 * The main thread's time to handle one result of a transaction that read and wrote
 * `locations` locations (0 when not known), from a worker or its own.
 */
export function handlingUs(model: SimulationModel, locations: number, fromWorker: boolean): number {
  return model.coordinatorUs + locations * (model.locationUs + (fromWorker ? model.messageLocationUs : 0));
}

/**
 * A transaction's cost when scheduled without speculation (the oracle schedule, and the
 * access-list executor), µs: its time × slowdown, a worker's per-task cost for the
 * (T-1)/T of transactions the workers run, and the main thread's handling of each result
 * spread over the T executors (it runs on one of them). `locations`: per transaction, the
 * locations it read and wrote (absent: 0).
 */
export function scheduledTaskUs(txTimesMs: ArrayLike<number>, threads: number, model: SimulationModel, locations?: ArrayLike<number>): number[] {
  const factor = threads >= 2 ? model.slowdown : model.slowdown1;
  const onWorkers = (threads - 1) / threads;
  return Array.from({ length: txTimesMs.length }, (_, i) => {
    const us = txTimesMs[i]! * 1000;
    const loc = locations?.[i] ?? 0;
    const handling = handlingUs(model, loc, false) * (1 - onWorkers) + handlingUs(model, loc, true) * onWorkers;
    return us * factor + model.taskUs * onWorkers + model.mainTaskUs / threads + handling / threads;
  });
}
