// Every block bundled with stm replays and matches its header: gas used and logs bloom
// always, the receipts root from Byzantium on (before it, receipts hold intermediate
// state roots that a partial pre-state cannot reproduce, so it is "n/a"), and the header
// fields the data proves by itself: transactions root, block hash, transaction hashes.
// Then, on the same serial replays, the executor's contract at 2 threads: Block-STM (plain
// and under stress), Sei-style OCC and declared locks under stress, and OCC capped at one
// round give receipts and post-state equal to serial on every bundled block. The other
// thread counts are in `npm run test:full` (test/parallel/equalsSerial.full.ts). `npm test`
// runs the quick set of blocks (test/helpers/testTiers.ts) and, on them, Block-STM under
// stress; `npm run test:full` all 30 blocks and every 2-thread run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledEthereumDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { replaySerial, type SerialReplay } from '../../src/replay/replayBlock.js';
import { shutdownParallel } from '../../src/replay/replayParallel.js';
import { hardforkName } from '../../src/report/replayReport.js';
import { describeRun, runsAt, sweep } from '../helpers/equalitySweep.js';
import { FULL, QUICK_BLOCKS } from '../helpers/testTiers.js';

interface ManifestEntry {
  number: number;
  hardfork: string;
  txCount: number;
  gasUsed: number | string;
}

const dir = bundledEthereumDir();
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ManifestEntry[];
/** The serial replay of each block, kept for the parallel runs below. */
const serials = new Map<number, SerialReplay>();

after(() => shutdownParallel());

test('the bundled fixtures hold 30 blocks, frontier to cancun', () => {
  assert.equal(manifest.length, 30);
  assert.equal(manifest[0]!.hardfork, 'frontier');
  assert.equal(manifest.at(-1)!.hardfork, 'cancun');
});

const replayed = FULL ? manifest : manifest.filter((entry) => QUICK_BLOCKS.has(entry.number));
for (const entry of manifest) {
  const options = replayed.includes(entry) ? {} : { skip: 'runs in npm run test:full' };
  test(`bundled block ${entry.number} (${entry.hardfork}, ${entry.txCount} txs) replays and matches its header`, options, async () => {
    const data = loadBlock(BigInt(entry.number), { fixturesDir: dir });
    const serial = await replaySerial(data, { runs: 1, warmup: 0, threads: 2 });
    const v = serial.verification;
    assert.equal(hardforkName(serial.ctx.hardfork), entry.hardfork);
    assert.equal(serial.ctx.txs.length, entry.txCount);
    assert.equal(v.gas.status, 'ok', `gas: header ${v.gas.expected}, replay ${v.gas.actual}`);
    assert.equal(BigInt(v.gas.actual!), BigInt(entry.gasUsed));
    assert.equal(v.logsBloom.status, 'ok', 'logs bloom');
    if (serial.ctx.byzantium) {
      assert.equal(v.receiptsRoot.status, 'ok', `receipts root: header ${v.receiptsRoot.expected}, replay ${v.receiptsRoot.actual}`);
    } else {
      assert.equal(v.receiptsRoot.status, 'n/a');
      assert.match(v.receiptsRoot.note ?? '', /Byzantium/);
    }
    assert.equal(v.transactionsRoot.status, 'ok', `transactions root: header ${v.transactionsRoot.expected}, computed ${v.transactionsRoot.actual}`);
    assert.equal(v.blockHash.status, 'ok', `block hash: data ${v.blockHash.expected}, computed ${v.blockHash.actual}`);
    assert.equal(v.txHashes.status, 'ok', `${v.txHashes.note}: data ${v.txHashes.expected}, computed ${v.txHashes.actual}`);
    assert.equal(v.ok, true);
    serials.set(entry.number, serial);
  });
}

const twoThreads = FULL ? runsAt(2) : runsAt(2).filter((run) => run.scheduler === 'blockstm' && run.stressSeed !== undefined);
test(`on ${FULL ? 'every bundled block' : 'the quick set of bundled blocks'} at 2 threads, parallel equals serial: ${twoThreads.map(describeRun).join('; ')}`, async () => {
  const missing = replayed.filter((entry) => !serials.has(entry.number)).map((entry) => entry.number);
  assert.deepEqual(missing, [], 'every block replayed serially above');
  await sweep(replayed.map((entry) => [entry.number, serials.get(entry.number)!]), twoThreads);
});
