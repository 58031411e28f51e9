// Fetching from a real node (anvil, started here on 127.0.0.1): a 40-transaction block of
// transfers, token calls, a reverting call, an in-block deployment and a BLOCKHASH call is
// fetched into the cache, replays offline and verifies against the node's receipts; the
// same data comes out of a node without the debug namespace (state read lazily at N-1);
// a corrupt cache entry is never used; and the errors a user can hit are one clear line
// that never shows the URL's secret parts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildChain, type BuiltChain } from './anvilBlocks.js';
import { freePort, startAnvil, type AnvilNode } from './anvilNode.js';
import { QUICK, stm } from '../helpers/cliRunner.js';
import { startFaultProxy } from './faultProxy.js';
import { fullOnly } from '../helpers/testTiers.js';

let node: AnvilNode;
let chain: BuiltChain;
const dirs: string[] = [];
function tempCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stm-rpc-test-'));
  dirs.push(dir);
  return dir;
}
let cache: string;

before(async () => {
  node = await startAnvil({ hardfork: 'prague' });
  chain = await buildChain(node);
  cache = tempCache();
});

after(async () => {
  await node?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface FetchJson {
  blocks: Array<{ number: string; chainId: number; status: string; txs: number; ms: number; httpRequests: number; calls: number; retries: number; prestateSource: string | null; opaqueTxs: number; check: { ok: boolean; receipts: string; receiptsRoot: string } | null; dir: string }>;
  total: { httpRequests: number; ms: number };
}

test('a 40-transaction block is fetched once into the cache and then replays offline, verified against the node\'s receipts', async () => {
  const block = String(chain.busyBlock);
  const cold = await stm(['fetch', '--block', block, '--rpc', node.url, '--json'], { STM_CACHE_DIR: cache });
  assert.equal(cold.code, 0, cold.stderr);
  const coldJson = JSON.parse(cold.stdout) as FetchJson;
  const fetched = coldJson.blocks[0]!;
  assert.equal(fetched.status, 'fetched');
  assert.equal(fetched.txs, 40);
  assert.equal(fetched.chainId, 31337);
  assert.equal(fetched.prestateSource, 'debug_traceBlockByNumber');
  assert.deepEqual([fetched.check!.ok, fetched.check!.receipts, fetched.check!.receiptsRoot], [true, '✓', '✓']);
  const entry = join(cache, '31337', block);
  assert.deepEqual(readdirSync(entry).sort(), ['block.json.gz', 'blockhashes.json.gz', 'manifest.json', 'prestate.json.gz', 'receipts.json.gz']);
  const receipts = JSON.parse(gunzipSync(readFileSync(join(entry, 'receipts.json.gz'))).toString()) as Array<{ status: string }>;
  assert.equal(receipts[chain.revertIndex]!.status, '0x0', 'the reverting transaction is in the block, failed');
  const hashes = JSON.parse(gunzipSync(readFileSync(join(entry, 'blockhashes.json.gz'))).toString()) as Record<string, string>;
  assert.ok(hashes[String(chain.busyBlock - 2n)] !== undefined, 'BLOCKHASH(N-2) was fetched from the ancestor header');

  const warm = await stm(['fetch', '--block', block, '--rpc', node.url, '--json'], { STM_CACHE_DIR: cache });
  assert.equal(warm.code, 0, warm.stderr);
  const warmLine = (JSON.parse(warm.stdout) as FetchJson).blocks[0]!;
  assert.equal(warmLine.status, 'cached');
  assert.equal(warmLine.httpRequests, 1, 'a cached block costs one request (chain id and header hash, batched)');
  process.stderr.write(`# 40-tx anvil block: cold ${fetched.ms.toFixed(0)} ms, ${fetched.httpRequests} HTTP requests (${fetched.calls} calls); warm ${warmLine.ms.toFixed(0)} ms, ${warmLine.httpRequests} request\n`);

  const offline = await stm(['replay', '--block', block, '--chain-id', '31337', ...QUICK, '--json'], { STM_CACHE_DIR: cache });
  assert.equal(offline.code, 0, offline.stderr);
  const report = JSON.parse(offline.stdout) as { block: { txCount?: number }; verification: { ok: boolean; receipts: { status: string }; receiptsRoot: { status: string } }; outcome: { exitCode: number; parallelEqualsSerial: boolean | null } };
  assert.equal(report.verification.ok, true);
  assert.equal(report.verification.receipts.status, 'ok', 'every receipt: status, gas, cumulative gas, logs');
  assert.equal(report.verification.receiptsRoot.status, 'ok');
  assert.notEqual(report.outcome.parallelEqualsSerial, false);
});

test('a range is fetched block by block; blocks already cached are confirmed, not fetched again', async () => {
  const result = await stm(['fetch', '--range', `1..${chain.busyBlock}`, '--rpc', node.url], { STM_CACHE_DIR: cache });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines.length, Number(chain.busyBlock) + 1);
  assert.match(lines.at(-2)!, /cached, 40 txs/);
  assert.match(lines.at(-1)!, new RegExp(`^${chain.busyBlock} blocks: ${chain.busyBlock - 1n} fetched, 1 cached`));
});

test('without the debug namespace the pre-state is read at N-1 during replays, and the block verifies the same', fullOnly, async () => {
  const proxy = await startFaultProxy(node.url, { hideDebug: true });
  try {
    const lazyCache = tempCache();
    const result = await stm(['fetch', '--block', String(chain.busyBlock), '--rpc', proxy.url, '--json'], { STM_CACHE_DIR: lazyCache });
    assert.equal(result.code, 0, result.stderr);
    const line = (JSON.parse(result.stdout) as FetchJson).blocks[0]!;
    assert.equal(line.prestateSource, 'lazy');
    assert.equal(line.check!.ok, true);
    const replay = await stm(['replay', '--block', String(chain.busyBlock), '--chain-id', '31337', ...QUICK], { STM_CACHE_DIR: lazyCache });
    assert.equal(replay.code, 0, replay.stderr);

    // A plainer node still: no eth_getBlockReceipts (receipts one by one) and no eth_getProof (balance, nonce, code, slots one by one).
    const plain = await startFaultProxy(node.url, { hideDebug: true, hideMethods: ['eth_getBlockReceipts', 'eth_getProof'] });
    try {
      const plainCache = tempCache();
      const fetched = await stm(['fetch', '--block', String(chain.busyBlock), '--rpc', plain.url, '--json'], { STM_CACHE_DIR: plainCache });
      assert.equal(fetched.code, 0, fetched.stderr);
      const plainLine = (JSON.parse(fetched.stdout) as FetchJson).blocks[0]!;
      assert.deepEqual([plainLine.prestateSource, plainLine.check!.ok], ['lazy', true]);
      assert.ok(plainLine.calls > line.calls, 'more calls without the bulk methods');
    } finally {
      await plain.close();
    }

    const strict = await stm(['fetch', '--block', String(chain.setupBlock), '--rpc', proxy.url, '--prestate', 'trace'], { STM_CACHE_DIR: lazyCache });
    assert.equal(strict.code, 3);
    assert.match(strict.stderr, /^stm: the node at http:\/\/127\.0\.0\.1:\d+ does not serve debug_trace\w+ \(the debug namespace\)/);
    assert.ok(!existsSync(join(lazyCache, '31337', String(chain.setupBlock))), 'nothing cached');
  } finally {
    await proxy.close();
  }
});

test('a corrupt cache entry is reported and never used; with --rpc it is fetched again', async () => {
  const corruptCache = tempCache();
  const block = String(chain.setupBlock);
  assert.equal((await stm(['fetch', '--block', block, '--rpc', node.url], { STM_CACHE_DIR: corruptCache })).code, 0);
  const file = join(corruptCache, '31337', block, 'prestate.json.gz');
  truncateSync(file, 10);
  const offline = await stm(['replay', '--block', block, '--chain-id', '31337', ...QUICK], { STM_CACHE_DIR: corruptCache });
  assert.equal(offline.code, 2);
  assert.match(offline.stderr, /^stm: the cache entry .* is corrupt: prestate\.json\.gz does not match its checksum/);
  assert.equal(offline.stdout, '');
  const refetched = await stm(['replay', '--block', block, '--rpc', node.url, ...QUICK], { STM_CACHE_DIR: corruptCache });
  assert.equal(refetched.code, 0, refetched.stderr);
  assert.match(refetched.stderr, /stm: note: the cache entry .* is corrupt: .*; fetching it again/);
  const again = await stm(['replay', '--block', block, '--chain-id', '31337', ...QUICK], { STM_CACHE_DIR: corruptCache });
  assert.equal(again.code, 0, 'the refetched entry is intact');
});

test('clear one-line errors: not yet mined, wrong chain, unreachable node, pruned state; the URL\'s key is never shown or cached', async () => {
  const secret = 'k3y0123456789abcdefSECRET';
  const proxy = await startFaultProxy(node.url);
  const secretCache = tempCache();
  try {
    const url = `${proxy.url}/v2/${secret}?token=${secret}Q`;
    const notMined = await stm(['fetch', '--block', String(chain.busyBlock + 100n), '--rpc', url], { STM_CACHE_DIR: secretCache });
    assert.equal(notMined.code, 2);
    assert.match(notMined.stderr, /^stm: block \d+ is not yet mined: the latest block of the node at http:\/\/127\.0\.0\.1:\d+\/… is \d+\n$/);

    const wrongChain = await stm(['replay', '--block', String(chain.setupBlock), '--rpc', url, '--chain-id', '1', ...QUICK], { STM_CACHE_DIR: secretCache });
    assert.equal(wrongChain.code, 2);
    assert.match(wrongChain.stderr, /^stm: the node at http:\/\/127\.0\.0\.1:\d+\/… serves chain 31337, not chain 1/);

    const ok = await stm(['fetch', '--block', String(chain.setupBlock), '--rpc', url, '--verbose'], { STM_CACHE_DIR: secretCache });
    assert.equal(ok.code, 0, ok.stderr);
    const closed = await freePort();
    const unreachable = await stm(['fetch', '--block', '1', '--rpc', `http://127.0.0.1:${closed}/${secret}`, '--retries', '1', '--verbose'], { STM_CACHE_DIR: secretCache });
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.stderr, /^stm: cannot reach the node at http:\/\/127\.0\.0\.1:\d+\/…: .*ECONNREFUSED/m);
    const pruned = await startFaultProxy(node.url, { errors: { debug_traceBlockByNumber: { code: -32000, message: 'missing trie node 1a2b3c (path ) state is not available' } } });
    let prunedResult;
    try {
      prunedResult = await stm(['fetch', '--block', String(chain.busyBlock), '--rpc', `${pruned.url}/${secret}`], { STM_CACHE_DIR: secretCache });
    } finally {
      await pruned.close();
    }
    assert.equal(prunedResult.code, 3);
    assert.match(prunedResult.stderr, /^stm: the node at http:\/\/127\.0\.0\.1:\d+\/… no longer has the state for block \d+ \(debug_traceBlockByNumber\): missing trie node/);
    assert.match(prunedResult.stderr, /archive node/);
    for (const output of [notMined, wrongChain, ok, unreachable, prunedResult]) {
      assert.ok(!(output.stdout + output.stderr).includes(secret), `the key leaked:\n${output.stdout}${output.stderr}`);
    }
    for (const name of readdirSync(join(secretCache, '31337', String(chain.setupBlock)))) {
      const bytes = readFileSync(join(secretCache, '31337', String(chain.setupBlock), name));
      const text = name.endsWith('.gz') ? gunzipSync(bytes).toString() : bytes.toString();
      assert.ok(!text.includes(secret) && !text.includes('127.0.0.1'), `${name} mentions the endpoint`);
    }
  } finally {
    await proxy.close();
  }
});
