/**
 * This machine's 2-thread bound and the executor's share of it: the one definition that
 * `stm replay --machine-bound` and the measurement scripts use. m is measured by
 * replayParallel (`measureBound`): a serial replay alone / the same replay while a worker
 * replays the block too, the share of a core each of two busy threads gets now (1.0 on
 * two free cores). No 2-thread executor beats 2·m, nor ceiling(2); the share is the
 * speedup against the lower of the two (docs/metrics.md, "This machine's bound").
 */
import type { Spread } from '../analysis/stats.js';

/** The threads the bound is measured for: the main thread and one worker. */
export const MACHINE_BOUND_THREADS = 2;

export interface MachineBoundReport {
  /** m per measured round: serial alone / serial beside a second serial replay. */
  m: Spread;
  /** 2·m (median m): no 2-thread executor beats it here, now. */
  bound: number;
  /** The median over the rounds of speedup / m (load beside both cancels out). */
  speedupPerBound: number;
  /** speedup / min(bound, ceiling(2)): the executor's share of what this block and this machine allow. */
  share: number;
  /**
   * The same share with the bound paired per round: max(speedupPerBound / 2, speedup /
   * ceiling(2)). Each round's speedup / m is (two serial replays at once) / (the parallel
   * run), measured moments apart, so the serial run alone, the noisiest of the three on a
   * short block, cancels out.
   */
  sharePaired: number;
}

/** speedup / min(2·m, ceiling(2)), from the block's medians. */
export function shareOfBound(speedup: number, m: number, ceiling2: number): number {
  return speedup / Math.min(MACHINE_BOUND_THREADS * m, ceiling2);
}

/** max(speedupPerBound / 2, speedup / ceiling(2)): the share with m paired per round (MachineBoundReport.sharePaired). */
export function pairedShareOfBound(speedupPerBound: number, speedup: number, ceiling2: number): number {
  return Math.max(speedupPerBound / MACHINE_BOUND_THREADS, speedup / ceiling2);
}

/** The report's figures from replayParallel's `bound` and `speedupPerBound` (null when it did not measure them). */
export function machineBoundReport(speedup: number, ceiling2: number, m: Spread | null | undefined, speedupPerBound: Spread | null | undefined): MachineBoundReport | null {
  if (m === null || m === undefined || speedupPerBound === null || speedupPerBound === undefined) return null;
  return {
    m,
    bound: MACHINE_BOUND_THREADS * m.median,
    speedupPerBound: speedupPerBound.median,
    share: shareOfBound(speedup, m.median, ceiling2),
    sharePaired: pairedShareOfBound(speedupPerBound.median, speedup, ceiling2),
  };
}
