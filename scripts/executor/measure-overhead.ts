// The executor's share of this machine's 2-thread bound (issue 19): every block with >= MIN_TXS
// transactions of the bundled fixtures and of ../shared/fixtures/ethereum (or the blocks
// given), Block-STM at 2 threads without fallback, and in the same rounds this machine's
// bound (the main thread and one worker each replaying the block serially at once:
// replayParallel's measureBound). Per block: the median transaction's time, serial and
// parallel medians, speedup, bound = 2·m, ceiling(2) (the binding view), share = speedup /
// min(bound, ceiling(2)) and the same with m paired per round (src/report/machineBound.ts), conflicts, and GC per transaction (all threads, the median
// parallel run). Then the median share, and the blocks with ceiling(2) >= 1.1 below 1.0×.
// One JSON line per block goes to OUT (default overhead.jsonl) for comparing two commits.
// SCHEDULER=bal measures the access-list executor instead (issue 16), with its one fallback
// (ceiling_bal(2) < 1.1; FALLBACK=1 applies a scheduler's fallback, default off).
// PLAN=product measures as `stm replay` does by default (see productPlan below).
// Run: npm run build && RUNS=7 WARMUP=3 [OUT=f.jsonl] [SCHEDULER=bal] [PLAN=product] node dist/scripts/executor/measure-overhead.js [block ...]
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../../src/analysis/stats.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { MIN_MEASURED_MS } from '../../src/replay/measurementPlan.js';
import { replayParallel, shutdownParallel } from '../../src/replay/replayParallel.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { MACHINE_BOUND_THREADS, pairedShareOfBound, shareOfBound } from '../../src/report/machineBound.js';
import type { SchedulerName } from '../../src/parallel/types.js';

const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const shared = process.env.STM_SHARED_FIXTURES ?? join(repo, '..', 'shared', 'fixtures');
const runs = Number(process.env.RUNS ?? 7);
const warmup = Number(process.env.WARMUP ?? 3);
const minTxs = Number(process.env.MIN_TXS ?? 50);
const out = process.env.OUT ?? 'overhead.jsonl';
const only = new Set(process.argv.slice(2).map(Number));
const scheduler = (process.env.SCHEDULER ?? 'blockstm') as SchedulerName;
const fallback = process.env.FALLBACK === '1';
// PLAN=product: measure as `stm replay` does without --runs (at least MIN_MEASURED_MS of serial time, a short block's runs batched and started on a collected young generation: measurementPlan.ts).
const productPlan = process.env.PLAN === 'product';

const sets: Array<{ dir: string; blocks: number[] }> = [];
for (const dir of [bundledFixturesDir(), shared]) {
  const manifestFile = join(dir, 'ethereum', 'manifest.json');
  if (!existsSync(manifestFile)) continue;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Array<{ number: number; txCount: number }>;
  const blocks = manifest.filter((e) => (only.size > 0 ? only.has(e.number) : e.txCount >= minTxs)).map((e) => e.number);
  sets.push({ dir, blocks: [...new Set(blocks)].filter((b) => !sets.some((s) => s.blocks.includes(b))) });
}

writeFileSync(out, '');
const rows: Array<Record<string, number | boolean>> = [];
const pad = (v: string | number, w: number) => String(v).padStart(w);
console.log(`${pad('block', 9)} ${pad('txs', 5)} ${pad('tx ms', 6)} ${pad('serial', 7)} ${pad('par.', 7)} ${pad('speedup', 7)} ${pad('bound', 5)} ${pad('ceil2', 5)} ${pad('share', 5)} ${pad('pair.', 5)} ${pad('confl', 5)} ${pad('gc µs/tx', 8)}`);
for (const { dir, blocks } of sets) {
  for (const block of blocks) {
    const serial = await replaySerial(loadBlock(BigInt(block), { fixturesDir: dir }), { runs: 3, warmup, threads: 2 });
    const p = await replayParallel(serial, { threads: 2, scheduler, fallback, runs, warmup, measureBound: true, ...(productPlan ? { minMeasuredMs: MIN_MEASURED_MS } : {}) });
    const m = p.bound?.median ?? Number.NaN;
    const bound = MACHINE_BOUND_THREADS * m;
    const row = {
      block,
      txs: serial.ctx.txs.length,
      medianTxMs: median(serial.txTimesMs),
      serialMs: p.serialMsInterleaved.median,
      parallelMs: p.parallelMs.median,
      speedup: p.speedup,
      bound,
      ceiling2: p.ceilingT,
      share: shareOfBound(p.speedup, m, p.ceilingT),
      sharePaired: pairedShareOfBound(p.speedupPerBound?.median ?? Number.NaN, p.speedup, p.ceilingT),
      conflicts: p.conflicts.total,
      gcUsPerTx: (p.gcMsPerTx ?? Number.NaN) * 1000,
      equal: p.equalsSerial,
      serialPath: p.fallback.mode === 'serial',
    };
    rows.push(row);
    appendFileSync(out, JSON.stringify(row) + '\n');
    console.log(
      `${pad(block, 9)} ${pad(row.txs, 5)} ${pad(row.medianTxMs.toFixed(2), 6)} ${pad(row.serialMs.toFixed(1), 7)} ${pad(row.parallelMs.toFixed(1), 7)} ${pad(row.speedup.toFixed(2), 7)} ${pad(bound.toFixed(2), 5)} ${pad(row.ceiling2.toFixed(2), 5)} ${pad(row.share.toFixed(2), 5)} ${pad(row.sharePaired.toFixed(2), 5)} ${pad(row.conflicts, 5)} ${pad(row.gcUsPerTx.toFixed(1), 8)}${row.equal ? '' : '  NOT EQUAL'}${row.serialPath ? '  (serial path)' : ''}`,
    );
  }
}
const below = rows.filter((r) => (r.ceiling2 as number) >= 1.1 && (r.speedup as number) < 1);
console.log(
  `\n${rows.length} blocks, ${scheduler}, 2 threads, runs ${runs}, warm-up ${warmup}: median share ${median(rows.map((r) => r.share as number)).toFixed(3)} (paired per round ${median(rows.map((r) => r.sharePaired as number)).toFixed(3)}); ` +
    `median GC ${median(rows.map((r) => r.gcUsPerTx as number)).toFixed(1)} µs/tx; ` +
    `ceiling(2) >= 1.1 and below 1.0×: ${below.length}${below.length ? ' (' + below.map((r) => `${r.block} ${(r.speedup as number).toFixed(2)}×`).join(', ') + ')' : ''}; ` +
    `all equal: ${rows.every((r) => r.equal)}`,
);
await shutdownParallel();
