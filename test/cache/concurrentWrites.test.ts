// The cache under concurrent writers: two processes writing the same entry over and over
// (each reading it back) never fail and never see a false corrupt entry, whether each
// write keeps what the other just put there (two fetches of the same block) or replaces
// it (--refresh). What a dead writer left (`.tmp-` folders) is removed by the next write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCacheEntry, writeCacheEntry } from '../../src/cache/blockCache.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';

const writer = fileURLToPath(new URL('./cacheWriter.js', import.meta.url));
const WRITES = 150;

function runWriter(cache: string, mode: 'keep' | 'replace'): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, cache, String(WRITES), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`writer exited ${code}: ${stderr}`));
      else resolve((JSON.parse(stdout) as { errors: string[] }).errors);
    });
  });
}

for (const mode of ['keep', 'replace'] as const) {
  test(`two processes writing the same entry ${WRITES} times each (${mode === 'keep' ? 'same block fetched twice' : 'each write replaces, as --refresh'}): no error, no false corrupt entry`, async () => {
    const cache = mkdtempSync(join(tmpdir(), 'stm-race-test-'));
    try {
      const [a, b] = await Promise.all([runWriter(cache, mode), runWriter(cache, mode)]);
      assert.deepEqual([...a, ...b], []);
      const chainDir = join(cache, '1');
      assert.deepEqual(readdirSync(chainDir), ['46147'], 'one entry, no temporary folder or lock left');
      assert.equal(readCacheEntry(join(chainDir, '46147'), 46147n, 1).block.number, '0xb443');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
}

test("a dead writer's .tmp- folder (a few minutes old) is removed by the next write; a live writer's is left alone", () => {
  const cache = mkdtempSync(join(tmpdir(), 'stm-race-test-'));
  try {
    const chainDir = join(cache, '1');
    mkdirSync(chainDir, { recursive: true });
    const finished = spawnSync(process.execPath, ['-e', '']);
    const deadPid = finished.pid!;
    const dead = join(chainDir, `.tmp-46147-${deadPid}-0badf00d`);
    const live = join(chainDir, `.tmp-46147-${process.pid}-0000cafe`);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    for (const dir of [dead, live]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'block.json.gz'), 'half written');
      utimesSync(dir, twoMinutesAgo, twoMinutesAgo);
    }
    const data = loadBlock(46147n, { fixturesDir: join(bundledFixturesDir(), 'ethereum') });
    writeCacheEntry(data, { prestateSource: 'debug_traceBlockByNumber', stmVersion: 'test' }, { STM_CACHE_DIR: cache });
    assert.equal(existsSync(dead), false, `the dead writer's (pid ${deadPid}) folder is gone`);
    assert.equal(existsSync(live), true, 'a live writer is not disturbed');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
