// A/B of two checkouts on steady-state run time: for each block, ROUNDS rounds of one
// steady-runs.js process in checkout A and one in checkout B (alternating, so both see the
// same window), each RUNS back-to-back runs (MODE as steady-runs takes it, default parallel);
// then per block the median of each side's median runs and B/A. Finer than ab-overhead.js
// (the product's plan, shares of the bound: ±5–10% between windows) for a change to the
// executor's own cost: rounds of the same side agree within ~2% here. Both checkouts must be built.
// Run: npm run build && [ROUNDS=3] [RUNS=200] [MODE=…] [SHARED=dir] node dist/scripts/executor/ab-steady.js A_DIR B_DIR block ...
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../../src/analysis/stats.js';

const [a, b, ...blocks] = process.argv.slice(2);
if (a === undefined || b === undefined || blocks.length === 0) {
  console.error('usage: [ROUNDS=3] [RUNS=200] [MODE=…] [SHARED=dir] node dist/scripts/executor/ab-steady.js A_DIR B_DIR block ...');
  process.exit(2);
}
const rounds = Number(process.env.ROUNDS ?? 3);
const shared = process.env.SHARED;
/** steady-runs' built script, as a path inside a checkout (the same in both). */
const script = relative(fileURLToPath(new URL('../../..', import.meta.url)), fileURLToPath(new URL('./steady-runs.js', import.meta.url)));
const sides = { A: resolve(a), B: resolve(b) };
const summary: string[] = [];
for (const block of blocks) {
  const medians: Record<'A' | 'B', number[]> = { A: [], B: [] };
  // A bundled block, else one of the shared fixtures.
  const fixtures = existsSync(join(sides.A, 'fixtures', 'ethereum', block)) || shared === undefined ? [] : ['--fixtures', shared];
  for (let round = 0; round < rounds; round++) {
    for (const side of ['A', 'B'] as const) {
      const printed = execFileSync('node', [script, ...fixtures, block], { cwd: sides[side], env: process.env, encoding: 'utf8' }).trim();
      const ms = Number(/median run ([\d.]+) ms/.exec(printed)?.[1]);
      medians[side].push(ms);
      console.log(`${side} ${printed}`);
    }
  }
  const [ma, mb] = [median(medians.A), median(medians.B)];
  summary.push(`${block}: A ${ma.toFixed(2)} ms (${medians.A.map((x) => x.toFixed(2)).join(' ')}), B ${mb.toFixed(2)} ms (${medians.B.map((x) => x.toFixed(2)).join(' ')}), B/A ${(mb / ma).toFixed(3)}`);
}
console.log('\n' + summary.join('\n'));
