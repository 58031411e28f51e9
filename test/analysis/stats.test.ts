import { test } from 'node:test';
import assert from 'node:assert/strict';
import { medianUncertainty, spread, uncertainMedian } from '../../src/analysis/stats.js';
import { MAX_MEASURED_ROUNDS, MAX_RUNS_PER_ROUND, PROCESS_WARMUP, WARMUP_MIN_TXS, WarmupRuns, measurementPlan } from '../../src/replay/measurementPlan.js';
import { countRun, ranThrough, startsCold } from '../../src/exec/pathWarmth.js';

test('spread: the median absolute deviation ignores one outlier; min–max does not', () => {
  const s = spread([10, 10.2, 9.9, 10.1, 30]);
  assert.equal(s.median, 10.1);
  assert.ok(Math.abs(s.mad - 0.1) < 1e-9, String(s.mad));
  assert.equal(s.max, 30);
  assert.equal(uncertainMedian(s), false, 'one slow run does not make the median uncertain');
});

test('uncertainMedian: scattered runs are flagged, fewer runs need more agreement, sub-0.5 ms scatter is not', () => {
  // Three runs whose typical distance from the median is 20%: SE ≈ 1.86 · 20% / √3 ≈ 21%.
  const scattered = spread([80, 100, 120]);
  assert.ok(medianUncertainty(scattered) > 0.2 && medianUncertainty(scattered) < 0.22, String(medianUncertainty(scattered)));
  assert.equal(uncertainMedian(scattered), true);
  // The same scatter over 36 runs: SE ≈ 6%, a median to trust.
  const many = spread(Array.from({ length: 36 }, (_, i) => [80, 100, 120][i % 3]!));
  assert.equal(uncertainMedian(many), false);
  // A 1 ms block's runs 30% apart differ by 0.3 ms: timer jitter, not flagged.
  assert.equal(uncertainMedian(spread([0.7, 1, 1.3])), false);
});

test('measurementPlan: exact runs unless a minimum measured time is asked for; then short blocks get averaged figures and more rounds', () => {
  assert.deepEqual(measurementPlan(3, 0.5, undefined), { rounds: 3, perRound: 1 }, '--runs N is exactly N');
  assert.deepEqual(measurementPlan(3, 240, 600), { rounds: 3, perRound: 1 }, 'a 240 ms block keeps 3 rounds of one run');
  assert.deepEqual(measurementPlan(3, 5, 600), { rounds: 24, perRound: 5 }, 'a 5 ms block: 25 ms figures, 0.6 s of them');
  assert.deepEqual(measurementPlan(3, 0.001, 600), { rounds: MAX_MEASURED_ROUNDS, perRound: MAX_RUNS_PER_ROUND }, 'capped');
});

test('WarmupRuns: past --warmup while the block is small or the process is cold on that path, never without --warmup', () => {
  assert.equal(new WarmupRuns(0, 100, 'serial').another(), false, '--warmup 0 adds nothing');
  // This test process has run nothing through the executor: cold.
  assert.ok(ranThrough('executor') < PROCESS_WARMUP.executor.minTxs);
  const cold = new WarmupRuns(1, WARMUP_MIN_TXS, 'executor');
  assert.equal(cold.another(), true, 'the asked run');
  cold.ran(1);
  assert.equal(cold.another(), true, 'a large block in a cold process warms on');
  countRun('executor', PROCESS_WARMUP.executor.minTxs);
  assert.equal(cold.another(), false, 'once the process is warm, a block past WARMUP_MIN_TXS stops');
  const small = new WarmupRuns(1, 100, 'executor');
  small.ran(1);
  assert.equal(small.another(), true, 'a small block warms on in a warm process too');
  for (let i = 1; i * 100 < WARMUP_MIN_TXS; i++) small.ran(1);
  assert.equal(small.another(), false, 'until it has run WARMUP_MIN_TXS transactions');
  startsCold('executor'); // a new worker pool
  const afresh = new WarmupRuns(1, WARMUP_MIN_TXS, 'executor');
  afresh.ran(1);
  assert.equal(afresh.another(), true, 'a new pool warms up again');
});
