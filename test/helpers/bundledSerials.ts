/**
 * Every bundled block replayed serially once (one measured run, no warm-up): the input
 * of the executor's equality sweep at every thread count (test/parallel/equalsSerial.full.ts).
 */
import { bundledFixturesDir, readBundledBlocks } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { replaySerial, type SerialReplay } from '../../src/replay/replayBlock.js';

export async function bundledSerials(): Promise<Array<[number, SerialReplay]>> {
  const serials: Array<[number, SerialReplay]> = [];
  for (const { number } of readBundledBlocks()) {
    const data = loadBlock(BigInt(number), { fixturesDir: bundledFixturesDir() });
    serials.push([Number(number), await replaySerial(data, { runs: 1, warmup: 0 })]);
  }
  return serials;
}
