/**
 * Turns the serial replay's read sets into read-after-write dependency edges: a read that
 * saw a value written by transaction i (its version) is an edge i -> reader; a SUMMED read
 * of a credited balance (the coinbase) depends on the last full writer and on every
 * crediting transaction since. Reads of the pre-state are not edges.
 */
import type { TxRun } from '../exec/replayVm.js';
import { SUMMED, versionTx } from '../state/stateSource.js';
import type { DependencyEdge } from './dependencyGraph.js';

export function readWriteEdges(txs: TxRun[]): DependencyEdge[] {
  const edges: DependencyEdge[] = [];
  for (let to = 0; to < txs.length; to++) {
    const reads = txs[to]!.reads;
    for (let r = 0; r < reads.keys.length; r++) {
      const version = reads.versions[r]!;
      const location = reads.keys[r]!;
      if (version >= 0) {
        const from = versionTx(version);
        if (from < to) edges.push({ from, to, location });
      } else if (version === SUMMED) {
        for (const from of reads.summed.get(location)?.contributors ?? []) if (from < to) edges.push({ from, to, location });
      }
    }
  }
  return edges;
}
