/**
 * When a measured figure is more likely noise than fact, and the words that say so. Every
 * report with timings carries these warnings (`warnings` in JSON, "! …" lines in text):
 * too few runs for a median, a speedup above what the block's dependency graph allows on
 * T threads (efficiency > 105%: the serial side was slowed, or the ceiling's per-transaction
 * times were), runs too scattered for their median to be trusted (the rule is
 * src/analysis/stats.ts's uncertainMedian, which stm replay also measures against), and a
 * machine busy with other work while stm measured. The other thresholds live here and
 * nowhere else (docs/metrics.md, "Noise").
 */
import { MIN_RUNS, medianUncertainty, uncertainMedian, type Spread } from '../analysis/stats.js';

/** A speedup this far above ceiling(T) (efficiency above 1 + this) is flagged; closer is the resolution of a measured ratio. */
export const EFFICIENCY_TOLERANCE = 0.05;
/** Other processes using more cores than this on average during the runs (scripts/machine/quiet-run.ts uses 0.2). */
export const BUSY_OTHER_CORES = 0.25;

/** The figures the rules look at: the standalone serial runs, and each parallel replay. */
export interface NoiseInput {
  /** The standalone serial runs; undefined when the serial figures are the interleaved runs. */
  serialMs: Spread | undefined;
  parallel: Array<{
    scheduler: string;
    threads: number;
    serialMs: Spread;
    parallelMs: Spread;
    speedup: number;
    ceilingT: number;
    efficiency: number;
  }>;
  /** Cores other processes used on average while stm measured; null when unknown. */
  otherProcessesCores: number | null;
}

export function noiseWarnings(input: NoiseInput): string[] {
  const warnings: string[] = [];
  const runs = Math.min(input.serialMs?.runs ?? Number.POSITIVE_INFINITY, ...input.parallel.map((p) => p.parallelMs.runs));
  if (runs < MIN_RUNS) warnings.push(`only ${runs} measured run${runs === 1 ? '' : 's'}: medians of fewer than ${MIN_RUNS} are one run's luck (use --runs 5 or more)`);
  const wide = (what: string, s: Spread) => {
    const r = medianUncertainty(s);
    if (uncertainMedian(s)) {
      warnings.push(`${what} times vary widely between runs (their median is uncertain by ±${Math.round(r * 100)}%: a typical run is ${Math.round((s.mad / s.median) * 100)}% from it over ${s.runs} runs; min ${s.min.toFixed(1)} ms, max ${s.max.toFixed(1)} ms)`);
    }
  };
  if (input.serialMs !== undefined) wide('serial', input.serialMs);
  for (const p of input.parallel) {
    const label = input.parallel.length > 1 ? ` (${p.scheduler})` : '';
    if (p.efficiency > 1 + EFFICIENCY_TOLERANCE) {
      warnings.push(
        `speedup ${p.speedup.toFixed(2)}×${label} exceeds ceiling(${p.threads}) ${p.ceilingT.toFixed(2)}× (efficiency ${Math.round(p.efficiency * 100)}%): no schedule can do that, so the runs were disturbed`,
      );
    }
    wide(`${input.serialMs === undefined ? '' : 'interleaved '}serial${label}`, p.serialMs);
    wide(`parallel${label}`, p.parallelMs);
  }
  const busy = input.otherProcessesCores;
  if (busy !== null && busy > BUSY_OTHER_CORES) {
    warnings.push(`the machine was busy: other processes used ${busy.toFixed(2)} cores on average while stm measured; times and speedups are lower and noisier than on a quiet machine`);
  }
  return warnings;
}
