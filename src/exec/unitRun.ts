/**
 * A unit: consecutive transactions that the parallel executor schedules, validates and
 * commits as one (src/parallel/txUnits.ts decides which). Its transactions run in order,
 * each against the state the ones before it left (UnitSource, an overlay on the executor's
 * source); what the unit read from below is the first read of each location that no
 * earlier transaction of the unit wrote, and what it writes is the last value of every
 * location it wrote, its credits summed. Running the units in block order is running the
 * transactions in block order, so Block-STM over units gives the serial result.
 *
 * Lazy sender updates (commutativeUpdates.ts) inside a unit: a guard whose answer the
 * unit itself decides (the sender's nonce or balance was written earlier in the unit) is
 * checked here, and when one fails the unit runs again at once, strictly; the rest become
 * the unit's boundary guards, checked against the state below the unit when it commits.
 */
import type { TxReceipt } from '@ethereumjs/vm';
import type { CommutativeSender } from './commutativeUpdates.js';
import type { ReplayVm } from './replayVm.js';
import { ZERO_BYTES, type LocationValue } from '../state/locations.js';
import { SUMMED, type StateSource } from '../state/stateSource.js';
import type { StateGuard, WriteSet } from '../state/txState.js';

/** What one transaction of a unit produced (its writes are in the unit's). */
export interface UnitTx {
  gasUsed: bigint;
  receipt: TxReceipt;
  bloom: Uint8Array;
  timeMs: number;
}

/** A boundary guard: the location's value below the unit must equal `value` (a nonce) or be at least `value` (a balance). */
export type UnitGuard = StateGuard;

export interface UnitRun {
  reads: { keys: string[]; versions: number[]; summedKeys: string[]; summedValues: bigint[] };
  writes: WriteSet;
  txs: UnitTx[];
  guards: UnitGuard[];
  /** Some transaction ran lazily (then `guards` may say what to check at commit). */
  lazy: boolean;
  timeMs: number;
}

/** The version a unit's transaction sees for what the unit itself wrote (never validated: the unit's own). */
const IN_UNIT = -3;

/** The state a transaction of a unit sees: what the unit's earlier transactions left, else the executor's source at the unit's index. */
export class UnitSource implements StateSource {
  lastVersion = 0;
  lastContributors: number[] | undefined = undefined;
  reads: UnitRun['reads'] = { keys: [], versions: [], summedKeys: [], summedValues: [] };
  /** First read from below, per location: its value and version. */
  private readonly below = new Map<string, { value: LocationValue; version: number }>();
  /** Values written in the unit. */
  readonly values = new Map<string, LocationValue>();
  /** Credits in the unit on top of a location's value (from below or written). */
  readonly credits = new Map<string, bigint>();
  /** Accounts wiped in the unit (their storage reads zero unless written after). */
  private readonly wiped = new Set<string>();

  constructor(
    private readonly source: StateSource,
    readonly unit: number,
  ) {}

  /** Forgets everything: the unit runs again from its start. */
  reset(): void {
    this.reads = { keys: [], versions: [], summedKeys: [], summedValues: [] };
    this.below.clear();
    this.values.clear();
    this.credits.clear();
    this.wiped.clear();
  }

  preValue(key: string): LocationValue {
    return this.source.preValue(key);
  }

  read(key: string): LocationValue {
    let value: LocationValue;
    let version: number;
    const written = this.values.get(key);
    if (written !== undefined) {
      value = written;
      version = IN_UNIT;
    } else if (key.charCodeAt(0) === 115 /* s */ && this.wiped.size > 0 && this.wiped.has(key.slice(2, 44))) {
      value = ZERO_BYTES;
      version = IN_UNIT;
    } else {
      const seen = this.fromBelow(key);
      value = seen.value;
      version = seen.version;
    }
    const credit = this.credits.get(key);
    if (credit !== undefined) {
      value = (value as bigint) + credit;
      version = SUMMED;
    }
    this.lastVersion = version;
    return value;
  }

  /** The first read of key from below (recorded as the unit's read), or the same value again. */
  private fromBelow(key: string): { value: LocationValue; version: number } {
    const seen = this.below.get(key);
    if (seen !== undefined) return seen;
    const value = this.source.read(key, this.unit);
    const version = this.source.lastVersion;
    this.reads.keys.push(key);
    this.reads.versions.push(version);
    if (version === SUMMED) {
      this.reads.summedKeys.push(key);
      this.reads.summedValues.push(value as bigint);
    }
    const entry = { value, version };
    this.below.set(key, entry);
    return entry;
  }

  /** The version key was first read at from below, if it was (early abort). */
  readVersionOf(key: string): number | undefined {
    return this.below.get(key)?.version;
  }

  /** A transaction of the unit finished: what it wrote is what the next one sees. */
  apply(writes: WriteSet): void {
    for (let i = 0; i < writes.keys.length; i++) {
      const key = writes.keys[i]!;
      if (key.charCodeAt(0) === 119 /* w */) {
        const address = key.slice(2);
        this.wiped.add(address);
        for (const k of [...this.values.keys()]) if (k.charCodeAt(0) === 115 && k.slice(2, 44) === address) this.values.delete(k);
      }
      this.values.set(key, writes.values[i]!);
      this.credits.delete(key);
    }
    for (let i = 0; i < writes.creditKeys.length; i++) {
      const key = writes.creditKeys[i]!;
      this.credits.set(key, (this.credits.get(key) ?? 0n) + writes.creditDeltas[i]!);
    }
  }

  /** The unit's write set: every location's last value (wipes first), credits on locations it did not write. */
  merged(): WriteSet {
    const keys: string[] = [];
    const values: LocationValue[] = [];
    const creditKeys: string[] = [];
    const creditDeltas: bigint[] = [];
    for (const pass of [true, false]) {
      for (const [key, value] of this.values) {
        if ((key.charCodeAt(0) === 119) !== pass) continue;
        const credit = this.credits.get(key);
        keys.push(key);
        values.push(credit === undefined ? value : (value as bigint) + credit);
      }
    }
    for (const [key, delta] of this.credits) {
      if (this.values.has(key)) continue;
      creditKeys.push(key);
      creditDeltas.push(delta);
    }
    return { keys, values, creditKeys, creditDeltas };
  }
}

/**
 * Runs a unit's transactions (first to end - 1) in order against its overlay (the executor's source at the unit's index). With `commutative`,
 * each may run lazily (as ReplayVm.run decides); an in-unit guard that fails runs the whole
 * unit again strictly. Errors from the source (an ESTIMATE) pass through.
 */
export async function runUnit(replay: ReplayVm, first: number, end: number, overlay: UnitSource, commutative: boolean): Promise<UnitRun> {
  const plan = commutative ? replay.lazyPlan : undefined;
  const started = performance.now();
  const out: UnitTx[] = [];
  const boundary = new Map<string, UnitGuard>();
  let lazy = false;
  for (let tx = first; tx < end; tx++) {
    const sender: CommutativeSender | undefined = plan?.[tx];
    // What the unit itself says of the sender before this transaction (undefined: the state below decides).
    const run = await replay.run(tx, overlay, sender !== undefined);
    // (The overlay holds the unit's earlier transactions until apply below: reads do not change it.)
    if (run.lazy && sender !== undefined) {
      lazy = true;
      const nonceBefore = overlay.values.get(sender.nonceKey);
      const nonceOk = nonceBefore === undefined ? addGuard(boundary, sender.nonceKey, false, sender.nonce) : nonceBefore === sender.nonce;
      // The sender's balance, and those of contracts' payments it debited lazily.
      const balancesOk = balanceHolds(overlay, boundary, sender.balanceKey, sender.minBalance) && run.guards.every((guard) => balanceHolds(overlay, boundary, guard.key, guard.value));
      if (!nonceOk || !balancesOk) {
        overlay.reset();
        return runUnit(replay, first, end, overlay, false);
      }
    }
    overlay.apply(run.writes);
    out.push({ gasUsed: run.gasUsed, receipt: run.receipt, bloom: run.result.bloom.bitvector, timeMs: run.timeMs });
  }
  return { reads: overlay.reads, writes: overlay.merged(), txs: out, guards: [...boundary.values()], lazy, timeMs: performance.now() - started };
}

/**
 * A balance a transaction of the unit needs before it (`required`): decided in the unit when
 * the unit wrote that balance, else a boundary guard on the balance below the unit, less
 * what the unit moved before. False when it fails (or contradicts a guard already there).
 */
function balanceHolds(overlay: UnitSource, boundary: Map<string, UnitGuard>, key: string, required: bigint): boolean {
  const written = overlay.values.get(key);
  const moved = overlay.credits.get(key) ?? 0n;
  return written === undefined ? addGuard(boundary, key, true, required - moved) : typeof written === 'bigint' && written + moved >= required;
}

/** Adds a boundary guard (a nonce: the first one of its sender in the unit counts; a balance: the largest requirement). Returns false when it contradicts one already there. */
function addGuard(guards: Map<string, UnitGuard>, key: string, atLeast: boolean, value: bigint): boolean {
  const existing = guards.get(key);
  if (existing === undefined) {
    guards.set(key, { key, atLeast, value });
    return true;
  }
  if (atLeast) {
    if (value > existing.value) existing.value = value;
    return true;
  }
  return existing.value === value;
}
