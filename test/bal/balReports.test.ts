// ceiling_bal(T) and the score M as specified (docs/metrics.md), and where they appear:
// replay's ceilings and --json, analyze's table, JSON, HTML charts and simulator, bench
// entries naming "scheduler": "bal".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { balBound, balScore, ceilingBal } from '../../src/analysis/ceilingBal.js';
import { simulateBal } from '../../src/simulate/simulateBal.js';
import { DEFAULT_MODEL } from '../../src/simulate/simulateBlock.js';
import { parseSuite } from '../../src/bench/suite.js';
import { stm } from '../helpers/cliRunner.js';
import { fullOnly } from '../helpers/testTiers.js';

test('ceiling_bal(T) is the no-edge makespan of the transaction times, never beyond min(T, total / largest)', () => {
  assert.equal(ceilingBal([4, 1, 1, 1, 1], 2), 2, 'the 4 on one thread, the four 1s on the other');
  assert.equal(ceilingBal([10, 1, 1], 2), 1.2, 'the largest transaction bounds it');
  assert.equal(ceilingBal([3, 3, 3], 1), 1);
  for (const weights of [[5, 4, 3, 3, 2, 2, 1], [9, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1]]) {
    for (const T of [1, 2, 3, 4, 8, 64]) {
      const c = ceilingBal(weights, T);
      assert.ok(c >= 1 && c <= balBound(weights, T) + 1e-9, `${weights} at ${T}: ${c}`);
    }
  }
});

test('M = (S - A) / (S - L): 1 at the largest transaction, 0 at serial, undefined when one transaction is the block', () => {
  assert.equal(balScore(100, 20, 20), 1);
  assert.equal(balScore(100, 100, 20), 0);
  assert.equal(balScore(100, 60, 20), 0.5);
  assert.equal(balScore(100, 50, 100), undefined);
});

test('the simulator predicts the access-list executor within its ceiling, 1 where it would fall back', () => {
  const times = Array.from({ length: 200 }, (_, i) => 0.1 + (i % 7) * 0.05);
  let previous = 0;
  for (const T of [1, 2, 4, 8, 16, 32, 64]) {
    const predicted = simulateBal(times, T, DEFAULT_MODEL);
    assert.ok(predicted <= ceilingBal(times, T) + 1e-9, `T=${T}: ${predicted}`);
    if (T >= 2) assert.ok(predicted >= previous - 1e-9, 'more threads never predict slower on independent transactions');
    previous = predicted;
  }
  assert.equal(simulateBal([10, 0.1, 0.1], 2, DEFAULT_MODEL), 1, 'ceiling_bal(2) < 1.1: serial');
});

test('a bench entry may name "scheduler": "bal"', () => {
  const suite = parseSuite({ entries: [{ block: 19933597, scheduler: 'bal' }, { block: 19426587 }] }, 'suite.json', '.');
  assert.deepEqual(suite.entries.map((e) => e.schedulers), [['bal'], ['blockstm']]);
  assert.throws(() => parseSuite({ entries: [{ block: 1, scheduler: 'nope' }] }, 'suite.json', '.'), /scheduler must be a non-empty list/);
});

test('replay reports ceiling_bal(T) beside ceiling(T); analyze has the access-list table, figures, charts and simulated speedups', fullOnly, async () => {
  const replay = await stm(['replay', '--block', '19426587', '--runs', '1', '--warmup', '0', '--threads', '2', '--scheduler', 'bal', '--no-fallback', '--json'], {});
  assert.equal(replay.code, 0, replay.stderr);
  const r = JSON.parse(replay.stdout) as { bal: { T: number; ceilingT: number; bound: number }; dependencies: { all: { ceilings: { byTime: { threads: number } } } }; parallel: { ceilingT: number; balScore: number | null } };
  assert.equal(r.bal.T, 2);
  assert.ok(r.bal.ceilingT >= r.dependencies.all.ceilings.byTime.threads - 1e-9, 'no edges: never below ceiling(T)');
  assert.ok(r.bal.ceilingT <= r.bal.bound + 1e-9);
  assert.equal(r.parallel.ceilingT, r.bal.ceilingT);
  assert.equal(typeof r.parallel.balScore, 'number');
  const text = await stm(['replay', '--block', '19426587', '--runs', '1', '--warmup', '0', '--threads', '2', '--no-fallback'], {});
  assert.match(text.stdout, /ceiling_bal\(2\) by time/);

  const dir = mkdtempSync(join(tmpdir(), 'stm-bal-analyze-'));
  try {
    const html = join(dir, 'r.html');
    const analyze = await stm(['analyze', '--blocks', '19426587,19933597', '--threads', '2', '--runs', '1', '--warmup', '0', '--no-parallel', '--simulate', '1,2,64', '--html', html], {});
    assert.equal(analyze.code, 0, analyze.stderr);
    assert.match(analyze.stdout, /Block-level access lists/);
    assert.match(analyze.stdout, /ceiling_bal\(2\)/);
    const page = readFileSync(html, 'utf8');
    assert.ok(page.includes('access-list size against gas') && page.includes('with the access list against Block-STM'));
    const json = await stm(['analyze', '--blocks', '19426587', '--threads', '2', '--runs', '1', '--warmup', '0', '--no-parallel', '--simulate', '1,2,64', '--json'], {});
    const a = JSON.parse(json.stdout) as { blocks: Array<{ bal: { ceilingT: number; gzipBytes: number; items: number; maxItems: number }; simulation: { points: Array<{ threads: number; bal: number }> } }> };
    const b = a.blocks[0]!;
    assert.ok(b.bal.gzipBytes > 0 && b.bal.items <= b.bal.maxItems);
    assert.deepEqual(b.simulation.points.map((p) => p.threads), [1, 2, 64]);
    assert.ok(b.simulation.points.every((p) => typeof p.bal === 'number' && p.bal > 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
