/**
 * `stm fetch --block N | --range A..B`: fill the cache from a node ahead of time, so the
 * blocks replay offline afterwards. Each block is fetched once: a block whose cache entry
 * is intact and matches the node's block (same hash) costs one request and is skipped
 * (--refresh fetches it again). Prints one line per block and a summary, or JSON.
 * Returns 0 when every block was fetched (or cached) and its check replay matched the
 * node's receipts, 1 when a block was fetched but its replay differs.
 */
import { obtainFromNode, type ObtainedBlock } from '../../source/blockSource.js';
import { RpcClient } from '../../rpc/rpcClient.js';
import { parseChainId, parsePrestateMode, parseRange, rpcSettings } from '../rpcOptions.js';
import { redactError } from '../../rpc/redact.js';
import { UsageError } from '../../errors.js';
import { InterruptGuard } from '../interrupt.js';
import { parseBlockNumber } from '../options.js';
import { Progress } from '../progress.js';
import type { Check } from '../../verify/verifyBlock.js';

export interface FetchCommandOptions {
  block?: string;
  range?: string;
  rpc?: string;
  chainId?: string;
  hardfork?: string;
  prestate?: string;
  refresh?: boolean;
  timeout?: string;
  retries?: string;
  concurrency?: string;
  json?: boolean;
  verbose?: boolean;
}

interface BlockLine {
  number: string;
  chainId: number;
  status: 'fetched' | 'cached';
  txs: number;
  ms: number;
  httpRequests: number;
  calls: number;
  retries: number;
  prestateSource: string | null;
  opaqueTxs: number;
  replayRounds: number | null;
  check: { ok: boolean; gas: string; receipts: string; receiptsRoot: string; transactionsRoot: string; txHashes: string; blockHash: string; firstMismatch: string | null } | null;
  dir: string;
}

function mark(check: Check): string {
  return check.status === 'ok' ? '✓' : check.status === 'mismatch' ? '✗' : 'n/a';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function describeLine(line: BlockLine): string {
  const head = `block ${line.number} (chain ${line.chainId}): `;
  const requests = `${line.httpRequests} HTTP request${line.httpRequests === 1 ? '' : 's'} (${line.calls} calls, ${line.retries} retries)`;
  if (line.status === 'cached') return `${head}cached, ${line.txs} txs · ${requests} to confirm it is the node's block · ${line.dir}`;
  const check = line.check === null ? '' : ` · check: gas ${line.check.gas} receipts ${line.check.receipts} receipts root ${line.check.receiptsRoot} transactions root ${line.check.transactionsRoot} tx hashes ${line.check.txHashes} block hash ${line.check.blockHash}${line.check.firstMismatch === null ? '' : ` (${line.check.firstMismatch})`}`;
  const opaque = line.opaqueTxs > 0 ? ` · ${line.opaqueTxs} opaque tx${line.opaqueTxs === 1 ? '' : 's'} (effects from the node's trace)` : '';
  return `${head}fetched ${line.txs} txs in ${seconds(line.ms)} · ${requests} · pre-state: ${line.prestateSource}${opaque}${check} · ${line.dir}`;
}

function lineFor(got: ObtainedBlock, ms: number, stats: { httpRequests: number; calls: number; retries: number }): BlockLine {
  const f = got.fetched;
  const v = f?.verification;
  return {
    number: got.data.number.toString(),
    chainId: got.data.chainId,
    status: f === undefined ? 'cached' : 'fetched',
    txs: got.data.block.transactions.length,
    ms,
    ...stats,
    prestateSource: f?.prestateSource ?? null,
    opaqueTxs: got.data.opaque?.length ?? 0,
    replayRounds: f?.rounds ?? null,
    check:
      v === undefined
        ? null
        : {
            ok: v.ok,
            gas: mark(v.gas),
            receipts: mark(v.receipts),
            receiptsRoot: mark(v.receiptsRoot),
            transactionsRoot: mark(v.transactionsRoot),
            txHashes: mark(v.txHashes),
            blockHash: mark(v.blockHash),
            firstMismatch: v.firstMismatch === undefined ? null : `tx ${v.firstMismatch.txIndex} ${v.firstMismatch.txHash}: ${v.firstMismatch.field} expected ${v.firstMismatch.expected}, got ${v.firstMismatch.actual}`,
          },
    dir: got.cacheDir ?? '',
  };
}

export async function runFetch(raw: FetchCommandOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if ((raw.block === undefined) === (raw.range === undefined)) throw new UsageError('stm fetch takes one of --block N or --range A..B');
  const numbers = raw.block !== undefined ? [parseBlockNumber(raw.block)] : parseRange(raw.range!);
  const settings = rpcSettings(raw, env, true);
  if (settings === undefined) throw new UsageError('stm fetch needs a node: --rpc URL, or set STM_RPC_URL');
  const chainId = raw.chainId === undefined ? undefined : parseChainId(raw.chainId);
  const prestate = raw.prestate === undefined ? undefined : parsePrestateMode(raw.prestate);
  const json = raw.json === true;

  const interrupt = new InterruptGuard().install();
  const progress = new Progress({ json, verbose: raw.verbose === true });
  const lines: BlockLine[] = [];
  const started = performance.now();
  let client: RpcClient | undefined;
  try {
    const { url, ...clientOptions } = settings;
    if (!/^https?:\/\//i.test(url)) throw new UsageError('--rpc expects an http:// or https:// URL (the value is not shown: it may hold an API key)');
    client = new RpcClient(url, { ...clientOptions, signal: interrupt.signal });
    for (const number of numbers) {
      interrupt.checkpoint();
      const t0 = performance.now();
      const before = { ...client.stats };
      let got: ObtainedBlock;
      try {
        got = await obtainFromNode(client, number, {
          ...(chainId === undefined ? {} : { chainId }),
          ...(raw.hardfork === undefined ? {} : { hardfork: raw.hardfork }),
          ...(prestate === undefined ? {} : { prestate }),
          refresh: raw.refresh === true,
          progress: (text) => progress.phase(text),
          note: (text) => {
            progress.stop();
            process.stderr.write(`stm: note: ${text}\n`);
          },
          env,
        });
      } catch (error) {
        throw redactError(error, url);
      }
      const stats = {
        httpRequests: client.stats.httpRequests - before.httpRequests,
        calls: client.stats.calls - before.calls,
        retries: client.stats.retries - before.retries,
      };
      const line = lineFor(got, performance.now() - t0, stats);
      lines.push(line);
      if (!json) {
        progress.stop();
        process.stdout.write(describeLine(line) + '\n');
      }
    }
    progress.stop();
    const total = { httpRequests: client.stats.httpRequests, calls: client.stats.calls, retries: client.stats.retries, ms: performance.now() - started };
    const failed = lines.filter((l) => l.check !== null && !l.check.ok).length;
    if (json) {
      process.stdout.write(JSON.stringify({ blocks: lines, total }, null, 2) + '\n');
    } else if (lines.length > 1) {
      const fetched = lines.filter((l) => l.status === 'fetched').length;
      process.stdout.write(
        `${lines.length} blocks: ${fetched} fetched, ${lines.length - fetched} cached${failed > 0 ? `, ${failed} whose replay differs from the node's receipts` : ''} · ${total.httpRequests} HTTP requests (${total.calls} calls, ${total.retries} retries) · ${seconds(total.ms)}\n`,
      );
    }
    return failed > 0 ? 1 : 0;
  } finally {
    progress.stop();
    interrupt.uninstall();
  }
}
