/**
 * The replay report: every figure of one replayed block as one plain, JSON-ready object
 * (`stm replay --json`, and what the text tables are rendered from). A pure function of
 * the replay results, so other commands (analyze, bench) can build the same document.
 * bigint values become decimal strings; absent values are null, never missing, so the
 * shape is the same for every block. The schema is documented field by field in
 * docs/json-schema.md; a change that breaks a reader bumps REPORT_SCHEMA_VERSION.
 */
import type { Spread } from '../analysis/stats.js';
import type { GraphSummary } from '../analysis/blockAnalysis.js';
import type { Ceilings } from '../analysis/ceiling.js';
import { balBound, ceilingBal } from '../analysis/ceilingBal.js';
import { ExitCode } from '../errors.js';
import type { ParallelSummary } from '../parallel/types.js';
import type { SerialReplay } from '../replay/replayBlock.js';
import type { Check, Verification } from '../verify/verifyBlock.js';
import type { MachineInfo } from './machine.js';
import { machineBoundReport, type MachineBoundReport } from './machineBound.js';
import { noiseWarnings } from './noise.js';
import { buildTxDetail, locationRef, txFacts, type LocationRef, type TxDetailReport, type TxStatus } from './txDetail.js';

export const REPORT_SCHEMA_VERSION = 2;

export interface ReplayReportInput {
  serial: SerialReplay;
  /** The parallel executor's summary; undefined when it did not run. */
  parallel: ParallelSummary | undefined;
  options: ReplayReportOptions;
  machine: MachineInfo;
  /** stm's version (package.json). */
  toolVersion: string;
  /** Index of the transaction to detail (--tx), if any. */
  txDetail?: number;
  /** --compare: every scheduler's summary on this block, in SCHEDULERS order. */
  compare?: ParallelSummary[];
  /** Cores other processes used on average while stm measured (machine.ts); null or absent when unknown. */
  otherProcessesCores?: number | null;
}

export interface ReplayReportOptions {
  runs: number;
  warmup: number;
  threads: number;
  fallback: boolean;
  /** Block-STM applies commutative sender updates (false with --no-commutative). */
  commutative?: boolean;
  /** The scheduler of `parallel` (--scheduler). */
  scheduler?: ParallelSummary['scheduler'];
  /** OCC's cap on rounds (--max-rounds). */
  maxRounds?: number;
}

export interface ReplayReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'stm'; version: string };
  machine: MachineInfo;
  /** How busy the rest of the machine was while stm measured. */
  load: { otherProcessesCores: number | null };
  /** Why some figures are likely noise (noise.ts); empty when none. */
  warnings: string[];
  block: BlockReport;
  options: ReplayReportOptions;
  serial: SerialReport;
  verification: VerificationReport;
  /** The dependency graph in three views (docs/metrics.md): all locations, storage only, transfers commute. */
  dependencies: { all: GraphReport; storageOnly: GraphReport; transfersCommute: GraphReport };
  /** Execution with a block-level access list: no edges, so only the transactions' times bound it (docs/metrics.md). */
  bal: BalCeilingReport;
  parallel: ParallelReport | null;
  /** --compare: the three schedulers on this block (blockstm, occ, locks); null without --compare. */
  compare: ParallelReport[] | null;
  outcome: OutcomeReport;
  txs: TxReport[];
  tx: TxDetailReport | null;
}

export interface BlockReport {
  number: string;
  hash: string;
  parentHash: string;
  /** The hardfork whose rules the block ran under ("frontier", …, "cancun"). */
  hardfork: string;
  chainId: number;
  timestamp: string;
  coinbase: string;
  txCount: number;
  /** Gas used by the replay (the sum over transactions), decimal. */
  gasUsed: string;
  gasLimit: string;
  /** Where the block's data was read from. */
  source: { kind: 'fixtures' | 'cache' | 'bundled'; dir: string };
}

export interface SerialReport {
  /** Wall time of the transaction loop over the measured runs, ms. */
  ms: Spread;
  /** Block gas / median serial time, millions of gas per second. */
  mgasPerSecond: number;
  /** Every measured run gave the same gas per transaction and the same post-state size. */
  deterministic: boolean;
  /** standalone: runs of their own before the parallel ones; interleaved: the serial runs interleaved with the parallel ones (the same runs as parallel.serialMs). */
  measured: 'standalone' | 'interleaved';
  /** Time spent before the first run, not part of `ms`. */
  setup: { sendersMs: number; contextMs: number; vmMs: number };
}

export interface CheckReport {
  status: Check['status'];
  expected: string | null;
  actual: string | null;
  note: string | null;
}

export interface VerificationReport {
  ok: boolean;
  gas: CheckReport;
  logsBloom: CheckReport;
  receiptsRoot: CheckReport;
  receipts: CheckReport;
  firstMismatch: { txIndex: number; txHash: string; field: string; expected: string; actual: string } | null;
  /** The header fields the block's data proves (src/verify/headerFields.ts). */
  transactionsRoot: CheckReport;
  blockHash: CheckReport;
  txHashes: CheckReport;
  /** What nothing here can check, and why. */
  unchecked: Array<{ field: string; reason: string }>;
}

export interface GraphReport {
  /** Unique (from, to) dependency pairs. */
  edges: number;
  /** Transactions with at least one dependency. */
  dependentTxs: number;
  /** Transactions on the longest dependency chain. */
  longestChain: number;
  ceilings: { byTime: Ceilings; byGas: Ceilings };
}

export interface BalCeilingReport {
  T: number;
  /** ceiling_bal(T): total / makespan of the measured transaction times on T threads, no edges. */
  ceilingT: number;
  /** What ceiling_bal(T) cannot beat: min(T, total / largest). */
  bound: number;
  /** The largest transaction's median serial time (L of the score M), ms. */
  largestTxMs: number;
  /** The sum of the transactions' median serial times, ms. */
  totalTxMs: number;
}

export interface ParallelReport {
  scheduler: ParallelSummary['scheduler'];
  threads: number;
  oversubscribed: boolean;
  /** The serial runs interleaved with the parallel ones: the speedup's numerator. */
  serialMs: Spread;
  parallelMs: Spread;
  /** Runs behind each figure of serialMs and parallelMs (their mean): 1, or more on a short block by default (src/replay/measurementPlan.ts). */
  runsPerRound: number;
  speedup: number;
  ceilingT: number;
  efficiency: number;
  /** The executor's own figures: null when its measured runs did not happen (fallback, worker failure). */
  conflicts: ParallelSummary['conflicts'] | null;
  reexecutions: number | null;
  reexecutionRate: number | null;
  waves: number | null;
  /** The highest incarnation any transaction reached (0 = none ran twice); Sei's "highest incarnation". */
  highestIncarnation: number | null;
  /** OCC: rounds of parallel execution ("rounds" in Sei), and transactions run serially after the cap; null for the others. */
  rounds: number | null;
  serialTail: number | null;
  /**
   * Block-STM: the addresses whose calls it learned to dispatch one behind another after
   * repeated aborts (blockStmPolicy.ts, "Hot recipients"), in the median run; null for the
   * other schedulers or when the executor did not run.
   */
  hotRecipients: string[] | null;
  /** mode "serial": the block ran serially, for `reason`; `advice`: why a production executor would run it serially (null: it would not). */
  fallback: { mode: 'none' | 'serial'; reason: string | null; advice: string | null };
  setup: ParallelSummary['setup'];
  topLocations: Array<LocationRef & { conflicts: number }>;
  equalsSerial: boolean;
  firstDifference: { txIndex: number | null; location: string | null; field: string; serial: string; parallel: string } | null;
  /** bal only: M = (S - A) / (S - L), 1 = perfect, 0 = no gain; null for the other schedulers or when S <= L. */
  balScore: number | null;
  /** GC time per transaction in the median parallel run, all threads, ms; null when the executor did not run. */
  gcMsPerTx: number | null;
  /** The executor's warm-up runs: --warmup, or more on a small block. */
  warmupRuns: number;
  /** --machine-bound: this machine's 2-thread bound measured in the same rounds, and the executor's share of it (machineBound.ts); null otherwise or when the executor did not run. */
  machineBound: MachineBoundReport | null;
}

export interface OutcomeReport {
  /** The serial replay matched the chain. */
  verified: boolean;
  /** The parallel replay equalled the serial one; null when it did not run. */
  parallelEqualsSerial: boolean | null;
  /** The exit code stm exits with for this report (0 or 1). */
  exitCode: number;
}

export interface TxReport {
  index: number;
  hash: string;
  from: string;
  to: string | null;
  gasUsed: string;
  status: TxStatus;
  /** Median serial execution time over the measured runs, ms. */
  serialMs: number;
  /** Locations read from the block state (each counted once). */
  readSetSize: number;
  /** Locations written (values that changed), not counting commutative credits. */
  writeSetSize: number;
  /** Commutative balance credits: wei added to a balance the transaction never read (the coinbase fee, value received). */
  creditCount: number;
  /** The earlier transactions it depends on (full graph). */
  dependsOn: number[];
  /** Incarnations the parallel executor ran (1 = once); null when it did not run. */
  incarnations: number | null;
  /** Location keys that aborted each aborted incarnation; null when parallel did not run. */
  abortedBy: string[] | null;
}

export function buildReplayReport(input: ReplayReportInput): ReplayReport {
  const { serial, parallel, options } = input;
  const header = serial.ctx.data.block;
  const totalGas = serial.gasUsed.reduce((sum, gas) => sum + gas, 0n);
  const summaries = input.compare ?? (parallel === undefined ? [] : [parallel]);
  const parallelEqualsSerial = summaries.length === 0 ? null : summaries.every((summary) => summary.equalsSerial);
  const verified = serial.verification.ok;
  const otherProcessesCores = input.otherProcessesCores ?? null;
  const parallelReports = summaries.map(parallelReport);
  const ran = parallel?.executorRan === true ? parallel : undefined;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'stm', version: input.toolVersion },
    machine: input.machine,
    load: { otherProcessesCores },
    warnings: noiseWarnings({ serialMs: serial.measured === 'standalone' ? serial.serialMs : undefined, parallel: parallelReports, otherProcessesCores }),
    block: {
      number: serial.ctx.data.number.toString(),
      hash: header.hash,
      parentHash: header.parentHash,
      hardfork: hardforkName(serial.ctx.hardfork),
      chainId: serial.ctx.data.chainId,
      timestamp: BigInt(header.timestamp).toString(),
      coinbase: serial.ctx.coinbase,
      txCount: serial.ctx.txs.length,
      gasUsed: totalGas.toString(),
      gasLimit: BigInt(header.gasLimit).toString(),
      source: { kind: serial.ctx.data.origin.kind, dir: serial.ctx.data.origin.dir },
    },
    options: { ...options },
    serial: {
      ms: serial.serialMs,
      mgasPerSecond: mgasPerSecond(totalGas, serial.serialMs.median),
      deterministic: serial.deterministic,
      measured: serial.measured,
      setup: { ...serial.setup },
    },
    verification: verificationReport(serial.verification),
    dependencies: {
      all: graphReport(serial.analysis.all),
      storageOnly: graphReport(serial.analysis.storageOnly),
      transfersCommute: graphReport(serial.analysis.transfersCommute),
    },
    bal: balCeilingReport(serial),
    parallel: parallel === undefined ? null : parallelReport(parallel),
    compare: input.compare === undefined ? null : parallelReports,
    outcome: {
      verified,
      parallelEqualsSerial,
      exitCode: verified && parallelEqualsSerial !== false ? ExitCode.ok : ExitCode.mismatch,
    },
    txs: serial.run.txs.map((run, i) => {
      const perTx = ran?.perTx[i];
      return {
        index: i,
        ...txFacts(serial, i),
        serialMs: serial.txTimesMs[i]!,
        readSetSize: run.reads.keys.length,
        writeSetSize: run.writes.keys.length,
        creditCount: run.writes.creditKeys.length,
        dependsOn: [...serial.analysis.graph.preds[i]!],
        incarnations: perTx === undefined ? null : perTx.incarnations,
        abortedBy: perTx === undefined ? null : [...perTx.abortedBy],
      };
    }),
    tx: input.txDetail === undefined ? null : buildTxDetail(serial, input.txDetail, ran?.perTx[input.txDetail]),
  };
}

/** Block gas / time, in millions of gas per second (0 for an empty or unmeasurably fast block). */
export function mgasPerSecond(gas: bigint, ms: number): number {
  return ms > 0 ? Number(gas) / 1e3 / ms : 0;
}

/** The hardfork as people name it: ethereumjs calls frontier "chainstart", and the DAO fork's rules are homestead's. */
export function hardforkName(ethereumjsName: string): string {
  if (ethereumjsName === 'chainstart') return 'frontier';
  if (ethereumjsName === 'dao') return 'homestead';
  return ethereumjsName;
}

function checkReport(check: Check): CheckReport {
  return { status: check.status, expected: check.expected ?? null, actual: check.actual ?? null, note: check.note ?? null };
}

function verificationReport(v: Verification): VerificationReport {
  return {
    ok: v.ok,
    gas: checkReport(v.gas),
    logsBloom: checkReport(v.logsBloom),
    receiptsRoot: checkReport(v.receiptsRoot),
    receipts: checkReport(v.receipts),
    firstMismatch: v.firstMismatch === undefined ? null : { ...v.firstMismatch },
    transactionsRoot: checkReport(v.transactionsRoot),
    blockHash: checkReport(v.blockHash),
    txHashes: checkReport(v.txHashes),
    unchecked: v.unchecked.map((u) => ({ ...u })),
  };
}

function balCeilingReport(serial: SerialReplay): BalCeilingReport {
  const T = serial.analysis.all.byTime.T;
  const times = serial.txTimesMs;
  return {
    T,
    ceilingT: ceilingBal(times, T, serial.analysis.all.byTime),
    bound: balBound(times, T),
    largestTxMs: Math.max(0, ...times),
    totalTxMs: times.reduce((sum, t) => sum + t, 0),
  };
}

function graphReport(summary: GraphSummary): GraphReport {
  return {
    edges: summary.edges,
    dependentTxs: summary.dependentTxs,
    longestChain: summary.longestChain,
    ceilings: { byTime: { ...summary.byTime }, byGas: { ...summary.byGas } },
  };
}

function parallelReport(summary: ParallelSummary): ParallelReport {
  const difference = summary.firstDifference;
  const ran = summary.executorRan;
  return {
    scheduler: summary.scheduler,
    threads: summary.threads,
    oversubscribed: summary.oversubscribed,
    serialMs: summary.serialMsInterleaved,
    parallelMs: summary.parallelMs,
    runsPerRound: summary.runsPerRound ?? 1,
    speedup: summary.speedup,
    ceilingT: summary.ceilingT,
    efficiency: summary.efficiency,
    conflicts: ran ? { ...summary.conflicts } : null,
    reexecutions: ran ? summary.reexecutions : null,
    reexecutionRate: ran ? summary.reexecutionRate : null,
    waves: ran ? summary.waves : null,
    highestIncarnation: ran ? summary.highestIncarnation : null,
    rounds: ran ? (summary.rounds ?? null) : null,
    serialTail: ran ? (summary.serialTail ?? null) : null,
    hotRecipients: ran ? (summary.hotRecipients ?? null) : null,
    fallback: { mode: summary.fallback.mode, reason: summary.fallback.reason ?? null, advice: summary.fallback.advice ?? null },
    setup: { ...summary.setup },
    topLocations: summary.topLocations.map((entry) => ({ ...locationRef(entry.location), description: entry.description, conflicts: entry.conflicts })),
    equalsSerial: summary.equalsSerial,
    firstDifference:
      difference === undefined
        ? null
        : {
            txIndex: difference.txIndex ?? null,
            location: difference.location ?? null,
            field: difference.field,
            serial: difference.serial,
            parallel: difference.parallel,
          },
    balScore: summary.balScore ?? null,
    gcMsPerTx: summary.gcMsPerTx ?? null,
    warmupRuns: summary.warmupRuns ?? 0,
    machineBound: ran ? machineBoundReport(summary.speedup, summary.ceilingT, summary.bound, summary.speedupPerBound) : null,
  };
}
