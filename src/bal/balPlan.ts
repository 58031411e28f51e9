/**
 * A block-level access list turned into what an executor needs: the writes of each
 * transaction index as stm locations (so multi-version memory can be loaded with them,
 * and a read by transaction i resolves to the pre-state overlaid with the list's writes
 * of lower indices), and the checks that hold a transaction to the list.
 *
 * The list has no field for two things stm's state tracks: whether an account exists
 * (`e:`) and storage wipes (`w:`). They are derived from the list under the block's
 * rules: after an index that changed an account's balance, nonce or code, the account
 * exists when it is not empty (EIP-161: from Spurious Dragon on, touched empty accounts
 * are deleted; before it, an account stops existing only when its code is removed, by
 * self-destruct); an account that starts or stops existing has its storage wiped there.
 * A case the list cannot express (before Spurious Dragon, an account created empty) makes
 * the run differ from serial, loudly, never silently.
 *
 * The checks, per transaction (stm's transaction i is the list's index i + 1):
 *   - every account it touched is listed, and every storage slot it read is listed (as a
 *     read or a change);
 *   - every balance, nonce, code or storage value it changed is a change the list has at
 *     its index, with the same post-value; and the list has no change at its index that
 *     the transaction did not make;
 * and, for the block: the list's index 0 (prelude) and n + 1 (withdrawals, rewards) hold
 * what the replay's do, and nothing is listed that no index touched.
 */
import { bytesToHex, hexToBytes, setLengthLeft, type BlockLevelAccessList } from '@ethereumjs/util';
import { CorruptDataError } from '../errors.js';
import { CodeValue, EMPTY_CODE, ZERO_BYTES, describeLocation, locationAddress, stripZeros, valuesEqual, type LocationValue } from '../state/locations.js';
import type { BlockContext } from '../exec/blockContext.js';
import type { PreState } from '../state/preState.js';

interface History {
  /** List indices, ascending. */
  indices: number[];
  values: LocationValue[];
}

/** The kinds of an account's own locations (src/state/locations.ts). */
const ACCOUNT_KINDS = ['b:', 'n:', 'c:', 'e:', 'w:'];

export interface PlanWrites {
  keys: string[];
  values: LocationValue[];
}

export interface BalPlanRules {
  txCount: number;
  pre: PreState;
  /** EIP-161 active (Spurious Dragon on). */
  deletesEmptyAccounts: boolean;
}

/** A block's rules for its plan (the coordinator's and every worker's plan are made alike). */
export function balPlanRules(ctx: Pick<BlockContext, 'txs' | 'pre' | 'deletesEmptyAccounts'>): BalPlanRules {
  return { txCount: ctx.txs.length, pre: ctx.pre, deletesEmptyAccounts: ctx.deletesEmptyAccounts };
}

export class BalPlan {
  /** Listed accounts (lower-case 0x addresses). */
  readonly accounts = new Set<string>();
  /** Listed storage keys (changed or read), as stm keys. */
  readonly slots = new Set<string>();
  /**
   * Every location key the list allows a transaction to touch, with its mark's position
   * (see checkTransaction's `touched`): each listed account's fields map to the account's
   * position (0..accounts-1), each listed slot to accounts + its own. One lookup per read.
   */
  private readonly listedIndex = new Map<string, number>();
  /** Per listed slot (by its position among slots): its account's position. */
  private slotAccount = new Int32Array(0);
  /** Marks a run needs (one per listed account and slot): the size of `touched`. */
  get markCount(): number {
    return this.accounts.size + this.slots.size;
  }
  /** Per list index 0..n+1: its changes (b/n/c/s) as stm keys and post-values. */
  readonly changes: Array<Map<string, LocationValue>>;
  /** Per transaction (stm index): what to load into memory: the changes plus derived existence and wipes. */
  readonly preload: PlanWrites[];
  private readonly history = new Map<string, History>();
  /** Per account: the list indices where its storage is wiped (derived; ascending). */
  private readonly wipes = new Map<string, number[]>();
  private readonly n: number;

  constructor(
    /** The list this plan was made from. */
    readonly list: BlockLevelAccessList,
    private readonly rules: BalPlanRules,
  ) {
    const bal = list;
    const n = (this.n = rules.txCount);
    this.changes = Array.from({ length: n + 2 }, () => new Map<string, LocationValue>());
    const put = (index: number, key: string, value: LocationValue, what: string): void => {
      if (!Number.isInteger(index) || index < 0 || index > n + 1) {
        throw new CorruptDataError(`the access list has a ${what} change at index ${index}, beyond the block's ${n} transactions (indices 0..${n + 1})`);
      }
      this.changes[index]!.set(key, value);
    };
    for (const [rawAddress, storageChanges, storageReads, balanceChanges, nonceChanges, codeChanges] of bal.raw()) {
      const address = rawAddress.toLowerCase();
      this.accounts.add(address);
      for (const [slot, slotChanges] of storageChanges) {
        const key = storageKeyOf(address, slot);
        this.slots.add(key);
        for (const [index, value] of slotChanges) put(index, key, stripZeros(value), 'storage');
      }
      for (const slot of storageReads) this.slots.add(storageKeyOf(address, slot));
      for (const [index, hex] of balanceChanges) put(index, 'b:' + address, quantity(hex), 'balance');
      for (const [index, hex] of nonceChanges) put(index, 'n:' + address, quantity(hex), 'nonce');
      for (const [index, code] of codeChanges) put(index, 'c:' + address, code.length === 0 ? EMPTY_CODE : new CodeValue(code), 'code');
    }
    let position = 0;
    for (const address of this.accounts) {
      for (const kind of ACCOUNT_KINDS) this.listedIndex.set(kind + address, position);
      position++;
    }
    this.slotAccount = new Int32Array(this.slots.size);
    let slot = 0;
    for (const key of this.slots) {
      this.slotAccount[slot] = this.listedIndex.get('b:' + locationAddress(key))!;
      this.listedIndex.set(key, position + slot++);
    }
    this.preload = this.derivePreload();
  }

  /** The value transaction `tx` (stm index) must see at key: the pre-state overlaid with the list's changes at indices 1..tx. */
  valueBefore(key: string, tx: number): LocationValue {
    const h = this.history.get(key);
    let at = -1;
    if (h !== undefined) {
      for (let i = h.indices.length - 1; i >= 0; i--) {
        if (h.indices[i]! <= tx) {
          at = i;
          break;
        }
      }
    }
    if (key.charCodeAt(0) === 115 /* s */ && this.wipes.size > 0) {
      // A wipe after the slot's last change (or with none) leaves it zero; a change at the wipe's own index came after it.
      const wipes = this.wipes.get(locationAddress(key));
      if (wipes !== undefined) {
        let wipe = -1;
        for (let i = wipes.length - 1; i >= 0; i--) {
          if (wipes[i]! <= tx) {
            wipe = wipes[i]!;
            break;
          }
        }
        if (wipe >= 0 && (at < 0 || h!.indices[at]! < wipe)) return ZERO_BYTES;
      }
    }
    return at >= 0 ? h!.values[at]! : this.rules.pre.get(key);
  }

  private derivePreload(): PlanWrites[] {
    const preload: PlanWrites[] = [];
    const exists = new Map<string, boolean>();
    for (let tx = 0; tx < this.n; tx++) {
      const index = tx + 1;
      const writes: PlanWrites = { keys: [], values: [] };
      const touched = new Set<string>();
      for (const [key, value] of this.changes[index]!) {
        let h = this.history.get(key);
        if (h === undefined) this.history.set(key, (h = { indices: [], values: [] }));
        h.indices.push(index);
        h.values.push(value);
        writes.keys.push(key);
        writes.values.push(value);
        if (key.charCodeAt(0) !== 115 /* s */) touched.add(locationAddress(key));
      }
      for (const address of touched) {
        const before = exists.get(address) ?? (this.rules.pre.get('e:' + address) as boolean);
        const balance = this.valueBefore('b:' + address, index) as bigint;
        const nonce = this.valueBefore('n:' + address, index) as bigint;
        const code = this.valueBefore('c:' + address, index) as CodeValue;
        const empty = balance === 0n && nonce === 0n && code.bytes.length === 0;
        const codeRemoved = this.changes[index]!.has('c:' + address) && code.bytes.length === 0;
        const after = !empty || (!this.rules.deletesEmptyAccounts && before && !codeRemoved);
        if (after !== before) {
          exists.set(address, after);
          const list = this.wipes.get(address);
          if (list === undefined) this.wipes.set(address, [index]);
          else list.push(index);
          // Wipes first, as a write set has them (src/state/txState.ts).
          writes.keys.unshift('w:' + address, 'e:' + address);
          writes.values.unshift(index, after);
        }
      }
      preload.push(writes);
    }
    return preload;
  }

  /**
   * Holds transaction `tx` (stm index) to the list. Returns the first violation as one
   * line, or undefined. `readKeys` are the locations it read; `keys`/`values` its writes;
   * `creditKeys`/`creditDeltas` its commutative credits. With `touched` (markCount bytes,
   * shared by every executor of a run), marks each listed account and slot it touched,
   * for checkNothingExtra.
   */
  checkTransaction(tx: number, readKeys: string[], keys: string[], values: LocationValue[], creditKeys: string[], creditDeltas: bigint[], touched?: Uint8Array): string | undefined {
    // The per-transaction hot path of the access-list executor: one lookup per location;
    // the message is built only for a violation.
    const listed = this.listedIndex;
    const accounts = this.accounts.size;
    for (let i = 0; i < readKeys.length; i++) {
      const key = readKeys[i]!;
      const position = listed.get(key);
      if (position === undefined) return `${where(tx)} read ${describeLocation(key)}, ${this.unlisted(key)}`;
      if (touched !== undefined) this.mark(touched, position, accounts);
    }
    const expected = this.changes[tx + 1]!;
    // The listed changes this transaction made (few: an array beats a set).
    const made: string[] = [];
    for (let i = 0; i < keys.length + creditKeys.length; i++) {
      const credit = i >= keys.length;
      const key = credit ? creditKeys[i - keys.length]! : keys[i]!;
      const position = listed.get(key);
      if (position === undefined) return `${where(tx)} wrote ${describeLocation(key)}, ${this.unlisted(key)}`;
      if (touched !== undefined) this.mark(touched, position, accounts);
      const kind = key.charCodeAt(0);
      if (kind === 101 /* e */ || kind === 119 /* w */) continue;
      const before = this.valueBefore(key, tx);
      const value = credit ? (before as bigint) + creditDeltas[i - keys.length]! : values[i]!;
      if (valuesEqual(before, value)) continue; // no change
      const change = expected.get(key);
      if (change === undefined) return `${where(tx)} changed ${describeLocation(key)} to ${show(value)}; the access list has no such change at index ${tx + 1}`;
      if (!valuesEqual(change, value)) return `${where(tx)} changed ${describeLocation(key)} to ${show(value)}; the access list says ${show(change)}`;
      if (!made.includes(key)) made.push(key);
    }
    if (made.length !== expected.size) {
      for (const [key, value] of expected) {
        if (!made.includes(key)) return `the access list has ${describeLocation(key)} = ${show(value)} at index ${tx + 1}, a change ${where(tx)} did not make`;
      }
    }
    return undefined;
  }

  /** Index 0 and n + 1 against the replay's own list (the executor does not run them; the replay did). */
  checkPreludeAndEpilogue(reference: BalPlan): string | undefined {
    for (const index of [0, this.n + 1]) {
      const ours = this.changes[index]!;
      const theirs = reference.changes[index]!;
      const what = index === 0 ? 'index 0 (the prelude)' : `index ${index} (withdrawals and rewards)`;
      for (const [key, value] of theirs) {
        const listed = ours.get(key);
        if (listed === undefined) return `the access list lacks ${describeLocation(key)} = ${show(value)} at ${what}`;
        if (!valuesEqual(listed, value)) return `the access list has ${describeLocation(key)} = ${show(listed)} at ${what}; the replay wrote ${show(value)}`;
      }
      for (const [key, value] of ours) {
        if (!theirs.has(key)) return `the access list has ${describeLocation(key)} = ${show(value)} at ${what}, which the replay did not write`;
      }
    }
    return undefined;
  }

  /**
   * Everything listed must have been touched by some index: `touched`, the marks the
   * transactions left (checkTransaction); `outside`, what the prelude and epilogue touched.
   */
  checkNothingExtra(touched: Uint8Array, outside: { accounts: ReadonlySet<string>; slots: ReadonlySet<string> }): string | undefined {
    let position = 0;
    for (const address of this.accounts) {
      if (touched[position++] !== 1 && !outside.accounts.has(address)) return `the access list lists account ${address}, which nothing in the block touched`;
    }
    for (const key of this.slots) {
      if (touched[position++] !== 1 && !outside.slots.has(key)) return `the access list lists ${describeLocation(key)}, which nothing in the block read or wrote`;
    }
    return undefined;
  }

  private mark(touched: Uint8Array, position: number, accounts: number): void {
    touched[position] = 1;
    if (position >= accounts) touched[this.slotAccount[position - accounts]!] = 1;
  }

  private unlisted(key: string): string | undefined {
    const address = locationAddress(key);
    if (!this.accounts.has(address)) return `an account the access list does not list`;
    if (key.charCodeAt(0) === 115 /* s */ && !this.slots.has(key)) return `a slot the access list does not list`;
    return undefined;
  }
}

/** How a violation names the transaction (stm's index i is the list's i + 1). */
function where(tx: number): string {
  return `transaction ${tx} (access-list index ${tx + 1})`;
}

function storageKeyOf(address: string, slot: string | Uint8Array): string {
  const bytes = typeof slot === 'string' ? hexToBytes((slot.length % 2 === 1 ? '0x0' + slot.slice(2) : slot) as `0x${string}`) : slot;
  return 's:' + address + ':' + bytesToHex(setLengthLeft(bytes, 32));
}

function quantity(hex: string): bigint {
  return hex === '0x' ? 0n : BigInt(hex);
}

function show(value: LocationValue): string {
  if (value instanceof CodeValue) return `code of ${value.bytes.length} bytes`;
  if (value instanceof Uint8Array) return bytesToHex(value);
  return String(value);
}

/** The first difference between two plans of the same block (indices, accounts, slots), or undefined. */
export function firstPlanDifference(given: BalPlan, reference: BalPlan): string | undefined {
  for (let index = 0; index < reference.changes.length; index++) {
    const ours = given.changes[index]!;
    const theirs = reference.changes[index]!;
    for (const [key, value] of theirs) {
      const listed = ours.get(key);
      if (listed === undefined || !valuesEqual(listed, value)) return `at index ${index}, ${describeLocation(key)} is ${listed === undefined ? 'missing' : show(listed)}; the replay has ${show(value)}`;
    }
    for (const [key, value] of ours) if (!theirs.has(key)) return `at index ${index}, the access list has ${describeLocation(key)} = ${show(value)}, which the replay did not change`;
  }
  for (const address of reference.accounts) if (!given.accounts.has(address)) return `the access list does not list account ${address}, which the replay touched`;
  for (const address of given.accounts) if (!reference.accounts.has(address)) return `the access list lists account ${address}, which the replay did not touch`;
  for (const key of reference.slots) if (!given.slots.has(key)) return `the access list does not list ${describeLocation(key)}, which the replay accessed`;
  for (const key of given.slots) if (!reference.slots.has(key)) return `the access list lists ${describeLocation(key)}, which the replay did not access`;
  return undefined;
}
