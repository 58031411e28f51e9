/**
 * The figures in docs/rpc.md: fetch time and request count for a 40-transaction anvil
 * block, cold cache and warm cache, through the CLI. Not a test (npm test runs only
 * *.test.js); run after `npm run build` with `node dist/test/rpc/measureFetch.js [runs]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChain } from './anvilBlocks.js';
import { startAnvil } from './anvilNode.js';
import { stm } from '../helpers/cliRunner.js';
import { startFaultProxy } from './faultProxy.js';

interface Line {
  status: string;
  txs: number;
  ms: number;
  httpRequests: number;
  calls: number;
  prestateSource: string | null;
}

const runs = Number(process.argv[2] ?? 3);
const node = await startAnvil({ hardfork: 'prague' });
const proxy = await startFaultProxy(node.url, { hideDebug: true });
try {
  const chain = await buildChain(node);
  const block = String(chain.busyBlock);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows: Record<string, { fetchMs: number[]; commandMs: number[]; requests: number[]; calls: number[] }> = {};
  const record = (name: string, line: Line, commandMs: number) => {
    const row = (rows[name] ??= { fetchMs: [], commandMs: [], requests: [], calls: [] });
    row.fetchMs.push(line.ms);
    row.commandMs.push(commandMs);
    row.requests.push(line.httpRequests);
    row.calls.push(line.calls);
  };
  for (let i = 0; i < runs; i++) {
    for (const [name, url] of [
      ['debug namespace', node.url],
      ['no debug namespace (lazy)', proxy.url],
    ] as const) {
      const cache = mkdtempSync(join(tmpdir(), 'stm-measure-'));
      try {
        for (const phase of ['cold', 'warm']) {
          const result = await stm(['fetch', '--block', block, '--rpc', url, '--json'], { STM_CACHE_DIR: cache });
          if (result.code !== 0) throw new Error(`stm fetch exited ${result.code}: ${result.stderr}`);
          const line = (JSON.parse(result.stdout) as { blocks: Line[] }).blocks[0]!;
          if (line.txs !== 40) throw new Error(`expected 40 transactions, got ${line.txs}`);
          record(`${name}, ${phase} cache`, line, result.ms);
        }
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    }
  }
  console.log(`40-transaction anvil block ${block} (median of ${runs}; fetch = inside stm, command = whole process)`);
  for (const [name, row] of Object.entries(rows)) {
    console.log(`${name}: fetch ${median(row.fetchMs).toFixed(0)} ms, command ${median(row.commandMs).toFixed(0)} ms, ${median(row.requests)} HTTP requests, ${median(row.calls)} JSON-RPC calls`);
  }
} finally {
  await proxy.close();
  await node.stop();
}
