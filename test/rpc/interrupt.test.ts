// Ctrl-C while waiting on a slow node: the requests in flight are aborted, no cache entry
// (and no temporary folder) is left, and stm exits 130 within a second — for a
// single-block `stm fetch`, in the middle of a `--range`, and during the fetch of
// `replay --rpc` and `analyze --rpc`.
// The node is anvil behind a proxy that holds requests back for 5 s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChain, type BuiltChain } from './anvilBlocks.js';
import { startAnvil, type AnvilNode } from './anvilNode.js';
import { repo } from '../helpers/cliRunner.js';
import { startFaultProxy } from './faultProxy.js';
import { fullOnly } from '../helpers/testTiers.js';

let node: AnvilNode;
let chain: BuiltChain;
const dirs: string[] = [];
function tempCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stm-interrupt-test-'));
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

interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From SIGINT to exit, ms. */
  afterSignalMs: number;
}

/** The fetch has begun: with --verbose and no terminal, stm prints its phases on stderr. */
const asking = (_stdout: string, stderr: string) => /asking http:\/\/127\.0\.0\.1:\d+/.test(stderr);

/**
 * Runs stm and sends SIGINT `delayMs` after `ready(stdout, stderr)` first holds (so a
 * slow start on a loaded machine does not count); resolves when it exits.
 */
function interruptStm(args: string[], cache: string, delayMs: number, ready: (stdout: string, stderr: string) => boolean): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'stm.js'), ...args], {
      cwd: repo,
      env: { ...process.env, STM_CACHE_DIR: cache, NO_COLOR: '1', STM_RPC_URL: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalledAt = 0;
    let armed = false;
    const arm = () => {
      if (armed || !ready(stdout, stderr)) return;
      armed = true;
      setTimeout(() => {
        signalledAt = performance.now();
        child.kill('SIGINT');
      }, delayMs);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      arm();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      arm();
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal === null ? null : -1), stdout, stderr, afterSignalMs: signalledAt === 0 ? NaN : performance.now() - signalledAt }),
    );
  });
}

function entries(cache: string): string[] {
  const chainDir = join(cache, '31337');
  return existsSync(chainDir) ? readdirSync(chainDir) : [];
}

function assertInterrupted(result: Interrupted): void {
  assert.equal(result.code, 130, `exit code (-1: killed by the signal); stderr: ${result.stderr}`);
  assert.ok(result.afterSignalMs < 1000, `exited ${result.afterSignalMs.toFixed(0)} ms after SIGINT`);
  assert.match(result.stderr, /^stm: interrupted$/m);
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
}

test('Ctrl-C 2 s into a single-block fetch from a node that takes 5 s: exit 130 within a second, no cache entry', async () => {
  const proxy = await startFaultProxy(node.url, { delayMs: () => 5_000 });
  const cache = tempCache();
  try {
    const result = await interruptStm(['fetch', '--block', String(chain.busyBlock), '--rpc', proxy.url, '--verbose'], cache, 2_000, asking);
    assertInterrupted(result);
    assert.deepEqual(entries(cache), [], 'no entry and no temporary folder');
  } finally {
    await proxy.close();
  }
});

test('Ctrl-C in the middle of a range: the block being fetched is abandoned at once, the finished one stays cached', async () => {
  const first = 1n;
  const second = 2n;
  const secondHex = `"0x${second.toString(16)}"`;
  // The first block is fast; every request naming the second is held back 5 s.
  const proxy = await startFaultProxy(node.url, { delayMs: (_n, body) => (body.includes(secondHex) ? 5_000 : 0) });
  const cache = tempCache();
  try {
    const result = await interruptStm(['fetch', '--range', `${first}..${chain.busyBlock}`, '--rpc', proxy.url], cache, 1_000, (stdout) => stdout.includes(`block ${first} `));
    assertInterrupted(result);
    assert.deepEqual(entries(cache), [String(first)], `only block ${first} is cached; no temporary folder`);
  } finally {
    await proxy.close();
  }
});

test('Ctrl-C 2 s into the fetch of replay --rpc: exit 130 within a second, no cache entry', fullOnly, async () => {
  const proxy = await startFaultProxy(node.url, { delayMs: () => 5_000 });
  const cache = tempCache();
  try {
    const result = await interruptStm(['replay', '--block', String(chain.busyBlock), '--rpc', proxy.url, '--runs', '1', '--warmup', '0', '--threads', '2', '--verbose'], cache, 2_000, asking);
    assertInterrupted(result);
    assert.deepEqual(entries(cache), []);
  } finally {
    await proxy.close();
  }
});

test('Ctrl-C 2 s into the fetch of analyze --rpc: exit 130 within a second, no cache entry', fullOnly, async () => {
  const proxy = await startFaultProxy(node.url, { delayMs: () => 5_000 });
  const cache = tempCache();
  try {
    const result = await interruptStm(['analyze', '--blocks', String(chain.busyBlock), '--rpc', proxy.url, '--runs', '1', '--warmup', '0', '--threads', '2', '--verbose'], cache, 2_000, (_out, err) => err.includes('block '));
    assertInterrupted(result);
    assert.deepEqual(entries(cache), []);
  } finally {
    await proxy.close();
  }
});
