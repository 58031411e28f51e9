/**
 * Runs a bench suite: for each entry, load (or generate) the block once, replay it
 * serially (warm-up, measured runs: verification, graph, ceilings), then at each thread
 * count let the parallel executor warm up and run `runs` times interleaved with serial
 * runs (replayParallel), so machine drift hits both sides of every ratio. The worker
 * pool is started once and reused for every entry.
 */
import type { SchedulerName } from '../parallel/types.js';
import { loadBlock } from '../source/blockLocator.js';
import type { BlockData } from '../data/blockData.js';
import { replayParallel } from '../replay/replayParallel.js';
import { replaySerial } from '../replay/replayBlock.js';
import { machineInfo, type MachineInfo } from '../report/machine.js';
import { analyzeBlock } from '../analysis/blockAnalysis.js';
import { generateBlock } from '../synth/generate.js';
import { resolveParams } from '../synth/params.js';
import { BENCH_SCHEMA_VERSION, type BenchEntryResult, type BenchReport } from './benchReport.js';
import type { Suite, SuiteEntry } from './suite.js';

export interface RunSuiteOptions {
  /** Overrides the suite's runs / warm-up / thread counts. */
  runs?: number;
  warmup?: number;
  threads?: number[];
  /** Overrides every entry's schedulers (--scheduler). */
  schedulers?: SchedulerName[];
  fallback?: boolean;
  suiteFile: string | null;
  stmVersion: string;
  machine?: MachineInfo;
  checkpoint?: () => void;
  /** (entry label, phase, done, total) */
  progress?: (label: string, phase: string, done: number, total: number) => void;
  /** An entry finished (for a line per entry on stderr). */
  entryDone?: (result: BenchEntryResult, index: number, count: number) => void;
}

async function entryData(entry: SuiteEntry, checkpoint?: () => void): Promise<{ data: BlockData; generateMs: number }> {
  const source = entry.source;
  if (source.kind === 'block') {
    return { data: loadBlock(BigInt(source.block), source.fixtures === undefined ? {} : { fixturesDir: source.fixtures }), generateMs: 0 };
  }
  const t0 = performance.now();
  const params = resolveParams({ ...source.params });
  const block = await generateBlock(params, checkpoint === undefined ? {} : { checkpoint });
  return { data: block.data, generateMs: performance.now() - t0 };
}

export async function runSuite(suite: Suite, options: RunSuiteOptions): Promise<BenchReport> {
  const started = performance.now();
  const runs = options.runs ?? suite.runs;
  const warmup = options.warmup ?? suite.warmup;
  const fallback = options.fallback ?? suite.fallback;
  const entries: BenchEntryResult[] = [];
  let workerStarts = 0;
  let workerStartMs = 0;
  const count = suite.entries.reduce((n, e) => n + (options.threads ?? e.threads).length * (options.schedulers ?? e.schedulers).length, 0);

  for (const entry of suite.entries) {
    options.checkpoint?.();
    options.progress?.(entry.name, 'loading', 0, 1);
    const { data, generateMs } = await entryData(entry, options.checkpoint);
    const threadCounts = options.threads ?? entry.threads;
    // One serial replay per entry (graph, verification, per-tx times); ceilings per T below.
    const serial = await replaySerial(data, {
      runs,
      warmup,
      threads: threadCounts[0]!,
      ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
      progress: (phase, done, total) => options.progress?.(entry.name, phase, done, total),
    });
    const gasUsed = serial.gasUsed.reduce((a, b) => a + b, 0n);
    for (const threads of threadCounts) for (const scheduler of options.schedulers ?? entry.schedulers) {
      options.checkpoint?.();
      const analysis = threads === serial.threads ? serial.analysis : analyzeBlock(serial.ctx.txs.length, serial.analysis.edges, serial.txTimesMs, serial.gasUsed.map(Number), threads);
      const atT = { ...serial, analysis, threads };
      // Block-STM keeps the plain id, so baselines recorded before the other schedulers still match.
      const id = `${entry.name}@${threads}t${scheduler === 'blockstm' ? '' : `:${scheduler}`}`;
      const p = await replayParallel(atT, {
        threads,
        scheduler,
        fallback,
        runs,
        warmup,
        measureBound: suite.machineBound && threads > 1,
        ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
        progress: (phase, done, total) => options.progress?.(id, phase, done, total),
      });
      if (p.setup.workerStartMs > 0) {
        workerStarts++;
        workerStartMs += p.setup.workerStartMs;
      }
      const result: BenchEntryResult = {
        id,
        name: entry.name,
        source: entry.source,
        threads,
        scheduler,
        txs: serial.ctx.txs.length,
        gasUsed: gasUsed.toString(),
        verified: serial.verification.ok,
        equalsSerial: p.equalsSerial,
        serialMs: p.serialMsInterleaved,
        parallelMs: p.parallelMs,
        speedup: p.speedup,
        ceilingT: p.ceilingT,
        efficiency: p.efficiency,
        machineBound: p.bound ?? null,
        speedupPerBound: p.speedupPerBound?.median ?? null,
        conflicts: p.conflicts,
        reexecutions: p.reexecutions,
        waves: p.waves,
        fallback: p.fallback,
        setup: {
          contextMs: serial.setup.contextMs,
          vmMs: serial.setup.vmMs,
          generateMs,
          workerStartMs: p.setup.workerStartMs,
          stateDistributionMs: p.setup.stateDistributionMs,
          poolReused: p.setup.poolReused,
        },
        deterministic: {
          edges: analysis.all.edges,
          storageEdges: analysis.storageOnly.edges,
          dependentTxs: analysis.all.dependentTxs,
          longestChain: analysis.all.longestChain,
          ceilingInfiniteByGas: analysis.all.byGas.infinite,
          ceilingTByGas: analysis.all.byGas.threads,
        },
      };
      entries.push(result);
      options.entryDone?.(result, entries.length - 1, count);
    }
  }
  return {
    schemaVersion: BENCH_SCHEMA_VERSION,
    kind: 'stm-bench',
    stmVersion: options.stmVersion,
    createdAt: new Date().toISOString(),
    machine: options.machine ?? machineInfo(),
    suite: { name: suite.name, file: options.suiteFile },
    settings: { runs, warmup, fallback, tolerance: suite.tolerance, machineBound: suite.machineBound, confirm: suite.confirm },
    setup: { workerStarts, workerStartMs },
    entries,
    totalMs: performance.now() - started,
  };
}
