// Where one way of running a block spends more than another: self time per function per
// run, summed over every thread's .cpuprofile in each of two directories (`node --cpu-prof
// --cpu-prof-dir=DIR dist/scripts/executor/steady-runs.js …`, e.g. MODE=parallel against
// MODE=pair), counting only each profile's last LAST_A / LAST_B ms (the measured runs: RUNS ×
// the ms per run steady-runs printed), per execution of the block: divided by RUNS and by
// BLOCKS_A / BLOCKS_B, the block's executions per run (default 1; 2 for a pair, whose worker
// replays the block beside the main thread's replay). V8's profiler samples wall time on
// each thread, so "(idle)" is a thread waiting for work and everything else includes time
// its thread waited for a CPU. Prints the totals, GC, idle and the largest differences.
// Run: RUNS=200 LAST_A=ms LAST_B=ms [BLOCKS_B=2] node dist/scripts/executor/compare-profiles.js DIR_A DIR_B [top]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Profile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [dirA, dirB, topArg] = process.argv.slice(2);
const runs = Number(process.env.RUNS ?? 200);
const lastA = Number(process.env.LAST_A);
const lastB = Number(process.env.LAST_B);
const blocksA = Number(process.env.BLOCKS_A ?? 1);
const blocksB = Number(process.env.BLOCKS_B ?? 1);
if (dirA === undefined || dirB === undefined || !(lastA > 0) || !(lastB > 0)) {
  console.error('usage: RUNS=n LAST_A=ms LAST_B=ms node dist/scripts/executor/compare-profiles.js DIR_A DIR_B [top]');
  process.exit(2);
}
const top = Number(topArg ?? 40);

/** Self ms per execution of the block by function ("name file:line"), over every profile in dir, its last `lastMs` only; per thread, its idle ms. */
function selfTimes(dir: string, lastMs: number, executions: number): Map<string, number> {
  const times = new Map<string, number>();
  const idle = new Map<string, number>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const names = new Map(
      profile.nodes.map((n) => [n.id, `${n.callFrame.functionName} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`]),
    );
    const from = profile.endTime - lastMs * 1000;
    let at = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      at += profile.timeDeltas[i]!;
      const next = i + 1 < profile.samples.length ? at + profile.timeDeltas[i + 1]! : profile.endTime;
      if (at < from) continue;
      const name = names.get(profile.samples[i]!)!;
      times.set(name, (times.get(name) ?? 0) + (next - at) / 1000 / runs / executions);
      if (name.startsWith('(idle) ')) idle.set(file, (idle.get(file) ?? 0) + (next - at) / 1000 / runs / executions);
    }
  }
  console.log(`${dir}: idle per thread ${[...idle.values()].map((ms) => ms.toFixed(2)).join(' / ')} ms`);
  return times;
}

const a = selfTimes(dirA, lastA, blocksA);
const b = selfTimes(dirB, lastB, blocksB);
const sum = (m: Map<string, number>): number => [...m.values()].reduce((x, y) => x + y, 0);
const of = (m: Map<string, number>, name: string): number => m.get(name) ?? 0;
const fmt = (x: number): string => x.toFixed(3).padStart(8);
console.log(`ms per execution of the block, all threads: A ${sum(a).toFixed(2)}, B ${sum(b).toFixed(2)}`);
for (const special of ['(garbage collector)', '(idle)', '(program)']) {
  const key = [...new Set([...a.keys(), ...b.keys()])].find((k) => k.startsWith(special + ' '));
  if (key !== undefined) console.log(`${special}: A ${of(a, key).toFixed(2)}, B ${of(b, key).toFixed(2)}`);
}
const rows = [...new Set([...a.keys(), ...b.keys()])].map((name) => ({ name, a: of(a, name), b: of(b, name) }));
rows.sort((x, y) => x.b - x.a - (y.b - y.a));
console.log(`\n${'A − B'.padStart(8)} ${'A'.padStart(8)} ${'B'.padStart(8)}  function (A's largest excess first)`);
for (const r of rows.slice(0, top)) console.log(`${fmt(r.a - r.b)} ${fmt(r.a)} ${fmt(r.b)}  ${r.name}`);
console.log(`\n(B's largest excess)`);
for (const r of rows.slice(-Math.min(10, rows.length)).reverse()) console.log(`${fmt(r.a - r.b)} ${fmt(r.a)} ${fmt(r.b)}  ${r.name}`);
