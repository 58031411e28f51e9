/**
 * This thread's garbage-collection time so far: a PerformanceObserver on 'gc' entries,
 * started on first use. Each thread (the main thread, every worker) has its own heap and
 * its own clock. Entries arrive asynchronously, on a later turn of the event loop, so a
 * reading can miss the last collection or two: a figure for per-transaction overhead
 * (docs/metrics.md, "GC per transaction"), not for one transaction.
 */
import { PerformanceObserver } from 'node:perf_hooks';

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
