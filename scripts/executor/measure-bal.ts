// The access-list executor against this machine's 2-thread bound, with Block-STM beside it,
// per bundled block with >= MIN_TXS transactions (or the blocks given), measured in one
// window block by block: first the machine bound (scripts/machine/measure-machine-bound.ts: the
// same serial replay alone and two at once, bound = 2·m), then `bal` and `blockstm` runs
// at 2 threads with their default fallbacks. Prints per block: ceiling_bal(2), the bound,
// each speedup and speedup / bound; then the medians.
// Run: npm run build && RUNS=5 WARMUP=2 node dist/scripts/executor/measure-bal.js [block ...]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { ceilingBal } from '../../src/analysis/ceilingBal.js';
import { median } from '../../src/analysis/stats.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { replayParallel, shutdownParallel } from '../../src/replay/replayParallel.js';
import { loadBlock } from '../../src/source/blockLocator.js';

const runs = Number(process.env.RUNS ?? 5);
const warmup = Number(process.env.WARMUP ?? 2);
const minTxs = Number(process.env.MIN_TXS ?? 50);
let blocks = process.argv.slice(2).map(Number);
if (blocks.length === 0) {
  const manifest = JSON.parse(readFileSync(bundledFixturesDir() + '/ethereum/manifest.json', 'utf8')) as Array<{ number: number; txCount: number }>;
  blocks = manifest.filter((entry) => entry.txCount >= minTxs).map((entry) => entry.number);
}
const boundScript = fileURLToPath(new URL('../machine/measure-machine-bound.js', import.meta.url));
const rows: Array<{ block: number; txs: number; ceilingBal2: number; bound: number; bal: number; balFallback: string; balScore: number | null; blockstm: number; blockstmFallback: string }> = [];
for (const block of blocks) {
  const out = execFileSync(process.execPath, [boundScript, String(block)], { env: { ...process.env, RUNS: String(Math.max(5, runs)) } }).toString();
  const bound = Number(/2-thread speedup bound ([\d.]+)/.exec(out)?.[1]);
  const serial = await replaySerial(loadBlock(BigInt(block), { fixturesDir: bundledFixturesDir() }), { runs, warmup, threads: 2 });
  const bal = await replayParallel(serial, { threads: 2, scheduler: 'bal', fallback: true, runs, warmup });
  const stm = await replayParallel(serial, { threads: 2, scheduler: 'blockstm', fallback: true, runs, warmup });
  if (!bal.equalsSerial || !stm.equalsSerial) throw new Error(`block ${block}: parallel differs from serial`);
  const row = { block, txs: serial.ctx.txs.length, ceilingBal2: ceilingBal(serial.txTimesMs, 2), bound, bal: bal.speedup, balFallback: bal.fallback.mode, balScore: bal.balScore ?? null, blockstm: stm.speedup, blockstmFallback: stm.fallback.mode };
  rows.push(row);
  console.log(
    `${String(block).padStart(9)} ${String(row.txs).padStart(5)} txs  ceiling_bal(2) ${row.ceilingBal2.toFixed(2)}  bound ${bound.toFixed(2)}  ` +
      `bal ${row.bal.toFixed(2)}× (${(row.bal / bound).toFixed(2)} of bound${row.balFallback === 'serial' ? ', serial' : ''}, M ${row.balScore === null ? '–' : row.balScore.toFixed(2)})  ` +
      `blockstm ${row.blockstm.toFixed(2)}× (${(row.blockstm / bound).toFixed(2)} of bound${row.blockstmFallback === 'serial' ? ', serial' : ''})`,
  );
}
await shutdownParallel();
console.log(
  `\n${rows.length} blocks, runs ${runs}, warm-up ${warmup}: median bal / bound ${median(rows.map((r) => r.bal / r.bound)).toFixed(3)}, ` +
    `median blockstm / bound ${median(rows.map((r) => r.blockstm / r.bound)).toFixed(3)}; ` +
    `bal below 1.0×: ${rows.filter((r) => r.bal < 1).map((r) => r.block).join(', ') || 'none'}`,
);
console.log(JSON.stringify(rows));
