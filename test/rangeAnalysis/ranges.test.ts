// Ranges at scale: the results file (one block a line, appended as each block finishes,
// a rerun replays only what is missing), shards merged into one report, blocks replayed
// on worker threads (--jobs), and the report made from results files alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRange, type AnalyzeOptions } from '../../src/rangeAnalysis/analyzeRange.js';
import { parseShard, shardOf } from '../../src/rangeAnalysis/blockSelection.js';
import { prefetching } from '../../src/rangeAnalysis/prefetch.js';
import { runBlockJobs, TimedTurns } from '../../src/rangeAnalysis/blockJobs.js';
import { ReportBuilder } from '../../src/rangeAnalysis/buildReport.js';
import type { AnalyzeReport, AnalyzedBlock } from '../../src/rangeAnalysis/rangeReport.js';
import { readResults } from '../../src/rangeAnalysis/resultsFile.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { UsageError } from '../../src/errors.js';
import { repo, stm } from '../helpers/cliRunner.js';
import { fullOnly } from '../helpers/testTiers.js';

const machine = { cpuModel: 'test', cores: 2, memoryGb: 1, node: process.version, platform: 'linux', arch: 'x64' } as never;
// Small bundled blocks, several builders/miners, a few with dependencies.
const RANGE = [46147n, 930196n, 1150000n, 2462997n, 2674998n, 2675000n, 2688148n];
const options: AnalyzeOptions = { threads: 2, runs: 1, warmup: 0, parallel: false, fallback: true, heat: 'edges', simulate: [], whatIf: 2 };
const fixtures = bundledFixturesDir();

function counting(): { load: (n: bigint) => Promise<ReturnType<typeof loadBlock>>; loaded: bigint[] } {
  const loaded: bigint[] = [];
  return { loaded, load: async (n) => (loaded.push(n), loadBlock(n, { fixturesDir: fixtures })) };
}

function run(numbers: bigint[], results?: string, jobs = 1): Promise<AnalyzeReport> {
  const { load } = counting();
  return analyzeRange({ numbers, load, options, machine, toolVersion: 'test', ...(results === undefined ? {} : { results }), jobs: { count: jobs, source: { fixturesDir: fixtures } } });
}

/** Every figure of a report but the measured times (and what is derived from them: time-weighted ceilings and paths, the per-block slot lists that keep critical-path slots). */
function figures(report: AnalyzeReport): unknown {
  const timeKeys = new Set(['serialMs', 'txMs', 'criticalMs', 'byTime', 'parallelMs', 'criticalPath', 'criticalShareTop', 'criticalShareRest', 'medianCeilingTByTime', 'medianCriticalShareTop', 'whatIf', 'slots', 'machine', 'median', 'tool', 'largestTxMs', 'bound', 'ceilingT']);
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).filter(([k]) => !timeKeys.has(k)).map(([k, v]) => [k, strip(v)]));
  };
  // Ties in a ranking (and in the heatmap's columns) are broken by critical-path time, a time: compare them as sets.
  const byKey = <T extends { key: string }>(list: T[]): T[] => [...list].sort((a, b) => (a.key < b.key ? -1 : 1));
  const { rankings, heatmap, ...rest } = report;
  const cells = heatmap.blocks.map((block, row) => Object.fromEntries(heatmap.contracts.map((c, col) => [c.address, heatmap.cells[row]![col]])));
  return strip({ ...rest, heatmap: { blocks: heatmap.blocks, cells }, rankings: { contractsByEdges: byKey(rankings.contractsByEdges), contractsByConflicts: byKey(rankings.contractsByConflicts) } });
}

test('--shard I/N takes every N-th block starting at the I-th; a bad shard is a usage error', () => {
  assert.deepEqual(shardOf([1, 2, 3, 4, 5, 6, 7], parseShard('1/3')), [1, 4, 7]);
  assert.deepEqual(shardOf([1, 2, 3, 4, 5, 6, 7], parseShard('3/3')), [3, 6]);
  for (const bad of ['0/3', '4/3', '1/0', 'a/b', '2']) assert.throws(() => parseShard(bad), UsageError, bad);
});

test('a range analysed as 3 shards (one on 2 worker threads) and merged gives the same report as one run, every figure but times', { ...fullOnly, timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stm-shards-'));
  try {
    const whole = join(dir, 'whole.jsonl');
    const one = await run(RANGE, whole);
    const files = [1, 2, 3].map((i) => join(dir, `shard${i}.jsonl`));
    for (const [i, file] of files.entries()) await run(shardOf(RANGE, { index: i + 1, count: 3 }), file, i === 1 ? 2 : 1);
    // Merged by the command, from the files alone.
    const merged = await stm(['analyze', '--from-results', ...files, '--json'], {});
    assert.equal(merged.code, 0, merged.stderr);
    const report = JSON.parse(merged.stdout) as AnalyzeReport;
    assert.deepEqual(report.blocks.map((b) => b.number), RANGE.map(String));
    assert.deepEqual(figures(report), figures(JSON.parse(JSON.stringify(one)) as AnalyzeReport));
    assert.equal(report.whatIf!.contracts.length, Math.min(2, report.whatIf!.contracts.length));
    // The one run's own file gives exactly its report, times included.
    const again = await stm(['analyze', '--from-results', whole, '--json'], {});
    const fromFile = JSON.parse(again.stdout) as AnalyzeReport;
    assert.deepEqual({ ...fromFile, tool: null }, { ...JSON.parse(JSON.stringify(one)), tool: null });
    // And the HTML page from results files.
    const html = await stm(['analyze', '--from-results', ...files, '--html', join(dir, 'r.html')], {});
    assert.equal(html.code, 0, html.stderr);
    assert.match(readFileSync(join(dir, 'r.html'), 'utf8'), /^<!doctype html>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a rerun with the same results file replays only the blocks not in it; a torn last line (a kill mid-write) is cut off', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stm-resume-'));
  try {
    const file = join(dir, 'r.jsonl');
    const first = RANGE.slice(0, 3);
    await run(first, file);
    // A kill in the middle of writing the next line.
    appendFileSync(file, '{"number":"2462997","status":"ok","err');
    const { load, loaded } = counting();
    const report = await analyzeRange({ numbers: RANGE, load, options, machine, toolVersion: 'test', results: file });
    assert.deepEqual(loaded, RANGE.slice(3), 'only the blocks missing from the file are replayed');
    assert.equal(report.blocks.length, RANGE.length);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 1 + RANGE.length, 'the header and one line per block');
    const numbers: string[] = [];
    await readResults(file, (b) => numbers.push(b.number));
    assert.deepEqual(numbers.sort(), RANGE.map(String).sort());
    // A third run replays nothing.
    const third = counting();
    await analyzeRange({ numbers: RANGE, load: third.load, options, machine, toolVersion: 'test', results: file });
    assert.deepEqual(third.loaded, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a block that failed is tried again on the next run; a file made with other options is refused', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stm-retry-'));
  try {
    const file = join(dir, 'r.jsonl');
    await run([46147n, 99_999_999n], file);
    const { load, loaded } = counting();
    await analyzeRange({ numbers: [46147n, 99_999_999n], load, options, machine, toolVersion: 'test', results: file }).catch(() => undefined);
    assert.deepEqual(loaded, [99_999_999n]);
    await assert.rejects(analyzeRange({ numbers: [46147n], load, options: { ...options, threads: 4 }, machine, toolVersion: 'test', results: file }), (e: Error) => e instanceof UsageError && /--threads 2 vs 4/.test(e.message));
    writeFileSync(join(dir, 'bad.jsonl'), 'not json\n');
    const bad = await stm(['analyze', '--from-results', join(dir, 'bad.jsonl')], {});
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^stm: .*bad\.jsonl.*not .*results/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the report keeps per-transaction arrays for the lowest-numbered blocks only, whatever order they come in', () => {
  const block = (n: number): AnalyzedBlock => ({ number: String(n), status: 'ok', error: null, hash: null, hardfork: null, coinbase: '0x01', txCount: 1, gasUsed: '1', serialMs: 1, verified: true, dependencies: null, parallel: null, contracts: [], slots: [], criticalPath: [0], dependsOn: [[]], txMs: [1], incarnations: null, reexecuted: null, simulation: null, chainId: 1, builder: null, topOfBlock: null, whatIf: null });
  const builder = new ReportBuilder({ options: { threads: 2, runs: 1, warmup: 0, parallel: false, fallback: true, scheduler: 'blockstm', heat: 'edges', simulate: [], whatIf: 0 }, machine, toolVersion: 'test', detailBlocks: 2 });
  for (const n of [5, 1, 4, 2, 3]) builder.add(block(n));
  const report = builder.finish();
  assert.deepEqual(report.blocks.map((b) => b.number), ['1', '2', '3', '4', '5']);
  assert.deepEqual(report.blocks.map((b) => b.dependsOn.length), [1, 1, 0, 0, 0]);
  assert.equal(report.detailBlocks, 2);
});

test('fetching overlaps replay: asking for a block starts loading the next one of the range, once', async () => {
  const started: bigint[] = [];
  const load = prefetching(async (n) => (started.push(n), { number: n } as never), [1n, 2n, 3n]);
  await load(1n);
  assert.deepEqual(started, [1n, 2n], 'block 2 is on its way while block 1 replays');
  await load(2n);
  await load(3n);
  assert.deepEqual(started, [1n, 2n, 3n], 'each block is loaded once');
});

test('Ctrl-C during --jobs 2: exit 130, every finished block is a whole line of the results file, and the rerun replays only the rest', { ...fullOnly, timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stm-interrupt-'));
  try {
    const file = join(dir, 'r.jsonl');
    // Small blocks first, then large ones, so the interrupt lands while blocks are in flight.
    const blocks = [46147n, 930196n, 1150000n, 13217637n, 14396881n, 15199017n, 11814555n, 12300570n];
    const child = spawn(process.execPath, [join(repo, 'bin', 'stm.js'), 'analyze', '--blocks', blocks.join(','), '--no-parallel', '--jobs', '2', '--runs', '1', '--warmup', '0', '--threads', '2', '--what-if', '2', '--results', file], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const lines = (): number => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length : 0);
    while (lines() < 2) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /interrupted/);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    const done: string[] = [];
    await readResults(file, (b) => done.push(b.number));
    assert.ok(done.length >= 1 && done.length < blocks.length, `${done.length} blocks finished before the interrupt`);
    const { load, loaded } = counting();
    await analyzeRange({ numbers: blocks, load, options, machine, toolVersion: 'test', results: file });
    assert.deepEqual(loaded.map(String).sort(), blocks.map(String).filter((n) => !done.includes(n)).sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('timed turns: one holder at a time, granted in the order asked, passed on when the holder gives it up or its worker ends', () => {
  const granted: string[] = [];
  const turns = new TimedTurns<string>((w) => granted.push(w));
  turns.take('a');
  turns.take('b');
  turns.take('c');
  assert.deepEqual(granted, ['a'], 'b and c wait');
  turns.give('b'); // not the holder: nothing happens
  assert.deepEqual(granted, ['a']);
  turns.leave('b'); // b's worker ended while waiting
  turns.give('a');
  assert.deepEqual(granted, ['a', 'c'], 'b left the queue');
  turns.leave('c'); // the holder's worker ended
  turns.take('a');
  assert.deepEqual(granted, ['a', 'c', 'a']);
});

test('--jobs 2 with --simulate: the workers\' timed runs take turns, one block at a time, and every block is simulated', { timeout: 120_000 }, async () => {
  const numbers = [46147n, 930196n, 1150000n, 2462997n];
  const events: Array<[number, 'granted' | 'given']> = [];
  const blocks: AnalyzedBlock[] = [];
  await runBlockJobs({ numbers, jobs: 2, source: { fixturesDir: fixtures }, options: { ...options, whatIf: false, simulate: [2] }, onDone: (b) => blocks.push(b), onTurn: (w, e) => events.push([w, e]) });
  assert.equal(blocks.length, numbers.length);
  for (const b of blocks) assert.equal(b.simulation?.points[0]?.threads, 2, `block ${b.number} simulated`);
  assert.equal(events.length, 2 * numbers.length, 'one turn per block');
  for (let i = 0; i < events.length; i += 2) {
    assert.equal(events[i]![1], 'granted', `event ${i}: nobody holds the turn, so the next event is a grant`);
    assert.deepEqual(events[i + 1], [events[i]![0], 'given'], `event ${i + 1}: the holder gives it back before anyone else gets it`);
  }
  // Which workers get blocks depends on when each is ready: on a loaded machine one worker
  // can finish all four before the other has started (CI saw it once), so only the
  // alternation above is asserted; with both at work it is what keeps their runs apart.
  for (const [w] of events) assert.ok(w === 0 || w === 1, `worker ${w} is one of the two`);
  // Without --simulate nobody waits for a turn.
  const none: unknown[] = [];
  await runBlockJobs({ numbers: numbers.slice(0, 2), jobs: 2, source: { fixturesDir: fixtures }, options: { ...options, whatIf: false }, onDone: () => {}, onTurn: (w, e) => none.push([w, e]) });
  assert.deepEqual(none, []);
});
