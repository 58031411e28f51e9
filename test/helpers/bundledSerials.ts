/**
 * Every bundled block replayed serially once (one measured run, no warm-up): the input
 * of the executor's equality suites (equalsSerial.test.ts, schedulers.test.ts).
 */
import { readFileSync } from 'node:fs';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { replaySerial, type SerialReplay } from '../../src/replay/replayBlock.js';

export async function bundledSerials(): Promise<Array<[number, SerialReplay]>> {
  const manifest = JSON.parse(readFileSync(bundledFixturesDir() + '/ethereum/manifest.json', 'utf8')) as Array<{ number: number }>;
  const serials: Array<[number, SerialReplay]> = [];
  for (const { number } of manifest) {
    const data = loadBlock(BigInt(number), { fixturesDir: bundledFixturesDir() });
    serials.push([number, await replaySerial(data, { runs: 1, warmup: 0 })]);
  }
  return serials;
}
