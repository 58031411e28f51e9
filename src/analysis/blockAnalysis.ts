/**
 * The per-block figures that do not need the parallel executor: the dependency graph
 * (all locations, and the storage-only view), dependent transactions, the longest chain,
 * and ceiling(inf) and ceiling(T), each weighted by measured time and by gas.
 */
import { ceilings, type Ceilings } from './ceiling.js';
import { buildDependencyGraph, dependentTxCount, isStorageLocation, longestChain, type DependencyEdge, type DependencyGraph } from './dependencyGraph.js';

export interface GraphSummary {
  edges: number;
  dependentTxs: number;
  longestChain: number;
  /** Ceilings weighted by measured serial time per transaction. */
  byTime: Ceilings;
  /** Ceilings weighted by gas used per transaction. */
  byGas: Ceilings;
}

export interface BlockAnalysis {
  graph: DependencyGraph;
  edges: DependencyEdge[];
  all: GraphSummary;
  storageOnly: GraphSummary;
}

export function summarizeGraph(graph: DependencyGraph, timeWeights: ArrayLike<number>, gasWeights: ArrayLike<number>, threads: number): GraphSummary {
  return {
    edges: graph.edgeCount,
    dependentTxs: dependentTxCount(graph),
    longestChain: longestChain(graph).length,
    byTime: ceilings(graph, timeWeights, threads),
    byGas: ceilings(graph, gasWeights, threads),
  };
}

export function analyzeBlock(txCount: number, edges: DependencyEdge[], timeWeights: ArrayLike<number>, gasWeights: ArrayLike<number>, threads: number): BlockAnalysis {
  const graph = buildDependencyGraph(txCount, edges);
  const storageGraph = buildDependencyGraph(txCount, edges, isStorageLocation);
  return {
    graph,
    edges,
    all: summarizeGraph(graph, timeWeights, gasWeights, threads),
    storageOnly: summarizeGraph(storageGraph, timeWeights, gasWeights, threads),
  };
}
