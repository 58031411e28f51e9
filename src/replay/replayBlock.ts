/**
 * One block, end to end, as every command needs it: build the context, run the serial
 * replay (warm-up runs, then measured runs), verify against the chain, and compute the
 * dependency graph and ceilings with per-transaction times (median over the measured
 * runs). The parallel executor's figures are added by the caller that asks for them.
 */
import { availableParallelism } from 'node:os';
import { analyzeBlock, type BlockAnalysis } from '../analysis/blockAnalysis.js';
import { readWriteEdges } from '../analysis/readWriteEdges.js';
import { MIN_RUNS, median, spread, type Spread } from '../analysis/stats.js';
import type { BlockData } from '../data/blockData.js';
import { createBlockContext, type BlockContext, type BlockContextOptions } from '../exec/blockContext.js';
import { ReplayVm } from '../exec/replayVm.js';
import { runSerial, type SerialRun } from '../exec/serialExecutor.js';
import { verifyBlock, type Verification } from '../verify/verifyBlock.js';
import { ExecutorError } from '../errors.js';
import { WarmupRuns } from './measurementPlan.js';
import { valuesEqual } from '../state/locations.js';
import type { SerialTiming } from '../parallel/types.js';

export interface ReplayOptions {
  /** Measured serial runs (default MIN_RUNS, 3). */
  runs?: number;
  /** Warm-up runs before measuring (default 2). */
  warmup?: number;
  /** T for ceiling(T) (default: this machine's cores). */
  threads?: number;
  /** Called between transactions; throws to stop (Ctrl-C). */
  checkpoint?: () => void;
  /** Progress callback: (phase, done, total). */
  progress?: (phase: string, done: number, total: number) => void;
  /** Senders obtained before (prepareBlock: the sender cache, or recovered by every thread), and the time that took. */
  senders?: { context: BlockContextOptions; ms: number };
  /** Called when the block context exists, before the warm-up runs (prepareBlock starts the workers' load here). */
  onContext?: (ctx: BlockContext) => void;
  /** Awaited after the warm-up runs, before the measured ones (the workers' load finishes first, so it does not disturb them). */
  beforeMeasuring?: () => Promise<void>;
  /** Held while the warm-up and measured runs execute (stm analyze --jobs with --simulate: see TimedTurn). */
  timedTurn?: TimedTurn;
}

/**
 * A turn at the timed runs, for replays that would otherwise run side by side: the holder's
 * warm-up and measured runs have the machine to themselves, so its transactions' times are
 * a lone replay's, the times the simulator's constants are calibrated on (docs/simulator.md).
 */
export interface TimedTurn {
  take(): Promise<void>;
  give(): void;
}

export interface SetupTimes {
  /** Obtaining the senders before the context (sender cache; recovery shared with the workers), 0 when the context recovered them. */
  sendersMs: number;
  /** Building the block context: decoding, sender recovery (or checking given senders), pre-state. */
  contextMs: number;
  /** Creating the VM. */
  vmMs: number;
}

export interface SerialReplay {
  ctx: BlockContext;
  replay: ReplayVm;
  /** The first measured run: read/write sets, receipts, post-state. */
  run: SerialRun;
  verification: Verification;
  serialMs: Spread;
  /** Median serial time per transaction over the measured runs, ms. */
  txTimesMs: number[];
  gasUsed: bigint[];
  analysis: BlockAnalysis;
  threads: number;
  setup: SetupTimes;
  /** All measured runs gave the same gas per transaction and the same post-state size (determinism). */
  deterministic: boolean;
  /**
   * standalone: the measured runs ran on their own, before any parallel run; interleaved:
   * they are the serial runs interleaved with the parallel ones (remeasured), so the report
   * has one serial figure, the speedup's numerator.
   */
  measured: 'standalone' | 'interleaved';
}

export function defaultThreads(): number {
  return availableParallelism();
}

export async function replaySerial(data: BlockData, options: ReplayOptions = {}): Promise<SerialReplay> {
  const runs = Math.max(1, options.runs ?? MIN_RUNS);
  const warmup = Math.max(0, options.warmup ?? 2);
  const threads = options.threads ?? defaultThreads();
  const t0 = performance.now();
  const ctx = createBlockContext(data, options.senders?.context ?? {});
  const t1 = performance.now();
  options.onContext?.(ctx);
  const replay = await ReplayVm.create(ctx);
  const t2 = performance.now();
  const serialOptions = options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint };
  // The first warm-up run applies commutative sender updates: it warms the same code and
  // gives the "transfers commute" view (without warm-up runs, one more run does).
  // On a small block they go on past `warmup` (measurementPlan.ts, WarmupRuns).
  let commutativeRun: SerialRun | undefined;
  const measured: SerialRun[] = [];
  await options.timedTurn?.take();
  try {
    const warming = new WarmupRuns(warmup, ctx.txs.length, 'serial');
    while (warming.another()) {
      options.progress?.('warm-up', Math.min(warming.done, warmup), warmup + runs);
      const run = await runSerial(replay, { ...serialOptions, commutative: warming.done === 0 });
      if (warming.done === 0) commutativeRun = run;
      warming.ran(run.executionMs);
    }
    await options.beforeMeasuring?.();
    for (let i = 0; i < runs; i++) {
      options.progress?.('serial', warmup + i, warmup + runs);
      measured.push(await runSerial(replay, serialOptions));
      if (options.checkpoint !== undefined) {
        await new Promise((resolve) => setImmediate(resolve));
        options.checkpoint();
      }
    }
  } finally {
    options.timedTurn?.give();
  }
  const first = measured[0]!;
  const verification = await verifyBlock(ctx, first.txs);
  const txCount = ctx.txs.length;
  const txTimesMs = Array.from({ length: txCount }, (_, i) => median(measured.map((run) => run.txs[i]!.timeMs)));
  const gasUsed = first.txs.map((run) => run.gasUsed);
  // The run with commutative sender updates must give exactly the strict replay's result.
  commutativeRun ??= await runSerial(replay, { ...serialOptions, commutative: true });
  assertSameResult(first, commutativeRun);
  const analysis = analyzeBlock(txCount, readWriteEdges(first.txs), txTimesMs, gasUsed.map(Number), threads, readWriteEdges(commutativeRun.txs));
  const deterministic = measured.every((run) => sameOutcome(first, run));
  return {
    ctx,
    replay,
    run: first,
    verification,
    serialMs: spread(measured.map((run) => run.executionMs)),
    txTimesMs,
    gasUsed,
    analysis,
    threads,
    setup: { sendersMs: options.senders?.ms ?? 0, contextMs: t1 - t0, vmMs: t2 - t1 },
    deterministic,
    measured: 'standalone',
  };
}

/**
 * The serial replay with its times taken from other runs of the same block (the serial
 * runs interleaved with the parallel ones): the serial time, each transaction's time, and
 * the ceilings weighted by time. Read/write sets, the graph and verification stay those of
 * the reference run. A command that runs the executor anyway measures serial time once
 * this way, instead of twice.
 */
export function remeasured(serial: SerialReplay, runs: SerialTiming[]): SerialReplay {
  if (runs.length === 0) return serial;
  const txCount = serial.ctx.txs.length;
  const txTimesMs = Array.from({ length: txCount }, (_, i) => median(runs.map((run) => run.txMs[i]!)));
  return {
    ...serial,
    serialMs: spread(runs.map((run) => run.executionMs)),
    txTimesMs,
    analysis: analyzeBlock(txCount, serial.analysis.edges, txTimesMs, serial.gasUsed.map(Number), serial.threads, serial.analysis.commutativeEdges),
    deterministic: serial.deterministic && runs.every((run) => run.postStateSize === serial.run.postState.size && run.gasUsed.every((gas, i) => gas === serial.gasUsed[i])),
    measured: 'interleaved',
  };
}

/** The replay with commutative sender updates must give the strict replay's gas, receipts' logs and post-state exactly. */
function assertSameResult(strict: SerialRun, commutative: SerialRun): void {
  const difference = firstDifference(strict, commutative);
  if (difference !== undefined) throw new ExecutorError(`internal: the serial replay with commutative sender updates differs from the strict one (${difference})`);
}

function firstDifference(a: SerialRun, b: SerialRun): string | undefined {
  for (let i = 0; i < a.txs.length; i++) {
    if (a.txs[i]!.gasUsed !== b.txs[i]!.gasUsed) return `gas of transaction ${i}`;
    if (a.txs[i]!.receipt.logs.length !== b.txs[i]!.receipt.logs.length) return `logs of transaction ${i}`;
  }
  if (a.postState.size !== b.postState.size) return `post-state size ${a.postState.size} vs ${b.postState.size}`;
  for (const [key, value] of a.postState) {
    const other = b.postState.get(key);
    if (other === undefined || !valuesEqual(value, other)) return `post-state at ${key}`;
  }
  return undefined;
}

function sameOutcome(a: SerialRun, b: SerialRun): boolean {
  if (a.txs.length !== b.txs.length || a.postState.size !== b.postState.size) return false;
  for (let i = 0; i < a.txs.length; i++) if (a.txs[i]!.gasUsed !== b.txs[i]!.gasUsed) return false;
  return true;
}
