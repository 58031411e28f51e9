#!/usr/bin/env node
// Replays every block of the shared fixture set (../shared/fixtures/ethereum, or
// $STM_SHARED_FIXTURES) through the built CLI with --fixtures, one line per block, then
// "N verified, M failed". Opt-in (`npm run replay:shared`), not part of `npm test`:
// the shared set is not in the repository.
//
//   node dist/scripts/replay/replay-all-shared.js                    all blocks, --runs 1 --warmup 1
//   node dist/scripts/replay/replay-all-shared.js 46147 19933597     only these blocks
//   node dist/scripts/replay/replay-all-shared.js --runs 5 --threads 4   options go to `stm replay`
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReplayReport } from '../../src/report/replayReport.js';

// Compiled to dist/scripts/replay/: the repository is three levels up.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = resolve(process.env.STM_SHARED_FIXTURES ?? join(repo, '..', 'shared', 'fixtures', 'ethereum'));
const manifestPath = join(dir, 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error(`replay-all-shared: no ${manifestPath}; set STM_SHARED_FIXTURES to the folder that holds manifest.json`);
  process.exit(2);
}

const args = process.argv.slice(2);
const only = args.filter((arg) => /^\d+$/.test(arg) && !/^--/.test(args[args.indexOf(arg) - 1] ?? ''));
const stmOptions = args.filter((arg) => !only.includes(arg));
if (!stmOptions.includes('--runs')) stmOptions.push('--runs', '1');
if (!stmOptions.includes('--warmup')) stmOptions.push('--warmup', '1');

const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Array<{ number: number; hardfork: string; txCount: number }>;
let verified = 0;
let failed = 0;
const started = performance.now();
for (const entry of manifest) {
  const number = String(entry.number);
  if (only.length > 0 && !only.includes(number)) continue;
  const run = spawnSync(process.execPath, [join(repo, 'bin', 'stm.js'), 'replay', '--block', number, '--fixtures', dir, '--json', ...stmOptions], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const label = `${number.padStart(9)} ${String(entry.hardfork).padEnd(16)} ${String(entry.txCount).padStart(5)} txs`;
  if (run.status !== 0 && run.status !== 1) {
    failed++;
    console.log(`${label}  ERROR (exit ${run.status ?? run.signal}) ${(run.stderr ?? '').split('\n')[0]}`);
    continue;
  }
  const report = JSON.parse(run.stdout) as ReplayReport;
  const v = report.verification;
  const mark = (check: { status: string }): string => (check.status === 'ok' ? '✓' : check.status === 'n/a' ? '-' : '✗');
  const p = report.parallel;
  const parallel = p === null ? 'parallel not run' : `speedup ${p.speedup.toFixed(2)}× of ${p.ceilingT.toFixed(2)}× ${p.equalsSerial ? 'parallel=serial ✓' : 'PARALLEL≠SERIAL ✗'}`;
  const ok = report.outcome.exitCode === 0;
  if (ok) verified++;
  else failed++;
  console.log(
    `${label}  ${ok ? 'OK  ' : 'FAIL'} gas ${mark(v.gas)} bloom ${mark(v.logsBloom)} receipts ${mark(v.receiptsRoot)}  ` +
      `${report.serial.ms.median.toFixed(1).padStart(8)} ms ${report.serial.mgasPerSecond.toFixed(1).padStart(6)} Mgas/s  ${parallel}`,
  );
}
console.log(`${verified} verified, ${failed} failed (${((performance.now() - started) / 1000).toFixed(0)} s)`);
process.exit(failed === 0 ? 0 : 1);
