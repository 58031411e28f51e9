/**
 * The regression gate: compare a bench run with a baseline (an earlier, accepted report).
 *
 * - Speedup and efficiency are ratios measured within one run (serial and parallel
 *   interleaved in one process), so they compare across runs far better than times do.
 *   An entry fails when either drops by more than max(relative × baseline, absolute):
 *   the relative part scales with the figure, the absolute part covers the noise floor of
 *   a ~1.0–1.4× speedup on a shared 2-core machine (docs/bench.md, "Noise policy").
 * - When both runs measured the machine's 2-thread bound m in the entry's own runs
 *   (replayParallel's measureBound), the load is taken out: speedup / m (speedupPerBound)
 *   is gated with a tighter tolerance, one a 25% slower executor cannot pass. The raw
 *   speedup and efficiency are then compared only when the machine was about as busy as
 *   for the baseline (m within LOAD_COMPARABLE of the baseline's): a baseline from a
 *   quieter or busier run still compares, through speedup / m.
 * - Deterministic figures (dependency edges, gas-weighted ceilings) must be equal; any
 *   change fails, since it means stm's definitions or the data changed.
 * - An entry of the baseline that did not run fails (the suite no longer covers it); an
 *   entry not in the baseline is reported as new and does not fail.
 * - A parallel run that differed from serial, or a block that did not verify, fails
 *   whatever the baseline says.
 *
 * - A failure on timing alone is re-measured before it stands (confirmRegressions.ts).
 *
 * A missing or malformed baseline is one line, exit 2. Writing one is atomic (a temporary
 * file renamed into place), so an interrupted --update-baseline never leaves half a file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CorruptDataError, StmError, UsageError } from '../errors.js';
import { BENCH_SCHEMA_VERSION, type BenchEntryResult, type BenchReport, type DeterministicFigures } from './benchReport.js';
import { DEFAULT_PER_BOUND_TOLERANCE, type Tolerance } from './suite.js';

export type CheckStatus = 'pass' | 'fail' | 'new' | 'missing';

export interface FigureCheck {
  figure: string;
  baseline: number | null;
  current: number | null;
  /** Lowest value that passes (ratios only). */
  floor?: number;
  ok: boolean;
  /** Why the figure was not judged (raw ratios when the machine's load differs from the baseline's). */
  skipped?: string;
}

export interface EntryComparison {
  id: string;
  status: CheckStatus;
  checks: FigureCheck[];
  /** Why it failed, in words ("speedup 1.05× < 1.14× allowed", "edges 12 → 13"). */
  reasons: string[];
  /**
   * It failed on timing ratios alone (speedup, efficiency, speedup / m): nothing deterministic
   * changed and every run was correct, so a re-measurement may overturn it (confirmRegressions.ts).
   */
  timingOnly: boolean;
  /** Earlier attempts of this entry that failed before the one judged here, their reasons (confirmRegressions.ts). */
  earlierAttempts?: string[][];
}

export interface Comparison {
  ok: boolean;
  tolerance: Tolerance;
  entries: EntryComparison[];
}

const DETERMINISTIC: Array<keyof DeterministicFigures> = ['edges', 'storageEdges', 'dependentTxs', 'longestChain', 'ceilingInfiniteByGas', 'ceilingTByGas'];

/** The lowest value of a ratio that still passes against `baseline`. */
export function allowedFloor(baseline: number, tolerance: { relative: number; absolute: number }): number {
  return baseline - Math.max(baseline * tolerance.relative, tolerance.absolute);
}

/** Deterministic figures are equal (floats: to 1e-9 relative, for JSON round trips and summation order). */
function sameFigure(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/** Raw speedups compare only when the machine's bound m is within this share of the baseline's. */
export const LOAD_COMPARABLE = 0.15;

function compareEntry(base: BenchEntryResult, cur: BenchEntryResult, tolerance: Tolerance): EntryComparison {
  const checks: FigureCheck[] = [];
  const reasons: string[] = [];
  let timingReasons = 0;
  const basePerBound = base.speedupPerBound ?? null;
  const curPerBound = cur.speedupPerBound ?? null;
  const mThen = base.machineBound?.median;
  const mNow = cur.machineBound?.median;
  const loadDiffers = mThen !== undefined && mNow !== undefined && Math.abs(mNow / mThen - 1) > LOAD_COMPARABLE && basePerBound !== null && curPerBound !== null;
  for (const figure of ['speedup', 'efficiency'] as const) {
    const floor = allowedFloor(base[figure], tolerance);
    if (loadDiffers) {
      // Not a verdict: the raw ratio moved with the machine's load; speedup / m below decides.
      checks.push({ figure, baseline: base[figure], current: cur[figure], floor, ok: true, skipped: `machine bound m ${mNow!.toFixed(2)} vs ${mThen!.toFixed(2)} in the baseline` });
      continue;
    }
    const ok = cur[figure] >= floor;
    checks.push({ figure, baseline: base[figure], current: cur[figure], floor, ok });
    if (!ok) reasons.push(`${figure} ${cur[figure].toFixed(2)} < ${floor.toFixed(2)} allowed (baseline ${base[figure].toFixed(2)})`);
    if (!ok) timingReasons++;
  }
  if (basePerBound !== null && curPerBound !== null) {
    const floor = allowedFloor(basePerBound, tolerance.perBound ?? DEFAULT_PER_BOUND_TOLERANCE);
    const ok = curPerBound >= floor;
    checks.push({ figure: 'speedupPerBound', baseline: basePerBound, current: curPerBound, floor, ok });
    if (!ok) reasons.push(`speedup per machine bound ${curPerBound.toFixed(2)} < ${floor.toFixed(2)} allowed (baseline ${basePerBound.toFixed(2)})`);
    if (!ok) timingReasons++;
  }
  for (const figure of DETERMINISTIC) {
    const ok = sameFigure(base.deterministic[figure], cur.deterministic[figure]);
    checks.push({ figure, baseline: base.deterministic[figure], current: cur.deterministic[figure], ok });
    if (!ok) reasons.push(`${figure} changed: ${base.deterministic[figure]} → ${cur.deterministic[figure]}`);
  }
  if (!cur.equalsSerial) reasons.push('parallel ≠ serial');
  if (!cur.verified) reasons.push('serial replay did not verify');
  const earlier = cur.earlierAttempts === undefined || cur.earlierAttempts.length === 0 ? {} : { earlierAttempts: cur.earlierAttempts.map((a) => a.reasons) };
  return { id: cur.id, status: reasons.length === 0 ? 'pass' : 'fail', checks, reasons, timingOnly: reasons.length > 0 && reasons.length === timingReasons, ...earlier };
}

export function compareWithBaseline(baseline: BenchReport, current: BenchReport, tolerance: Tolerance): Comparison {
  const byId = new Map(baseline.entries.map((e) => [e.id, e]));
  const entries: EntryComparison[] = [];
  for (const cur of current.entries) {
    const base = byId.get(cur.id);
    if (base === undefined) {
      const reasons = [...(cur.equalsSerial ? [] : ['parallel ≠ serial']), ...(cur.verified ? [] : ['serial replay did not verify'])];
      entries.push({ id: cur.id, status: reasons.length === 0 ? 'new' : 'fail', checks: [], reasons: reasons.length === 0 ? ['not in the baseline'] : reasons, timingOnly: false });
    } else {
      entries.push(compareEntry(base, cur, tolerance));
    }
    byId.delete(cur.id);
  }
  for (const id of byId.keys()) entries.push({ id, status: 'missing', checks: [], reasons: ['in the baseline but not run'], timingOnly: false });
  return { ok: entries.every((e) => e.status === 'pass' || e.status === 'new'), tolerance, entries };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the parts of a report the gate reads; a malformed baseline is one line, exit 2. */
export function parseBaseline(doc: unknown, file: string): BenchReport {
  const bad = (what: string): never => {
    throw new CorruptDataError(`malformed baseline ${file}: ${what} (write a new one with --update-baseline)`);
  };
  if (!isObject(doc) || doc.kind !== 'stm-bench') bad('not an stm bench report');
  const report = doc as Record<string, unknown>;
  if (report.schemaVersion !== BENCH_SCHEMA_VERSION) bad(`schemaVersion ${JSON.stringify(report.schemaVersion)}, this stm reads ${BENCH_SCHEMA_VERSION}`);
  if (!Array.isArray(report.entries)) bad('no "entries" list');
  (report.entries as unknown[]).forEach((e, i) => {
    if (!isObject(e) || typeof e.id !== 'string') bad(`entries[${i}] has no "id"`);
    const entry = e as Record<string, unknown>;
    for (const field of ['speedup', 'efficiency'] as const) if (typeof entry[field] !== 'number' || !Number.isFinite(entry[field])) bad(`entries[${i}].${field} is not a number`);
    if (!isObject(entry.deterministic)) bad(`entries[${i}] has no "deterministic" figures`);
    const det = entry.deterministic as Record<string, unknown>;
    for (const field of DETERMINISTIC) if (typeof det[field] !== 'number') bad(`entries[${i}].deterministic.${field} is not a number`);
  });
  return doc as unknown as BenchReport;
}

export function readBaseline(file: string): BenchReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`baseline ${file} not found (create it with --update-baseline)`);
    throw new UsageError(`cannot read the baseline ${file}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new CorruptDataError(`malformed baseline ${file}: not JSON (${(error as Error).message})`);
  }
  return parseBaseline(doc, file);
}

/** Writes JSON atomically: a temporary file beside the target, renamed into place. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temp, JSON.stringify(value, null, 2) + '\n');
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new StmError(`cannot write ${file}: ${(error as Error).message}`, { cause: error });
  }
}
