// A/B of two checkouts on steady-state run time: for each block, ROUNDS rounds of one
// steady-runs.js process in checkout A and one in checkout B (alternating, so both see the
// same window), each RUNS back-to-back runs (MODE as steady-runs takes it, default parallel);
// then per block the median of each side's median runs and B/A. Finer than ab-overhead.js
// (the product's plan, shares of the bound: ±5–10% between windows) for a change to the
// executor's own cost: rounds of the same side agree within ~2% here. Both checkouts must be built.
// A side may name its own mode, DIR:MODE: `.:parallel` against `.:pair` is the executor's share
// of this machine's bound in a steady state, pair / (2 × parallel), printed when the sides are so.
// Run: npm run build && [ROUNDS=3] [RUNS=200] [MODE=…] [SHARED=dir] node dist/scripts/executor/ab-steady.js A_DIR[:MODE] B_DIR[:MODE] block ...
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../../src/analysis/stats.js';

const [a, b, ...blocks] = process.argv.slice(2);
if (a === undefined || b === undefined || blocks.length === 0) {
  console.error('usage: [ROUNDS=3] [RUNS=200] [MODE=…] [SHARED=dir] node dist/scripts/executor/ab-steady.js A_DIR[:MODE] B_DIR[:MODE] block ...');
  process.exit(2);
}
const rounds = Number(process.env.ROUNDS ?? 3);
const shared = process.env.SHARED;
/** steady-runs' built script, as a path inside a checkout (the same in both). */
const script = relative(fileURLToPath(new URL('../../..', import.meta.url)), fileURLToPath(new URL('./steady-runs.js', import.meta.url)));
/** A side: its checkout and the mode its processes run in. */
const side = (spec: string): { dir: string; mode: string } => {
  const [dir, mode] = /^(.*?)(?::(parallel|serial|pair))?$/.exec(spec)!.slice(1) as [string, string | undefined];
  return { dir: resolve(dir), mode: mode ?? process.env.MODE ?? 'parallel' };
};
const sides = { A: side(a), B: side(b) };
const share = sides.A.mode === 'parallel' && sides.B.mode === 'pair';
const summary: string[] = [];
for (const block of blocks) {
  const medians: Record<'A' | 'B', number[]> = { A: [], B: [] };
  // A bundled block, else one of the shared fixtures.
  const fixtures = existsSync(join(sides.A.dir, 'fixtures', 'ethereum', block)) || shared === undefined ? [] : ['--fixtures', shared];
  for (let round = 0; round < rounds; round++) {
    for (const name of ['A', 'B'] as const) {
      const env = { ...process.env, MODE: sides[name].mode };
      const printed = execFileSync('node', [script, ...fixtures, block], { cwd: sides[name].dir, env, encoding: 'utf8' }).trim();
      const ms = Number(/median run ([\d.]+) ms/.exec(printed)?.[1]);
      medians[name].push(ms);
      console.log(`${name} ${printed}`);
    }
  }
  const [ma, mb] = [median(medians.A), median(medians.B)];
  const shares = share ? `; share of the bound ${(mb / (2 * ma)).toFixed(3)} (per round ${medians.A.map((x, i) => (medians.B[i]! / (2 * x)).toFixed(2)).join(' ')})` : '';
  summary.push(`${block}: A ${ma.toFixed(2)} ms (${medians.A.map((x) => x.toFixed(2)).join(' ')}), B ${mb.toFixed(2)} ms (${medians.B.map((x) => x.toFixed(2)).join(' ')}), B/A ${(mb / ma).toFixed(3)}${shares}`);
}
console.log('\n' + summary.join('\n'));
