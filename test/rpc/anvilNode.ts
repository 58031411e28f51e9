/**
 * A real node for the RPC tests: anvil from npm. The devDependency is the platform package
 * that carries the binary, @foundry-rs/anvil-linux-amd64, not the @foundry-rs/anvil
 * wrapper: the wrapper's other optional platform packages are not on the registry this
 * project installs from, so they cannot be in package-lock.json and `npm ci` would refuse
 * the lock file. (Every machine of this project is Linux x64.) Started on
 * 127.0.0.1 on a free port with automine off and FIFO ordering (with the default fee
 * ordering, evm_mine drops later-nonce transactions of senders that paid higher tips),
 * and stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface AnvilOptions {
  chainId?: number;
  /** Default prague (anvil's own default is newer than ethereumjs knows). */
  hardfork?: string;
}

export interface AnvilNode {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

/** The anvil binary from node_modules. */
export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`${pkg} is not installed: run npm ci (a devDependency; anvil's npm binaries exist for linux/darwin x64/arm64 and win32 x64)`);
  }
  const binary = join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(binary)) throw new Error(`${binary} is missing`);
  return binary;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function jsonRpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilNode> {
  const port = await freePort();
  const args = ['--host', '127.0.0.1', '--port', String(port), '--order', 'fifo', '--no-mining', '--hardfork', options.hardfork ?? 'prague'];
  if (options.chainId !== undefined) args.push('--chain-id', String(options.chainId));
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}: ${stderr.slice(0, 500)}`);
    try {
      await jsonRpc(url, 'eth_chainId');
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`anvil did not answer on ${url} within 15 s: ${stderr.slice(0, 500)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  const pid = child.pid!;
  return {
    url,
    port,
    pid,
    child,
    rpc: (method, params = []) => jsonRpc(url, method, params),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
      }, 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
