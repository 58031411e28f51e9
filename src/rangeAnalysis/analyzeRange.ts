/**
 * `stm analyze` without the terminal: the blocks of a range, each replayed into its record
 * (analyzeBlock.ts) one after the other, or with `jobs` > 1 on worker threads
 * (blockJobs.ts; only without the executor), each record appended to the results file
 * when there is one (resultsFile.ts) and handed to the report (buildReport.ts), which
 * keeps only the figures. Blocks already in the results file are not replayed again.
 */
import type { BlockData } from '../data/blockData.js';
import type { MachineInfo } from '../report/machine.js';
import type { BlockSourceOptions } from '../source/blockSource.js';
import { analyzeBlock, type BlockOptions } from './analyzeBlock.js';
import { runBlockJobs } from './blockJobs.js';
import { ReportBuilder } from './buildReport.js';
import { prefetching } from './prefetch.js';
import type { AnalyzeReport, AnalyzedBlock, ReportOptions } from './rangeReport.js';
import { RESULTS_FORMAT, ResultsWriter } from './resultsFile.js';

export interface AnalyzeOptions extends Omit<BlockOptions, 'whatIf'> {
  heat: 'edges' | 'conflicts';
  /** --what-if K: the top K contracts and slots (0 or absent: none). */
  whatIf?: number;
  /** Columns of the heatmap (hottest contracts), default 12. */
  heatmapColumns?: number;
  /** Blocks whose per-transaction arrays the report keeps (default DETAIL_BLOCKS). */
  detailBlocks?: number;
  /** (block number, index, total, phase, done, total) while a block runs. */
  progress?: (number: bigint, index: number, count: number, phase: string, done: number, total: number) => void;
}

export interface AnalyzeInput {
  numbers: bigint[];
  load: (number: bigint) => Promise<BlockData>;
  options: AnalyzeOptions;
  machine: MachineInfo;
  toolVersion: string;
  /** --results FILE: append each block's record; skip the blocks already there. */
  results?: string;
  /** --jobs N with --no-parallel: N worker threads, loading from `source` (not `load`). */
  jobs?: { count: number; source: Omit<BlockSourceOptions, 'note' | 'progress'>; onNote?: (text: string) => void };
}

export function reportOptions(options: AnalyzeOptions): ReportOptions {
  return {
    threads: options.threads,
    runs: options.runs,
    warmup: options.warmup,
    parallel: options.parallel,
    fallback: options.fallback,
    scheduler: options.scheduler ?? 'blockstm',
    heat: options.heat,
    simulate: [...options.simulate],
    whatIf: options.whatIf ?? 0,
  };
}

export async function analyzeRange(input: AnalyzeInput): Promise<AnalyzeReport> {
  const { options } = input;
  const context = { options: reportOptions(options), machine: input.machine, toolVersion: input.toolVersion, ...(options.heatmapColumns === undefined ? {} : { heatmapColumns: options.heatmapColumns }), ...(options.detailBlocks === undefined ? {} : { detailBlocks: options.detailBlocks }) };
  const builder = new ReportBuilder(context);
  const wanted = new Set(input.numbers.map((n) => n.toString()));
  let writer: ResultsWriter | undefined;
  if (input.results !== undefined) {
    writer = await ResultsWriter.open(input.results, { stmAnalyzeResults: RESULTS_FORMAT, tool: { name: 'stm', version: input.toolVersion }, machine: input.machine, options: context.options }, (block) => {
      if (wanted.has(block.number)) builder.add(block);
    });
  }
  // Blocks still to replay: those not in the results file, and those that failed there.
  const todo = input.numbers.filter((n) => {
    const key = n.toString();
    return !builder.has(key) || (builder.get(key)?.status === 'error' && builder.get(key)?.dependencies === null);
  });
  const skipped = input.numbers.length - todo.length;
  const blockOptions: BlockOptions = { ...options, whatIf: (options.whatIf ?? 0) > 0 };
  const done = (block: AnalyzedBlock): void => {
    writer?.append(block);
    builder.add(block);
  };
  try {
    if (input.jobs !== undefined && input.jobs.count > 1 && !options.parallel) {
      let index = skipped;
      const { checkpoint: _checkpoint, progress: _progress, ...plain } = options;
      await runBlockJobs({
        numbers: todo,
        jobs: input.jobs.count,
        source: input.jobs.source,
        options: { ...plain, whatIf: blockOptions.whatIf ?? false },
        onDone: (block) => {
          done(block);
          index++;
          options.progress?.(BigInt(block.number), index, input.numbers.length, 'done', 0, 1);
        },
        ...(input.jobs.onNote === undefined ? {} : { onNote: input.jobs.onNote }),
        ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
      });
    } else {
      // Fetching overlaps replay: the next block is loaded while this one replays.
      const load = prefetching(input.load, todo);
      for (let i = 0; i < todo.length; i++) {
        const number = todo[i]!;
        const index = skipped + i;
        const progress = (phase: string, d: number, total: number): void => options.progress?.(number, index, input.numbers.length, phase, d, total);
        done(await analyzeBlock(number, load, blockOptions, progress));
        options.checkpoint?.();
      }
    }
  } finally {
    writer?.close();
  }
  return builder.finish();
}
