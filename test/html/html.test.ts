// The HTML report in a real headless browser (Debian's chromium): the page loads with no
// console errors and its heatmap has one cell per (block, contract) pair in the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtml, writeHtmlReport } from '../../src/html/analyzeHtml.js';
import { ANALYZE_SCHEMA_VERSION, type AnalyzeReport, type AnalyzedBlock } from '../../src/rangeAnalysis/rangeReport.js';

function block(number: string, contracts: string[], status: AnalyzedBlock['status'] = 'ok'): AnalyzedBlock {
  const graph = { edges: 2, dependentTxs: 2, longestChain: 3, ceilings: { byTime: { infinite: 1.5, threads: 1.4, T: 2 }, byGas: { infinite: 1.6, threads: 1.5, T: 2 } } };
  return {
    number, status, error: status === 'error' ? { message: 'not found </script><b>', exitCode: 2 } : null,
    hash: '0x00', hardfork: 'cancun', coinbase: '0x' + '11'.repeat(20), txCount: 3, gasUsed: '63000', serialMs: 1.5, verified: true,
    dependencies: { all: graph, storageOnly: graph, transfersCommute: graph },
    parallel: { scheduler: 'blockstm', threads: 2, highestIncarnation: 1, rounds: null, speedup: 1.2, efficiency: 0.85, ceilingT: 1.4, conflicts: { total: 1, validation: 1, estimate: 0 }, reexecutions: 1, reexecutionRate: 0.33, waves: 1, fallback: { mode: 'none', reason: null }, equalsSerial: true, parallelMs: 1.2, serialMs: 1.5 },
    contracts: contracts.map((key) => ({ key, name: null, description: key, edges: 1, criticalMs: 0.5, conflicts: 1, commuteEdges: 1, blocks: 1 })),
    slots: [], criticalPath: [0, 1, 2], dependsOn: [[], [0], [1]], txMs: [0.5, 0.5, 0.5], incarnations: [1, 2, 1],
    reexecuted: [{ tx: 1, incarnations: 2, abortedBy: ['b:' + '0x' + '11'.repeat(20)], abortedByTx: [0] }],
    chainId: 1, builder: { extraData: '0x6265617665726275696c642e6f7267', extraDataText: 'beaverbuild.org' },
    topOfBlock: { topTxs: 1, dependentTop: 0, dependentRest: 2, criticalShareTop: 1 / 3, criticalShareRest: 2 / 3 },
    whatIf: { base: { infinite: 1.5, threads: 1.4 }, contracts: { ['0x' + 'aa'.repeat(20)]: { infinite: 3, threads: 2 } }, slots: {} },
    simulation: { model: { taskUs: 1, mainTaskUs: 0, resultUs: 1, coordinatorUs: 1, locationUs: 0, messageLocationUs: 0, slowdown: 1, slowdown1: 1, estimateShare: 0, runStartUs: 0, runStartTxUs: 0, workerStartUs: 1 }, cores: null, chunk: 1, points: [{ threads: 2, blockStm: 1.3, withFallback: 1.3, oracle: 1.4, ceiling: 1.4, reexecutions: 0, fallback: null }] },
  };
}

function report(): AnalyzeReport {
  const a = '0x' + 'aa'.repeat(20), b = '0x' + 'bb'.repeat(20), c = '0x' + 'cc'.repeat(20);
  const coinbase = '0x' + '11'.repeat(20);
  const blocks = [block('100', [a, b, coinbase]), block('101', [b, c]), block('102', [], 'error')];
  return {
    schemaVersion: ANALYZE_SCHEMA_VERSION, tool: { name: 'stm', version: 'test' }, machine: {} as never,
    options: { threads: 2, runs: 1, warmup: 0, parallel: true, fallback: true, scheduler: 'blockstm', heat: 'edges', simulate: [2], whatIf: 1 },
    blocks,
    rankings: { contractsByEdges: blocks[0]!.contracts, contractsByCriticalPath: [], contractsByConflicts: [], slotsByEdges: [], slotsByCriticalPath: [], slotsByConflicts: [], contractsByCommuteEdges: [], slotsByCommuteEdges: [] },
    heatmap: { measure: 'edges', blocks: ['100', '101', '102'], contracts: [{ address: a, name: 'WETH' }, { address: b, name: null }, { address: c, name: null }, { address: coinbase, name: 'coinbase' }], cells: [[1, 1, 0, 1], [0, 1, 1, 0], [0, 0, 0, 0]] },
    whatIf: { k: 1, contracts: [{ key: a, name: 'WETH', description: a, blocks: 2, meanGainInfinite: 1.5, medianGainInfinite: 2, meanGainThreads: 1.1, medianGainThreads: 1.2, medianGainInfiniteWhereHot: 2, maxGainInfinite: 2, perBlock: [{ number: '100', infinite: 3, threads: 2, gainInfinite: 2, gainThreads: 1.43 }] }], slots: [] },
    builders: [{ feeRecipient: '0x' + '11'.repeat(20), name: 'beaverbuild.org', extraData: ['beaverbuild.org'], blocks: 2, txs: 6, medianDependentTxs: 2, medianCeilingTByTime: 1.4, medianConflicts: 1, medianDependentTop: 0, medianDependentRest: 2, medianCriticalShareTop: 0.33 }],
    chainIds: [1], detailBlocks: 200,
    summary: { blocks: 3, ok: 2, failed: 1, mismatched: 0, median: { ceilingInfiniteByTime: 1.5, ceilingTByTime: 1.4, speedup: 1.2, efficiency: 0.85 } },
    exitCode: 1,
  };
}

function dumpDom(url: string, dir: string): ReturnType<typeof spawnSync> & { stdout: string; stderr: string } {
  return spawnSync(
    chromium()!,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps', `--user-data-dir=${join(dir, 'profile')}`, '--enable-logging=stderr', '--v=0', '--dump-dom', url],
    { encoding: 'utf8', timeout: 50_000 },
  ) as never;
}

function chromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    if (spawnSync('sh', ['-c', `command -v ${name}`]).status === 0) return name;
  }
  return undefined;
}

test('the page is self-contained: no network references, data embedded safely', () => {
  const html = renderHtml(report());
  assert.doesNotMatch(html, /\b(src|href)=["']?(https?:)?\/\//);
  assert.doesNotMatch(html, /<\/script><b>/); // the error text cannot close the data script
  assert.equal(html.match(/<script/g)!.length, 2);
});

test('the page loads in headless chromium with no console errors, one heatmap cell per (block, contract)', { skip: chromium() === undefined ? 'chromium is not installed (.ci/run installs it)' : false, timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'stm-html-'));
  try {
    const file = join(dir, 'report.html');
    const data = report();
    writeHtmlReport(file, data);
    const run = spawnSync(
      chromium()!,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps', `--user-data-dir=${join(dir, 'profile')}`, '--enable-logging=stderr', '--v=0', '--dump-dom', pathToFileURL(file).href],
      { encoding: 'utf8', timeout: 50_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    const consoleLines = run.stderr.split('\n').filter((line) => /CONSOLE/.test(line));
    assert.deepEqual(consoleLines, [], 'console output (errors) while loading the page');
    assert.match(run.stdout, /data-ready="ok"/, 'the page script ran to the end');
    const cells = run.stdout.match(/class="heat-cell"/g) ?? [];
    assert.equal(cells.length, data.heatmap.blocks.length * data.heatmap.contracts.length);
    assert.match(run.stdout, /data-block="101" data-contract="0xcccc[0-9a-f]+" data-value="1"/);
    assert.match(readFileSync(file, 'utf8'), /^<!doctype html>/);
    // The new sections are drawn from the data: slot heatmap, what-if table, builders, waves, chain id.
    assert.match(run.stdout, /<table class="what-if">/);
    assert.match(run.stdout, /<table class="builders">.*beaverbuild\.org/s);
    assert.equal((run.stdout.match(/class="aborted"/g) ?? []).length, 1, 'tx 1 aborted once');
    assert.equal((run.stdout.match(/class="kept"/g) ?? []).length, 1);
    assert.match(run.stdout, /chain id 1/);
    assert.match(run.stdout, /<svg[^>]*class="legend"/);
    assert.match(run.stdout, /<svg[^>]*class="histogram"/);
    assert.match(run.stdout, /id="matrix-note">Critical path: 3 transactions \(0 → 1 → 2\)/);
    // The coinbase can be left out: the same page with #no-coinbase has one column fewer.
    const without = dumpDom(pathToFileURL(file).href + '#no-coinbase', dir);
    assert.equal(without.status, 0, without.stderr);
    assert.equal((without.stdout.match(/class="heat-cell"/g) ?? []).length, data.heatmap.blocks.length * (data.heatmap.contracts.length - 1));
    assert.doesNotMatch(without.stdout, /data-contract="0x1111/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
