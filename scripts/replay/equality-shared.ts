// Block-STM (with commutative sender updates, the default) against the serial replay on every
// block of a fixtures folder (default ../shared/fixtures, or $STM_SHARED_FIXTURES), at 1, 2, 4
// and 8 threads, each under stress with its own seed: one line per block, then the totals.
// Run: npm run build && node dist/scripts/replay/equality-shared.js [FIXTURES_DIR]
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { replayParallel, shutdownParallel } from '../../src/replay/replayParallel.js';
import { loadBlock } from '../../src/source/blockLocator.js';

const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const dir = process.argv[2] ?? process.env.STM_SHARED_FIXTURES ?? join(repo, '..', 'shared', 'fixtures');
const numbers = readdirSync(join(dir, 'ethereum'))
  .filter((d) => /^\d+$/.test(d))
  .map(Number)
  .sort((a, b) => a - b);
let equal = 0;
let differ = 0;
let inRule = 0;
for (const number of numbers) {
  const serial = await replaySerial(loadBlock(BigInt(number), { fixturesDir: dir }), { runs: 1, warmup: 0, threads: 4 });
  const lazy = serial.replay.commutativePlan.filter((sender) => sender !== undefined).length;
  inRule += lazy;
  const results: string[] = [];
  for (const threads of [1, 2, 4, 8]) {
    const stress = { seed: 100 + threads, delayProbability: 0.02, maxDelayUs: 300, drainProbability: 0.05 };
    const parallel = await replayParallel(serial, { threads, fallback: false, runs: 1, warmup: 0, interleaveSerial: false, stress });
    if (parallel.equalsSerial) equal++;
    else differ++;
    results.push(`${threads}:${parallel.equalsSerial ? '=' : `DIFF ${JSON.stringify(parallel.firstDifference)}`}`);
  }
  const { all, transfersCommute } = serial.analysis;
  console.log(`${number} ${serial.ctx.txs.length} txs, ${lazy} in the rule; ${results.join(' ')}; dependent txs ${all.dependentTxs} (all locations), ${transfersCommute.dependentTxs} (transfers commute)`);
}
await shutdownParallel();
console.log(`${equal} equal, ${differ} differ (${numbers.length} blocks × 4 thread counts, under stress); ${inRule} transactions in the rule`);
process.exitCode = differ === 0 ? 0 : 1;
