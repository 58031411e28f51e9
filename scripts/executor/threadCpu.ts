// Per-thread CPU of this process (Linux, /proc/self/task/*/schedstat): ms on a CPU and ms
// runnable but waiting for one, split into the main thread, the busiest other thread (the
// worker, at 2 threads) and the rest (V8's and libuv's own threads: GC helpers, the
// optimising compiler). Elsewhere the figures are empty (NaN). Used by measure-run-split.ts
// and steady-runs.ts.
import { readdirSync, readFileSync } from 'node:fs';

export type ThreadTimes = Map<string, [number, number]>;

/** Every thread's [ms on a CPU, ms waiting for one] so far. */
export function threadTimes(): ThreadTimes {
  const threads: ThreadTimes = new Map();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const [onCpu, waiting] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      threads.set(tid, [onCpu! / 1e6, waiting! / 1e6]);
    }
  } catch {
    // not Linux: no figures
  }
  return threads;
}

/** The main thread, the busiest other thread and the rest since `before`: [on a CPU, waiting] ms each. */
export function threadTimesSince(before: ThreadTimes): { main: [number, number]; worker: [number, number]; rest: [number, number] } {
  const deltas = [...threadTimes()].map(([tid, [on, wait]]) => ({ tid, on: on - (before.get(tid)?.[0] ?? 0), wait: wait - (before.get(tid)?.[1] ?? 0) }));
  const main = deltas.find((d) => d.tid === String(process.pid)) ?? { on: NaN, wait: NaN };
  const others = deltas.filter((d) => d.tid !== String(process.pid)).sort((a, b) => b.on - a.on);
  const worker = others[0] ?? { on: NaN, wait: NaN };
  const rest = others.slice(1).reduce((sum, d) => [sum[0] + d.on, sum[1] + d.wait] as [number, number], [0, 0] as [number, number]);
  return { main: [main.on, main.wait], worker: [worker.on, worker.wait], rest };
}
