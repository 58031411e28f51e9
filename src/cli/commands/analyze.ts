/**
 * `stm analyze --range A..B | --blocks a,b,c`: replay each block (serial, then the
 * executor unless --no-parallel), and show what limits parallelism across them and who
 * causes it: a per-block table, hot contracts and slots, a heatmap, builders, optionally
 * what-if ceilings (--what-if) and simulated speedups; as tables, one JSON document
 * (--json) and/or a self-contained HTML page (--html FILE). Ranges at scale: --results
 * (resumable), --jobs, --shard, and --from-results (the report from results files
 * alone). Exit code: docs/analyze.md.
 */
import { availableParallelism } from 'node:os';
import { analyzeRange } from '../../rangeAnalysis/analyzeRange.js';
import { parseShard, parseThreadList, selectBlocks, shardOf } from '../../rangeAnalysis/blockSelection.js';
import { ReportBuilder } from '../../rangeAnalysis/buildReport.js';
import type { AnalyzeReport, AnalyzedBlock } from '../../rangeAnalysis/rangeReport.js';
import { optionsDiffer, readResults, type ResultsHeader } from '../../rangeAnalysis/resultsFile.js';
import { UsageError } from '../../errors.js';
import { shutdownParallel } from '../../replay/replayParallel.js';
import { obtainBlock } from '../../source/blockSource.js';
import { parseChainId, rpcSettings } from '../rpcOptions.js';
import { machineInfo } from '../../report/machine.js';
import { InterruptGuard } from '../interrupt.js';
import { parseWholeNumber, parseScheduler } from '../options.js';
import { Progress } from '../progress.js';
import { renderAnalyze } from '../render/analyzeTables.js';
import { toolVersion } from '../../version.js';

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
  results?: string;
  fromResults?: string[];
  jobs?: string | number;
  shard?: string;
  whatIf?: string | boolean;
}

/** A text progress bar: "[██████░░░░░░] 3/10". */
export function progressBar(done: number, total: number, width = 16): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}

/** `--what-if` alone: this many contracts and slots. */
export const DEFAULT_WHAT_IF = 5;

export async function runAnalyze(raw: AnalyzeCommandOptions): Promise<number> {
  if (raw.fromResults !== undefined) return reportFromResults(raw);
  const selected = selectBlocks(raw);
  const numbers = raw.shard === undefined ? selected : shardOf(selected, parseShard(raw.shard));
  const runs = parseWholeNumber('--runs', raw.runs, 1);
  const warmup = parseWholeNumber('--warmup', raw.warmup, 0);
  const threads = raw.threads === undefined ? availableParallelism() : parseWholeNumber('--threads', raw.threads, 1);
  if (raw.heat !== 'edges' && raw.heat !== 'conflicts') throw new UsageError(`--heat expects edges or conflicts; got "${raw.heat}"`);
  const simulate = raw.simulate === undefined ? [] : parseThreadList(raw.simulate);
  const whatIf = parseWhatIf(raw.whatIf);
  const jobs = raw.jobs === undefined ? availableParallelism() : parseWholeNumber('--jobs', raw.jobs, 1);
  if (raw.jobs !== undefined && jobs > 1 && raw.parallel) throw new UsageError('--jobs runs blocks side by side, which would distort the executor\'s timings: add --no-parallel');
  const json = raw.json === true;
  const rpc = rpcSettings(raw, process.env, false);
  const fallbackRpc = rpc === undefined ? rpcSettings({}, process.env, true) : undefined;

  const interrupt = new InterruptGuard().install();
  const progress = new Progress({ json, verbose: raw.verbose === true });
  const notes: string[] = [];
  const source = {
    ...(raw.fixtures === undefined ? {} : { fixturesDir: raw.fixtures }),
    ...(rpc === undefined ? {} : { rpc }),
    ...(fallbackRpc === undefined ? {} : { fallbackRpc }),
    ...(raw.chainId === undefined ? {} : { chainId: parseChainId(raw.chainId) }),
    ...(raw.hardfork === undefined ? {} : { hardfork: raw.hardfork }),
  };
  try {
    const report = await analyzeRange({
      numbers,
      ...(raw.results === undefined ? {} : { results: raw.results }),
      ...(raw.parallel ? {} : { jobs: { count: jobs, source, onNote: (text: string) => notes.push(text) } }),
      options: {
        threads,
        runs,
        warmup,
        parallel: raw.parallel,
        fallback: raw.fallback,
        scheduler: parseScheduler(raw.scheduler),
        heat: raw.heat,
        simulate,
        whatIf,
        checkpoint: interrupt.checkpoint,
        progress: (number, index, count, phase, done, total) =>
          progress.phase(`${progressBar(index, count)} block ${number} · ${phase}${total > 1 ? ` (${Math.min(done + 1, total)} of ${total})` : ''}`),
      },
      load: async (number) => (await obtainBlock(number, { ...source, note: (text) => notes.push(text), signal: interrupt.signal })).data,
      machine: machineInfo(),
      toolVersion: toolVersion(),
    });
    progress.stop();
    for (const note of notes) process.stderr.write(`stm: note: ${note}\n`);
    return await emit(report, raw);
  } finally {
    progress.stop();
    interrupt.uninstall();
    await shutdownParallel();
  }
}

function parseWhatIf(value: string | boolean | undefined): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return DEFAULT_WHAT_IF;
  return parseWholeNumber('--what-if', value, 1);
}

/** The report as tables or JSON on stdout, and the HTML page when asked; the exit code. */
async function emit(report: AnalyzeReport, raw: AnalyzeCommandOptions): Promise<number> {
  const json = raw.json === true;
  if (raw.html !== undefined) {
    const { writeHtmlReport } = await import('../../html/analyzeHtml.js');
    writeHtmlReport(raw.html, report);
    if (!json) process.stderr.write(`stm: wrote ${raw.html}\n`);
  }
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : renderAnalyze(report));
  return report.exitCode;
}

/** `stm analyze --from-results FILE…`: the report from results files alone, merged. */
async function reportFromResults(raw: AnalyzeCommandOptions): Promise<number> {
  if (raw.range !== undefined || raw.blocks !== undefined || raw.results !== undefined || raw.shard !== undefined) throw new UsageError('--from-results makes the report from results files alone: it takes no --range, --blocks, --results or --shard');
  const files = raw.fromResults ?? [];
  if (files.length === 0) throw new UsageError('--from-results expects one or more results files');
  let builder: ReportBuilder | undefined;
  let first: ResultsHeader | undefined;
  const pending: AnalyzedBlock[] = [];
  for (const file of files) {
    const header = await readResults(file, (block) => (builder === undefined ? pending.push(block) : builder.add(block)));
    if (first === undefined) {
      first = header;
      const whatIf = raw.whatIf === undefined ? header.options.whatIf : parseWhatIf(raw.whatIf);
      if (whatIf > 0 && header.options.whatIf === 0) throw new UsageError(`${file} was made without --what-if: its blocks have no what-if figures`);
      if (raw.heat !== 'edges' && raw.heat !== 'conflicts') throw new UsageError(`--heat expects edges or conflicts; got "${raw.heat}"`);
      const heat = raw.heat;
      builder = new ReportBuilder({ options: { ...header.options, whatIf, heat }, machine: header.machine, toolVersion: toolVersion() });
      for (const block of pending.splice(0)) builder.add(block);
    } else {
      const diff = optionsDiffer(first.options, header.options);
      if (diff !== null) throw new UsageError(`${file} was made with other options than ${files[0]} (${diff}): they cannot be merged`);
    }
  }
  return emit(builder!.finish(), raw);
}
