// The small promises of the CLI, each once broken: a file given as `synth --out` is a usage
// error; --verbose shows a stack only for internal errors; an error quoting a file never
// writes its raw bytes to the terminal; a cache entry recording an unknown hardfork is a
// corrupt entry (not a complaint about a --hardfork nobody passed); a number too large for
// an option says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCacheEntry, MANIFEST_FILE } from '../../src/cache/blockCache.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { QUICK, stm, type CliResult } from '../helpers/cliRunner.js';

const work = mkdtempSync(join(tmpdir(), 'stm-integrity-test-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const env = { STM_CACHE_DIR: join(work, 'cache') };

/** One `stm: …` line on stderr (plus indented details), nothing on stdout, no stack. */
function assertCleanError(result: CliResult, code: number): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.match(lines[0]!, /^stm: /);
  assert.ok(lines.slice(1).every((line) => line.startsWith('  ')), `details are indented:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(result.stderr, /internal error|this is a bug/);
}

test('stm synth --out <an existing file> is a usage error (exit 2), naming the file', async () => {
  const file = join(work, 'a-file');
  writeFileSync(file, 'not a folder\n');
  const result = await stm(['synth', '--kind', 'eth', '--txs', '10', '--out', file], env);
  assertCleanError(result, 2);
  assert.match(result.stderr, /--out .*a-file.*a file, not a folder/);
  const below = await stm(['synth', '--kind', 'eth', '--txs', '10', '--out', join(file, 'sub')], env);
  assertCleanError(below, 2);
});

test('--verbose on an RPC failure (not a bug) prints the cause chain but no stack', async () => {
  const result = await stm(['fetch', '--block', '1', '--rpc', 'http://127.0.0.1:1', '--retries', '0', '--verbose'], env);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /^stm: cannot reach the node/m);
  assert.match(result.stderr, /caused by/);
  assert.doesNotMatch(result.stderr, /stack of|^\s+at /m);
});

test('a suite file with binary bytes: the error line escapes them instead of echoing them raw', async () => {
  const file = join(work, 'binary-suite.json');
  writeFileSync(file, Buffer.concat([Buffer.from('{"blocks": ['), Buffer.from([0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x00, 0x07, 0xff, 0xfe, 0x9b]), Buffer.from(']}')]));
  const result = await stm(['bench', '--suite', file], env);
  assertCleanError(result, 2);
  assert.match(result.stderr, /binary-suite\.json/);
  assert.doesNotMatch(result.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/, 'no control bytes or replacement characters');
  assert.match(result.stderr, /\\x1b/, 'the escape byte is shown escaped');
});

test('a cache entry whose manifest records an unknown hardfork is a corrupt cache entry (exit 2), not a --hardfork error', async () => {
  const data = loadBlock(46147n, { fixturesDir: join(bundledFixturesDir(), 'ethereum') });
  data.chainId = 31337;
  data.rules = { hardfork: 'cancun' };
  const dir = writeCacheEntry(data, { prestateSource: 'debug_traceBlockByNumber', stmVersion: 'test' }, env);
  const manifestPath = join(dir, MANIFEST_FILE);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { rules: { hardfork: string } };
  manifest.rules.hardfork = 'notafork\u001b[2J';
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const result = await stm(['replay', '--block', '46147', '--chain-id', '31337', ...QUICK], env);
  assertCleanError(result, 2);
  assert.match(result.stderr, /the cache entry .*46147 is corrupt: manifest\.json records an unknown hardfork "notafork\\x1b\[2J"/);
  assert.doesNotMatch(result.stderr, /--hardfork expects/);
});

test('--runs 99999999999999999999 says the value is too large', async () => {
  for (const args of [['replay', '--block', '46147', '--runs', '99999999999999999999'], ['replay', '--block', '46147', '--threads', '99999999999999999999']]) {
    const result = await stm(args, env);
    assertCleanError(result, 2);
    assert.match(result.stderr, /--(runs|threads) 99999999999999999999 is too large: at most 9007199254740991/);
  }
});
