/**
 * What a transaction reads through: the state as transaction `txIndex` must see it.
 * Serial replay reads the block state committed so far (BlockState); the Block-STM
 * executor reads multi-version memory (MVView). TxState talks only to this interface,
 * so read/write tracking is the same code in both.
 *
 * Versions: a read reports where its value came from as one number, so that validation
 * is a number compare and nothing is allocated per read.
 *   PRE_STATE (-1)   the value before the block
 *   SUMMED   (-2)   a balance made of a base plus commutative credits (the coinbase);
 *                   validated by value, not by version
 *   v >= 0           written by transaction versionTx(v), incarnation versionIncarnation(v)
 */
import type { LocationValue } from './locations.js';

export const PRE_STATE = -1;
export const SUMMED = -2;
const INCARNATION_SPAN = 1 << 20;

export function makeVersion(txIndex: number, incarnation: number): number {
  return txIndex * INCARNATION_SPAN + incarnation;
}
export function versionTx(version: number): number {
  return Math.floor(version / INCARNATION_SPAN);
}
export function versionIncarnation(version: number): number {
  return version % INCARNATION_SPAN;
}

export interface StateSource {
  /**
   * The value of `key` as transaction `txIndex` sees it. Sets `lastVersion`, and for a
   * SUMMED read `lastContributors` (the transactions whose writes/credits it summed;
   * the serial BlockState reports them, the parallel MVMemory does not need them).
   * May throw (the Block-STM view throws when it meets an ESTIMATE).
   */
  read(key: string, txIndex: number): LocationValue;
  lastVersion: number;
  lastContributors: number[] | undefined;
  /** The value before the block (no read is recorded: used only for facts that cannot change, see LazyAccount.isEmpty). */
  preValue(key: string): LocationValue;
}
