/** Small statistics used by every report: min / median / max of repeated measurements. */
export interface Spread {
  min: number;
  median: number;
  max: number;
  runs: number;
  /**
   * Median absolute deviation from the median: how far a typical run lies from the
   * median. One slow run (a GC pause in a 1 ms block) widens min–max, not this: it says
   * whether the median itself can be trusted (src/report/noise.ts).
   */
  mad: number;
}

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const sorted = Array.from(values).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { min: 0, median: 0, max: 0, runs: 0, mad: 0 };
  const mid = median(values);
  return { min: Math.min(...values), median: mid, max: Math.max(...values), runs: values.length, mad: median(values.map((v) => Math.abs(v - mid))) };
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Fewer measured runs than this: a median of so few is one lucky or unlucky run (warned; also the default of stm replay and analyze). */
export const MIN_RUNS = 3;

/**
 * The median's relative standard error above this: the runs disagree too much for their
 * median to be trusted (stm replay then measures more rounds, and its report warns if that
 * did not help: src/report/noise.ts). Estimated from the median absolute deviation, robust
 * to an outlier: SE ≈ 1.4826 · MAD · 1.2533 / √runs (1.4826 · MAD estimates the runs'
 * standard deviation, 1.2533 / √runs is the median's share of it). Not min–max: one slow
 * run among several (a GC pause in a 5 ms block, a burst of load) widens the range but
 * hardly moves a median. With 3 runs it holds once the typical run is 9% from the median;
 * with 30, 29%.
 */
export const UNCERTAIN_MEDIAN = 0.1;
/** …and the typical run more than this from the median, ms: below it (a block of a millisecond or less) runs differ by timer and event-loop jitter, not by anything a reader could act on. */
export const UNCERTAIN_MAD_FLOOR_MS = 0.5;
const SE_PER_MAD = 1.4826 * 1.2533;

/** The median's estimated standard error / the median (see UNCERTAIN_MEDIAN); 0 for a single run or an unmeasurably fast block. */
export function medianUncertainty(s: Spread): number {
  return s.runs > 1 && s.median > 0 ? (SE_PER_MAD * s.mad) / Math.sqrt(s.runs) / s.median : 0;
}

/** The median of these runs is not to be trusted (UNCERTAIN_MEDIAN, UNCERTAIN_MAD_FLOOR_MS). */
export function uncertainMedian(s: Spread): boolean {
  return medianUncertainty(s) > UNCERTAIN_MEDIAN && s.mad > UNCERTAIN_MAD_FLOOR_MS;
}
