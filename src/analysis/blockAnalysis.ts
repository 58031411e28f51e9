/**
 * The per-block figures that do not need the parallel executor: the dependency graph in
 * three views — all locations; storage only; and "transfers commute", the graph of the
 * serial replay run with commutative sender updates (src/exec/commutativeUpdates.ts),
 * which is what the Block-STM executor and the simulator schedule against — with
 * dependent transactions, the longest chain, and ceiling(inf) and ceiling(T), each
 * weighted by measured time and by gas.
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
  /** The "transfers commute" view's graph and edges (the serial replay with commutative sender updates). */
  commutativeGraph: DependencyGraph;
  commutativeEdges: DependencyEdge[];
  transfersCommute: GraphSummary;
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

/**
 * `edges` are the strict serial replay's read-after-write edges; `commutativeEdges` those
 * of the replay with commutative sender updates (the same edges when not given).
 */
export function analyzeBlock(
  txCount: number,
  edges: DependencyEdge[],
  timeWeights: ArrayLike<number>,
  gasWeights: ArrayLike<number>,
  threads: number,
  commutativeEdges: DependencyEdge[] = edges,
): BlockAnalysis {
  const graph = buildDependencyGraph(txCount, edges);
  const storageGraph = buildDependencyGraph(txCount, edges, isStorageLocation);
  const commutativeGraph = commutativeEdges === edges ? graph : buildDependencyGraph(txCount, commutativeEdges);
  return {
    graph,
    edges,
    all: summarizeGraph(graph, timeWeights, gasWeights, threads),
    storageOnly: summarizeGraph(storageGraph, timeWeights, gasWeights, threads),
    commutativeGraph,
    commutativeEdges,
    transfersCommute: summarizeGraph(commutativeGraph, timeWeights, gasWeights, threads),
  };
}
