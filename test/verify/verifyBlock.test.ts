/**
 * Verification against the chain (src/verify/verifyBlock.ts) on real replays of bundled
 * blocks: a faithful replay checks out; a header, a receipt or a fetched receipt that
 * disagrees with the replay is a mismatch naming what differs, and makes the block not ok.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '@ethereumjs/util';
import type { RpcReceipt } from '../../src/data/blockData.js';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { createBlockContext, type BlockContext } from '../../src/exec/blockContext.js';
import { ReplayVm, type TxRun } from '../../src/exec/replayVm.js';
import { runSerial } from '../../src/exec/serialExecutor.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { blockReceipts, verifyBlock } from '../../src/verify/verifyBlock.js';

interface Replayed {
  ctx: BlockContext;
  runs: TxRun[];
}

async function replay(number: bigint): Promise<Replayed> {
  const ctx = createBlockContext(loadBlock(number, { fixturesDir: bundledFixturesDir() }));
  const run = await runSerial(await ReplayVm.create(ctx));
  return { ctx, runs: run.txs };
}

/** The block's context with its header fields replaced. */
function withHeader(ctx: BlockContext, fields: Record<string, string>): BlockContext {
  return { ...ctx, data: { ...ctx.data, block: { ...ctx.data.block, ...fields } } };
}

/** Receipts as a node would return them for this replay (what `stm fetch` stores). */
function nodeReceipts({ ctx, runs }: Replayed): RpcReceipt[] {
  return blockReceipts(runs).map((receipt, i) => ({
    transactionHash: ctx.data.block.transactions[i]!.hash,
    transactionIndex: '0x' + i.toString(16),
    status: '0x' + String((receipt as { status?: number }).status ?? 1),
    gasUsed: '0x' + runs[i]!.gasUsed.toString(16),
    cumulativeGasUsed: '0x' + receipt.cumulativeBlockGasUsed.toString(16),
    logs: receipt.logs.map(([address, topics, data]) => ({ address: bytesToHex(address), topics: topics.map((t) => bytesToHex(t)), data: bytesToHex(data) })),
  }));
}

let cancun: Replayed; // 19426587: 37 transactions, with logs
let frontier: Replayed; // 46147: 1 transaction

before(async () => {
  cancun = await replay(19426587n);
  frontier = await replay(46147n);
});

test('a faithful replay matches its header: gas used, logs bloom and receipts root; receipts n/a when none were fetched', async () => {
  const v = await verifyBlock(cancun.ctx, cancun.runs);
  assert.equal(v.ok, true);
  assert.deepEqual([v.gas.status, v.logsBloom.status, v.receiptsRoot.status, v.receipts.status], ['ok', 'ok', 'ok', 'n/a']);
  assert.equal(v.receiptsRoot.expected, cancun.ctx.data.block.receiptsRoot.toLowerCase());
});

test('a header whose gas used, logs bloom or receipts root differs from the replay is a mismatch and the block is not ok', async () => {
  const header = cancun.ctx.data.block;
  const gas = await verifyBlock(withHeader(cancun.ctx, { gasUsed: '0x' + (BigInt(header.gasUsed) + 1n).toString(16) }), cancun.runs);
  assert.equal(gas.ok, false);
  assert.equal(gas.gas.status, 'mismatch');
  assert.equal(BigInt(gas.gas.expected!) - BigInt(gas.gas.actual!), 1n);

  const bloom = await verifyBlock(withHeader(cancun.ctx, { logsBloom: '0x' + '00'.repeat(256) }), cancun.runs);
  assert.deepEqual([bloom.ok, bloom.logsBloom.status, bloom.gas.status], [false, 'mismatch', 'ok']);

  const root = await verifyBlock(withHeader(cancun.ctx, { receiptsRoot: '0x' + '11'.repeat(32) }), cancun.runs);
  assert.deepEqual([root.ok, root.receiptsRoot.status], [false, 'mismatch']);
});

test('a replayed receipt that lost a log changes the receipts root', async () => {
  const i = cancun.runs.findIndex((run) => run.receipt.logs.length > 0);
  assert.ok(i >= 0, 'the block has a transaction with logs');
  const runs = cancun.runs.map((run, j) => (j === i ? { ...run, receipt: { ...run.receipt, logs: run.receipt.logs.slice(1) } } : run));
  const v = await verifyBlock(cancun.ctx, runs);
  assert.deepEqual([v.ok, v.receiptsRoot.status], [false, 'mismatch']);
});

test('fetched receipts are checked one by one: equal ones are ok; the first that differs is named with its field', async () => {
  const receipts = nodeReceipts(cancun);
  const ok = await verifyBlock({ ...cancun.ctx, data: { ...cancun.ctx.data, receipts } }, cancun.runs);
  assert.deepEqual([ok.ok, ok.receipts.status], [true, 'ok']);

  const tampered = receipts.map((r, i) => (i === 5 ? { ...r, gasUsed: '0x1' } : i === 9 ? { ...r, status: '0x0' } : r));
  const v = await verifyBlock({ ...cancun.ctx, data: { ...cancun.ctx.data, receipts: tampered } }, cancun.runs);
  assert.equal(v.ok, false);
  assert.equal(v.receipts.status, 'mismatch');
  assert.equal(v.firstMismatch?.txIndex, 5);
  assert.equal(v.firstMismatch?.field, 'gasUsed');
  assert.equal(v.firstMismatch?.txHash, cancun.ctx.data.block.transactions[5]!.hash);

  const withLog = receipts.findIndex((r) => r.logs.length > 0);
  const changedLog = receipts.map((r, i) => (i === withLog ? { ...r, logs: [{ ...r.logs[0]!, data: '0x01' }, ...r.logs.slice(1)] } : r));
  const logs = await verifyBlock({ ...cancun.ctx, data: { ...cancun.ctx.data, receipts: changedLog } }, cancun.runs);
  assert.deepEqual([logs.ok, logs.firstMismatch?.txIndex, logs.firstMismatch?.field], [false, withLog, 'log 0']);
});

test('before Byzantium the receipts root is n/a (receipts embed intermediate state roots), and gas and bloom still count', async () => {
  const v = await verifyBlock(frontier.ctx, frontier.runs);
  assert.equal(v.ok, true);
  assert.equal(v.receiptsRoot.status, 'n/a');
  assert.match(v.receiptsRoot.note ?? '', /Byzantium/);
  const wrong = await verifyBlock(withHeader(frontier.ctx, { gasUsed: '0x0' }), frontier.runs);
  assert.deepEqual([wrong.ok, wrong.gas.status], [false, 'mismatch']);
});

test('on a chain whose headers are not Ethereum tries, bloom and root are n/a and the receipts decide', async () => {
  const sei = { ...cancun.ctx, profile: { ...cancun.ctx.profile, name: 'a test chain', verifiesHeaderRoots: false } };
  const noReceipts = await verifyBlock(withHeader(sei, { logsBloom: '0x' + '00'.repeat(256) }), cancun.runs);
  assert.deepEqual([noReceipts.logsBloom.status, noReceipts.receiptsRoot.status], ['n/a', 'n/a']);
  const tampered = nodeReceipts(cancun).map((r, i) => (i === 0 ? { ...r, gasUsed: '0x1' } : r));
  const v = await verifyBlock({ ...sei, data: { ...sei.data, receipts: tampered } }, cancun.runs);
  assert.deepEqual([v.ok, v.firstMismatch?.txIndex], [false, 0]);
});
