/**
 * The block cache (src/cache/blockCache.ts) on a real folder: where it lives, an entry
 * written and read back whole, and an entry that changed after it was written refused
 * (CorruptCacheError), never loaded. The block is a bundled one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CorruptCacheError,
  MANIFEST_FILE,
  cacheEntryDir,
  cacheRoot,
  chainCacheDir,
  readCacheEntry,
  readManifest,
  writeCacheEntry,
  type CacheManifest,
} from '../../src/cache/blockCache.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { PRESTATE_FILE } from '../../src/data/fixtureStore.js';
import { loadBlock } from '../../src/source/blockLocator.js';

const NUMBER = 2688148n; // 4 transactions
const bundled = () => loadBlock(NUMBER, { fixturesDir: bundledFixturesDir() });

function withCache(run: (env: NodeJS.ProcessEnv, root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'stm-cache-test-'));
  try {
    run({ STM_CACHE_DIR: root }, root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('the cache lives in $STM_CACHE_DIR, else $XDG_CACHE_HOME/stm, else ~/.cache/stm, one folder per chain and block', () => {
  assert.equal(cacheRoot({ STM_CACHE_DIR: '/srv/stm', XDG_CACHE_HOME: '/x' }), '/srv/stm');
  assert.equal(cacheRoot({ XDG_CACHE_HOME: '/x' }), '/x/stm');
  assert.equal(cacheRoot({}), join(homedir(), '.cache', 'stm'));
  assert.equal(chainCacheDir(1329, { STM_CACHE_DIR: '/srv/stm' }), '/srv/stm/1329');
  assert.equal(cacheEntryDir(1, 19933597n, { STM_CACHE_DIR: '/srv/stm' }), '/srv/stm/1/19933597');
});

test('an entry written to the cache reads back as the same block, pre-state and ancestor hashes, with rules and opaque transactions', () => {
  withCache((env) => {
    const data = { ...bundled(), rules: { hardfork: 'byzantium' } };
    const dir = writeCacheEntry(data, { prestateSource: 'debug_traceBlockByNumber', stmVersion: '9.9.9' }, env);
    assert.equal(dir, cacheEntryDir(1, NUMBER, env));
    const back = readCacheEntry(dir, NUMBER, 1);
    assert.deepEqual(back.block, data.block);
    assert.deepEqual(back.prestate, data.prestate);
    assert.deepEqual([...back.blockHashes].sort(), [...data.blockHashes].sort());
    assert.deepEqual(back.rules, { hardfork: 'byzantium' });
    assert.deepEqual(back.origin, { kind: 'cache', dir });

    const manifest = readManifest(dir, 1, NUMBER);
    assert.equal(manifest.hash, data.block.hash);
    assert.equal(manifest.stmVersion, '9.9.9');
    assert.deepEqual(Object.keys(manifest.files).sort(), readdirSync(dir).filter((f) => f !== MANIFEST_FILE).sort(), 'the manifest lists every file');
    for (const sum of Object.values(manifest.files)) assert.match(sum, /^[0-9a-f]{64}$/);
  });
});

test('the locator reads a cached block before the bundled one', () => {
  withCache((env) => {
    writeCacheEntry(bundled(), { prestateSource: 'lazy', stmVersion: '0.0.0' }, env);
    assert.equal(loadBlock(NUMBER, { env }).origin.kind, 'cache');
    assert.equal(loadBlock(NUMBER, { env: { STM_CACHE_DIR: join(tmpdir(), 'stm-no-such-cache') } }).origin.kind, 'bundled');
  });
});

test('writing a block already cached keeps the intact entry; with replace it replaces it whole; no temporary folder or lock is left', () => {
  withCache((env) => {
    writeCacheEntry(bundled(), { prestateSource: 'lazy', stmVersion: '1' }, env);
    const dir = writeCacheEntry(bundled(), { prestateSource: 'debug_traceTransaction', stmVersion: '2' }, env);
    assert.equal(readManifest(dir, 1, NUMBER).prestateSource, 'lazy', 'another writer\'s intact entry of the same block is kept');
    writeCacheEntry(bundled(), { prestateSource: 'debug_traceTransaction', stmVersion: '2', replace: true }, env);
    assert.equal(readManifest(dir, 1, NUMBER).prestateSource, 'debug_traceTransaction');
    assert.deepEqual(readdirSync(chainCacheDir(1, env)), [NUMBER.toString()]);
  });
});

test('an entry that changed after it was written is refused, never loaded: a file edited, a file gone, the manifest gone or for another block', () => {
  const cases: Array<[string, (dir: string) => void, RegExp]> = [
    ['a file edited', (dir) => writeFileSync(join(dir, PRESTATE_FILE), gzipSync('{}')), /prestate\.json\.gz does not match its checksum/],
    ['a file gone', (dir) => unlinkSync(join(dir, PRESTATE_FILE)), /prestate\.json\.gz is missing/],
    ['no manifest', (dir) => unlinkSync(join(dir, MANIFEST_FILE)), /manifest\.json is missing/],
    ['a manifest that is not JSON', (dir) => writeFileSync(join(dir, MANIFEST_FILE), '{'), /not valid JSON/],
    [
      'a manifest for another block',
      (dir) => {
        const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as CacheManifest;
        writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, number: '1' }));
      },
      /holds block 1, not 2688148/,
    ],
  ];
  for (const [what, damage, message] of cases) {
    withCache((env) => {
      const dir = writeCacheEntry(bundled(), { prestateSource: 'lazy', stmVersion: '0.0.0' }, env);
      damage(dir);
      assert.throws(() => readCacheEntry(dir, NUMBER, 1), (error: unknown) => error instanceof CorruptCacheError && message.test(error.message), what);
      assert.throws(() => loadBlock(NUMBER, { env }), CorruptCacheError, `${what}: the locator does not fall back silently`);
    });
  }
});

test('an entry is refused for another chain id than the one it was written for', () => {
  withCache((env) => {
    const dir = writeCacheEntry(bundled(), { prestateSource: 'lazy', stmVersion: '0.0.0' }, env);
    assert.throws(() => readCacheEntry(dir, NUMBER, 1329), /holds chain 1, not 1329/);
  });
});
