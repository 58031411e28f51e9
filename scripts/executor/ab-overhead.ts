// A/B of two checkouts on the executor's share of this machine's bound (issue 19): for each
// block, measure-overhead.js in checkout A, then in checkout B (alternating, so both see the
// same window), then the median share of each side, the median ratio of parallel and serial
// times, and the blocks with ceiling(2) >= 1.1 below 1.0×. Both checkouts must be built.
// Run: npm run build && [RUNS=7] [SHARED=dir] [SCHEDULER=…] node dist/scripts/executor/ab-overhead.js A_DIR B_DIR OUT_DIR block ...
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../../src/analysis/stats.js';

const [a, b, outDir, ...blocks] = process.argv.slice(2);
if (a === undefined || b === undefined || outDir === undefined || blocks.length === 0) {
  console.error('usage: ab-overhead A_DIR B_DIR OUT_DIR block ... (built: see the top of scripts/executor/ab-overhead.ts)');
  process.exit(2);
}
interface Row {
  block: number;
  share: number;
  speedup: number;
  ceiling2: number;
  serialMs: number;
  parallelMs: number;
  equal: boolean;
}
/** measure-overhead's built script, as a path inside a checkout (the same in both). */
const measure = relative(fileURLToPath(new URL('../../..', import.meta.url)), fileURLToPath(new URL('./measure-overhead.js', import.meta.url)));
mkdirSync(outDir, { recursive: true });
const sides = { A: resolve(a), B: resolve(b) };
const rows: Record<'A' | 'B', Row[]> = { A: [], B: [] };
for (const side of ['A', 'B'] as const) writeFileSync(join(outDir, `${side}.jsonl`), '');
for (const block of blocks) {
  for (const side of ['A', 'B'] as const) {
    const one = join(resolve(outDir), 'one.jsonl');
    const env = { ...process.env, RUNS: process.env.RUNS ?? '7', WARMUP: '3', OUT: one, STM_SHARED_FIXTURES: process.env.SHARED ?? '/nonexistent' };
    const printed = execFileSync('node', [measure, block], { cwd: sides[side], env, encoding: 'utf8' });
    console.log(`${side} ${printed.split('\n')[1] ?? ''}`);
    const line = readFileSync(one, 'utf8');
    appendFileSync(join(outDir, `${side}.jsonl`), line);
    rows[side].push(JSON.parse(line) as Row);
  }
}
const { A, B } = rows;
const ratio = (f: (r: Row) => number) => median(A.map((r, i) => f(B[i]!) / f(r))).toFixed(3);
const below = (side: Row[]) => side.filter((r) => r.ceiling2 >= 1.1 && r.speedup < 1).map((r) => r.block).join(' ');
console.log(`median share A ${median(A.map((r) => r.share)).toFixed(3)} B ${median(B.map((r) => r.share)).toFixed(3)}`);
console.log(`median parallel B/A ${ratio((r) => r.parallelMs)}, median serial B/A ${ratio((r) => r.serialMs)}`);
console.log(`ceiling(2) >= 1.1 and below 1.0×: A ${below(A) || 'none'} | B ${below(B) || 'none'}`);
console.log(`all equal: A ${A.every((r) => r.equal)}, B ${B.every((r) => r.equal)}`);
