// The executor benchmark for issue 3: every bundled block with >= MIN_TXS transactions,
// serial vs Block-STM at THREADS threads (warm, interleaved, medians), with ceiling(T)
// and efficiency; then the median efficiency and the slowest block.
// Run: npm run build && THREADS=2 RUNS=7 WARMUP=3 node dist/scripts/executor/bench-executor.js [block ...]
import { readFileSync } from 'node:fs';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { median } from '../../src/analysis/stats.js';
import { replayParallel, shutdownParallel } from '../../src/replay/replayParallel.js';
import { replaySerial } from '../../src/replay/replayBlock.js';

const threads = Number(process.env.THREADS ?? 2);
const runs = Number(process.env.RUNS ?? 7);
const warmup = Number(process.env.WARMUP ?? 3);
const minTxs = Number(process.env.MIN_TXS ?? 50);
const dir = process.env.FIXTURES ?? bundledFixturesDir();
const manifest = JSON.parse(readFileSync(dir + '/ethereum/manifest.json', 'utf8')) as Array<{ number: number; txCount: number }>;
const only = process.argv.slice(2).map(Number);
const rows = [];
for (const entry of manifest) {
  if (only.length ? !only.includes(entry.number) : entry.txCount < minTxs) continue;
  const data = loadBlock(BigInt(entry.number), { fixturesDir: dir });
  const serial = await replaySerial(data, { runs: 3, warmup, threads });
  const p = await replayParallel(serial, { threads, fallback: process.env.NO_FALLBACK ? false : true, runs, warmup });
  const row = {
    block: entry.number, txs: entry.txCount, serialMs: p.serialMsInterleaved.median, parallelMs: p.parallelMs.median,
    speedup: p.speedup, ceilingT: p.ceilingT, efficiency: p.efficiency, conflicts: p.conflicts.total, waves: p.waves,
    fallback: p.fallback.mode === 'none' ? '' : p.fallback.reason, equal: p.equalsSerial,
  };
  rows.push(row);
  console.log(`${String(row.block).padStart(9)} ${String(row.txs).padStart(5)} serial ${row.serialMs.toFixed(1).padStart(7)} ms  parallel ${row.parallelMs.toFixed(1).padStart(7)} ms  speedup ${row.speedup.toFixed(2)}  ceiling(${threads}) ${row.ceilingT.toFixed(2)}  efficiency ${row.efficiency.toFixed(2)}  conflicts ${row.conflicts}  waves ${row.waves} ${row.equal ? '' : 'NOT EQUAL'} ${row.fallback}`);
}
const eff = rows.map((r) => r.efficiency);
const slowest = rows.reduce((a, b) => (a.speedup < b.speedup ? a : b));
console.log(`\nthreads ${threads}, runs ${runs}, warm-up ${warmup}: median efficiency ${median(eff).toFixed(3)} over ${rows.length} blocks; slowest block ${slowest.block} at ${slowest.speedup.toFixed(2)}x serial; all equal: ${rows.every((r) => r.equal)}`);
await shutdownParallel();
