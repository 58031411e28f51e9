/**
 * Entry point of the parallel (Block-STM) replay for commands. Placeholder until the
 * executor lands: returns undefined, meaning "not run".
 */
import type { SerialReplay } from '../replay/replayBlock.js';
import type { ParallelSummary } from './types.js';

export interface ParallelOptions {
  threads: number;
  /** Allow the executor to fall back to serial on cheap signals (default true; --no-fallback). */
  fallback: boolean;
  runs: number;
  warmup: number;
  checkpoint?: () => void;
  progress?: (phase: string, done: number, total: number) => void;
}

export async function replayParallel(_serial: SerialReplay, _options: ParallelOptions): Promise<ParallelSummary | undefined> {
  return undefined;
}

/** Stops worker threads so the process can exit. */
export async function shutdownParallel(): Promise<void> {}
