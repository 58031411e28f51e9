// Every block bundled with stm replays and matches its header: gas used and logs bloom
// always, the receipts root from Byzantium on (before it, receipts hold intermediate
// state roots that a partial pre-state cannot reproduce, so it is "n/a"), and the header
// fields the data proves by itself: transactions root, block hash, transaction hashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledFixturesDir, loadBlock } from '../../src/data/blockLocator.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { hardforkName } from '../../src/report/replayReport.js';

interface ManifestEntry {
  number: number;
  hardfork: string;
  txCount: number;
  gasUsed: number | string;
}

const dir = join(bundledFixturesDir(), 'ethereum');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ManifestEntry[];

test('the bundled fixtures hold 30 blocks, frontier to cancun', () => {
  assert.equal(manifest.length, 30);
  assert.equal(manifest[0]!.hardfork, 'frontier');
  assert.equal(manifest.at(-1)!.hardfork, 'cancun');
});

for (const entry of manifest) {
  test(`bundled block ${entry.number} (${entry.hardfork}, ${entry.txCount} txs) replays and matches its header`, async () => {
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
  });
}
