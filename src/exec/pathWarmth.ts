/**
 * How many transactions this thread has run through each execution path: the serial
 * replay, and the parallel executor (counted on the main thread, whose runs warm its pool's
 * workers too; a new pool's workers start cold, so spawning one starts the count again). A module
 * instance per thread: each of `stm analyze --jobs`'s block workers counts its own. V8 keeps
 * compiling a path's code, on background threads, for thousands of transactions after its
 * first run; measurementPlan.ts (WarmupRuns) decides a block's warm-up runs from these counts.
 */
export type ExecutionPath = 'serial' | 'executor';

const ran: Record<ExecutionPath, number> = { serial: 0, executor: 0 };

/** A run of `txs` transactions went through `path`. */
export function countRun(path: ExecutionPath, txs: number): void {
  ran[path] += txs;
}

/** Transactions this process has run through `path` so far. */
export function ranThrough(path: ExecutionPath): number {
  return ran[path];
}

/** `path`'s code is cold again on some thread (a new worker pool: its isolates compile it afresh). */
export function startsCold(path: ExecutionPath): void {
  ran[path] = 0;
}
