/**
 * How many transactions this process has run through each execution path: the serial
 * replay, and the parallel executor (its main thread and its pool's workers). V8 keeps
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
