/**
 * One writer process for the concurrent-write test: writes bundled block 46147 into the
 * cache at argv[2] argv[3] times (argv[4] "replace": each write replaces the entry, as
 * --refresh does), reading the entry back after each write, and prints the errors it met
 * as JSON on stdout.
 */
import { join } from 'node:path';
import { readCacheEntry, writeCacheEntry, type WriteEntryInfo } from '../../src/cache/blockCache.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';

const [cacheDir, countText, mode] = process.argv.slice(2);
const env = { ...process.env, STM_CACHE_DIR: cacheDir! };
const data = loadBlock(46147n, { fixturesDir: join(bundledFixturesDir(), 'ethereum') });
const info = { prestateSource: 'debug_traceBlockByNumber', stmVersion: 'test', replace: mode === 'replace' } as WriteEntryInfo;
const errors: string[] = [];
for (let i = 0; i < Number(countText); i++) {
  try {
    const dir = writeCacheEntry(data, info, env);
    const back = readCacheEntry(dir, 46147n, 1);
    if (back.block.hash !== data.block.hash) errors.push(`write ${i}: read back another block`);
  } catch (error) {
    errors.push(`write ${i}: ${(error as Error).name}: ${(error as Error).message}`);
  }
}
process.stdout.write(JSON.stringify({ errors }) + '\n');
