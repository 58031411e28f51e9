/** Small statistics used by every report: min / median / max of repeated measurements. */
export interface Spread {
  min: number;
  median: number;
  max: number;
  runs: number;
}

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const sorted = Array.from(values).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { min: 0, median: 0, max: 0, runs: 0 };
  return { min: Math.min(...values), median: median(values), max: Math.max(...values), runs: values.length };
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
