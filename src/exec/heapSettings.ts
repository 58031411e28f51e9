/**
 * V8 heap settings for a process that replays blocks: set once, before the first replay
 * (ReplayVm.create), in every thread that executes (the flags are the process's; a
 * worker setting them again changes nothing).
 *
 * Allocation-site pretenuring off. V8 watches how many objects of each allocation site
 * outlive a young-generation collection and, past a threshold, allocates that site's
 * objects in the old generation from then on. A serial replay keeps every transaction's
 * result until the block's end, so the sites that build a transaction's run (its write
 * set, receipt, ethereumjs's result objects) are soon pretenured; the parallel runs on the
 * main thread then allocate them in the old generation too, although a run drops them
 * a few milliseconds later, and the young objects they point to live on until the next
 * full collection. On 5891667 that was most of the ~0.9 MB the main thread promoted per
 * young collection in parallel runs, and full collections every ~0.7 s whose concurrent
 * marking took CPU from both threads (docs/executor.md, "Young tables for
 * per-transaction Maps, and no pretenuring").
 */
import v8 from 'node:v8';

let applied = false;

export function applyHeapSettings(): void {
  if (applied) return;
  applied = true;
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
