/**
 * MVMemory: multi-version memory, the heart of Block-STM.
 *
 * For every location, the writes of the block's transactions, ordered by transaction
 * index: (txIndex, incarnation, value), or an ESTIMATE marker where an aborted
 * incarnation wrote and the next one probably will again, or a commutative credit (the
 * coinbase fee). A read by transaction i resolves to the highest entry below i, or to the
 * pre-state; it reports the version it saw so validation can re-resolve and compare.
 *
 * The same class is the coordinator's authoritative memory and each worker's replica
 * (kept current by the coordinator's broadcasts, in order), so resolution is one piece of
 * code everywhere. Resolution is the per-read hot path: entries per location are few and
 * kept in ascending arrays, scanned from the top, and nothing is allocated per read.
 *
 * Summed reads (a balance made of a base and commutative credits: the coinbase's fees, a
 * payout wallet's lazy debits) are memoized per location: the sum at one position stays
 * valid until an entry at or below it changes, so a location with k credits costs O(k)
 * over a whole run instead of O(k) per read (a 380-transfer payout block resolved its
 * wallet's balance by summing every debit below each commit: O(k²)). Parallel execution
 * validates summed reads by value, so unlike the serial BlockState this memory does not
 * report which transactions were summed (lastContributors stays undefined).
 *
 * Storage wipes (self-destruct, deletion, re-creation) are entries at the account's `w:`
 * key; a storage read also looks there, and a wipe newer than the slot's newest write
 * makes the slot read as zero (a slot written by the wiping transaction itself is newer
 * than its wipe: it was written after it).
 */
import { PASS_THROUGH } from '../errors.js';
import { ZERO_BYTES, valuesEqual, type LocationValue } from '../state/locations.js';
import type { PreState } from '../state/preState.js';
import { PRE_STATE, SUMMED, makeVersion, type StateSource } from '../state/stateSource.js';

const VALUE = 0;
const ESTIMATE = 1;
const CREDIT = 2;

/** Slots per entry in Entries.slots: transaction, incarnation, kind, retained kind, value. */
const STRIDE = 5;
const TX = 0;
const INCARNATION = 1;
const KIND = 2;
const RETAINED = 3;
const VAL = 4;
/** Up to this many entries a location is searched from the top; above, by halving. */
const LINEAR_ENTRIES = 8;

/**
 * The entries of one location, ascending by transaction index; at most one per
 * transaction. All in one flat array (STRIDE slots per entry): most locations are written
 * by one transaction, and an array per field (five arrays, each with its own growth slack)
 * made a single-entry location cost ~1.1 KB and eleven objects, which the coordinator
 * keeps for the whole run (12300570: 43% of what it retained per result, heap snapshots
 * 300 results apart); one array made with its first entry holds exactly that entry.
 */
class Entries {
  /** Per entry: tx, incarnation, kind, the kind an ESTIMATE retains (VALUE or CREDIT), value. */
  slots: Array<number | LocationValue>;
  /**
   * The memoized summed value: the resolution at position `sumAt` (its base plus every
   * credit up to it; no ESTIMATE among them), or sumAt = -1. Any change at or below
   * sumAt clears it.
   */
  sumAt = -1;
  sumValue = 0n;

  constructor(tx: number, incarnation: number, kind: number, value: LocationValue) {
    this.slots = [tx, incarnation, kind, kind, value];
  }

  tx(i: number): number {
    return this.slots[i * STRIDE + TX] as number;
  }
  incarnation(i: number): number {
    return this.slots[i * STRIDE + INCARNATION] as number;
  }
  kind(i: number): number {
    return this.slots[i * STRIDE + KIND] as number;
  }
  retainedKind(i: number): number {
    return this.slots[i * STRIDE + RETAINED] as number;
  }
  value(i: number): LocationValue {
    return this.slots[i * STRIDE + VAL] as LocationValue;
  }
  markEstimate(i: number): void {
    this.slots[i * STRIDE + KIND] = ESTIMATE;
  }

  /**
   * Position of the first entry with tx >= `tx` (the count when none). From the top for a
   * few entries (a reader is usually above them all); by halving for many (a payout
   * wallet's nonce and debits: one entry per transaction, and a scan from the top made each
   * commit's guard check O(n), the block O(n²)).
   */
  private firstAtOrAbove(tx: number): number {
    const slots = this.slots;
    const count = slots.length / STRIDE;
    if (count <= LINEAR_ENTRIES) {
      let i = count - 1;
      while (i >= 0 && (slots[i * STRIDE] as number) >= tx) i--;
      return i + 1;
    }
    let low = 0;
    let high = count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((slots[mid * STRIDE] as number) < tx) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Position of the highest entry with tx < below, or -1. */
  highestBelow(below: number): number {
    return this.firstAtOrAbove(below) - 1;
  }

  indexOf(tx: number): number {
    const i = this.firstAtOrAbove(tx);
    return i * STRIDE < this.slots.length && this.slots[i * STRIDE] === tx ? i : -1;
  }

  /**
   * Records tx's entry. Returns the incarnation of the entry of tx it replaced when that
   * was of the same kind (as retained by an ESTIMATE) with the same value, else -1.
   */
  set(tx: number, incarnation: number, kind: number, value: LocationValue): number {
    const slots = this.slots;
    const i = this.firstAtOrAbove(tx);
    const at = i * STRIDE;
    if (i <= this.sumAt) this.sumAt = -1;
    if (at < slots.length && slots[at] === tx) {
      const before = slots[at + VAL] as LocationValue;
      const same = slots[at + RETAINED] === kind && (kind === CREDIT ? before === value : valuesEqual(before, value));
      const replaced = same ? (slots[at + INCARNATION] as number) : -1;
      slots[at + INCARNATION] = incarnation;
      slots[at + KIND] = kind;
      slots[at + RETAINED] = kind;
      slots[at + VAL] = value;
      return replaced;
    }
    if (at === slots.length) slots.push(tx, incarnation, kind, kind, value);
    else slots.splice(at, 0, tx, incarnation, kind, kind, value);
    return -1;
  }

  remove(tx: number): void {
    const i = this.indexOf(tx);
    if (i < 0) return;
    if (i <= this.sumAt) this.sumAt = -1;
    this.slots.splice(i * STRIDE, STRIDE);
  }
}

/** Thrown (never allocated per read: one instance per memory) when a read meets an ESTIMATE. */
export class EstimateRead {
  /** The transaction whose ESTIMATE was met. */
  blockingTx = -1;
  key = '';
  constructor() {
    (this as unknown as Record<symbol, boolean>)[PASS_THROUGH] = true;
  }
}

export class MVMemory implements StateSource {
  private locations = new Map<string, Entries>();
  /** Accounts with at least one wipe entry (so most storage reads skip the wipe lookup). */
  private wipedAccounts = new Map<string, Entries>();
  /** Version of the last resolve(): a write version, PRE_STATE, or SUMMED. */
  lastVersion = PRE_STATE;
  /** Not tracked here (see the module comment): always undefined. */
  readonly lastContributors: number[] | undefined = undefined;
  /** Set when resolve() met an ESTIMATE (then it returns undefined). */
  readonly estimate = new EstimateRead();
  /**
   * Lenient mode (the coordinator's validation): an ESTIMATE entry resolves to the value it
   * retains from the aborted incarnation, and `lastEstimateTx` names its writer (-1 when
   * none was met). Workers never read leniently.
   */
  lenient = false;
  lastEstimateTx = -1;
  /**
   * Counts every change to the entries (a write, credit, ESTIMATE marking or removal): the
   * same count before and after an execution means every read it made still resolves as
   * it did (executionRun.ts: the main thread's results skip validation).
   */
  changes = 0;

  constructor(private readonly pre: PreState) {}

  /** Forgets every entry (a worker's replica between runs): new Maps, not clear() (TxState.begin says why). */
  clear(): void {
    this.locations = new Map();
    this.wipedAccounts = new Map();
  }

  /** The keys that have entries (for the final state). */
  keys(): IterableIterator<string> {
    return this.locations.keys();
  }

  /**
   * The value of `key` as transaction `txIndex` sees it, or undefined when an ESTIMATE is
   * in the way (then `estimate` says whose). Sets lastVersion / lastContributors.
   */
  resolve(key: string, txIndex: number): LocationValue | undefined {
    this.lastEstimateTx = -1;
    const entries = this.locations.get(key);
    const first = key.charCodeAt(0);
    if (first === 115 /* s */ && this.wipedAccounts.size > 0) {
      const wipes = this.wipedAccounts.get(key.slice(2, 44));
      if (wipes !== undefined) return this.resolveWiped(key, txIndex, entries, wipes);
    }
    if (entries === undefined) {
      this.lastVersion = PRE_STATE;
      return this.pre.get(key);
    }
    let i = entries.highestBelow(txIndex);
    if (i < 0) {
      this.lastVersion = PRE_STATE;
      return this.pre.get(key);
    }
    let kind = entries.kind(i);
    if (kind === ESTIMATE) {
      if (!this.lenient) return this.blocked(entries.tx(i), key);
      this.lastEstimateTx = entries.tx(i);
      kind = entries.retainedKind(i);
    }
    if (kind === VALUE) {
      this.lastVersion = makeVersion(entries.tx(i), entries.incarnation(i));
      return entries.value(i);
    }
    return this.resolveSummed(key, entries, i);
  }

  /**
   * Credits on top of a base: summed down to the newest full write (or the pre-state), or
   * down to the memoized sum. `top` is the highest entry below the reader, a credit.
   */
  private resolveSummed(key: string, entries: Entries, top: number): bigint | undefined {
    const memo = entries.sumAt;
    let sum = 0n;
    let sawEstimate = false;
    let i = top;
    let base: bigint | undefined;
    for (; i >= 0; i--) {
      if (i === memo) {
        base = entries.sumValue;
        break;
      }
      let kind = entries.kind(i);
      if (kind === ESTIMATE) {
        if (!this.lenient) return this.blocked(entries.tx(i), key);
        this.lastEstimateTx = entries.tx(i);
        sawEstimate = true;
        kind = entries.retainedKind(i);
      }
      if (kind !== CREDIT) {
        base = entries.value(i) as bigint;
        break;
      }
      sum += entries.value(i) as bigint;
    }
    const value = (base ?? (this.pre.get(key) as bigint)) + sum;
    if (!sawEstimate) {
      entries.sumAt = top;
      entries.sumValue = value;
    }
    this.lastVersion = SUMMED;
    return value;
  }

  private resolveWiped(key: string, txIndex: number, entries: Entries | undefined, wipes: Entries): LocationValue | undefined {
    const w = wipes.highestBelow(txIndex);
    const s = entries === undefined ? -1 : entries.highestBelow(txIndex);
    const wipeTx = w < 0 ? -1 : wipes.tx(w);
    const slotTx = s < 0 ? -1 : entries!.tx(s);
    if (wipeTx > slotTx) {
      if (wipes.kind(w) === ESTIMATE) {
        if (!this.lenient) return this.blocked(wipeTx, key);
        this.lastEstimateTx = wipeTx;
      }
      this.lastVersion = makeVersion(wipeTx, wipes.incarnation(w));
      return ZERO_BYTES;
    }
    if (s < 0) {
      this.lastVersion = PRE_STATE;
      return this.pre.get(key);
    }
    if (entries!.kind(s) === ESTIMATE) {
      if (!this.lenient) return this.blocked(slotTx, key);
      this.lastEstimateTx = slotTx;
    }
    this.lastVersion = makeVersion(slotTx, entries!.incarnation(s));
    return entries!.value(s);
  }

  preValue(key: string): LocationValue {
    return this.pre.get(key);
  }

  /** StateSource: a worker's read. An ESTIMATE throws (the incarnation stops and waits for the writer). */
  read(key: string, txIndex: number): LocationValue {
    // Execution always reads strictly, even on the coordinator's lenient memory (the main
    // thread executes against it).
    const lenient = this.lenient;
    this.lenient = false;
    const value = this.resolve(key, txIndex);
    this.lenient = lenient;
    if (value === undefined) throw this.estimate;
    return value;
  }

  private blocked(tx: number, key: string): undefined {
    this.estimate.blockingTx = tx;
    this.estimate.key = key;
    return undefined;
  }

  /**
   * Records a full write of (tx, incarnation). Returns the incarnation of tx's entry it
   * replaced when that was a full write of the same value (readers above see no change),
   * else -1 (a new entry, a credit before, or another value).
   */
  write(key: string, tx: number, incarnation: number, value: LocationValue): number {
    return this.record(key, tx, incarnation, VALUE, value);
  }

  /** Records every transaction's writes (per transaction index) as its incarnation 0: a memory loaded in advance (the access-list executor). */
  writeAll(writes: ReadonlyArray<{ keys: readonly string[]; values: readonly LocationValue[] }>): void {
    writes.forEach(({ keys, values }, tx) => {
      for (let i = 0; i < keys.length; i++) this.write(keys[i]!, tx, 0, values[i]!);
    });
  }

  /** Records a commutative credit of (tx, incarnation). Returns as write() does: ≥ 0 when it replaced tx's credit of the same amount. */
  credit(key: string, tx: number, incarnation: number, delta: bigint): number {
    return this.record(key, tx, incarnation, CREDIT, delta);
  }

  /** Turns tx's entry at key into an ESTIMATE (its incarnation was aborted). */
  markEstimate(key: string, tx: number): void {
    const entries = this.locations.get(key);
    if (entries === undefined) return;
    const i = entries.indexOf(tx);
    if (i < 0) return;
    this.changes++;
    entries.markEstimate(i);
    if (i <= entries.sumAt) entries.sumAt = -1;
  }

  /** Removes tx's entry at key (its new incarnation did not write there). */
  remove(key: string, tx: number): void {
    this.changes++;
    this.locations.get(key)?.remove(tx);
  }

  /** Records an entry of (tx, incarnation) at key: a location's first makes its Entries. */
  private record(key: string, tx: number, incarnation: number, kind: number, value: LocationValue): number {
    this.changes++;
    const entries = this.locations.get(key);
    if (entries !== undefined) return entries.set(tx, incarnation, kind, value);
    const created = new Entries(tx, incarnation, kind, value);
    this.locations.set(key, created);
    if (key.charCodeAt(0) === 119 /* w */) this.wipedAccounts.set(key.slice(2), created);
    return -1;
  }
}
