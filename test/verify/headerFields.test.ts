// Tampered block data is never a ✓: the header fields the data proves by itself (the
// transactions root, the block hash, each transaction's hash) are checked on every replay,
// a changed one exits 1 naming the field, and an ancestor hash list that contradicts the
// block's parentHash is corrupt input (exit 2). An untouched block verifies all three.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeCacheEntry } from '../../src/cache/blockCache.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { QUICK, repo, stm } from '../helpers/cliRunner.js';
import { fullOnly } from '../helpers/testTiers.js';

const bundled = join(repo, 'fixtures', 'ethereum');
const cacheDir = mkdtempSync(join(tmpdir(), 'stm-test-cache-'));
process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));

interface CheckJson {
  status: string;
  expected: string | null;
  actual: string | null;
  note: string | null;
}
interface ReportJson {
  verification: { ok: boolean; transactionsRoot: CheckJson; blockHash: CheckJson; txHashes: CheckJson; unchecked: Array<{ field: string; reason: string }> };
  outcome: { exitCode: number };
}

/** A copy of bundled block `number` whose block.json (or blockhashes.json) `edit` changed. */
function tampered(number: number, file: 'block.json.gz' | 'blockhashes.json.gz', edit: (value: Record<string, any>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'stm-test-tampered-'));
  cpSync(join(bundled, String(number)), join(dir, String(number)), { recursive: true });
  const path = join(dir, String(number), file);
  const value = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as Record<string, any>;
  edit(value);
  writeFileSync(path, gzipSync(JSON.stringify(value)));
  return dir;
}

/** A hash with its last hex digit changed. */
function flip(hash: string): string {
  return hash.slice(0, -1) + (hash.at(-1) === '0' ? '1' : '0');
}

async function replay(number: number, dir: string, json = false) {
  return stm(['replay', '--block', String(number), '--fixtures', dir, ...QUICK, ...(json ? ['--json'] : [])], { STM_CACHE_DIR: cacheDir });
}

test('an untouched cancun block verifies its transactions root, block hash and transaction hashes, and lists what it cannot check', async () => {
  const result = await stm(['replay', '--block', '19426587', '--json', ...QUICK], { STM_CACHE_DIR: cacheDir });
  assert.equal(result.code, 0, result.stderr);
  const v = (JSON.parse(result.stdout) as ReportJson).verification;
  assert.equal(v.transactionsRoot.status, 'ok');
  assert.equal(v.blockHash.status, 'ok');
  assert.equal(v.txHashes.status, 'ok');
  assert.deepEqual(v.unchecked.map((u) => u.field), ['stateRoot', 'miner', 'ancestor hashes']);
  const text = await stm(['replay', '--block', '19426587', ...QUICK], { STM_CACHE_DIR: cacheDir });
  assert.match(text.stdout, /transactions root ✓ +tx hashes ✓ +block hash ✓/);
  assert.match(text.stdout, /not checkable from the data: stateRoot, miner, ancestor hashes/);
});

test('a changed transactionsRoot exits 1 and names the field', async () => {
  const dir = tampered(19426587, 'block.json.gz', (block) => (block.transactionsRoot = flip(block.transactionsRoot)));
  try {
    const result = await replay(19426587, dir);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /transactions root ✗/);
    assert.match(result.stdout, /INCONSISTENT: transactionsRoot differs/);
    const json = JSON.parse((await replay(19426587, dir, true)).stdout) as ReportJson;
    assert.equal(json.verification.transactionsRoot.status, 'mismatch');
    assert.equal(json.outcome.exitCode, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a changed block hash exits 1 and names the field', async () => {
  const dir = tampered(930196, 'block.json.gz', (block) => (block.hash = flip(block.hash)));
  try {
    const result = await replay(930196, dir);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /block hash ✗/);
    assert.match(result.stdout, /INCONSISTENT: block hash differs/);
    assert.match(result.stdout, /transactions root ✓/, 'only the hash was changed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a changed transaction hash (a typed transaction's) exits 1 and names the transaction", fullOnly, async () => {
  let index = -1;
  const dir = tampered(19426587, 'block.json.gz', (block) => {
    index = (block.transactions as Array<{ type: string }>).findIndex((tx) => tx.type === '0x2');
    block.transactions[index].hash = flip(block.transactions[index].hash);
  });
  try {
    assert.ok(index >= 0);
    const result = await replay(19426587, dir);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /tx hashes ✗/);
    assert.match(result.stdout, new RegExp(`INCONSISTENT: hash of transaction ${index} differs`));
    const json = JSON.parse((await replay(19426587, dir, true)).stdout) as ReportJson;
    assert.equal(json.verification.txHashes.status, 'mismatch');
    assert.equal(json.verification.txHashes.note, `transaction ${index}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a changed legacy transaction hash (frontier) exits 1', async () => {
  const dir = tampered(46147, 'block.json.gz', (block) => (block.transactions[0].hash = flip(block.transactions[0].hash)));
  try {
    const result = await replay(46147, dir);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /INCONSISTENT: hash of transaction 0 differs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an ancestor hash for N-1 that differs from parentHash is corrupt input: exit 2, one line', async () => {
  const dir = tampered(930196, 'blockhashes.json.gz', (hashes) => (hashes['930195'] = flip(`0x${'ab'.repeat(32)}`)));
  try {
    const result = await replay(930196, dir);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^stm: .*blockhashes\.json\.gz gives block 930195 the hash 0x.*parentHash/);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a dev-chain block replayed under later rules than its own: the block hash is n/a with the reason, not a false ✗", async () => {
  // A cancun block (without transactions, which are signed for chain 1) recorded as a
  // prague dev-chain block: prague adds requestsHash, which it lacks.
  const data = loadBlock(19910734n, { fixturesDir: bundled });
  data.chainId = 31337;
  data.rules = { hardfork: 'prague' };
  writeCacheEntry(data, { prestateSource: 'debug_traceBlockByNumber', stmVersion: 'test' }, { STM_CACHE_DIR: cacheDir });
  const result = await stm(['replay', '--block', '19910734', '--chain-id', '31337', '--json', ...QUICK], { STM_CACHE_DIR: cacheDir });
  assert.ok(result.stdout !== '', result.stderr);
  const v = (JSON.parse(result.stdout) as ReportJson).verification;
  assert.equal(v.blockHash.status, 'n/a');
  assert.match(v.blockHash.note ?? '', /prague.*requestsHash/);
  assert.equal(v.transactionsRoot.status, 'ok');
  assert.equal(v.txHashes.status, 'ok');
  assert.equal(v.ok, true);
});
