/**
 * BlockState: the state of a block as a serial replay commits it, transaction by
 * transaction, over the pre-state. It is the StateSource of the serial replay and knows,
 * for every location, which transaction last wrote it: that is what turns a read set
 * into dependency edges (read-after-write on the last writer).
 *
 * Balances may carry commutative credits (the coinbase fee) on top of their last full
 * write; a genuine read of such a balance sums them (a SUMMED read) and depends on the
 * last writer and on every crediting transaction since.
 */
import { ZERO_BYTES, type LocationValue } from './locations.js';
import type { PreState } from './preState.js';
import { PRE_STATE, SUMMED, makeVersion, type StateSource } from './stateSource.js';
import type { WriteSet } from './txState.js';

interface Written {
  value: LocationValue;
  writer: number;
}

interface CreditRun {
  sum: bigint;
  contributors: number[];
}

/** A read of a location the pre-state data does not list (a hint when verification fails). */
export interface UnlistedRead {
  txIndex: number;
  key: string;
}

export class BlockState implements StateSource {
  private readonly written = new Map<string, Written>();
  private readonly credits = new Map<string, CreditRun>();
  /** Account address -> index of the transaction that last wiped its storage. */
  private readonly wipedBy = new Map<string, number>();
  /** Account address -> its storage keys written in this block (for wipes). */
  private readonly storageKeys = new Map<string, Set<string>>();
  lastVersion = PRE_STATE;
  lastContributors: number[] | undefined = undefined;
  /** First read per transaction of an account the pre-state does not list. */
  readonly unlistedReads: UnlistedRead[] = [];
  private lastUnlistedTx = -1;

  constructor(private readonly pre: PreState) {}

  read(key: string, txIndex: number): LocationValue {
    if (key.charCodeAt(0) === 98 /* b */) {
      const run = this.credits.get(key);
      if (run !== undefined) {
        const base = this.written.get(key);
        this.lastVersion = SUMMED;
        this.lastContributors = base === undefined ? run.contributors.slice() : [base.writer, ...run.contributors];
        return ((base === undefined ? this.pre.get(key) : base.value) as bigint) + run.sum;
      }
    }
    const hit = this.written.get(key);
    if (hit !== undefined) {
      this.lastVersion = makeVersion(hit.writer, 0);
      return hit.value;
    }
    if (this.wipedBy.size > 0 && key.charCodeAt(0) === 115 /* s */) {
      const wiper = this.wipedBy.get(key.slice(2, 44));
      if (wiper !== undefined) {
        this.lastVersion = makeVersion(wiper, 0);
        return ZERO_BYTES;
      }
    }
    this.lastVersion = PRE_STATE;
    if (key.charCodeAt(0) === 101 /* e */ && this.lastUnlistedTx !== txIndex && !this.pre.lists(key)) {
      this.lastUnlistedTx = txIndex;
      this.unlistedReads.push({ txIndex, key });
    }
    return this.pre.get(key);
  }

  preValue(key: string): LocationValue {
    return this.pre.get(key);
  }

  /** Applies a transaction's write set (wipes first, then values, then credits). */
  commit(txIndex: number, writes: WriteSet): void {
    for (let i = 0; i < writes.keys.length; i++) {
      const key = writes.keys[i]!;
      const value = writes.values[i]!;
      const kind = key.charCodeAt(0);
      if (kind === 119 /* w */) this.wipeStorage(key.slice(2), txIndex);
      else if (kind === 115 /* s */) this.noteStorageKey(key);
      this.written.set(key, { value, writer: txIndex });
      if (kind === 98 /* b */) this.credits.delete(key);
    }
    for (let i = 0; i < writes.creditKeys.length; i++) {
      const key = writes.creditKeys[i]!;
      const run = this.credits.get(key);
      if (run === undefined) this.credits.set(key, { sum: writes.creditDeltas[i]!, contributors: [txIndex] });
      else {
        run.sum += writes.creditDeltas[i]!;
        run.contributors.push(txIndex);
      }
    }
  }

  private noteStorageKey(key: string): void {
    const address = key.slice(2, 44);
    let keys = this.storageKeys.get(address);
    if (keys === undefined) this.storageKeys.set(address, (keys = new Set()));
    keys.add(key);
  }

  private wipeStorage(address: string, txIndex: number): void {
    this.wipedBy.set(address, txIndex);
    const keys = this.storageKeys.get(address);
    if (keys === undefined) return;
    for (const key of keys) this.written.set(key, { value: ZERO_BYTES, writer: txIndex });
  }

  /**
   * The block's post-state: every location the block wrote or credited, with its final
   * value. The parallel executor builds the same map from multi-version memory, and the
   * two must be equal (same keys, same values).
   */
  postState(): Map<string, LocationValue> {
    const out = new Map<string, LocationValue>();
    for (const key of this.written.keys()) out.set(key, this.read(key, Number.MAX_SAFE_INTEGER));
    for (const key of this.credits.keys()) out.set(key, this.read(key, Number.MAX_SAFE_INTEGER));
    return out;
  }
}
