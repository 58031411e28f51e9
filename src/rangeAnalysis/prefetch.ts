/**
 * Fetching overlaps replay: a loader that, when asked for block N of a known order, also
 * starts loading the block after it, so a node's answer for the next block arrives while
 * this one replays. At most one block is loaded ahead.
 */
import type { BlockData } from '../data/blockData.js';

/** `load`, with the next block of `order` started as soon as one is asked for. */
export function prefetching(load: (n: bigint) => Promise<BlockData>, order: bigint[]): (n: bigint) => Promise<BlockData> {
  const pending = new Map<string, Promise<BlockData>>();
  const position = new Map(order.map((n, i) => [n.toString(), i]));
  return (n) => {
    const key = n.toString();
    const mine = pending.get(key) ?? load(n);
    pending.delete(key);
    const at = position.get(key);
    const next = at === undefined ? undefined : order[at + 1];
    if (next !== undefined && !pending.has(next.toString())) {
      const ahead = load(next);
      ahead.catch(() => {}); // its own call reports the failure
      pending.set(next.toString(), ahead);
    }
    return mine;
  };
}

