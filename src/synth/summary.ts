/**
 * What a user is told about a generated block: its size and the dependency figures it has
 * by construction (the graph, dependent transactions, the longest chain, ceiling(∞) by
 * gas), computed with the same functions `stm replay` uses (src/analysis), so the two can
 * be compared line by line.
 */
import { ceilingInfinite } from '../analysis/ceiling.js';
import { buildDependencyGraph, dependentTxCount, longestChain, type DependencyGraph } from '../analysis/dependencyGraph.js';
import type { SyntheticBlock } from './generate.js';

export interface SynthSummary {
  block: string;
  kind: string;
  txs: number;
  /** Contended transactions (touching a hot key). */
  hotTxs: number;
  gasUsed: string;
  gasLimit: string;
  /** Gas used by the largest transaction. */
  maxTxGas: string;
  expected: {
    edges: number;
    dependentTxs: number;
    longestChain: number;
    /** Total gas / critical-path gas (docs/metrics.md), by construction. */
    ceilingInfiniteByGas: number;
    /** The same figures in the "transfers commute" view (commutative sender updates). */
    transfersCommute: { edges: number; dependentTxs: number; longestChain: number; ceilingInfiniteByGas: number };
  };
  timingsMs: SyntheticBlock['timings'] & { writeMs?: number };
}

/** The expected graph as stm's DependencyGraph. */
export function expectedDependencyGraph(block: SyntheticBlock): DependencyGraph {
  return buildDependencyGraph(block.expected.txCount, block.expected.edges);
}

export function synthSummary(block: SyntheticBlock): SynthSummary {
  const graph = expectedDependencyGraph(block);
  const commute = buildDependencyGraph(block.expectedCommutative.txCount, block.expectedCommutative.edges);
  const gas = block.gasUsed.map(Number);
  return {
    block: block.data.number.toString(),
    kind: block.params.kind,
    txs: block.txs.length,
    hotTxs: block.txs.filter((tx) => tx.hot).length,
    gasUsed: block.gasUsed.reduce((a, b) => a + b, 0n).toString(),
    gasLimit: block.gasLimit.toString(),
    maxTxGas: block.gasUsed.reduce((a, b) => (b > a ? b : a), 0n).toString(),
    expected: {
      edges: graph.edgeCount,
      dependentTxs: dependentTxCount(graph),
      longestChain: longestChain(graph).length,
      ceilingInfiniteByGas: ceilingInfinite(graph, gas),
      transfersCommute: {
        edges: commute.edgeCount,
        dependentTxs: dependentTxCount(commute),
        longestChain: longestChain(commute).length,
        ceilingInfiniteByGas: ceilingInfinite(commute, gas),
      },
    },
    timingsMs: { ...block.timings },
  };
}
