// The regression gate as a user meets it: `stm bench` run as a child process on a tiny
// suite (one small bundled block, one run, no warm-up), and baselines built from that
// run's own report. Nothing here asserts a timing: a baseline "higher than achieved" is
// the run's own speedup plus a margin no noise can reach, an "equal" one is the run's own
// report compared with itself in process.
import { stm as runStm, type CliResult } from '../helpers/cliRunner.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareWithBaseline, parseBaseline } from '../../src/bench/baseline.js';
import type { BenchReport } from '../../src/bench/benchReport.js';
import { DEFAULT_SUITE_JSON, DEFAULT_TOLERANCE, parseSuite } from '../../src/bench/suite.js';
import { fullOnly } from '../helpers/testTiers.js';

const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'stm-bench-test-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const suiteFile = join(dir, 'suite.json');
writeFileSync(
  suiteFile,
  JSON.stringify({ schemaVersion: 1, name: 'test', runs: 1, warmup: 0, threads: [2], fallback: false, entries: [{ block: 19426587 }] }),
);


function stm(args: string[]): Promise<CliResult> {
  return runStm(args, { STM_CACHE_DIR: join(dir, 'cache') });
}

/** One line on stderr starting "stm: ", no stack trace, nothing on stdout. */
function assertOneLineError(r: CliResult, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^stm: /);
  assert.match(lines[0]!, pattern);
  assert.equal(r.stdout, '');
}

let ownReport: BenchReport | undefined;
async function report(): Promise<BenchReport> {
  if (ownReport !== undefined) return ownReport;
  const out = join(dir, 'run.json');
  const r = await stm(['bench', '--suite', suiteFile, '--out', out]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /block-19426587@2t/);
  ownReport = parseBaseline(JSON.parse(readFileSync(out, 'utf8')), out);
  return ownReport;
}

function variant(base: BenchReport, change: (e: BenchReport['entries'][number]) => void): string {
  const copy = structuredClone(base);
  copy.entries.forEach(change);
  const file = join(dir, `baseline-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(copy));
  return file;
}

test('a bench run reports every figure of an entry, the machine and the settings', async () => {
  const r = await report();
  assert.equal(r.kind, 'stm-bench');
  assert.equal(r.entries.length, 1);
  const e = r.entries[0]!;
  assert.equal(e.id, 'block-19426587@2t');
  assert.equal(e.txs, 37);
  assert.equal(e.verified, true);
  assert.equal(e.equalsSerial, true);
  assert.equal(e.serialMs.runs, 1);
  assert.ok(e.speedup > 0 && e.efficiency > 0);
  assert.equal(typeof e.deterministic.edges, 'number');
  assert.ok(r.machine.cores >= 1 && r.machine.nodeVersion.startsWith('v'));
  assert.deepEqual({ runs: r.settings.runs, warmup: r.settings.warmup, fallback: r.settings.fallback }, { runs: 1, warmup: 0, fallback: false });
  assert.equal(r.setup.workerStarts, 1);
  assert.equal(r.settings.machineBound, true);
  // This machine's 2-thread bound, measured in the entry's own runs.
  assert.ok(e.machineBound !== undefined && e.machineBound !== null && e.machineBound.runs === 1 && e.machineBound.median > 0);
  // speedup / m of the one run: the two plain replays at once / the parallel run.
  assert.ok(typeof e.speedupPerBound === 'number' && e.speedupPerBound > 0 && Number.isFinite(e.speedupPerBound));
});

test('the gate passes against a baseline equal to the run', fullOnly, async () => {
  const r = await report();
  const c = compareWithBaseline(r, r, DEFAULT_TOLERANCE);
  assert.equal(c.ok, true);
  assert.deepEqual(c.entries.map((e) => e.status), ['pass']);
});

test('the gate fails (exit 1) against a baseline with higher speedups than achieved', async () => {
  const r = await report();
  const higher = structuredClone(r);
  for (const e of higher.entries) {
    e.speedup = e.speedup * 2 + 1;
    e.efficiency = e.efficiency * 2 + 1;
    e.speedupPerBound = (e.speedupPerBound ?? 0) * 10 + 10; // beyond any noise of one run
  }
  assert.equal(compareWithBaseline(higher, r, DEFAULT_TOLERANCE).ok, false);
  const file = variant(r, (e) => {
    e.speedup = e.speedup * 2 + 1;
    e.efficiency = e.efficiency * 2 + 1;
    e.speedupPerBound = (e.speedupPerBound ?? 0) * 10 + 10; // beyond any noise of one run
  });
  const cli = await stm(['bench', '--suite', suiteFile, '--baseline', file]);
  assert.equal(cli.code, 1, cli.stderr + cli.stdout);
  assert.match(cli.stdout, /✗ FAIL/);
  assert.match(cli.stdout, /REGRESSION: 1 of 1 entries failed/);
  assert.match(cli.stdout, /speedup .* allowed/);
  // A regression must reproduce: measured again twice (the default), failing every time.
  assert.match(cli.stderr, /measuring it again \(1 of 2\)/);
  assert.match(cli.stderr, /measuring it again \(2 of 2\)/);
  assert.match(cli.stdout, /failed all 3 measurements/);
  assert.match(cli.stdout, /1 re-measured after failing on timing/);
});

test('--confirm 0 judges the first measurement; a change of a deterministic figure is never re-measured', async () => {
  const r = await report();
  const higher = variant(r, (e) => {
    e.speedupPerBound = (e.speedupPerBound ?? 0) * 10 + 10;
    e.speedup = e.speedup * 2 + 1;
  });
  const once = await stm(['bench', '--suite', suiteFile, '--baseline', higher, '--confirm', '0']);
  assert.equal(once.code, 1, once.stderr + once.stdout);
  assert.doesNotMatch(once.stderr, /measuring it again/);
  const edges = variant(r, (e) => {
    e.deterministic.edges += 1;
  });
  const changed = await stm(['bench', '--suite', suiteFile, '--baseline', edges, '--max-regression', '100%', '--abs-tolerance', '1']);
  assert.equal(changed.code, 1, changed.stderr + changed.stdout);
  assert.match(changed.stdout, /edges changed/);
  assert.doesNotMatch(changed.stderr, /measuring it again/);
  const bad = await stm(['bench', '--suite', suiteFile, '--confirm', 'x']);
  assert.equal(bad.code, 2);
});

test('the gate passes (exit 0) against a baseline the run cannot fall below', fullOnly, async () => {
  const r = await report();
  const file = variant(r, (e) => {
    e.speedup = 0;
    e.efficiency = 0;
    e.speedupPerBound = 0;
  });
  const cli = await stm(['bench', '--suite', suiteFile, '--baseline', file]);
  assert.equal(cli.code, 0, cli.stderr + cli.stdout);
  assert.match(cli.stdout, /✓ pass/);
  assert.match(cli.stdout, /✓ unchanged/);
  assert.match(cli.stdout, /✓ no regression/);
});

test('a changed deterministic figure fails the gate, whatever the speedup', fullOnly, async () => {
  const r = await report();
  for (const figure of ['edges', 'ceilingInfiniteByGas', 'ceilingTByGas'] as const) {
    const changed = structuredClone(r);
    changed.entries[0]!.deterministic[figure] += 1;
    const c = compareWithBaseline(changed, r, DEFAULT_TOLERANCE);
    assert.equal(c.ok, false, figure);
    assert.match(c.entries[0]!.reasons.join(), new RegExp(`${figure} changed`));
  }
  const file = variant(r, (e) => {
    e.speedup = 0;
    e.efficiency = 0;
    e.deterministic.edges += 1;
  });
  const cli = await stm(['bench', '--suite', suiteFile, '--baseline', file]);
  assert.equal(cli.code, 1, cli.stderr + cli.stdout);
  assert.match(cli.stdout, /✗ changed: edges/);
});

test('an entry of the baseline that did not run fails; a new entry does not', async () => {
  const r = await report();
  const extra = structuredClone(r);
  extra.entries.push({ ...structuredClone(r.entries[0]!), id: 'gone@2t' });
  const c = compareWithBaseline(extra, r, DEFAULT_TOLERANCE);
  assert.equal(c.ok, false);
  assert.equal(c.entries.find((e) => e.id === 'gone@2t')?.status, 'missing');
  const fewer = { ...structuredClone(r), entries: [] };
  assert.equal(compareWithBaseline(fewer, r, DEFAULT_TOLERANCE).ok, true);
});

test('a missing or malformed baseline is one clear error line (exit 2), before any work', async () => {
  assertOneLineError(await stm(['bench', '--suite', suiteFile, '--baseline', join(dir, 'nope.json')]), /baseline .*nope\.json not found/);
  const notJson = join(dir, 'not-json.json');
  writeFileSync(notJson, '{ "kind": "stm-bench", ');
  assertOneLineError(await stm(['bench', '--suite', suiteFile, '--baseline', notJson]), /malformed baseline .*not JSON/);
  const wrongShape = join(dir, 'wrong-shape.json');
  writeFileSync(wrongShape, JSON.stringify({ kind: 'stm-bench', schemaVersion: 1, entries: [{ id: 'x@2t', speedup: 'fast' }] }));
  assertOneLineError(await stm(['bench', '--suite', suiteFile, '--baseline', wrongShape]), /malformed baseline .*entries\[0\]\.speedup is not a number/);
  assertOneLineError(await stm(['bench', '--suite', join(dir, 'no-suite.json')]), /cannot read the bench suite/);
  assertOneLineError(await stm(['bench', '--update-baseline']), /--update-baseline needs --baseline/);
  assertOneLineError(await stm(['bench', '--suite', suiteFile, '--max-regression', 'lots']), /--max-regression expects/);
});

test('--update-baseline writes a baseline the gate then reads', fullOnly, async () => {
  const file = join(dir, 'sub', 'baseline.json');
  const cli = await stm(['bench', '--suite', suiteFile, '--baseline', file, '--update-baseline']);
  assert.equal(cli.code, 0, cli.stderr + cli.stdout);
  assert.match(cli.stdout, /baseline written/);
  const written = parseBaseline(JSON.parse(readFileSync(file, 'utf8')), file);
  assert.equal(written.entries[0]!.id, 'block-19426587@2t');
});

test('the built-in suite is bench/ci-suite.json, and a suite names what is wrong with it', () => {
  assert.deepEqual(JSON.parse(readFileSync(join(repo, 'bench', 'ci-suite.json'), 'utf8')), DEFAULT_SUITE_JSON);
  assert.throws(() => parseSuite({ entries: [{ block: 1, synth: { kind: 'eth', txs: 1 } }] }, 's.json', dir), /exactly one of "block" or "synth"/);
  assert.throws(() => parseSuite({ entries: [{ synth: { kind: 'nft', txs: 1 } }] }, 's.json', dir), /synth\.kind must be one of/);
  assert.throws(() => parseSuite({ entries: [{ block: 1 }, { block: 1 }] }, 's.json', dir), /used twice/);
  const s = parseSuite({ entries: [{ synth: { kind: 'erc20', txs: 10 } }, { block: '0x10', threads: [1, 2] }] }, 's.json', dir);
  assert.deepEqual(s.entries.map((e) => [e.name, e.threads]), [['synth-erc20-10-c0-s1', [2]], ['block-16', [1, 2]]]);
  assert.deepEqual(s.entries.map((e) => e.schedulers), [['blockstm'], ['blockstm']]);
  const withSchedulers = parseSuite({ schedulers: ['blockstm', 'occ'], entries: [{ block: 1 }, { block: 2, schedulers: ['locks'] }] }, 's.json', dir);
  assert.deepEqual(withSchedulers.entries.map((e) => e.schedulers), [['blockstm', 'occ'], ['locks']]);
  assert.throws(() => parseSuite({ schedulers: ['fifo'], entries: [{ block: 1 }] }, 's.json', dir), /schedulers must be a non-empty list of blockstm, occ, locks/);
});

/** An entry as the gate sees it: speedup, efficiency at ceiling(2) = 2, the bound m measured beside it. */
function gateEntry(base: BenchReport['entries'][number], speedup: number, m: number): BenchReport['entries'][number] {
  return { ...structuredClone(base), speedup, efficiency: speedup / 2, machineBound: { min: m, median: m, max: m, runs: 7, mad: 0 }, speedupPerBound: speedup / m };
}

test('speedup per machine bound: an executor 25% slower fails, though the raw tolerance alone would let it through', async () => {
  const r = await report();
  const baseline = { ...structuredClone(r), entries: [gateEntry(r.entries[0]!, 1.3, 0.8)] };
  const slower = { ...structuredClone(r), entries: [gateEntry(r.entries[0]!, 1.3 / 1.25, 0.8)] };
  const c = compareWithBaseline(baseline, slower, DEFAULT_TOLERANCE);
  assert.equal(c.ok, false);
  const checks = c.entries[0]!.checks;
  assert.equal(checks.find((x) => x.figure === 'speedup')!.ok, true, 'raw: 1.04 ≥ 1.3 − 25%');
  assert.equal(checks.find((x) => x.figure === 'speedupPerBound')!.ok, false, 'per bound: 1.30 < 1.625 − 15%');
  assert.match(c.entries[0]!.reasons.join(), /speedup per machine bound 1\.30 < 1\.38 allowed \(baseline 1\.63\)/);
});

test('a baseline recorded on a quieter machine still compares: through speedup / m, the raw ratios not judged', async () => {
  const r = await report();
  const quiet = { ...structuredClone(r), entries: [gateEntry(r.entries[0]!, 1.45, 0.9)] };
  const busySame = { ...structuredClone(r), entries: [gateEntry(r.entries[0]!, 0.95, 0.6)] };
  const c = compareWithBaseline(quiet, busySame, DEFAULT_TOLERANCE);
  assert.equal(c.ok, true, c.entries[0]!.reasons.join());
  assert.match(c.entries[0]!.checks.find((x) => x.figure === 'speedup')!.skipped ?? '', /machine bound m 0\.60 vs 0\.90/);
  const busySlower = { ...structuredClone(r), entries: [gateEntry(r.entries[0]!, 0.95 / 1.25, 0.6)] };
  assert.equal(compareWithBaseline(quiet, busySlower, DEFAULT_TOLERANCE).ok, false);
});
