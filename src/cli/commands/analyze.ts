/**
 * `stm analyze --range A..B | --blocks a,b,c`: replay each block (serial, then the
 * executor unless --no-parallel), and show what limits parallelism across them and who
 * causes it: a per-block table, hot contracts and slots, a heatmap, optionally simulated
 * speedups at many thread counts; as tables, one JSON document (--json) and/or a
 * self-contained HTML page (--html FILE). Exit code: docs/analyze.md.
 */
import { availableParallelism } from 'node:os';
import { analyzeRange } from '../../analyze/analyzeRange.js';
import { parseThreadList, selectBlocks } from '../../analyze/blockSelection.js';
import { UsageError } from '../../errors.js';
import { shutdownParallel } from '../../parallel/replayParallel.js';
import { obtainBlock } from '../../rpc/blockSource.js';
import { parseChainId, rpcSettings } from '../../rpc/rpcOptions.js';
import { machineInfo } from '../../report/machine.js';
import { InterruptGuard } from '../interrupt.js';
import { parseWholeNumber, parseScheduler } from '../options.js';
import { Progress } from '../progress.js';
import { renderAnalyze } from '../render/analyzeTables.js';
import { toolVersion } from '../version.js';

export interface AnalyzeCommandOptions {
  range?: string;
  blocks?: string;
  fixtures?: string;
  runs: string | number;
  warmup: string | number;
  threads?: string | number;
  parallel: boolean;
  fallback: boolean;
  scheduler?: string;
  heat: string;
  simulate?: string;
  json?: boolean;
  html?: string;
  rpc?: string;
  chainId?: string;
  hardfork?: string;
  verbose?: boolean;
}

/** A text progress bar: "[██████░░░░░░] 3/10". */
export function progressBar(done: number, total: number, width = 16): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}

export async function runAnalyze(raw: AnalyzeCommandOptions): Promise<number> {
  const numbers = selectBlocks(raw);
  const runs = parseWholeNumber('--runs', raw.runs, 1);
  const warmup = parseWholeNumber('--warmup', raw.warmup, 0);
  const threads = raw.threads === undefined ? availableParallelism() : parseWholeNumber('--threads', raw.threads, 1);
  if (raw.heat !== 'edges' && raw.heat !== 'conflicts') throw new UsageError(`--heat expects edges or conflicts; got "${raw.heat}"`);
  const simulate = raw.simulate === undefined ? [] : parseThreadList(raw.simulate);
  const json = raw.json === true;
  const rpc = rpcSettings(raw, process.env, false);
  const fallbackRpc = rpc === undefined ? rpcSettings({}, process.env, true) : undefined;

  const interrupt = new InterruptGuard().install();
  const progress = new Progress({ json, verbose: raw.verbose === true });
  const notes: string[] = [];
  try {
    const report = await analyzeRange({
      numbers,
      options: {
        threads,
        runs,
        warmup,
        parallel: raw.parallel,
        fallback: raw.fallback,
        scheduler: parseScheduler(raw.scheduler),
        heat: raw.heat,
        simulate,
        checkpoint: interrupt.checkpoint,
        progress: (number, index, count, phase, done, total) =>
          progress.phase(`${progressBar(index, count)} block ${number} · ${phase}${total > 1 ? ` (${Math.min(done + 1, total)} of ${total})` : ''}`),
      },
      load: async (number) =>
        (
          await obtainBlock(number, {
            ...(raw.fixtures === undefined ? {} : { fixturesDir: raw.fixtures }),
            ...(rpc === undefined ? {} : { rpc }),
            ...(fallbackRpc === undefined ? {} : { fallbackRpc }),
            ...(raw.chainId === undefined ? {} : { chainId: parseChainId(raw.chainId) }),
            ...(raw.hardfork === undefined ? {} : { hardfork: raw.hardfork }),
            note: (text) => notes.push(text),
            signal: interrupt.signal,
          })
        ).data,
      machine: machineInfo(),
      toolVersion: toolVersion(),
    });
    progress.stop();
    for (const note of notes) process.stderr.write(`stm: note: ${note}\n`);
    if (raw.html !== undefined) {
      const { writeHtmlReport } = await import('../../html/analyzeHtml.js');
      writeHtmlReport(raw.html, report);
      if (!json) process.stderr.write(`stm: wrote ${raw.html}\n`);
    }
    process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : renderAnalyze(report));
    return report.exitCode;
  } finally {
    progress.stop();
    interrupt.uninstall();
    await shutdownParallel();
  }
}
