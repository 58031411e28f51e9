// Faults between stm and the node, injected by a loopback proxy in front of anvil: 429s,
// 500s, connection resets, bodies cut short or not JSON are retried and the fetch
// succeeds; faults that do not stop, and a node killed in the middle of a fetch, end in
// one clear error; either way the cache never holds a partial entry. A restarted dev node
// (same chain id, other blocks) is caught as the wrong chain for the cached data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChain, type BuiltChain } from './anvilBlocks.js';
import { startAnvil, type AnvilNode } from './anvilNode.js';
import { QUICK, stm } from '../helpers/cliRunner.js';
import { startFaultProxy, type Fault } from './faultProxy.js';
import { fullOnly } from '../helpers/testTiers.js';

let node: AnvilNode;
let chain: BuiltChain;
const dirs: string[] = [];
function tempCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stm-fault-test-'));
  dirs.push(dir);
  return dir;
}

before(async () => {
  node = await startAnvil({ hardfork: 'prague' });
  chain = await buildChain(node);
});

after(async () => {
  await node?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The chain folder holds complete entries only: no temporary or half-replaced folders, and not block N. */
function assertNoEntry(cache: string, block: bigint): void {
  const chainDir = join(cache, '31337');
  if (!existsSync(chainDir)) return;
  const names = readdirSync(chainDir);
  assert.ok(!names.includes(String(block)), `block ${block} must not be cached`);
  assert.deepEqual(names.filter((n) => n.startsWith('.')), [], 'no temporary folders left');
}

test('429s, 500s, resets, truncated and garbled bodies are retried, and the fetch succeeds', async () => {
  const faults: Fault[] = ['429', '500', 'reset', 'truncate', 'garbage'];
  // Requests 0, 2, 4, 6, 8 fail once each (probe, block, receipts, trace, ancestor hash), one kind each.
  const proxy = await startFaultProxy(node.url, { plan: (n) => (n % 2 === 0 && n < 2 * faults.length ? faults[n / 2]! : 'ok') });
  const cache = tempCache();
  try {
    const result = await stm(['fetch', '--block', String(chain.busyBlock), '--rpc', proxy.url, '--json'], { STM_CACHE_DIR: cache });
    assert.equal(result.code, 0, result.stderr);
    const line = (JSON.parse(result.stdout) as { blocks: Array<{ retries: number; check: { ok: boolean } }> }).blocks[0]!;
    assert.ok(line.retries >= faults.length, `retried ${line.retries} times`);
    assert.equal(line.check.ok, true);
    for (const kind of faults) assert.ok((proxy.injected[kind] ?? 0) >= 1, `injected ${kind}`);
    const replay = await stm(['replay', '--block', String(chain.busyBlock), '--chain-id', '31337', ...QUICK], { STM_CACHE_DIR: cache });
    assert.equal(replay.code, 0, replay.stderr);
  } finally {
    await proxy.close();
  }
});

test('faults that do not stop end in one clear error after the retries, and nothing is cached', async () => {
  const proxy = await startFaultProxy(node.url, { plan: (n) => (n === 0 ? 'ok' : '500') });
  const cache = tempCache();
  try {
    const result = await stm(['fetch', '--block', String(chain.busyBlock), '--rpc', proxy.url, '--retries', '2'], { STM_CACHE_DIR: cache });
    assert.equal(result.code, 3);
    const lines = result.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /^stm: the node at http:\/\/127\.0\.0\.1:\d+ failed eth_getBlockByNumber: HTTP 500.* \(3 attempts\)$/);
    assert.ok(lines.slice(1).every((l) => l.startsWith('  ')), 'details are indented');
    assert.equal(result.stdout, '');
    assertNoEntry(cache, chain.busyBlock);
  } finally {
    await proxy.close();
  }
});

test('a node killed in the middle of a fetch: one clear error, and the cache holds no partial entry', async () => {
  const victim = await startAnvil({ hardfork: 'prague' });
  const built = await buildChain(victim);
  const cache = tempCache();
  // Requests: 0 probe, 1 block, 2 receipts, 3 trace: the node dies before the trace.
  const proxy = await startFaultProxy(victim.url, { onRequest: async (n) => (n === 3 ? victim.stop() : undefined) });
  try {
    const result = await stm(['fetch', '--block', String(built.busyBlock), '--rpc', proxy.url, '--retries', '2'], { STM_CACHE_DIR: cache });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /^stm: cannot reach the node at http:\/\/127\.0\.0\.1:\d+: .* \(3 attempts\)\n/);
    assertNoEntry(cache, built.busyBlock);
  } finally {
    await proxy.close();
    await victim.stop();
  }
});

test('a restarted dev node (same chain id, other blocks) is the wrong chain for the cached data', fullOnly, async () => {
  const first = await startAnvil({ hardfork: 'prague' });
  const cache = tempCache();
  let second: AnvilNode | undefined;
  try {
    const built = await buildChain(first);
    assert.equal((await stm(['fetch', '--block', String(built.setupBlock), '--rpc', first.url], { STM_CACHE_DIR: cache })).code, 0);
    await first.stop();
    second = await startAnvil({ hardfork: 'prague' });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // another second: other timestamps, other hashes
    await buildChain(second);
    const result = await stm(['replay', '--block', String(built.setupBlock), '--rpc', second.url, ...QUICK], { STM_CACHE_DIR: cache });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^stm: the cache holds a different block \d+ for chain 31337 than the node at http:\/\/127\.0\.0\.1:\d+\n/);
    const refreshed = await stm(['fetch', '--block', String(built.setupBlock), '--rpc', second.url, '--refresh'], { STM_CACHE_DIR: cache });
    assert.equal(refreshed.code, 0, refreshed.stderr);
  } finally {
    await first.stop();
    await second?.stop();
  }
});
