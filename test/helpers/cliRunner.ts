/** The built CLI (bin/stm.js) as a child process, with its own cache folder. */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const bin = join(repo, 'bin', 'stm.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function stm(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
    delete childEnv.STM_RPC_URL;
    if (env.STM_RPC_URL !== undefined) childEnv.STM_RPC_URL = env.STM_RPC_URL;
    const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** Quick replay settings: one measured run, no warm-up, two threads. */
export const QUICK = ['--runs', '1', '--warmup', '0', '--threads', '2'];
