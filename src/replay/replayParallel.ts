/**
 * The parallel replay of one block, as commands use it: judge whether a production
 * executor would run Block-STM at all (the fallback rules: reported, and applied only when
 * asked, since stm's users come to see what the executor does), get the worker pool (started once per process) and the block into
 * it (state distribution), run warm-up runs, then measured runs interleaved with serial
 * runs on the same state so machine drift hits both, check every parallel run against
 * the serial replay (receipts and post-state), and summarise.
 */
import type { BlockData } from '../data/blockData.js';
import { median, spread, uncertainMedian } from '../analysis/stats.js';
import { balScore, ceilingBal } from '../analysis/ceilingBal.js';
import { ExecutorError, StmError } from '../errors.js';
import { runSerial, type SerialRun } from '../exec/serialExecutor.js';
import { describeLocation } from '../state/locations.js';
import type { SerialReplay } from './replayBlock.js';
import { compareWithSerial } from './compareWithSerial.js';
import { ESTIMATE_BELOW_MS, MAX_MEASURED_ROUNDS, MAX_MEASURING_MS, measurementPlan, settleHeap, WarmupRuns } from './measurementPlan.js';
import type { BlockLevelAccessList } from '@ethereumjs/util';
import { blockUnits } from '../parallel/txUnits.js';
import { runBlockStm } from '../parallel/blockStmScheduler.js';
import { runBalScheduler } from '../parallel/balScheduler.js';
import { MEASURED_FALLBACK_BELOW, balFallbackReason, decideFallback, reexecutionLimit } from '../parallel/fallback.js';
import { prepareBalRun } from './balRun.js';
import { independentOfSender } from '../exec/commutativeUpdates.js';
import { ParallelExecutionError, TooManyReexecutions, chooseChunkSize, type RunOptions, type RunResult } from '../parallel/executionRun.js';
import { runLocks } from '../parallel/lockScheduler.js';
import { runOcc } from '../parallel/occScheduler.js';
import type { StressConfig } from '../parallel/protocol.js';
import type { ParallelDifference, ParallelSummary, SchedulerName, SerialTiming } from '../parallel/types.js';
import { closeSharedPool, cores, parallelBlockKey, sharedPool } from '../parallel/workerPool.js';

export interface ParallelOptions {
  threads: number;
  /** Which scheduler runs the block (default blockstm). */
  scheduler?: SchedulerName;
  /** OCC: rounds of parallel execution before the rest runs serially (default 10). */
  maxRounds?: number;
  /** Block-STM: apply commutative sender updates (src/exec/commutativeUpdates.ts; default true, --no-commutative). */
  commutative?: boolean;
  /**
   * Apply the fallback rules (run the block serially when they say parallel execution does
   * not pay), as a production executor would; --fallback. Without it the executor always
   * runs and the rules' verdict is only reported (`fallback.advice`). A crashed or hung
   * worker falls back either way.
   */
  fallback: boolean;
  runs: number;
  /** Measure more rounds than `runs` on a short block, until the serial runs add up to this, and while a median is uncertain (measurementPlan.ts); default: exactly `runs`. */
  minMeasuredMs?: number;
  warmup: number;
  /** Run a serial replay before each parallel run for the speedup (default true; tests that only check equality skip it). */
  interleaveSerial?: boolean;
  /**
   * After each parallel run, also replay the block serially on the main thread while one
   * worker replays it too, over and over: this machine's 2-thread bound m, now (the main
   * thread's serial run alone / beside the worker's; `bound` in the summary). stm bench
   * gates on speedup / m.
   */
  measureBound?: boolean;
  /** Override the hung-worker timeout, ms (tests). */
  timeoutMs?: number;
  /** Make worker 0 crash at the start of the first run, or hang in the first transaction it starts (tests of the failure path). */
  injectFault?: 'crash' | 'hang';
  /** Perturb scheduling inside the workers (tests). */
  stress?: StressConfig;
  checkpoint?: () => void;
  progress?: (phase: string, done: number, total: number) => void;
  /** bal: the access list to execute with (--bal FILE); default: the one built from the serial replay. */
  bal?: BlockLevelAccessList;
}

let nextRunId = 1;

/** Each transaction's recipient (`to`, lowercase), null for a creation: Block-STM and its simulator learn hot ones (blockStmPolicy.ts). */
export function recipientsOf(data: BlockData): Array<string | null> {
  return data.block.transactions.map((tx) => (tx.to === null || tx.to === undefined ? null : tx.to.toLowerCase()));
}

/** Serial replays each worker runs of a newly loaded block to warm its JIT (setup, reported)… */
export const WORKER_WARM_RUNS = 3;
/** …stopping after this long, mid-block if need be (a gigagas block takes seconds a run). */
export const WORKER_WARM_MS = 1500;

/** The warm-up runs showed parallel execution does not pay on this block. */
class MeasuredFallback extends StmError {
  override name = 'MeasuredFallback';
}

export async function replayParallel(serial: SerialReplay, options: ParallelOptions): Promise<ParallelSummary> {
  const { ctx } = serial;
  const threads = Math.max(1, Math.floor(options.threads));
  const n = ctx.txs.length;
  const warmup = Math.max(0, options.warmup);
  const serialOptions = options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint };
  let { rounds: runs, perRound } = measurementPlan(Math.max(1, options.runs), serial.serialMs.median, options.minMeasuredMs);
  /** A short block measured for a minimum time: every batch starts on a collected young generation (settleHeap). */
  let settles = false;
  let planned = options.minMeasuredMs === undefined || options.interleaveSerial === false || serial.serialMs.median >= ESTIMATE_BELOW_MS;
  /**
   * The plan from a warm serial time, once, before the measured runs: the reference run
   * before it was the replay's first or second and runs several times slower than a warm
   * one on a small block (the fastest of three runs; skipped for a block of ESTIMATE_BELOW_MS or more).
   */
  const planFromWarmRuns = async () => {
    if (planned) return;
    planned = true;
    let fastest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) fastest = Math.min(fastest, (await runSerial(serial.replay, serialOptions)).executionMs);
    ({ rounds: runs, perRound } = measurementPlan(Math.max(1, options.runs), fastest, options.minMeasuredMs));
    settles = true;
  };
  const serialTimes: number[] = [];
  const serialRuns: SerialTiming[] = [];
  const timed = (run: SerialRun): number => {
    serialRuns.push({ executionMs: run.executionMs, txMs: run.txs.map((tx) => tx.timeMs), gasUsed: run.txs.map((tx) => tx.gasUsed), postStateSize: run.postState.size });
    return run.executionMs;
  };
  /** A batch of perRound serial runs: their mean ms; `record`: measured runs of the serial side (timed), else only timed here. */
  const serialBatchMs = async (record: boolean): Promise<number> => {
    let sum = 0;
    for (let j = 0; j < perRound; j++) {
      const run = await runSerial(serial.replay, serialOptions);
      sum += record ? timed(run) : run.executionMs;
    }
    return sum / perRound;
  };
  const parallelTimes: number[] = [];
  const boundFactors: number[] = [];
  const perBound: number[] = [];
  const setup = { workerStartMs: 0, stateDistributionMs: 0, stateHandOffMs: 0, waitedMs: 0, poolReused: false };

  const senders = ctx.data.block.transactions.map((tx) => tx.from.toLowerCase());
  const recipients = recipientsOf(ctx.data);
  const chunkSize = chooseChunkSize(ctx.txs.map((tx) => tx.gasLimit));
  const gasLimits = ctx.txs.map((tx) => Number(tx.gasLimit));
  const scheduler = options.scheduler ?? 'blockstm';
  // Commutative sender updates: Block-STM only (the other schedulers stay strict: docs/schedulers.md).
  const commutative = scheduler === 'blockstm' && options.commutative !== false ? serial.replay.lazyPlan : undefined;
  const independent = commutative === undefined ? undefined : independentOfSender(commutative);
  const units = commutative === undefined ? undefined : blockUnits(ctx, commutative);
  // The access-list executor's one fallback is its ceiling (fallback.ts).
  const decision = scheduler === 'bal' ? balFallbackReason(serial.txTimesMs, threads, serial.analysis.all.byTime) : decideFallback(n, serial.gasUsed, threads, senders, independent);
  /** Why a production executor would run this block serially (reported; applied with --fallback). */
  let advice = decision;
  let fallbackReason = options.fallback ? decision : undefined;
  const balRun = scheduler === 'bal' ? prepareBalRun(serial, options.bal, fallbackReason !== undefined) : undefined;
  /**
   * The measured runs' times and counters (the median run's are reported). Not their
   * outcomes: each run's are compared with the serial run's as it ends and then dropped, so
   * the next runs' collections do not copy them (~1 MB a run on a payout block).
   */
  let results: MeasuredRun[] = [];
  /** The executor's warm-up runs (at least `warmup`: see WarmupRuns). */
  let warmupRuns = 0;
  let difference: ParallelDifference | undefined;

  if (fallbackReason === undefined) {
    try {
      // T threads = the main thread (coordinating and executing) + T-1 workers.
      // The pool and the load may have started early (prepareBlock), beside the serial replay.
      const waitStarted = performance.now();
      const { pool } = await sharedPool(threads - 1);
      const firstUse = pool.claimStart();
      setup.poolReused = !firstUse;
      setup.workerStartMs = firstUse ? pool.startMs : 0;
      const blockKey = parallelBlockKey(ctx.data);
      const timeoutMs = options.timeoutMs ?? Math.max(30_000, serial.serialMs.max * 50);
      const load = await pool.load(blockKey, ctx.data, { keys: ctx.senderPublicKeys }, timeoutMs, options.interleaveSerial === false ? 0 : WORKER_WARM_RUNS, WORKER_WARM_MS);
      setup.stateDistributionMs = load.ms;
      setup.stateHandOffMs = load.handOffMs;
      setup.waitedMs = performance.now() - waitStarted;
      if (options.injectFault !== undefined) pool.queue(0, { t: options.injectFault });
      const runOnce = () => {
        const runOptions: RunOptions = {
          runId: nextRunId++,
          blockKey,
          timeoutMs,
          senders,
          recipients,
          chunkSize,
          gasLimits,
          mainReplay: serial.replay,
          // OCC bounds its own re-executions by its cap on rounds.
          maxReexecutions: options.fallback && scheduler !== 'occ' ? reexecutionLimit(n) : Number.POSITIVE_INFINITY,
          ...(commutative === undefined ? {} : { commutative }),
          ...(units === undefined ? {} : { units }),
          ...(options.stress === undefined ? {} : { stress: options.stress }),
          ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
        };
        if (scheduler === 'occ') return runOcc(pool, ctx.pre, n, { ...runOptions, ...(options.maxRounds === undefined ? {} : { maxRounds: options.maxRounds }) });
        if (balRun !== undefined) return runBalScheduler(pool, ctx.pre, n, { ...runOptions, ...balRun });
        if (scheduler === 'locks') return runLocks(pool, ctx.pre, n, { ...runOptions, declaredPreds: serial.analysis.graph.preds });
        return runBlockStm(pool, ctx.pre, n, runOptions);
      };
      const warmupTimes: number[] = [];
      const warming = new WarmupRuns(warmup, n, 'executor');
      while (warming.another()) {
        options.progress?.('parallel warm-up', Math.min(warming.done, warmup), warmup + runs);
        warmupTimes.push((await runOnce()).elapsedMs);
        warming.ran(warmupTimes[warmupTimes.length - 1]!);
      }
      warmupRuns = warmupTimes.length;
      // The executor's own measurement as a signal: when its warm-up runs were clearly
      // slower than the serial replay of the same block, it runs the block serially (and
      // says so). The median of the warm-up runs after the first (which also warms the
      // workers' JIT), not the best: on this machine the best of three now and then let
      // 4370000 and 8889776 through (≥ 0.95×), and they then ran at 0.79–0.85×.
      // (The last `warmup` of them when there were more, never the first.)
      const warm = warmupTimes.length > 1 ? warmupTimes.slice(Math.max(1, warmupTimes.length - warmup)) : warmupTimes;
      const warmSpeedup = warm.length > 0 ? serial.serialMs.median / median(warm) : Number.POSITIVE_INFINITY;
      if (scheduler !== 'bal' && warmSpeedup < MEASURED_FALLBACK_BELOW) {
        const reason = `the parallel warm-up runs were clearly slower than serial (${warmSpeedup.toFixed(2)}× < ${MEASURED_FALLBACK_BELOW}×)`;
        advice ??= reason;
        if (options.fallback) throw new MeasuredFallback(reason);
      }
      await planFromWarmRuns();
      // With a minimum measured time (stm replay's default), rounds go on past `runs` while
      // either side's median is uncertain (uncertainMedian), up to MAX_MEASURED_ROUNDS and
      // MAX_MEASURING_MS of serial time: a scattered figure gets more runs before it is
      // reported (and flagged if they did not settle it).
      const moreRounds = (done: number) =>
        options.minMeasuredMs !== undefined &&
        done < MAX_MEASURED_ROUNDS &&
        serialTimes.reduce((sum, ms) => sum + ms * perRound, 0) < MAX_MEASURING_MS &&
        (uncertainMedian(spread(serialTimes)) || uncertainMedian(spread(parallelTimes)));
      for (let i = 0; i < runs || moreRounds(i); i++) {
        options.progress?.('serial + parallel', warmup + i, warmup + Math.max(runs, i + 1));
        if (options.interleaveSerial === false) serialTimes.push(serial.serialMs.median);
        else {
          if (settles) await settleHeap();
          serialTimes.push(await serialBatchMs(true));
        }
        let parallelSum = 0;
        if (settles) await settleHeap();
        for (let j = 0; j < perRound; j++) {
          const result = await runOnce();
          parallelSum += result.elapsedMs;
          results.push({ stats: result.stats, elapsedMs: result.elapsedMs });
          difference ??= await compareWithSerial(serial, result.outcomes);
        }
        parallelTimes.push(parallelSum / perRound);
        if (options.measureBound === true && pool.size > 0 && options.interleaveSerial !== false) {
          // Two plain serial replays at once, right after the runs they qualify: the main
          // thread's, timed, while worker 0 replays over and over from before it starts to
          // after it ends (a worker's single replay beside it, started a message later and
          // often faster, left the main thread's tail alone: m above 1 on short blocks).
          // Timed as the round's serial runs alone are (as many, from a collected young
          // generation), so both sides pay the same share of collections: one run beside
          // against the mean of several alone put 5891667's m above 1 in rounds where that
          // one run had no collection (median m 1.10 and 1.16 in two of three windows).
          if (settles) await settleHeap();
          const beside = pool.replaySeriallyBeside(blockKey, timeoutMs);
          let together: number;
          try {
            together = await serialBatchMs(false);
          } finally {
            await beside.stop();
          }
          boundFactors.push(serialTimes[serialTimes.length - 1]! / together);
          // speedup / m of this round = together / parallel: the serial run alone cancels out.
          perBound.push(together / (parallelSum / perRound));
        }
      }
    } catch (error) {
      if (error instanceof MeasuredFallback) {
        fallbackReason = error.shortMessage;
      } else if (error instanceof TooManyReexecutions) {
        fallbackReason = `too many re-executions (${error.shortMessage})`;
        advice ??= fallbackReason;
      } else if (error instanceof ExecutorError || (error instanceof StmError && /worker/.test(error.shortMessage))) {
        // A crashed or hung worker: never a wrong or missing result. The pool is restarted on next use.
        await closeSharedPool();
        fallbackReason = `worker failure: ${error.shortMessage}`;
      } else if (error instanceof ParallelExecutionError) {
        difference = { field: 'execution', serial: 'succeeded', parallel: error.shortMessage };
      } else {
        throw error;
      }
      results = [];
      serialTimes.length = 0;
      serialRuns.length = 0;
      boundFactors.length = 0;
      perBound.length = 0;
      parallelTimes.length = 0;
    }
  }

  // bal ran serially after all (a worker failed): no transaction was held to a given list, so all of it is held to the replay's.
  if (balRun !== undefined && decision === undefined && fallbackReason !== undefined) prepareBalRun(serial, options.bal, true);
  if (fallbackReason !== undefined || (results.length === 0 && difference === undefined)) {
    // Serial fallback: the executor runs the block serially on the main thread, so its
    // runs are the serial runs: the same measurements on both sides (speedup exactly 1),
    // not a second set whose noise would read as a gain or a loss.
    await planFromWarmRuns();
    for (let i = 0; i < runs; i++) {
      options.progress?.('serial (fallback)', warmup + i, warmup + runs);
      if (settles) await settleHeap();
      const ms = await serialBatchMs(true);
      serialTimes.push(ms);
      parallelTimes.push(ms);
    }
  }

  const serialMedian = spread(serialTimes).median;
  const parallelSpread = spread(parallelTimes);
  const speedup = parallelSpread.median > 0 ? serialMedian / parallelSpread.median : 1;
  const ceilingT = bindingCeiling(serial, scheduler, threads, commutative !== undefined);
  const representative = medianRun(results);
  const stats = representative?.stats;
  const incarnations = stats?.incarnations ?? new Array<number>(n).fill(1);
  const reexecutions = incarnations.reduce((sum, inc) => sum + inc - 1, 0);
  const locationConflicts = [...(stats?.locationConflicts ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
  const highestIncarnation = incarnations.reduce((max, inc) => Math.max(max, inc - 1), 0);
  if (scheduler !== 'occ' && reexecutions > reexecutionLimit(n)) advice ??= `too many re-executions (${reexecutions} > ${reexecutionLimit(n)})`;
  const summary: ParallelSummary = {
    scheduler,
    threads,
    oversubscribed: threads > cores(),
    parallelMs: parallelSpread,
    speedup,
    ceilingT,
    efficiency: ceilingT > 0 ? speedup / ceilingT : 0,
    conflicts: {
      total: (stats?.conflictsValidation ?? 0) + (stats?.conflictsEstimate ?? 0),
      validation: stats?.conflictsValidation ?? 0,
      estimate: stats?.conflictsEstimate ?? 0,
    },
    reexecutions,
    reexecutionRate: n > 0 ? reexecutions / n : 0,
    waves: scheduler === 'occ' ? Math.max(0, (stats?.rounds ?? 1) - 1) : highestIncarnation,
    highestIncarnation,
    executorRan: results.length > 0,
    fallback: {
      mode: fallbackReason === undefined ? 'none' : 'serial',
      ...(fallbackReason === undefined ? {} : { reason: fallbackReason }),
      ...(advice === undefined ? {} : { advice }),
    },
    setup,
    topLocations: locationConflicts.slice(0, 10).map(([location, conflicts]) => ({ location, description: describeLocation(location), conflicts })),
    perTx: incarnations.map((inc, i) => ({ incarnations: inc, abortedBy: stats?.abortedBy[i] ?? [] })),
    equalsSerial: difference === undefined,
    serialMsInterleaved: spread(serialTimes),
    serialRuns,
    bound: boundFactors.length === 0 ? null : spread(boundFactors),
    speedupPerBound: perBound.length === 0 ? null : spread(perBound),
    warmupRuns,
    runsPerRound: perRound,
    gcMsPerTx: stats === undefined || n === 0 ? null : stats.gcMs.reduce((sum, ms) => sum + ms, 0) / n,
  };
  if (scheduler === 'occ') {
    summary.rounds = stats?.rounds ?? 0;
    summary.serialTail = stats?.serialTail ?? 0;
  }
  if (scheduler === 'blockstm' && stats !== undefined) summary.hotRecipients = stats.hotRecipients ?? [];
  if (difference !== undefined) summary.firstDifference = difference;
  if (scheduler === 'bal') {
    const score = balScore(serialMedian, parallelSpread.median, Math.max(0, ...serial.txTimesMs));
    if (score !== undefined) summary.balScore = score;
  }
  return summary;
}

/**
 * The ceiling(T) that binds a scheduler's speedup (its efficiency's denominator): the
 * access-list executor has no edges to respect (ceiling_bal(T)); Block-STM with
 * commutative sender updates schedules against the "transfers commute" view; the rest
 * against all locations.
 */
export function bindingCeiling(serial: SerialReplay, scheduler: SchedulerName, threads: number, commutative = true): number {
  if (scheduler === 'bal') return ceilingBal(serial.txTimesMs, threads, serial.analysis.all.byTime);
  const view = scheduler === 'blockstm' && commutative ? serial.analysis.transfersCommute : serial.analysis.all;
  return view.byTime.threads;
}

/** A measured run, without its outcomes. */
type MeasuredRun = Pick<RunResult, 'stats' | 'elapsedMs'>;

function medianRun(results: MeasuredRun[]): MeasuredRun | undefined {
  if (results.length === 0) return undefined;
  const sorted = [...results].sort((a, b) => a.elapsedMs - b.elapsedMs);
  return sorted[(sorted.length - 1) >> 1];
}

/**
 * The summary against another estimate of the block's ceilings (the per-transaction
 * times of more serial runs): ceiling(T) and efficiency follow, the measured times do not.
 */
export function withCeiling(summary: ParallelSummary, ceilingT: number): ParallelSummary {
  return { ...summary, ceilingT, efficiency: ceilingT > 0 ? summary.speedup / ceilingT : 0 };
}

/** Stops worker threads so the process can exit. */
export async function shutdownParallel(): Promise<void> {
  await closeSharedPool();
}
