// Runs a measurement on a shared machine only when it is quiet, and says how quiet it
// stayed: waits until the 1-minute load average is below LOAD (default 0.8; it counts this
// machine's own earlier runs too) and other processes use less than QUIET cores (default
// 0.2; a 3 s sample of /proc/stat), runs the command, then prints (stderr) the cores other processes used on average while it
// ran (machine CPU time minus the command's own, from /proc/self/stat's cutime/cstime) and
// the load averages before and after. With RETRIES > 0 it runs the command again (up to that
// many times) while others used more than QUIET cores during the run.
// Run: RETRIES=2 node dist/scripts/machine/quiet-run.js -- stm analyze … --json > out.json
// Linux only.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const quiet = Number(process.env.QUIET ?? 0.2);
const maxLoad = Number(process.env.LOAD ?? 0.8);
const retries = Number(process.env.RETRIES ?? 0);
const dash = process.argv.indexOf('--');
const [command, ...args] = process.argv.slice(dash < 0 ? 2 : dash + 1);
if (command === undefined) {
  console.error('usage: node dist/scripts/machine/quiet-run.js -- COMMAND [ARG…]');
  process.exit(2);
}
const HZ = 100; // USER_HZ

/** CPU seconds used on the whole machine, and by this process's waited-for children. */
function cpu() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const busy = fields.reduce((a, b) => a + b, 0) - fields[3] - fields[4];
  // /proc/self/stat: the fields after the command name (which is in parentheses).
  const self = readFileSync('/proc/self/stat', 'utf8');
  const rest = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
  const ownAndChildren = rest[11] + rest[12] + rest[13] + rest[14]; // utime stime cutime cstime
  return { machine: busy / HZ, mine: ownAndChildren / HZ };
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function waitQuiet() {
  for (;;) {
    const a = cpu();
    const t = performance.now();
    await sleep(3000);
    const b = cpu();
    const foreign = (b.machine - a.machine - (b.mine - a.mine)) / ((performance.now() - t) / 1000);
    if (foreign < quiet && loadavg()[0] < maxLoad) return;
    console.error(`quiet-run: waiting, load average ${loadavg()[0].toFixed(2)}, other processes use ${foreign.toFixed(2)} cores`);
    await sleep(30_000);
  }
}

let status = 0;
for (let attempt = 0; attempt <= retries; attempt++) {
  await waitQuiet();
  const before = cpu();
  const load = loadavg()[0];
  const started = performance.now();
  // Output goes straight to ours: a retry overwrites nothing, so redirect to a file per run.
  const result = spawnSync(command, args, { stdio: ['ignore', attempt === retries ? 'inherit' : 'pipe', 'inherit'], maxBuffer: 1 << 30 });
  const seconds = (performance.now() - started) / 1000;
  const after = cpu();
  const foreign = Math.max(0, (after.machine - before.machine - (after.mine - before.mine)) / seconds);
  status = result.status ?? 1;
  console.error(`quiet-run: ${seconds.toFixed(0)} s, other processes used ${foreign.toFixed(2)} cores on average; load average ${load.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after; exit ${status}`);
  if (foreign < quiet || attempt === retries) {
    if (attempt < retries && result.stdout) process.stdout.write(result.stdout);
    break;
  }
  console.error('quiet-run: too busy, again');
}
process.exit(status);
