// The JSON replay report (docs/json-schema.md): built from replay results by a pure
// function, every field present (null when absent), bigints as decimal strings, and the
// exit code it implies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ParallelSummary } from '../../src/parallel/types.js';
import { replaySerial, type SerialReplay } from '../../src/replay/replayBlock.js';
import type { MachineInfo } from '../../src/report/machine.js';
import { buildReplayReport, REPORT_SCHEMA_VERSION, type ReplayReportInput } from '../../src/report/replayReport.js';
import { renderTxDetail } from '../../src/cli/render/txDetailTables.js';
import { setTextWidth } from '../../src/cli/terminal.js';
import { ETHER, fund, syntheticBlock, testAccount, testAddress } from '../helpers/syntheticBlock.js';

const machine: MachineInfo = { cores: 8, cpuModel: 'test cpu', nodeVersion: 'v20.0.0', platform: 'linux', arch: 'x64' };
const options = { runs: 1, warmup: 0, threads: 4, fallback: true };

/** tx 2 spends what tx 1 sent; tx 0 is independent. */
async function spendChain(): Promise<SerialReplay> {
  const [alice, bob, carol] = [31, 32, 33].map(testAccount) as [ReturnType<typeof testAccount>, ReturnType<typeof testAccount>, ReturnType<typeof testAccount>];
  const data = syntheticBlock({
    prestate: fund([alice, carol]),
    txs: [
      { from: carol, to: testAddress(0x400), value: ETHER },
      { from: alice, to: bob.address, value: ETHER },
      { from: bob, to: testAddress(0x401), value: ETHER / 2n },
    ],
  });
  return replaySerial(data, { runs: 1, warmup: 0, threads: 4 });
}

function input(serial: SerialReplay, extra: Partial<ReplayReportInput> = {}): ReplayReportInput {
  return { serial, parallel: undefined, options, machine, toolVersion: '9.9.9', ...extra };
}

function fakeParallel(overrides: Partial<ParallelSummary> = {}): ParallelSummary {
  const spread = { min: 1, median: 2, max: 3, runs: 1, mad: 0 };
  return {
    scheduler: 'blockstm',
    threads: 4,
    oversubscribed: false,
    parallelMs: spread,
    serialMsInterleaved: { min: 2, median: 3, max: 4, runs: 1, mad: 0 },
    speedup: 1.5,
    ceilingT: 2,
    efficiency: 0.75,
    conflicts: { total: 1, validation: 1, estimate: 0 },
    reexecutions: 1,
    highestIncarnation: 1,
    reexecutionRate: 1 / 3,
    waves: 1,
    fallback: { mode: 'none' },
    executorRan: true,
    setup: { workerStartMs: 10, stateDistributionMs: 5, stateHandOffMs: 1, waitedMs: 15, poolReused: false },
    topLocations: [{ location: 'b:0x0000000000000000000000000000000000000401', description: 'balance 0x…401', conflicts: 1 }],
    perTx: [
      { incarnations: 1, abortedBy: [] },
      { incarnations: 1, abortedBy: [] },
      { incarnations: 2, abortedBy: ['b:0x0000000000000000000000000000000000000401'] },
    ],
    equalsSerial: true,
    ...overrides,
  };
}

test('the report has every documented top-level field and survives JSON', async () => {
  const serial = await spendChain();
  const report = buildReplayReport(input(serial));
  assert.deepEqual(Object.keys(report), [
    'schemaVersion', 'tool', 'machine', 'load', 'warnings', 'block', 'options', 'serial', 'verification', 'dependencies', 'bal', 'parallel', 'compare', 'outcome', 'txs', 'tx',
  ]);
  assert.equal(report.schemaVersion, REPORT_SCHEMA_VERSION);
  assert.equal(report.schemaVersion, 2);
  assert.deepEqual(report.tool, { name: 'stm', version: '9.9.9' });
  // No bigint anywhere: JSON.stringify would throw. The round trip is lossless.
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  assert.equal(report.block.number, '17100000');
  assert.equal(report.block.hardfork, 'shanghai');
  assert.equal(report.block.gasUsed, '63000');
  assert.equal(report.block.txCount, 3);
  assert.equal(report.parallel, null);
  assert.equal(report.tx, null);
});

test('per-transaction rows carry gas as strings, read/write-set sizes and dependencies', async () => {
  const serial = await spendChain();
  const report = buildReplayReport(input(serial));
  assert.equal(report.txs.length, 3);
  assert.deepEqual(report.txs.map((tx) => tx.dependsOn), [[], [], [1]]);
  for (const [i, tx] of report.txs.entries()) {
    assert.equal(tx.index, i);
    assert.equal(tx.gasUsed, '21000');
    assert.equal(tx.status, 'success');
    assert.equal(tx.hash, serial.ctx.data.block.transactions[i]!.hash);
    assert.ok(tx.readSetSize > 0 && tx.writeSetSize > 0);
    assert.equal(tx.creditCount, 1, 'each pays one fee credit to the coinbase');
    assert.equal(tx.incarnations, null);
    assert.equal(tx.abortedBy, null);
  }
  assert.deepEqual(report.dependencies.all, {
    edges: 1,
    dependentTxs: 1,
    longestChain: 2,
    ceilings: report.dependencies.all.ceilings,
  });
  assert.equal(report.dependencies.storageOnly.edges, 0);
  assert.equal(report.dependencies.all.ceilings.byGas.infinite, 1.5, '63,000 gas over a 42,000-gas critical path');
});

test('a synthetic block does not match its placeholder header, so the outcome is exit code 1', async () => {
  const serial = await spendChain();
  const report = buildReplayReport(input(serial));
  assert.equal(report.verification.ok, false);
  assert.equal(report.verification.gas.status, 'mismatch');
  assert.equal(report.verification.gas.expected, '0');
  assert.equal(report.verification.gas.actual, '63000');
  assert.deepEqual(report.outcome, { verified: false, parallelEqualsSerial: null, exitCode: 1 });
});

test('parallel figures and per-transaction incarnations appear when the executor ran', async () => {
  const serial = await spendChain();
  const report = buildReplayReport(input(serial, { parallel: fakeParallel() }));
  assert.ok(report.parallel !== null);
  assert.equal(report.parallel.speedup, 1.5);
  assert.deepEqual(report.parallel.fallback, { mode: 'none', reason: null, advice: null });
  assert.deepEqual(report.parallel.conflicts, { total: 1, validation: 1, estimate: 0 });
  assert.equal(report.parallel.waves, 1);
  assert.equal(report.parallel.firstDifference, null);
  assert.deepEqual(report.parallel.serialMs, { min: 2, median: 3, max: 4, runs: 1, mad: 0 }, 'the interleaved serial runs');
  assert.deepEqual(report.txs.map((tx) => tx.incarnations), [1, 1, 2]);
  assert.deepEqual(report.txs[2]!.abortedBy, ['b:0x0000000000000000000000000000000000000401']);
  assert.equal(report.outcome.parallelEqualsSerial, true);
});

test('parallel ≠ serial makes the outcome exit code 1 and reports the first difference', async () => {
  const serial = await spendChain();
  const firstDifference = { txIndex: 2, field: 'gasUsed', serial: '21000', parallel: '0' };
  const report = buildReplayReport(input(serial, { parallel: fakeParallel({ equalsSerial: false, firstDifference }) }));
  assert.deepEqual(report.parallel?.firstDifference, { txIndex: 2, location: null, field: 'gasUsed', serial: '21000', parallel: '0' });
  assert.equal(report.outcome.parallelEqualsSerial, false);
  assert.equal(report.outcome.exitCode, 1);
});

test('--tx detail: what tx 2 read, whose write it saw, and what it depends on', async () => {
  const serial = await spendChain();
  const bob = testAccount(32).address;
  const report = buildReplayReport(input(serial, { txDetail: 2, parallel: fakeParallel() }));
  const tx = report.tx;
  assert.ok(tx !== null);
  assert.equal(tx.index, 2);
  assert.equal(tx.from, bob);
  assert.equal(tx.to, testAddress(0x401));
  const bobBalance = tx.reads.find((r) => r.location === `b:${bob}`);
  assert.deepEqual(bobBalance, { location: `b:${bob}`, description: `balance ${bob}`, valueFrom: 'tx', writers: [1] });
  assert.ok(tx.reads.filter((r) => r.valueFrom === 'pre-state').length > 0);
  assert.deepEqual(tx.dependsOn.map((d) => d.tx), [1]);
  assert.ok(tx.dependsOn[0]!.locations.some((l) => l.location === `b:${bob}`));
  // bob's balance after: 1 ether received - 0.5 sent - the fee.
  const written = tx.writes.find((w) => w.location === `b:${bob}`);
  assert.ok(written !== undefined && BigInt(written.value) < ETHER / 2n);
  assert.equal(tx.credits.length, 1);
  assert.deepEqual(tx.parallel, {
    incarnations: 2,
    abortedBy: [{ location: 'b:0x0000000000000000000000000000000000000401', description: 'balance 0x0000000000000000000000000000000000000401' }],
  });
  assert.deepEqual(JSON.parse(JSON.stringify(tx)), tx);
});

test('--tx detail on an 80-column terminal: a transaction aborted by several locations lists one per line', async () => {
  const serial = await spendChain();
  const abortedBy = ['b:0x0000000000000000000000000000000000000401', 'n:0x0000000000000000000000000000000000000402', 's:0x0000000000000000000000000000000000000403:0x' + '12'.repeat(32)];
  const perTx = [{ incarnations: 1, abortedBy: [] }, { incarnations: 1, abortedBy: [] }, { incarnations: 4, abortedBy }];
  const tx = buildReplayReport(input(serial, { txDetail: 2, parallel: fakeParallel({ perTx }) })).tx;
  assert.ok(tx !== null);
  setTextWidth(80);
  try {
    const text = renderTxDetail(tx);
    const widest = Math.max(...text.split('\n').map((line) => [...line].length));
    assert.ok(widest <= 80, `widest line ${widest}:\n${text}`);
    assert.match(text, /4 incarnations, aborted by:/);
  } finally {
    setTextWidth(undefined);
  }
});

test('when the executor did not run (fallback), its conflicts, re-executions and waves are null, not 0', async () => {
  const serial = await spendChain();
  const parallel = fakeParallel({ executorRan: false, fallback: { mode: 'serial', reason: '3 transactions is too few', advice: '3 transactions is too few' } });
  const report = buildReplayReport(input(serial, { parallel }));
  assert.ok(report.parallel !== null);
  assert.equal(report.parallel.conflicts, null);
  assert.equal(report.parallel.reexecutions, null);
  assert.equal(report.parallel.reexecutionRate, null);
  assert.equal(report.parallel.waves, null);
  assert.equal(report.parallel.highestIncarnation, null);
  assert.deepEqual(report.parallel.fallback, { mode: 'serial', reason: '3 transactions is too few', advice: '3 transactions is too few' });
  assert.deepEqual(report.txs.map((tx) => tx.incarnations), [null, null, null]);
});

test('a production executor\'s fallback verdict is an annotation when the executor ran', async () => {
  const serial = await spendChain();
  const report = buildReplayReport(input(serial, { parallel: fakeParallel({ fallback: { mode: 'none', advice: 'one transaction uses 71% of the block\'s gas' } }) }));
  assert.deepEqual(report.parallel?.fallback, { mode: 'none', reason: null, advice: 'one transaction uses 71% of the block\'s gas' });
  assert.deepEqual(report.parallel?.conflicts, { total: 1, validation: 1, estimate: 0 });
});

const steady = (median: number, runs = 5) => ({ min: median * 0.95, median, max: median * 1.05, runs, mad: median * 0.02 });

test('noise: a single measured run is flagged (--runs 1)', async () => {
  const serial = await spendChain();
  const report = buildReplayReport(input(serial, { parallel: fakeParallel({ efficiency: 0.75, parallelMs: steady(2, 1), serialMsInterleaved: steady(3, 1) }) }));
  assert.equal(serial.serialMs.runs, 1);
  assert.ok(report.warnings.some((w) => /only 1 measured run/.test(w)), report.warnings.join('\n'));
});

test('noise: a speedup above ceiling(T) (efficiency > 100%) is flagged', async () => {
  const serial = await replaySerial((await spendChain()).ctx.data, { runs: 5, warmup: 1, threads: 2 });
  const parallel = fakeParallel({ threads: 2, speedup: 2.77, ceilingT: 2, efficiency: 1.385, parallelMs: steady(1), serialMsInterleaved: steady(2.77) });
  const report = buildReplayReport(input(serial, { parallel, otherProcessesCores: 0 }));
  const flagged = report.warnings.filter((w) => /exceeds ceiling\(2\)/.test(w));
  assert.equal(flagged.length, 1, report.warnings.join('\n'));
  assert.match(flagged[0]!, /speedup 2\.77× exceeds ceiling\(2\) 2\.00× \(efficiency 139%\)/);
});

test('noise: a wide spread between runs and a busy machine are flagged; steady runs on a quiet machine are not', async () => {
  const serial = await replaySerial((await spendChain()).ctx.data, { runs: 5, warmup: 1, threads: 2 });
  const steadySerial = { ...serial, serialMs: steady(3) };
  const quiet = buildReplayReport(input(steadySerial, { parallel: fakeParallel({ parallelMs: steady(2), serialMsInterleaved: steady(3) }), otherProcessesCores: 0.02 }));
  assert.deepEqual(quiet.warnings, []);
  assert.deepEqual(quiet.load, { otherProcessesCores: 0.02 });
  const noisy = buildReplayReport(input(steadySerial, { parallel: fakeParallel({ parallelMs: { min: 1, median: 2, max: 4, runs: 5, mad: 0.8 }, serialMsInterleaved: steady(3) }), otherProcessesCores: 0.9 }));
  assert.equal(noisy.warnings.length, 2, noisy.warnings.join('\n'));
  assert.match(noisy.warnings[0]!, /^parallel times vary widely between runs \(their median is uncertain by ±33%: a typical run is 40% from it over 5 runs; min 1\.0 ms, max 4\.0 ms\)/);
  assert.match(noisy.warnings[1]!, /machine was busy: other processes used 0\.90 cores/);
  // One slow run among steady ones (a GC pause in a short block) does not move the median: not flagged.
  const outlier = buildReplayReport(input(steadySerial, { parallel: fakeParallel({ parallelMs: { min: 1.95, median: 2, max: 4, runs: 5, mad: 0.04 }, serialMsInterleaved: steady(3) }), otherProcessesCores: 0 }));
  assert.deepEqual(outlier.warnings, []);
});

test('noise: a speedup within 5% above ceiling(T) is the resolution of a measured ratio, not flagged', async () => {
  const serial = await replaySerial((await spendChain()).ctx.data, { runs: 5, warmup: 1, threads: 2 });
  const parallel = fakeParallel({ threads: 2, speedup: 1.03, ceilingT: 1, efficiency: 1.03, parallelMs: steady(1), serialMsInterleaved: steady(1.03) });
  const report = buildReplayReport(input({ ...serial, serialMs: steady(1.03) }, { parallel, otherProcessesCores: 0 }));
  assert.deepEqual(report.warnings, []);
});
