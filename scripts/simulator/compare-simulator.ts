// The simulator's validation table (docs/simulator.md): measured speedups from
// `stm analyze --threads 1|2 --json` beside the simulated ones from
// `stm analyze --no-parallel --simulate 1,2,4,8,16,32,64 --json`, both as the executor runs
// by default (measured: with its fallback; predicted: `withFallback`), for the blocks with
// at least MIN_TXS transactions; then the median |predicted / measured − 1| per thread count,
// and the 8-thread columns of the comparison with RISE pevm.
// Run: node dist/scripts/simulator/compare-simulator.js measured1.json measured2.json simulated.json
import { readFileSync } from 'node:fs';
import { median as medianOf } from '../../src/analysis/stats.js';
import type { AnalyzedBlock, AnalyzeReport } from '../../src/rangeAnalysis/rangeReport.js';

const [file1, file2, fileSim] = process.argv.slice(2);
if (fileSim === undefined) {
  console.error('usage: node dist/scripts/simulator/compare-simulator.js measured1.json measured2.json simulated.json');
  process.exit(2);
}
const minTxs = Number(process.env.MIN_TXS ?? 50);
const load = (file: string): Map<string, AnalyzedBlock> => new Map((JSON.parse(readFileSync(file, 'utf8')) as AnalyzeReport).blocks.map((b) => [b.number, b]));
const measured: Record<number, Map<string, AnalyzedBlock>> = { 1: load(file1!), 2: load(file2!) };
const simulated = load(fileSim);

/** The median, NaN for none. */
const median = (xs: number[]): number => (xs.length === 0 ? NaN : medianOf(xs));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const signed = (x: number): string => `${x >= 0 ? '+' : ''}${pct(x)}`;
const errors: Record<number, number[]> = { 1: [], 2: [] };
const noFallbackErrors: Record<number, number[]> = { 1: [], 2: [] };
console.log('| block | txs | measured 1 | predicted 1 | measured 2 | predicted 2 | predicted 2, no fallback | ceiling(2) |');
console.log('|---|---|---|---|---|---|---|---|');
const eight: string[] = [];
for (const [number, sim] of simulated) {
  const simulation = sim.simulation;
  if (sim.txCount === null || sim.txCount < minTxs || simulation === null) continue;
  const cells = [number, String(sim.txCount)];
  const point = (t: number) => simulation.points.find((p) => p.threads === t);
  for (const t of [1, 2]) {
    const m = measured[t]!.get(number)?.parallel;
    const p = point(t);
    if (m === undefined || m === null || p === undefined) {
      cells.push('–', '–');
      continue;
    }
    errors[t]!.push(p.withFallback / m.speedup - 1);
    if (m.fallback.mode === 'none') noFallbackErrors[t]!.push(p.blockStm / m.speedup - 1);
    cells.push(`${m.speedup.toFixed(2)}${m.fallback.mode === 'serial' ? ' s' : ''}`, `${p.withFallback.toFixed(2)}${p.withFallback === 1 && p.blockStm !== 1 ? ' s' : ''}`);
  }
  const p2 = point(2);
  cells.push(p2?.blockStm.toFixed(2) ?? '–', p2?.ceiling.toFixed(2) ?? '–');
  console.log(`| ${cells.join(' | ')} |`);
  const p8 = point(8);
  if (p8 !== undefined) eight.push(`| ${number} | ${sim.txCount} | ${p8.ceiling.toFixed(2)} | ${p8.blockStm.toFixed(2)}${p8.withFallback === 1 ? ' s' : ''} |`);
}
for (const t of [1, 2]) {
  const e = errors[t]!;
  console.log(`\nT=${t}: ${e.length} blocks, median |error| ${pct(median(e.map(Math.abs)))}, median signed ${signed(median(e))}, within 15%: ${e.filter((x) => Math.abs(x) <= 0.15).length}`);
}
for (const t of [1, 2]) {
  const e = noFallbackErrors[t]!;
  if (e.length > 0) console.log(`T=${t}, the ${e.length} blocks the executor did not run serially, against the prediction without fallback: median |error| ${pct(median(e.map(Math.abs)))}, signed ${signed(median(e))}`);
}
if (eight.length > 0) {
  console.log('\n| block | txs | stm ceiling(8) | stm simulated, 8 threads |\n|---|---|---|---|');
  for (const row of eight) console.log(row);
}
