/**
 * Who holds a block back: for each contract (address) and each storage slot, the
 * dependency edges that go through it, the weight of the critical path that waits on
 * it, and the executor's conflicts on it.
 *
 *   edges       unique (from, to) transaction pairs with at least one shared location of
 *               this contract (slot); a pair that shares two slots of one contract counts
 *               once for the contract and once for each slot.
 *   criticalMs  on the time-weighted critical path, the serial time of each transaction
 *               that waits for its predecessor on the path through a location of this
 *               contract (slot): the part of the makespan this contract is responsible for.
 *   conflicts   aborted incarnations of the parallel executor whose cause was a location
 *               of this contract (slot); 0 when the executor did not run.
 *
 * An address counts for all its locations (balance, nonce, code, storage), so a hot
 * sender's nonce chain or the coinbase balance shows up like a hot contract.
 */
import { criticalPath, type DependencyEdge, type DependencyGraph } from '../analysis/dependencyGraph.js';
import { locationAddress } from '../state/locations.js';

export interface Heat {
  edges: number;
  criticalMs: number;
  conflicts: number;
}

export interface BlockHotspots {
  /** Per address (lower-case 0x). */
  contracts: Map<string, Heat>;
  /** Per location key (storage slots and account fields). */
  locations: Map<string, Heat>;
  /** The time-weighted critical path, tx indices. */
  criticalPath: number[];
}

function heatOf(map: Map<string, Heat>, key: string): Heat {
  let heat = map.get(key);
  if (heat === undefined) {
    heat = { edges: 0, criticalMs: 0, conflicts: 0 };
    map.set(key, heat);
  }
  return heat;
}

/** The hotspots of one block from its dependency edges, per-tx times and (optional) the executor's abort causes. */
export function blockHotspots(graph: DependencyGraph, edges: DependencyEdge[], txTimesMs: ArrayLike<number>, abortedBy?: ReadonlyArray<readonly string[]>): BlockHotspots {
  const contracts = new Map<string, Heat>();
  const locations = new Map<string, Heat>();
  // Edges: unique pairs per address and per location.
  const seenContract = new Set<string>();
  const seenLocation = new Set<string>();
  const pairLocations = new Map<string, string[]>();
  for (const edge of edges) {
    const pair = `${edge.from}>${edge.to}`;
    const address = locationAddress(edge.location);
    const contractKey = `${pair}|${address}`;
    if (!seenContract.has(contractKey)) {
      seenContract.add(contractKey);
      heatOf(contracts, address).edges++;
    }
    const locationKey = `${pair}|${edge.location}`;
    if (!seenLocation.has(locationKey)) {
      seenLocation.add(locationKey);
      heatOf(locations, edge.location).edges++;
      const list = pairLocations.get(pair);
      if (list === undefined) pairLocations.set(pair, [edge.location]);
      else list.push(edge.location);
    }
  }
  // Critical path: charge each waiting transaction's time to what it waited through.
  const path = graph.txCount === 0 ? [] : criticalPath(graph, txTimesMs).path;
  for (let k = 1; k < path.length; k++) {
    const from = path[k - 1]!;
    const to = path[k]!;
    const through = pairLocations.get(`${from}>${to}`) ?? [];
    const ms = txTimesMs[to]!;
    const addresses = new Set<string>();
    for (const location of through) {
      heatOf(locations, location).criticalMs += ms;
      addresses.add(locationAddress(location));
    }
    for (const address of addresses) heatOf(contracts, address).criticalMs += ms;
  }
  // Conflicts: each aborted incarnation's cause.
  for (const causes of abortedBy ?? []) {
    for (const location of causes) {
      heatOf(locations, location).conflicts++;
      heatOf(contracts, locationAddress(location)).conflicts++;
    }
  }
  return { contracts, locations, criticalPath: path };
}

export type HeatMeasure = keyof Heat;

/** Keys sorted by a measure, descending, then by the other measures, then by key. */
export function rankHeat(map: ReadonlyMap<string, Heat>, by: HeatMeasure): Array<[string, Heat]> {
  const order: HeatMeasure[] = [by, ...(['edges', 'criticalMs', 'conflicts'] as HeatMeasure[]).filter((m) => m !== by)];
  return [...map.entries()].sort((a, b) => {
    for (const m of order) if (a[1][m] !== b[1][m]) return b[1][m] - a[1][m];
    return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
  });
}
