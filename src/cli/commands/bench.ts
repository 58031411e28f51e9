/**
 * `stm bench`: run a suite of blocks (bundled mainnet blocks, synthetic blocks) serially
 * and on the parallel executor, print a table and optionally write the JSON report; with
 * --baseline FILE, compare with an accepted report and fail (exit 1) on a regression of
 * speedup or efficiency beyond the tolerance or on any change of a deterministic figure;
 * with --update-baseline, accept this run as the new baseline. docs/bench.md.
 */
import { LOAD_COMPARABLE, compareWithBaseline, readBaseline, writeJsonAtomic, type Comparison, type EntryComparison } from '../../bench/baseline.js';
import type { BenchEntryResult, BenchReport } from '../../bench/benchReport.js';
import { confirmRegressions } from '../../bench/confirmRegressions.js';
import { runSuite, type RunSuiteOptions } from '../../bench/runSuite.js';
import { defaultSuite, readSuite, type Tolerance } from '../../bench/suite.js';
import { ExitCode, UsageError } from '../../errors.js';
import { shutdownParallel } from '../../replay/replayParallel.js';
import { InterruptGuard } from '../interrupt.js';
import { parseWholeNumber, parseScheduler } from '../options.js';
import { Progress } from '../progress.js';
import { bad, dim, formatMs, formatSpeedup, heading, ok, table, warn } from '../render/format.js';
import { stderrIsInteractive } from '../terminal.js';
import { toolVersion } from '../../version.js';

/** The options as commander hands them over (strings until checked here). */
export interface BenchCommandOptions {
  suite?: string;
  out?: string;
  threads?: string;
  runs?: string;
  warmup?: string;
  json?: boolean;
  baseline?: string;
  maxRegression?: string;
  absTolerance?: string;
  updateBaseline?: boolean;
  /** --confirm N: re-measurements of an entry that fails on timing alone (default: the suite's, 2). */
  confirm?: string;
  /** commander's --fallback / --no-fallback (undefined: the suite's). */
  /** --no-machine-bound: skip measuring this machine's 2-thread bound. */
  machineBound?: boolean;
  fallback?: boolean;
  /** --scheduler blockstm|occ|locks, or a list "blockstm,occ,locks". */
  scheduler?: string;
  verbose?: boolean;
}

/** --threads 2 or 2,4. */
function parseThreadList(text: string): number[] {
  const parts = text.split(',').map((t) => t.trim());
  return parts.map((t) => parseWholeNumber('--threads', t, 1));
}

/** --max-regression: "10%" or a fraction "0.1". */
export function parseShare(name: string, text: string): number {
  const t = text.trim();
  const m = /^(\d+(?:\.\d*)?|\.\d+)(%?)$/.exec(t);
  const value = m === null ? NaN : Number(m[1]) / (m[2] === '%' ? 100 : 1);
  if (!(value >= 0 && value <= 1)) throw new UsageError(`${name} expects a percentage (10%) or a fraction from 0 to 1 (0.1); got "${text}"`);
  return value;
}

function parseAbsolute(text: string): number {
  const value = /^(\d+(?:\.\d*)?|\.\d+)$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(value >= 0 && value <= 1)) throw new UsageError(`--abs-tolerance expects a number from 0 to 1 (e.g. 0.1); got "${text}"`);
  return value;
}

export async function runBench(raw: BenchCommandOptions): Promise<number> {
  const json = raw.json === true;
  const runs = raw.runs === undefined ? undefined : parseWholeNumber('--runs', raw.runs, 1);
  const warmup = raw.warmup === undefined ? undefined : parseWholeNumber('--warmup', raw.warmup, 0);
  const threads = raw.threads === undefined ? undefined : parseThreadList(raw.threads);
  if (raw.updateBaseline === true && raw.baseline === undefined) throw new UsageError('--update-baseline needs --baseline FILE (the file to write)');
  const suite = raw.suite === undefined ? defaultSuite() : readSuite(raw.suite);
  const tolerance: Tolerance = {
    relative: raw.maxRegression === undefined ? suite.tolerance.relative : parseShare('--max-regression', raw.maxRegression),
    absolute: raw.absTolerance === undefined ? suite.tolerance.absolute : parseAbsolute(raw.absTolerance),
    ...(suite.tolerance.perBound === undefined ? {} : { perBound: suite.tolerance.perBound }),
  };
  suite.tolerance = tolerance;
  if (raw.machineBound === false) suite.machineBound = false;
  if (raw.confirm !== undefined) suite.confirm = parseWholeNumber('--confirm', raw.confirm, 0);
  // Read the baseline before the (long) run: a missing or malformed one fails at once.
  const baseline = raw.baseline !== undefined && raw.updateBaseline !== true ? readBaseline(raw.baseline) : undefined;

  const interrupt = new InterruptGuard().install();
  const progress = new Progress({ json, verbose: raw.verbose === true });
  const lineLog = !stderrIsInteractive() && !json;
  try {
    progress.phase(`bench suite ${suite.name}`);
    const runOptions: RunSuiteOptions = {
      ...(runs === undefined ? {} : { runs }),
      ...(warmup === undefined ? {} : { warmup }),
      ...(threads === undefined ? {} : { threads }),
      ...(raw.fallback === undefined ? {} : { fallback: raw.fallback }),
      ...(raw.scheduler === undefined ? {} : { schedulers: [...new Set(raw.scheduler.split(',').map((name) => parseScheduler(name)))] }),
      suiteFile: raw.suite ?? null,
      stmVersion: toolVersion(),
      checkpoint: interrupt.checkpoint,
      progress: (label, phase, done, total) => progress.update(`${label}: ${phase}`, done, total),
      entryDone: (r, i, n) => {
        if (!lineLog) return;
        progress.stop();
        process.stderr.write(`stm bench: ${i + 1}/${n} ${r.id}: speedup ${formatSpeedup(r.speedup)}, efficiency ${r.efficiency.toFixed(2)}${r.fallback.mode === 'serial' ? ' (fell back to serial)' : ''}\n`);
      },
    };
    const first = await runSuite(suite, runOptions);
    progress.stop();

    // A failure on timing alone is measured again before it stands (confirmRegressions.ts).
    const { report, comparison } =
      baseline === undefined
        ? { report: first, comparison: undefined }
        : await confirmRegressions(suite, baseline, first, compareWithBaseline(baseline, first, tolerance), {
            ...runOptions,
            attempts: suite.confirm,
            tolerance,
            remeasuring: (id, attempt, attempts, reasons) => {
              progress.stop();
              if (!json) process.stderr.write(`stm bench: ${id} failed on timing (${reasons.join('; ')}); measuring it again (${attempt} of ${attempts}): a regression must reproduce\n`);
            },
          });
    progress.stop();
    const broken = report.entries.filter((e) => !e.equalsSerial || !e.verified);
    if (raw.out !== undefined) writeJsonAtomic(raw.out, report);
    if (raw.updateBaseline === true) {
      if (broken.length > 0) {
        process.stderr.write(`stm: not writing the baseline: ${broken.map((e) => e.id).join(', ')} did not replay correctly\n`);
      } else {
        writeJsonAtomic(raw.baseline!, report);
      }
    }

    if (json) {
      process.stdout.write(JSON.stringify(comparison === undefined ? report : { ...report, comparison }, null, 2) + '\n');
    } else {
      process.stdout.write(renderReport(report));
      if (comparison !== undefined) process.stdout.write(renderComparison(comparison, raw.baseline!));
      if (raw.updateBaseline === true && broken.length === 0) process.stdout.write(`baseline written: ${raw.baseline}\n`);
      if (raw.out !== undefined) process.stdout.write(dim(`report written: ${raw.out}`) + '\n');
    }
    if (broken.length > 0) return ExitCode.mismatch;
    if (comparison !== undefined && !comparison.ok) return ExitCode.mismatch;
    return ExitCode.ok;
  } finally {
    progress.stop();
    interrupt.uninstall();
    await shutdownParallel();
  }
}

function msSpread(s: { min: number; median: number; max: number }): string {
  return `${formatMs(s.median)} ${dim(`(${s.min.toFixed(1)}–${s.max.toFixed(1)})`)}`;
}

function entryNote(e: BenchEntryResult): string {
  const notes: string[] = [];
  if (!e.verified) notes.push(bad('✗ not verified'));
  if (!e.equalsSerial) notes.push(bad('✗ PARALLEL ≠ SERIAL'));
  if (e.fallback.mode === 'serial') notes.push(warn(`fell back: ${e.fallback.reason ?? ''}`));
  return notes.join('; ');
}

export function renderReport(r: BenchReport): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push(heading(`stm bench: suite ${r.suite.name}`) + ` · stm ${r.stmVersion} · ${m.cores} cores, ${m.cpuModel || 'unknown CPU'}, Node ${m.nodeVersion}`);
  lines.push(dim(`${r.settings.runs} measured runs (serial and parallel interleaved, medians) after ${r.settings.warmup} warm-up runs; fallback ${r.settings.fallback ? 'allowed' : 'off'}; times: median (min–max)`));
  const t = table(['entry', 'txs', 'serial', 'parallel', 'speedup', 'ceiling(T)', 'efficiency', 'conflicts', 're-exec', 'waves', 'edges', 'ceil(∞) gas', 'note'], ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left']);
  for (const e of r.entries) {
    t.push([
      e.id,
      String(e.txs),
      msSpread(e.serialMs),
      msSpread(e.parallelMs),
      formatSpeedup(e.speedup),
      formatSpeedup(e.ceilingT),
      e.efficiency.toFixed(2),
      String(e.conflicts.total),
      String(e.reexecutions),
      String(e.waves),
      String(e.deterministic.edges),
      formatSpeedup(e.deterministic.ceilingInfiniteByGas),
      entryNote(e),
    ]);
  }
  lines.push(t.toString());
  const bounded = r.entries.filter((e) => e.machineBound !== undefined && e.machineBound !== null);
  if (bounded.length > 0) {
    lines.push(
      `machine bound m ${dim(`(serial replay alone / beside a worker replaying it too, after each parallel run; no 2-thread executor beats 2·m): `)}` +
        bounded.map((e) => `${e.id} m ${e.machineBound!.median.toFixed(2)} ${dim(`(${e.machineBound!.min.toFixed(2)}–${e.machineBound!.max.toFixed(2)})`)}, speedup / m ${(e.speedupPerBound ?? 0).toFixed(2)}`).join('; '),
    );
  }
  lines.push(dim(`setup (not in any time): workers started ${r.setup.workerStarts}× (${r.setup.workerStartMs.toFixed(0)} ms); whole run ${(r.totalMs / 1000).toFixed(1)} s`));
  return lines.join('\n') + '\n';
}

function statusWord(e: EntryComparison): string {
  switch (e.status) {
    case 'pass':
      return ok('✓ pass');
    case 'new':
      return warn('+ new');
    case 'missing':
      return bad('✗ missing');
    default:
      return bad('✗ FAIL');
  }
}

function ratioCell(e: EntryComparison, figure: string): string {
  const c = e.checks.find((x) => x.figure === figure);
  if (c === undefined || c.baseline === null || c.current === null) return '';
  if (c.skipped !== undefined) return dim(`${c.baseline.toFixed(2)} → ${c.current.toFixed(2)} (not judged: ${c.skipped})`);
  const text = `${c.baseline.toFixed(2)} → ${c.current.toFixed(2)} (≥ ${c.floor!.toFixed(2)})`;
  return c.ok ? text : bad(`✗ ${text}`);
}

function deterministicCell(e: EntryComparison): string {
  const checks = e.checks.filter((x) => x.floor === undefined);
  if (checks.length === 0) return '';
  const changed = checks.filter((x) => !x.ok);
  return changed.length === 0 ? ok('✓ unchanged') : bad(`✗ changed: ${changed.map((x) => x.figure).join(', ')}`);
}

/** Why an entry failed; for a re-measured one, what the earlier measurements said. */
function whyCell(e: EntryComparison): string {
  const earlier = e.earlierAttempts ?? [];
  const now = e.status === 'pass' ? '' : e.reasons.join('; ');
  if (earlier.length === 0) return now;
  const measurements = earlier.length + 1;
  const history = earlier.map((reasons, i) => `${i + 1}: ${reasons.join('; ')}`).join(' · ');
  return e.status === 'pass'
    ? dim(`passed on measurement ${measurements} of ${measurements} (earlier ${history})`)
    : `${now} (failed all ${measurements} measurements: ${history})`;
}

export function renderComparison(c: Comparison, file: string): string {
  const lines: string[] = [];
  const tol = `a drop of more than ${(c.tolerance.relative * 100).toFixed(0)}% of the baseline or ${c.tolerance.absolute.toFixed(2)}, whichever is larger, fails`;
  lines.push(heading(`against baseline ${file}`) + dim(` (${tol})`));
  const perBound = c.tolerance.perBound;
  if (perBound !== undefined && c.entries.some((e) => e.checks.some((x) => x.figure === 'speedupPerBound'))) {
    lines.push(dim(`speedup / m (the machine's bound, measured in the same runs): a drop of more than ${(perBound.relative * 100).toFixed(0)}% or ${perBound.absolute.toFixed(2)} fails; raw speedup and efficiency are judged only when m is within ${(LOAD_COMPARABLE * 100).toFixed(0)}% of the baseline's`));
  }
  const t = table(['entry', 'result', 'speedup', 'efficiency', 'speedup / m', 'edges, ceilings by gas', 'why'], ['left', 'left', 'right', 'right', 'right', 'left', 'left']);
  for (const e of c.entries) t.push([e.id, statusWord(e), ratioCell(e, 'speedup'), ratioCell(e, 'efficiency'), ratioCell(e, 'speedupPerBound'), deterministicCell(e), whyCell(e)]);
  lines.push(t.toString());
  const failed = c.entries.filter((e) => e.status === 'fail' || e.status === 'missing').length;
  const remeasured = c.entries.filter((e) => (e.earlierAttempts ?? []).length > 0).length;
  const note = remeasured === 0 ? '' : dim(` · ${remeasured} re-measured after failing on timing (a regression must reproduce)`);
  lines.push((c.ok ? ok('✓ no regression') + ` (${c.entries.length} entries)` : bad(`✗ REGRESSION: ${failed} of ${c.entries.length} entries failed`)) + note);
  return lines.join('\n') + '\n';
}
