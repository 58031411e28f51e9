// `stm synth` as a user meets it: the built CLI run as a child process, its block replayed
// by `stm replay --fixtures`. The acceptance check of the synthetic-blocks issue: ERC-20
// transfers with contention 0 have no dependency, and the gas-weighted ceiling(∞) is total
// gas / the largest transaction's gas.
import { stm as runStm, type CliResult } from '../helpers/cliRunner.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const out = mkdtempSync(join(tmpdir(), 'stm-synth-cli-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));

function stm(args: string[]): Promise<CliResult> {
  return runStm(args, { STM_CACHE_DIR: join(out, 'cache') });
}

test('stm synth --kind erc20 --contention 0, then stm replay: zero dependencies, gas ceiling(∞) = total gas / largest tx', async () => {
  const made = await stm(['synth', '--kind', 'erc20', '--txs', '300', '--contention', '0', '--out', out, '--block', '90000300', '--json']);
  assert.equal(made.code, 0, made.stderr);
  const summary = JSON.parse(made.stdout) as { dir: string; txs: number; expected: { edges: number } };
  assert.equal(summary.dir, join(out, '90000300'));
  assert.equal(summary.txs, 300);
  assert.equal(summary.expected.edges, 0);

  const replayed = await stm(['replay', '--fixtures', out, '--block', '90000300', '--json', '--runs', '1', '--warmup', '0', '--threads', '2']);
  assert.equal(replayed.code, 0, `verified, parallel = serial: ${replayed.stderr}`);
  const report = JSON.parse(replayed.stdout) as {
    block: { txCount: number; gasUsed: string };
    verification: { ok: boolean };
    dependencies: { all: { edges: number; dependentTxs: number; longestChain: number; ceilings: { byGas: { infinite: number } } } };
    txs: Array<{ gasUsed: string; dependsOn: number[] }>;
  };
  assert.equal(report.block.txCount, 300);
  assert.ok(report.verification.ok);
  assert.equal(report.dependencies.all.edges, 0);
  assert.equal(report.dependencies.all.dependentTxs, 0);
  assert.equal(report.dependencies.all.longestChain, 1);
  const gas = report.txs.map((tx) => Number(tx.gasUsed));
  assert.equal(gas.reduce((a, b) => a + b, 0), Number(report.block.gasUsed));
  assert.equal(report.dependencies.all.ceilings.byGas.infinite, Number(report.block.gasUsed) / Math.max(...gas));
});

test('stm synth refuses impossible parameters in one line with exit code 2 and writes nothing', async () => {
  const empty = join(out, 'refused');
  for (const args of [
    ['--txs', '-5'],
    ['--contention', '1.5'],
    ['--hot-keys', '0'],
    ['--gas', '100'],
    ['--txs', '3.5'],
    ['--txs', '3', '--fee-recipient', '0x1234'],
    ['--txs', '3', '--extra-data', 'a name longer than thirty-two bytes'],
  ]) {
    const result = await stm(['synth', ...args, '--out', empty]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /^stm: /);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, `one line: ${result.stderr}`);
    assert.equal(result.stdout, '');
  }
  assert.throws(() => readdirSync(empty), /ENOENT/);
});
