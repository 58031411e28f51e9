/**
 * This thread's garbage collection: its clock, and a young-generation collection on demand.
 *
 * The clock is a PerformanceObserver on 'gc' entries, started on first use. Each thread
 * (the main thread, every worker) has its own heap and its own clock. Entries arrive
 * asynchronously, on a later turn of the event loop, so a reading can miss the last
 * collection or two: a figure for per-transaction overhead (docs/metrics.md, "GC per
 * transaction"), not for one transaction.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

let totalMs = 0;
let observer: PerformanceObserver | undefined;
/** The collections seen so far, as (start, duration) pairs in performance.now() time, oldest first (the last MAX_KEPT). */
const starts: number[] = [];
const durations: number[] = [];
const MAX_KEPT = 4096;

function observe(): void {
  if (observer !== undefined) return;
  observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      totalMs += entry.duration;
      starts.push(entry.startTime);
      durations.push(entry.duration);
    }
    if (starts.length > MAX_KEPT) {
      starts.splice(0, starts.length - MAX_KEPT);
      durations.splice(0, durations.length - MAX_KEPT);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** Milliseconds this thread has spent in garbage collection since the clock started. */
export function gcMs(): number {
  observe();
  return totalMs;
}

/**
 * Milliseconds of garbage collection that started at or after `since` and before `until`
 * (performance.now() time). Unlike a difference of two gcMs() readings, a collection that
 * happened before `since` but whose entry arrived later is not counted: the serial run just before a
 * parallel run had its collections counted in the parallel run's main thread that way
 * (13217637 at 1 thread: 194 ms of main-thread GC, 61 ms counted by start time). Call
 * gcMs() or this once before `since`, so the clock is running.
 */
export function gcMsSince(since: number, until = Infinity): number {
  observe();
  let sum = 0;
  for (let i = starts.length - 1; i >= 0 && starts[i]! >= since; i--) if (starts[i]! < until) sum += durations[i]!;
  return sum;
}

/**
 * Resolves once the collections so far have reached the clock. Node queues a 'gc' entry
 * from the collector on one turn of the event loop and hands it to observers on the next,
 * so a thread that has not returned to the event loop since (a worker running a series
 * of claims) has none of them yet: after one turn a worker reported 0 ms of GC for runs
 * in which it had collected three or four times (12300570, `--trace-gc-nvp`).
 */
export async function gcEntriesArrived(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Collects this thread's young generation now. Cheap when most of it is garbage (between
 * runs), and it leaves the next run a young generation to fill before its first
 * collection. Node exposes V8's gc() only to code compiled after --expose-gc is set, hence
 * the new context.
 */
let collect: ((options: { type: 'minor' }) => void) | undefined;
export function collectYoungGeneration(): void {
  if (collect === undefined) {
    v8.setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as (options: { type: 'minor' }) => void;
  }
  collect({ type: 'minor' });
}
