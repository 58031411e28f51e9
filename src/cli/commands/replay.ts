/**
 * `stm replay --block N`: load the block, replay it serially (warm-up, one reference run),
 * verify it against the chain, replay it through the parallel executor with serial runs
 * interleaved (the serial figures come from those), and print the report as tables or as one JSON document. Returns the exit
 * code: 0 verified (and parallel = serial), 1 ran but did not match.
 */
import { availableParallelism } from 'node:os';
import { obtainCommandBlock } from '../commandBlock.js';
import { bindingCeiling, replayParallel, shutdownParallel, withCeiling } from '../../replay/replayParallel.js';
import { MIN_MEASURED_MS } from '../../replay/measurementPlan.js';
import { remeasured, replaySerial } from '../../replay/replayBlock.js';
import { prepareBlock } from '../../replay/prepareBlock.js';
import { machineInfo, sampleOtherProcessesCpu } from '../../report/machine.js';
import { MACHINE_BOUND_THREADS } from '../../report/machineBound.js';
import { buildReplayReport } from '../../report/replayReport.js';
import { MIN_RUNS } from '../../analysis/stats.js';
import { UsageError } from '../../errors.js';
import { InterruptGuard } from '../interrupt.js';
import { parseBlockNumber, parseScheduler, parseTxSelector, parseWholeNumber, resolveTxIndex } from '../options.js';
import { SCHEDULERS, type ParallelSummary, type SchedulerName } from '../../parallel/types.js';
import { Progress } from '../progress.js';
import { checkBalHash, readBalFile } from '../../bal/balFile.js';
import { blockLine, renderReplay, verdictLines, warningLines } from '../render/replayTables.js';
import { parallelVerdict } from '../render/parallelTables.js';
import { renderTxDetail } from '../render/txDetailTables.js';
import { toolVersion } from '../../version.js';

/** The options as commander hands them over (strings until checked here). */
export interface ReplayCommandOptions {
  block?: string;
  fixtures?: string;
  /** Undefined: the default (MIN_RUNS rounds, more on a short block: MIN_MEASURED_MS). */
  runs?: string | number;
  warmup: string | number;
  threads?: string | number;
  fallback: boolean;
  /** --no-commutative: Block-STM without commutative sender updates. */
  commutative: boolean;
  /** --machine-bound: measure this machine's 2-thread bound beside the parallel runs (src/report/machineBound.ts). */
  machineBound?: boolean;
  scheduler?: string;
  compare?: boolean;
  maxRounds?: string | number;
  json?: boolean;
  tx?: string;
  /** --rpc URL, --chain-id, --hardfork: fetching from a node (docs/rpc.md). */
  rpc?: string;
  chainId?: string;
  hardfork?: string;
  verbose?: boolean;
  /** --bal FILE (RLP or JSON) and --bal-hash: the access list for --scheduler bal (docs/bal.md). */
  bal?: string;
  balHash?: string;
}

export async function runReplay(raw: ReplayCommandOptions): Promise<number> {
  if (raw.block === undefined) throw new UsageError("required option '--block <N>' not specified (e.g. --block 19933597; stm list shows the bundled blocks)");
  const number = parseBlockNumber(raw.block);
  // Without --runs: the fewest rounds whose median draws no noise warning, and more on a
  // short block and while a median is uncertain (src/replay/measurementPlan.ts); --runs N is exactly N.
  const runs = raw.runs === undefined ? MIN_RUNS : parseWholeNumber('--runs', raw.runs, 1);
  const minMeasuredMs = raw.runs === undefined ? MIN_MEASURED_MS : undefined;
  const warmup = parseWholeNumber('--warmup', raw.warmup, 0);
  const threads = raw.threads === undefined ? availableParallelism() : parseWholeNumber('--threads', raw.threads, 1);
  const scheduler = parseScheduler(raw.scheduler);
  const maxRounds = parseWholeNumber('--max-rounds', raw.maxRounds ?? 10, 1);
  const txSelector = raw.tx === undefined ? undefined : parseTxSelector(raw.tx);
  const json = raw.json === true;
  if ((raw.bal !== undefined || raw.balHash !== undefined) && scheduler !== 'bal' && raw.compare !== true) {
    throw new UsageError('--bal and --bal-hash are for --scheduler bal (or --compare)');
  }
  const machineBound = raw.machineBound === true;
  if (machineBound && threads !== MACHINE_BOUND_THREADS) {
    throw new UsageError(`--machine-bound measures this machine's ${MACHINE_BOUND_THREADS}-thread bound: use it with --threads ${MACHINE_BOUND_THREADS} (now ${threads})`);
  }
  if (raw.balHash !== undefined && raw.bal === undefined) throw new UsageError('--bal-hash checks the list given with --bal FILE');
  const givenBal = raw.bal === undefined ? undefined : readBalFile(raw.bal);
  if (givenBal !== undefined && raw.balHash !== undefined) checkBalHash(givenBal, raw.balHash, `--bal ${raw.bal}`);

  const interrupt = new InterruptGuard().install();
  const progress = new Progress({ json, verbose: raw.verbose === true });
  try {
    const { data } = await obtainCommandBlock(number, raw, progress, interrupt);
    if (data.opaque !== undefined && data.opaque.length > 0 && !json) {
      progress.stop();
      process.stderr.write(`stm: note: ${data.opaque.length} transaction(s) not executed (opaque: effects from the node's trace): ${data.opaque.map((o) => o.index).join(', ')}\n`);
    }
    const txDetail = txSelector === undefined ? undefined : resolveTxIndex(txSelector, data);
    interrupt.checkpoint();

    progress.phase(`preparing block ${number} (${data.block.transactions.length} txs)`);
    const otherProcessesCpu = sampleOtherProcessesCpu();
    // Senders and the workers' copy of the block, beside the serial replay (prepareBlock.ts).
    const prepared = await prepareBlock(data, { threads, parallel: true });
    // One reference run here (verification, read/write sets, the graph); the serial times
    // are the runs interleaved with the parallel ones (remeasured below): one serial figure.
    // So the reference run is itself the last serial warm-up run (the interleaved serial runs
    // still follow --warmup serial runs, and the parallel warm-up), and it runs beside the
    // workers' load rather than waiting for it: only the parallel runs need the workers.
    const { beforeMeasuring, ...alongside } = prepared;
    const reference = await replaySerial(data, { runs: 1, warmup: Math.max(0, warmup - 1), threads, checkpoint: interrupt.checkpoint, progress: progress.update, ...alongside });
    await beforeMeasuring?.();
    interrupt.checkpoint();

    const runScheduler = async (name: typeof scheduler): Promise<ParallelSummary> => {
      progress.phase(`parallel replay (${name})`);
      const summary = await replayParallel(reference, {
        threads,
        scheduler: name,
        maxRounds,
        fallback: raw.fallback,
        commutative: raw.commutative,
        runs,
        ...(minMeasuredMs === undefined ? {} : { minMeasuredMs }),
        warmup,
        checkpoint: interrupt.checkpoint,
        progress: progress.update,
        ...(name === 'bal' && givenBal !== undefined ? { bal: givenBal } : {}),
        // The bound beside the scheduler asked for (with --compare, not beside the others).
        ...(machineBound && name === scheduler ? { measureBound: true } : {}),
      });
      interrupt.checkpoint();
      return summary;
    };
    const measured = await runScheduler(scheduler);
    // --compare: the other schedulers on the same block, state and workers.
    const others: ParallelSummary[] = [];
    if (raw.compare === true) for (const name of SCHEDULERS) if (name !== scheduler) others.push(await runScheduler(name));
    progress.stop();
    const serial = remeasured(reference, measured.serialRuns ?? []);
    // ceiling(T) from the remeasured per-transaction times, of the view each scheduler is bound by.
    const ceilingFor = (name: SchedulerName) => bindingCeiling(serial, name, threads, raw.commutative);
    // The time the serial replay waited for the workers' load is setup the parallel replay needed.
    const waitedBefore = prepared.waitedMs();
    const parallel = withCeiling({ ...measured, setup: { ...measured.setup, waitedMs: measured.setup.waitedMs + waitedBefore } }, ceilingFor(scheduler));
    const compare = raw.compare === true ? SCHEDULERS.map((name) => (name === scheduler ? parallel : withCeiling(others.find((o) => o.scheduler === name)!, ceilingFor(name)))) : undefined;
    const otherProcessesCores = otherProcessesCpu();

    const report = buildReplayReport({
      serial,
      parallel,
      options: { runs, warmup, threads, fallback: raw.fallback, commutative: raw.commutative, scheduler, maxRounds },
      ...(compare === undefined ? {} : { compare }),
      machine: machineInfo(),
      otherProcessesCores,
      toolVersion: toolVersion(),
      ...(txDetail === undefined ? {} : { txDetail }),
    });
    if (json) {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    } else if (report.tx !== null) {
      const verdict = [...verdictLines(report), ...(report.parallel === null || report.parallel.equalsSerial ? [] : parallelVerdict(report.parallel)), ...warningLines(report)];
      process.stdout.write(`${blockLine(report)}\n${renderTxDetail(report.tx)}${verdict.map((line) => line + '\n').join('')}`);
    } else {
      process.stdout.write(renderReplay(report));
    }
    return report.outcome.exitCode;
  } finally {
    progress.stop();
    interrupt.uninstall();
    await shutdownParallel();
  }
}
