// Before the serial replay (src/replay/prepareBlock.ts): senders recovered once and kept in
// the sender cache, recovery shared by every thread on a large block, the workers loading the
// block beside the serial replay, and a cache that is never trusted.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSenders, senderCacheFile } from '../../src/cache/senderCache.js';
import { createBlockContext } from '../../src/exec/blockContext.js';
import { replayParallel, shutdownParallel } from '../../src/replay/replayParallel.js';
import { prepareBlock, sharesRecovery, SHARED_RECOVERY_MIN_TXS } from '../../src/replay/prepareBlock.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { generateBlock } from '../../src/synth/generate.js';
import { resolveParams } from '../../src/synth/params.js';
import { CorruptDataError } from '../../src/errors.js';
import { fullOnly } from '../helpers/testTiers.js';

// ethereumjs's JavaScript recovery: the threads share it on a large block (sharesRecovery;
// with libsecp256k1, which every other test uses, the main thread recovers alone).
process.env.STM_ECRECOVER = 'js';

const cacheDir = mkdtempSync(join(tmpdir(), 'stm-sender-cache-'));
const savedCacheDir = process.env.STM_CACHE_DIR;
process.env.STM_CACHE_DIR = cacheDir;
after(async () => {
  await shutdownParallel();
  if (savedCacheDir === undefined) delete process.env.STM_CACHE_DIR;
  else process.env.STM_CACHE_DIR = savedCacheDir;
  rmSync(cacheDir, { recursive: true, force: true });
});

const sameKeys = (a: Uint8Array[], b: Uint8Array[]) => a.length === b.length && a.every((key, i) => Buffer.from(key).equals(Buffer.from(b[i]!)));

test('a large block: the threads share sender recovery (chunks claimed from one counter), the same keys as one thread alone, and the cache keeps them', fullOnly, async () => {
  const { data } = await generateBlock(resolveParams({ kind: 'erc20', txs: SHARED_RECOVERY_MIN_TXS + 88, seed: 7 }));
  assert.equal(sharesRecovery(data.block.transactions.length), true, 'JavaScript recovery (STM_ECRECOVER=js) is shared');
  const alone = createBlockContext(data).senderPublicKeys;
  const prepared = await prepareBlock(data, { threads: 3, parallel: true });
  assert.ok(prepared.senders!.context.senderPublicKeys !== undefined, 'recovered by the threads before the context');
  assert.ok(sameKeys(prepared.senders!.context.senderPublicKeys!, alone));
  const serial = await replaySerial(data, { runs: 1, warmup: 0, threads: 3, ...prepared });
  const parallel = await replayParallel(serial, { threads: 3, fallback: false, runs: 1, warmup: 0 });
  assert.equal(parallel.equalsSerial, true);
  assert.ok(parallel.setup.stateDistributionMs > 0, 'the early load is reported by the parallel replay');

  const cached = readSenders(data);
  assert.ok(cached !== undefined, 'written to the sender cache');
  assert.ok(sameKeys(cached.keys, alone));
  const again = await prepareBlock(data, { threads: 3, parallel: true });
  assert.ok(again.senders!.context.cachedSenders !== undefined, 'the second replay reads them instead of recovering');
  await again.beforeMeasuring?.();
});

test('a cache entry of the wrong senders is not used: the context recovers them', async () => {
  const { data } = await generateBlock(resolveParams({ kind: 'eth', txs: 6, seed: 3 }));
  const honest = createBlockContext(data).senderPublicKeys;
  const prepared = await prepareBlock(data, { threads: 1, parallel: false });
  await replaySerial(data, { runs: 1, warmup: 0, threads: 1, ...prepared });
  const file = senderCacheFile(data)!;
  assert.ok(existsSync(file));
  // Swap the keys of transactions 0 and 1: right hashes, wrong senders.
  const bytes = readFileSync(file);
  const key0 = Buffer.from(bytes.subarray(32, 96));
  bytes.copy(bytes, 32, 96 + 32, 96 + 96);
  key0.copy(bytes, 96 + 32);
  writeFileSync(file, bytes);
  const ctx = createBlockContext(data, { cachedSenders: readSenders(data)! });
  assert.ok(sameKeys(ctx.senderPublicKeys, honest));
});

test('a valid cache entry does not make a tampered signature pass', async () => {
  const { data } = await generateBlock(resolveParams({ kind: 'eth', txs: 4, seed: 4 }));
  const prepared = await prepareBlock(data, { threads: 1, parallel: false });
  await replaySerial(data, { runs: 1, warmup: 0, threads: 1, ...prepared });
  const cachedSenders = readSenders(data)!;
  const tx = data.block.transactions[2]!;
  const s = String(tx.s);
  const tampered = structuredClone(data);
  tampered.block.transactions[2]!.s = `0x${(BigInt(s) - 1n).toString(16)}`;
  assert.throws(() => createBlockContext(tampered, { cachedSenders }), CorruptDataError);
});
