// The command line as a user meets it: the built CLI (bin/stm.js) run as a child process.
// Exit codes, one-line errors without stack traces, the JSON document's top level, the
// per-transaction view. STM_CACHE_DIR points at an empty folder so a developer's cache
// never changes what these tests see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fullOnly } from '../helpers/testTiers.js';

const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const bin = join(repo, 'bin', 'stm.js');
const bundled = join(repo, 'fixtures', 'ethereum');
const cacheDir = mkdtempSync(join(tmpdir(), 'stm-test-cache-'));
process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));

/** Quick replay settings: one measured run, no warm-up, two threads. */
const QUICK = ['--runs', '1', '--warmup', '0', '--threads', '2'];

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  /** Called with each stderr chunk and the child, e.g. to send a signal at the right moment. */
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
  /** More environment variables. */
  env?: Record<string, string>;
}

function stm(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repo,
      env: { ...process.env, STM_CACHE_DIR: cacheDir, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** A user-facing error: one line (plus indented details), never a stack trace. */
function assertCleanError(result: CliResult, lines: number | 'any' = 1): void {
  const stderrLines = result.stderr.trimEnd().split('\n');
  assert.match(stderrLines[0]!, /^stm: /);
  if (lines !== 'any') assert.equal(stderrLines.length, lines, `expected ${lines} line(s) on stderr, got:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
  assert.equal(result.stdout, '');
}

test('stm --help exits 0 and shows examples', async () => {
  const result = await stm(['--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Examples:/);
  assert.match(result.stdout, /stm replay --block 19933597/);
  assert.match(result.stdout, /Exit codes:/);
});

test('stm replay --help exits 0 and lists the options with examples', async () => {
  const result = await stm(['replay', '--help']);
  assert.equal(result.code, 0);
  for (const option of ['--block', '--fixtures', '--runs', '--warmup', '--threads', '--fallback', '--json', '--tx', '--verbose']) {
    assert.ok(result.stdout.includes(option), `help mentions ${option}`);
  }
  assert.match(result.stdout, /Examples:/);
});

test('stm --version prints the package version', async () => {
  const result = await stm(['--version']);
  assert.equal(result.code, 0);
  assert.match(result.stdout.trim(), /^\d+\.\d+\.\d+/);
});

test('a bundled block replays, verifies and exits 0', async () => {
  const result = await stm(['replay', '--block', '930196', ...QUICK]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /930196 \(frontier\)/);
  assert.match(result.stdout, /gas ✓/);
  assert.match(result.stdout, /logs bloom ✓/);
  assert.match(result.stdout, /receipts root n\/a/);
  assert.match(result.stdout, /ceiling\(∞\) by time/);
  assert.equal(result.stderr, '');
});

test('--json prints one JSON document with the documented top-level fields', async () => {
  const result = await stm(['replay', '--block', '0xe3194', '--json', ...QUICK]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Record<string, unknown> & { block: { number: string }; txs: unknown[]; outcome: { exitCode: number } };
  assert.deepEqual(Object.keys(report), [
    'schemaVersion', 'tool', 'machine', 'load', 'warnings', 'block', 'options', 'serial', 'verification', 'dependencies', 'bal', 'parallel', 'compare', 'outcome', 'txs', 'tx',
  ]);
  assert.equal(report.schemaVersion, 2);
  assert.equal(report.block.number, '930196', '0xe3194 is block 930196');
  assert.equal(report.txs.length, 18);
  assert.equal(report.outcome.exitCode, 0);
});

test('by default the executor runs and reports its conflicts and waves; --fallback runs serially where a production executor would', async () => {
  type Parallel = { fallback: { mode: string; reason: string | null; advice: string | null }; conflicts: { total: number } | null; waves: number | null; reexecutions: number | null };
  // Block 46147 has one transaction: a production executor would not run it in parallel.
  const shown = await stm(['replay', '--block', '46147', '--json', ...QUICK]);
  assert.equal(shown.code, 0, shown.stderr);
  const report = JSON.parse(shown.stdout) as { parallel: Parallel; warnings: string[] };
  assert.equal(report.parallel.fallback.mode, 'none');
  assert.match(report.parallel.fallback.advice ?? '', /too few for 2 threads/);
  assert.equal(report.parallel.conflicts?.total, 0);
  assert.equal(report.parallel.waves, 0);
  assert.ok(report.warnings.some((w) => /only 1 measured run/.test(w)), 'one run is flagged as noise');
  const text = await stm(['replay', '--block', '46147', ...QUICK]);
  assert.match(text.stdout, /a production executor would run this block serially: 1 transactions is too few/);
  assert.match(text.stdout, /! only 1 measured run/);

  const applied = await stm(['replay', '--block', '46147', '--fallback', '--json', ...QUICK]);
  assert.equal(applied.code, 0, applied.stderr);
  const serially = (JSON.parse(applied.stdout) as { parallel: Parallel }).parallel;
  assert.equal(serially.fallback.mode, 'serial');
  assert.equal(serially.conflicts, null, 'not measured: null, not 0');
  assert.equal(serially.waves, null);
  assert.equal(serially.reexecutions, null);
  const appliedText = await stm(['replay', '--block', '46147', '--fallback', ...QUICK]);
  assert.match(appliedText.stdout, /│ conflicts\s+│ — /);
  assert.match(appliedText.stdout, /ran serially: 1 transactions is too few/);
});

test("--machine-bound puts this machine's 2-thread bound and the executor's share of it beside the speedup", async () => {
  type Bound = { m: { median: number; runs: number }; bound: number; speedupPerBound: number; share: number; sharePaired: number };
  type Parallel = { speedup: number; ceilingT: number; machineBound: Bound | null };
  const measured = await stm(['replay', '--block', '930196', '--machine-bound', '--json', ...QUICK]);
  assert.equal(measured.code, 0, measured.stderr);
  const p = (JSON.parse(measured.stdout) as { parallel: Parallel }).parallel;
  const b = p.machineBound;
  assert.ok(b !== null, 'measured');
  assert.equal(b.m.runs, 1, 'one m per measured round');
  assert.ok(b.m.median > 0 && b.speedupPerBound > 0);
  assert.equal(b.bound, 2 * b.m.median);
  assert.ok(Math.abs(b.share - p.speedup / Math.min(b.bound, p.ceilingT)) < 1e-9, 'share = speedup / min(bound, ceiling(2))');
  assert.ok(Math.abs(b.sharePaired - Math.max(b.speedupPerBound / 2, p.speedup / p.ceilingT)) < 1e-9, 'paired: max(speedup per m / 2, speedup / ceiling(2))');
  const text = await stm(['replay', '--block', '930196', '--machine-bound', ...QUICK]);
  assert.match(text.stdout, /│ machine bound\s+│ \d+\.\d+× 2·m/);
  assert.match(text.stdout, /│ share of bound\s+│ \d+(\.\d)?% \(speedup \/ min\(machine bound, ceiling\)\)/);

  const without = await stm(['replay', '--block', '930196', '--json', ...QUICK]);
  assert.equal((JSON.parse(without.stdout) as { parallel: Parallel }).parallel.machineBound, null, 'not measured unless asked');
  const four = await stm(['replay', '--block', '930196', '--machine-bound', '--runs', '1', '--warmup', '0', '--threads', '4']);
  assert.equal(four.code, 2);
  assertCleanError(four);
  assert.match(four.stderr, /--machine-bound measures this machine's 2-thread bound: use it with --threads 2/);
});

test('--block abc is a usage error: exit 2, one line, no stack trace', async () => {
  const result = await stm(['replay', '--block', 'abc']);
  assert.equal(result.code, 2);
  assertCleanError(result);
  assert.match(result.stderr, /--block/);
  assert.match(result.stderr, /"abc"/);
});

test('an unknown block exits 2 and says where stm looked and how to fetch it', async () => {
  const result = await stm(['replay', '--block', '123']);
  assert.equal(result.code, 2);
  assertCleanError(result, 'any');
  assert.match(result.stderr, /block 123/);
  assert.ok(result.stderr.includes(cacheDir), 'names the cache folder it looked in');
  assert.ok(result.stderr.includes(join(repo, 'fixtures')), 'names the bundled fixtures folder');
  assert.match(result.stderr, /--rpc/);
});

test('a corrupt fixture given with --fixtures exits 2 with one line naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stm-test-fixtures-'));
  try {
    cpSync(join(bundled, '46147'), join(dir, '46147'), { recursive: true });
    truncateSync(join(dir, '46147', 'block.json.gz'), 40);
    const result = await stm(['replay', '--block', '46147', '--fixtures', dir, ...QUICK]);
    assert.equal(result.code, 2);
    assertCleanError(result);
    assert.match(result.stderr, /block\.json\.gz/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a block whose header disagrees with the replay exits 1 with a loud mismatch line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stm-test-fixtures-'));
  try {
    cpSync(join(bundled, '930196'), join(dir, '930196'), { recursive: true });
    const path = join(dir, '930196', 'block.json.gz');
    const block = JSON.parse(gunzipSync(readFileSync(path)).toString()) as { gasUsed: string };
    block.gasUsed = `0x${(BigInt(block.gasUsed) + 1n).toString(16)}`;
    writeFileSync(path, gzipSync(JSON.stringify(block)));
    const result = await stm(['replay', '--block', '930196', '--fixtures', dir, ...QUICK]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /gas ✗/);
    assert.match(result.stdout, /REPLAY DOES NOT MATCH THE CHAIN: gas used differs \(header 378001, replay 378000\)/);
    const json = await stm(['replay', '--block', '930196', '--fixtures', dir, '--json', ...QUICK]);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as { outcome: { verified: boolean; exitCode: number } };
    assert.deepEqual([report.outcome.verified, report.outcome.exitCode], [false, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('output cut short by a closed pipe is not an error', async () => {
  const result = await new Promise<{ code: number | null; stderr: string }>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, 'replay', '--block', '930196', '--json', ...QUICK], {
      cwd: repo,
      env: { ...process.env, STM_CACHE_DIR: cacheDir, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    // Close the reading end before stm writes anything, as `stm … | head -c 0` would.
    child.stdout.destroy();
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stderr }));
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
});

test('other malformed options and unknown commands exit 2 with one line', async () => {
  for (const args of [['replay', '--block', '46147', '--threads', '0'], ['replay', '--block', '46147', '--runs', 'x'], ['replay', '--block', '46147', '--scheduler', 'fifo'], ['replay', '--block', '46147', '--max-rounds', '0'], ['bench', '--scheduler', 'fifo'], ['replay', '--block', '46147', '--tx', 'x'], ['replay'], ['frobnicate']]) {
    const result = await stm(args);
    assert.equal(result.code, 2, `stm ${args.join(' ')}`);
    assertCleanError(result);
  }
});

test('--compare runs Block-STM, OCC, declared locks and the access list on one block, each equal to serial', async () => {
  const result = await stm(['replay', '--block', '19933597', '--compare', ...QUICK]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Schedulers compared/);
  for (const name of ['blockstm', 'occ', 'locks']) assert.match(result.stdout, new RegExp(`│ ${name} `));
  const json = await stm(['replay', '--block', '19933597', '--compare', '--json', ...QUICK]);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { compare: Array<{ scheduler: string; equalsSerial: boolean; rounds: number | null; reexecutions: number; hotRecipients: string[] | null }> };
  assert.deepEqual(report.compare.map((p) => p.scheduler), ['blockstm', 'occ', 'locks', 'bal']);
  assert.ok(report.compare.every((p) => p.equalsSerial));
  assert.ok(report.compare[1]!.rounds! >= 1, 'occ reports its rounds');
  // Hot recipients are Block-STM's (learned in the run: which ones depends on timing).
  assert.ok(Array.isArray(report.compare[0]!.hotRecipients) && report.compare[0]!.hotRecipients.every((a) => /^0x[0-9a-f]{40}$/.test(a)));
  assert.ok(report.compare.slice(1).every((p) => p.hotRecipients === null));
  assert.equal(report.compare[2]!.reexecutions, 0, 'declared locks never re-execute');
  assert.equal(report.compare[3]!.reexecutions, 0, 'with the access list nothing re-executes');
});

test('--tx shows one transaction: hash, status, reads with their writers, dependencies', async () => {
  const json = await stm(['replay', '--block', '930196', '--tx', '17', '--json', ...QUICK]);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { tx: { index: number; hash: string; dependsOn: Array<{ tx: number }>; reads: Array<{ valueFrom: string; writers: number[] }> } };
  assert.equal(report.tx.index, 17);
  assert.deepEqual(report.tx.dependsOn.map((d) => d.tx), [16]);
  assert.ok(report.tx.reads.some((r) => r.valueFrom === 'tx' && r.writers.includes(16)));

  const text = await stm(['replay', '--block', '930196', '--tx', '17', ...QUICK]);
  assert.equal(text.code, 0, text.stderr);
  assert.ok(text.stdout.includes(report.tx.hash), 'prints the hash');
  assert.match(text.stdout, /status\s+│ ✓ success/);
  assert.match(text.stdout, /Depends on/);
  assert.match(text.stdout, /Reads/);
  assert.match(text.stdout, /Writes/);
  assert.match(text.stdout, /│\s+16 │/, 'the dependency on tx 16');

  const outOfRange = await stm(['replay', '--block', '930196', '--tx', '18']);
  assert.equal(outOfRange.code, 2);
  assertCleanError(outOfRange);
});

test('the hex example in --help and the README is the same block as the decimal one', async () => {
  const help = await stm(['replay', '--help']);
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  for (const text of [help.stdout, readme]) {
    const hex = /--block (0x[0-9a-f]+)/.exec(text)?.[1];
    assert.ok(hex !== undefined);
    assert.equal(BigInt(hex), 19933597n, `${hex} is block 19933597`);
  }
});

test('bare stm prints the help with its examples and exits 2 (usage), not 1 (differs from the chain)', async () => {
  const result = await stm([]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Usage: stm/);
  assert.match(result.stderr, /Examples:/);
});

test('a misspelt option is named, not only the missing --block', async () => {
  const result = await stm(['replay', '--blok', '5']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^stm: unknown option '--blok'/);
  assert.match(result.stderr, /Did you mean --block\?/);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
});

test('a block found only under another chain in the cache (a dev chain) is mentioned with the --chain-id to use', async () => {
  const root = mkdtempSync(join(tmpdir(), 'stm-test-chains-'));
  try {
    cpSync(join(bundled, '46147'), join(root, '31337', '46147'), { recursive: true });
    const result = await stm(['replay', '--block', '46147', '--fixtures', join(root, 'nowhere')], { env: { STM_CACHE_DIR: root } });
    assert.equal(result.code, 2);
    const lookup = await stm(['replay', '--block', '777'], { env: { STM_CACHE_DIR: root } });
    assert.doesNotMatch(lookup.stderr, /chain 31337/, 'only chains that hold the block');
    cpSync(join(bundled, '46147'), join(root, '31337', '777'), { recursive: true });
    const found = await stm(['replay', '--block', '777'], { env: { STM_CACHE_DIR: root } });
    assert.equal(found.code, 2);
    assert.match(found.stderr, /the cache has a block 777 of chain 31337: stm replay --block 777 --chain-id 31337/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('on an 80-column terminal the replay tables fit, and well-known addresses are named', fullOnly, async () => {
  const narrow = { env: { COLUMNS: '80' } };
  const widest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));
  const wide = (text: string) => text.split('\n').find((line) => [...line].length === widest(text));
  const report = await stm(['replay', '--block', '19933597', ...QUICK], narrow);
  assert.equal(report.code, 0, report.stderr);
  assert.ok(widest(report.stdout) <= 80, `widest line ${widest(report.stdout)}: ${wide(report.stdout)}`);
  const tx = await stm(['replay', '--block', '19933597', '--tx', '3', ...QUICK], narrow);
  assert.ok(widest(tx.stdout) <= 80, `widest line ${widest(tx.stdout)}: ${wide(tx.stdout)}`);
  assert.match(tx.stdout, /0xc02a…6cc2 \(WETH\) slot/);
  assert.match(tx.stdout, /balance 0x9522…afe5 \(beaverbuild\)/);
  const piped = await stm(['replay', '--block', '19933597', '--tx', '3', ...QUICK]);
  assert.match(piped.stdout, /0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2 \(WETH\) slot/, 'piped: whole addresses, still named');
});

test('long work without a terminal says what it is doing on stderr', async () => {
  const out = mkdtempSync(join(tmpdir(), 'stm-test-synth-'));
  try {
    const result = await stm(['synth', '--kind', 'erc20', '--txs', '1500', '--out', out], { env: { STM_HEARTBEAT_MS: '200' } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^stm · (signing|replaying|planning).*\(still working, \d+ s\)$/m);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('stm list shows the 30 bundled blocks', async () => {
  const result = await stm(['list']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /19933597/);
  assert.match(result.stdout, /cancun/);
  const json = await stm(['list', '--json']);
  const list = JSON.parse(json.stdout) as { blocks: Array<{ number: string }> };
  assert.equal(list.blocks.length, 30);
  assert.equal(list.blocks[0]!.number, '46147');
});

test('Ctrl-C during a replay prints "stm: interrupted" and exits 130', async () => {
  let sent = false;
  const result = await stm(['replay', '--block', '19933597', '--runs', '3', '--warmup', '0', '--threads', '2', '--verbose'], {
    onStderr: (text, child) => {
      if (!sent && text.includes('serial')) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  assert.ok(sent, 'the replay reached the serial phase');
  assert.equal(result.code, 130, result.stderr);
  assert.match(result.stderr, /^stm: interrupted$/m);
  assert.equal(result.stdout, '');
});
