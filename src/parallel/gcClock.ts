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

/** Milliseconds this thread has spent in garbage collection since the clock started. */
export function gcMs(): number {
  if (observer === undefined) {
    observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) totalMs += entry.duration;
    });
    observer.observe({ entryTypes: ['gc'] });
  }
  return totalMs;
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
