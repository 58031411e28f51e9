/**
 * A block's access-list figures for reports over many blocks (analyze, bench): its size
 * (RLP, gzip), its EIP-7928 items against the cap, and ceiling_bal(T) with its bound,
 * from one serial replay.
 */
import { balBound, ceilingBal } from '../analysis/ceilingBal.js';
import type { SerialReplay } from './replayBlock.js';
import { buildBlockAccessList } from '../bal/buildBal.js';
import { summarizeBal } from '../bal/balSummary.js';

export interface BalFigures {
  /** ceiling_bal(T) by time, and the T it is for. */
  ceilingT: number;
  T: number;
  /** min(T, total / largest): what ceiling_bal(T) cannot beat. */
  bound: number;
  largestTxMs: number;
  hash: string;
  rlpBytes: number;
  gzipBytes: number;
  accounts: number;
  items: number;
  maxItems: number;
}

export function balFigures(serial: SerialReplay, threads: number): BalFigures {
  const summary = summarizeBal(buildBlockAccessList(serial), serial.ctx.block.header.gasLimit);
  const times = serial.txTimesMs;
  return {
    ceilingT: ceilingBal(times, threads, serial.analysis.all.byTime),
    T: threads,
    bound: balBound(times, threads),
    largestTxMs: Math.max(0, ...times),
    hash: summary.hash,
    rlpBytes: summary.rlpBytes,
    gzipBytes: summary.gzipBytes,
    accounts: summary.counts.accounts,
    items: summary.items,
    maxItems: summary.maxItems,
  };
}
