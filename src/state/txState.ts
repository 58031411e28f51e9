/**
 * TxState: the ethereumjs StateManagerInterface for one transaction at a time, and the
 * place where read and write sets are recorded.
 *
 * Every location the transaction touches gets a local entry: its current value and its
 * value before the transaction (`original`, or UNKNOWN for a blind write). The first read
 * of a location goes to the StateSource (the committed block state in a serial replay,
 * multi-version memory in the parallel executor) and is recorded with the version it saw;
 * later reads are served locally, so one incarnation sees one consistent value per
 * location. Writes change only the local entry and push an undo record, which is what
 * checkpoint/commit/revert work on. At the end, the write set is every entry whose value
 * differs from its original (a write that restores the original is no write: ethereumjs
 * calls putAccount on every CALL target even when nothing changed).
 *
 * The coinbase fee credit. After the EVM has run (phase "post"), runTx reads the coinbase
 * and writes it back with the fee added. If the transaction never touched the coinbase's
 * balance itself, TxState hands out a placeholder whose balance is CREDIT_BASE and records
 * the difference written back as a commutative credit, not as a read and a write: so
 * independent transactions never depend on each other through the fee. A genuine access
 * (BALANCE, a transfer to the coinbase) before that point is an ordinary read and write,
 * and the source gives it the exact value with all earlier credits included.
 *
 * Commutative sender updates (src/exec/commutativeUpdates.ts decides which). When begin()
 * is given the transaction's LazySender, the sender's balance and nonce are not
 * read from the source: the nonce is the transaction's own and the balance a placeholder
 * (LAZY_BASE) large enough for every check; the nonce + 1 is written as usual and the
 * balance's change becomes a credit (a debit: negative). Nothing is recorded as read: the
 * runner checks the sender's real nonce and balance when the transaction commits. Code
 * may run (a transfer into a contract), but if it looks at the sender's balance or nonce
 * (while `codeDepth` > 0: BALANCE, an emptiness check; a payment back to the sender is a
 * credit to the placeholder, creditBalance),
 * `lazyViolated` is set: it could have seen the placeholder, and the runner runs the
 * transaction again strictly.
 *
 * Lazy contract debits (in a transaction that runs lazily, before EIP-7928). A CALL that
 * sends value out of a contract compares the contract's balance with the value and then
 * debits it; when this transaction has not read that balance, the comparison is served
 * from a guard instead (armBalanceCheck, then the LazyAccount's balance getter asks
 * serveBalanceCheck: the balance below the transaction must be at least the value less
 * what the transaction has credited it so far) and the debit becomes a negative credit
 * (debitLazily). The guards (`guards`) are checked when the transaction commits, as a
 * sender's; a later read of the balance in the transaction sums the credit in (readLocal).
 * So WETH's withdrawals and a router's payments do not depend on every earlier deposit.
 */
import { Account, bytesToHex, type Address } from '@ethereumjs/util';
import type { StateManagerInterface } from '@ethereumjs/common';
import { LazyAccount, type AccountFieldReader } from './lazyAccount.js';
import {
  CodeValue,
  EMPTY_CODE,
  ZERO_BYTES,
  accountKeys,
  defaultValue,
  locationKind,
  stripZeros,
  valuesEqual,
  type AccountKeys,
  type LocationValue,
} from './locations.js';
import { PRE_STATE, SUMMED, type StateSource } from './stateSource.js';

/** Placeholder balance of the coinbase during a fee credit: large enough that the account is never "empty". */
export const CREDIT_BASE = 1n << 200n;
/** Placeholder balance of a lazily updated sender: above any real balance, and distinct from CREDIT_BASE. */
export const LAZY_BASE = 1n << 220n;
/** What a contract's balance reads as in a lazily served balance check (never stored): above any value sent. */
const CHECK_BASE = 1n << 230n;

const UNKNOWN: unique symbol = Symbol('unknown');
const ABSENT: unique symbol = Symbol('absent');

interface Entry {
  value: LocationValue;
  original: LocationValue | typeof UNKNOWN;
  /** The version the source reported when this location was read (NOT_READ for a blind write). */
  version: number;
}

const NOT_READ = -3;
/** The version of a lazily served sender balance or nonce (not read from the source, not recorded). */
const LAZY = -4;

/** One undo record: restore `entry.value` (or delete `key` when prev is ABSENT; or restore a credit). */
interface Undo {
  key: string;
  entry: Entry | undefined;
  prev: LocationValue | typeof ABSENT | bigint;
  credit: boolean;
}

export type TxPhase = 'exec' | 'post';

/** A sender whose balance and nonce a transaction updates lazily (see the module comment). */
export interface LazySender {
  /** `b:<address>`. */
  balanceKey: string;
  /** `n:<address>`. */
  nonceKey: string;
  /** The nonce served: the transaction's. */
  nonce: bigint;
}

/** Reads of one transaction (incarnation): parallel arrays, no object per read. */
export interface ReadSet {
  keys: string[];
  versions: number[];
  /** For SUMMED reads: the value seen (validation compares values) and the transactions summed. */
  summed: Map<string, { value: bigint; contributors: number[] }>;
}

/** Writes of one transaction: full values, then commutative balance credits. Wipes come first in `keys`. */
export interface WriteSet {
  keys: string[];
  values: LocationValue[];
  creditKeys: string[];
  creditDeltas: bigint[];
}

export interface TxStateConfig {
  /** Coinbase address (lower-case hex) whose fee credit is commutative. */
  coinbase: string;
  /** EIP-161 (Spurious Dragon): empty touched accounts are deleted. */
  deletesEmptyAccounts: boolean;
  /** Contracts' payments may be debited lazily (not under EIP-7928, whose access list records each balance). */
  lazyDebits: boolean;
}

/** A condition a lazily run transaction puts on the exact state below it, checked when it commits: the location's value must equal `value` (a nonce) or be at least `value` (a balance). */
export interface StateGuard {
  key: string;
  atLeast: boolean;
  value: bigint;
}

export class TxState implements StateManagerInterface, AccountFieldReader {
  private source!: StateSource;
  private txIndex = 0;
  phase: TxPhase = 'exec';
  // The per-transaction Maps (local, credits, touchedSlots, debitGuards) are replaced in begin(), not cleared (see there).
  private local = new Map<string, Entry>();
  private readonly undo: Undo[] = [];
  private readonly checkpoints: number[] = [];
  private credits = new Map<string, bigint>();
  /** Storage keys touched per account in this transaction (for wipes). A superset is fine. */
  private touchedSlots = new Map<AccountKeys, string[]>();
  private reads: ReadSet = newReadSet();
  private readonly keysCache = new Map<string, AccountKeys>();
  /** keysOf's cache: by an address's last four bytes (30 bits), its bytes and keys. */
  private readonly keysByBytes = new Map<number, { bytes: Uint8Array; keys: AccountKeys }>();
  private coinbaseKeys!: AccountKeys;
  private deletesEmptyAccounts = true;
  /** The first error the source threw during this transaction (see readLocal). */
  sourceFailure: unknown = undefined;
  /** This transaction's sender updates, when they are applied lazily (see the module comment). */
  private lazy: LazySender | undefined = undefined;
  /** Code touched a lazily updated sender field: the result does not count (run it strictly). */
  lazyViolated = false;
  /** EVM interpreter frames running (ReplayVm counts them): code is executing. */
  codeDepth = 0;
  private lazyDebits = false;
  /** A contract's balance check a CALL is about to make, to be served lazily (armBalanceCheck). */
  private armed: { keys: AccountKeys; value: bigint } | undefined = undefined;
  /** The debit that follows a lazily served check (debitLazily). */
  private pendingDebit: { keys: AccountKeys; value: bigint } | undefined = undefined;
  /** Per balance key: the least balance below the transaction its lazily served checks require. */
  private debitGuards = new Map<string, bigint>();

  constructor(config: TxStateConfig) {
    this.configure(config);
  }

  /** Changes the block-level settings (a new block on a reused state). */
  configure(config: TxStateConfig): void {
    this.coinbaseKeys = this.keysFor(config.coinbase);
    this.deletesEmptyAccounts = config.deletesEmptyAccounts;
    this.lazyDebits = config.lazyDebits;
  }

  /** Starts a transaction: clears everything local. With `lazy`, its sender updates are applied lazily. */
  begin(txIndex: number, source: StateSource, lazy?: LazySender): void {
    this.source = source;
    this.lazy = lazy;
    this.lazyViolated = false;
    this.codeDepth = 0;
    this.txIndex = txIndex;
    this.phase = 'exec';
    // New Maps, not clear(): V8 allocates a Map's next table (clear, growth) in the old
    // generation once its table is there, as this long-lived object's soon is; the young
    // values put in it then survive every young collection until the next full one, even
    // after the table is dropped. In parallel runs of 5891667 that was ~45% of what young
    // collections promoted (half of a worker's); the serial replay paid it too
    // (docs/executor.md, "Young tables for per-transaction Maps, and no pretenuring").
    if (this.local.size > 0) this.local = new Map();
    this.undo.length = 0;
    this.checkpoints.length = 0;
    if (this.credits.size > 0) this.credits = new Map();
    if (this.touchedSlots.size > 0) this.touchedSlots = new Map();
    this.reads = newReadSet();
    this.sourceFailure = undefined;
    this.armed = undefined;
    this.pendingDebit = undefined;
    if (this.debitGuards.size > 0) this.debitGuards = new Map();
  }

  /**
   * Forgets the last transaction (as `begin` does, on a source nothing reads through). Called when
   * a run ends (the serial replay's, a parallel run's on the main thread), so that this
   * long-lived TxState does not keep the finished run's state alive (a serial replay's
   * BlockState, a parallel run's multi-version memory) into the next run, where every
   * young-generation collection would copy it again.
   */
  release(): void {
    this.begin(this.txIndex, DETACHED);
  }

  /** The guards of this transaction's lazily served balance checks (valid after it ran; empty when none). */
  get guards(): StateGuard[] {
    if (this.debitGuards.size === 0) return NO_GUARDS;
    return Array.from(this.debitGuards, ([key, value]) => ({ key, atLeast: true, value }));
  }

  /**
   * A CALL from `address` is about to compare its balance with `value` (the interpreter's
   * _baseCall, evmPatches.ts): serve that comparison lazily when this transaction runs
   * lazily, the account is a contract whose code it ran (never empty), not the coinbase or
   * the lazy sender, and its balance has not been read here. Returns whether it is armed.
   */
  armBalanceCheck(address: Address, value: bigint): boolean {
    this.armed = undefined;
    if (!this.lazyDebits || this.lazy === undefined || this.codeDepth === 0) return false;
    const keys = this.keysOf(address);
    if (keys === this.coinbaseKeys || keys.balance === this.lazy.balanceKey || this.local.has(keys.balance)) return false;
    const code = this.local.get(keys.code);
    if (code === undefined || (code.value as CodeValue).bytes.length === 0) return false;
    this.armed = { keys, value };
    return true;
  }

  disarmBalanceCheck(): void {
    this.armed = undefined;
  }

  /** LazyAccount's balance getter: the armed check's placeholder, recording its guard, or undefined (read it). */
  serveBalanceCheck(keys: AccountKeys): bigint | undefined {
    const armed = this.armed;
    if (armed === undefined || armed.keys !== keys) return undefined;
    this.armed = undefined;
    const required = armed.value - (this.credits.get(keys.balance) ?? 0n);
    if (required > 0n && required > (this.debitGuards.get(keys.balance) ?? 0n)) this.debitGuards.set(keys.balance, required);
    this.pendingDebit = armed;
    return CHECK_BASE;
  }

  /** The debit of the CALL whose check was served lazily: a negative credit. False: debit it as usual. */
  debitLazily(address: Address, value: bigint): boolean {
    const pending = this.pendingDebit;
    this.pendingDebit = undefined;
    if (pending === undefined || pending.value !== value) return false;
    const keys = this.keysOf(address);
    if (pending.keys !== keys || this.local.has(keys.balance)) return false;
    this.addCredit(keys.balance, -value);
    return true;
  }

  /** The version this transaction saw when it read `key` from the source, or undefined when it has not read it. */
  readVersionOf(key: string): number | undefined {
    const entry = this.local.get(key);
    return entry === undefined || entry.version === NOT_READ || entry.version === LAZY ? undefined : entry.version;
  }

  /**
   * True when the account is certainly not empty without reading its nonce or balance:
   * this transaction credited it a positive amount; or it existed
   * before the block and no transaction so far created or deleted it (the existence read
   * saw the pre-state and this transaction did not change it), and its nonce before the
   * block was not zero. Nonces only grow while an account exists, so "not empty" cannot
   * change, and the emptiness checks ethereumjs makes on every touched account (EIP-161)
   * do not make a transaction depend on every earlier transaction of that sender.
   */
  knownNonEmpty(keys: AccountKeys): boolean {
    // A positive credit in this transaction: the balance is at least that, whatever it was.
    if (this.credits.size > 0 && (this.credits.get(keys.balance) ?? 0n) > 0n) return true;
    const existence = this.local.get(keys.exists);
    if (existence === undefined || existence.version !== PRE_STATE || existence.value !== true || existence.original !== true) return false;
    return (this.source.preValue(keys.nonce) as bigint) > 0n;
  }

  /** The read set so far (valid after begin). */
  get readSet(): ReadSet {
    return this.reads;
  }

  /** Ends a transaction: the write set (only values that changed). */
  finish(): WriteSet {
    const writes: WriteSet = { keys: [], values: [], creditKeys: [], creditDeltas: [] };
    const later: Array<[string, LocationValue]> = [];
    for (const [key, entry] of this.local) {
      if (entry.original !== UNKNOWN && valuesEqual(entry.value, entry.original)) continue;
      if (entry.version === LAZY && key === this.lazy!.balanceKey) {
        // The sender's balance change, relative to the placeholder: a commutative debit.
        writes.creditKeys.push(key);
        writes.creditDeltas.push((entry.value as bigint) - LAZY_BASE);
        continue;
      }
      if (key.charCodeAt(0) === 119 /* w */) {
        writes.keys.push(key);
        writes.values.push(entry.value);
      } else {
        later.push([key, entry.value]);
      }
    }
    for (const [key, value] of later) {
      writes.keys.push(key);
      writes.values.push(value);
    }
    for (const [key, delta] of this.credits) {
      // A contract paid and paying back the same amount (a router passing on ether) changed nothing.
      if (delta === 0n) continue;
      writes.creditKeys.push(key);
      writes.creditDeltas.push(delta);
    }
    return writes;
  }

  keysFor(address: string): AccountKeys {
    let keys = this.keysCache.get(address);
    if (keys === undefined) {
      keys = accountKeys(address);
      this.keysCache.set(address, keys);
    }
    return keys;
  }

  /**
   * The keys of an ethereumjs Address, found by its bytes: its last four bytes pick the
   * entry and all twenty are compared, so no string is built per call. Every state
   * access names its account this way (16 calls per plain transfer, 56 per transaction
   * of 19933597), and `address.toString()` builds the hex string piece by piece (a cons
   * string V8 then flattens to hash it): keysFor and toString were ~9% of a worker's
   * time on 12300570 (CPU profile), and their garbage more. A second address with the
   * same last bytes takes the string path. Not a WeakMap by Address object: ethereumjs
   * makes new Address objects all the time, and weak entries slowed every collection
   * (reverted in 4cbb20f: parallel ×1.100).
   */
  keysOf(address: Address): AccountKeys {
    const bytes = address.bytes;
    const tail = ((bytes[16]! & 0x3f) << 24) | (bytes[17]! << 16) | (bytes[18]! << 8) | bytes[19]!;
    const hit = this.keysByBytes.get(tail);
    if (hit !== undefined && sameBytes(hit.bytes, bytes)) return hit.keys;
    const keys = this.keysFor(address.toString());
    if (hit === undefined) this.keysByBytes.set(tail, { bytes: bytes.slice(), keys });
    return keys;
  }

  // ---- the per-read path -------------------------------------------------------------

  /** The current value of a location for this transaction; the first read goes to the source and is recorded. */
  readLocal(key: string): LocationValue {
    const entry = this.local.get(key);
    if (entry !== undefined) {
      if (entry.version === LAZY && this.codeDepth > 0) this.lazyViolated = true;
      return entry.value;
    }
    if (this.lazy !== undefined) {
      if (key === this.lazy.balanceKey) return this.serveLazily(key, LAZY_BASE);
      if (key === this.lazy.nonceKey) return this.serveLazily(key, this.lazy.nonce);
    }
    let value: LocationValue;
    try {
      value = this.source.read(key, this.txIndex);
    } catch (error) {
      // ethereumjs swallows some errors thrown inside balance updates; remember the
      // first one so the runner can rethrow it whatever ethereumjs did with it.
      this.sourceFailure ??= error;
      throw error;
    }
    const version = this.source.lastVersion;
    this.reads.keys.push(key);
    this.reads.versions.push(version);
    if (version === SUMMED) {
      this.reads.summed.set(key, { value: value as bigint, contributors: this.source.lastContributors ?? [] });
    }
    const pending = this.credits.size === 0 ? undefined : this.credits.get(key);
    if (pending !== undefined) {
      // A balance this transaction credited is read after all: from here on it is an
      // ordinary read and write (journaled, so a revert brings the credit back).
      const credited = (value as bigint) + pending;
      this.local.set(key, { value: credited, original: value, version });
      this.undo.push({ key, entry: undefined, prev: ABSENT, credit: false });
      this.undo.push({ key, entry: undefined, prev: pending, credit: true });
      this.credits.delete(key);
      return credited;
    }
    this.local.set(key, { value, original: value, version });
    return value;
  }

  /** A lazily updated sender field: served without reading the source, and not recorded as read. */
  private serveLazily(key: string, value: bigint): bigint {
    if (this.codeDepth > 0) this.lazyViolated = true;
    this.local.set(key, { value, original: value, version: LAZY });
    return value;
  }

  /**
   * A value transfer into `address` as a commutative credit, when this transaction has
   * not read that balance (then nothing it did depends on it). Transfers to the coinbase
   * stay ordinary reads and writes. Returns false when the caller must add normally.
   */
  creditBalance(address: string, amount: bigint): boolean {
    const keys = this.keysFor(address);
    if (keys === this.coinbaseKeys) return false;
    const entry = this.local.get(keys.balance);
    if (entry !== undefined) {
      // A payment back to a lazily updated sender (a router returning ether): it adds to the
      // placeholder, so it joins the sender's debit as the transaction's net credit.
      if (entry.version !== LAZY) return false;
      this.write(keys.balance, (entry.value as bigint) + amount);
      return true;
    }
    this.addCredit(keys.balance, amount);
    return true;
  }

  private addCredit(key: string, delta: bigint): void {
    const prev = this.credits.get(key) ?? 0n;
    this.undo.push({ key, entry: undefined, prev, credit: true });
    this.credits.set(key, prev + delta);
  }

  private write(key: string, value: LocationValue, originalIfBlind: LocationValue | typeof UNKNOWN = UNKNOWN): void {
    if (this.credits.size > 0 && this.credits.has(key)) {
      // A blind write (deletion) replaces whatever was credited before it.
      this.undo.push({ key, entry: undefined, prev: this.credits.get(key)!, credit: true });
      this.credits.delete(key);
    }
    const entry = this.local.get(key);
    if (entry === undefined) {
      this.local.set(key, { value, original: originalIfBlind, version: NOT_READ });
      this.undo.push({ key, entry: undefined, prev: ABSENT, credit: false });
      return;
    }
    if (valuesEqual(entry.value, value)) return;
    this.undo.push({ key, entry, prev: entry.value, credit: false });
    entry.value = value;
  }

  /**
   * Writes an account field. When the transaction saw that the account did not exist,
   * the field's original is known (the empty default) even without reading it.
   */
  private writeField(keys: AccountKeys, key: string, value: LocationValue): void {
    if (!this.local.has(key)) {
      const existence = this.local.get(keys.exists);
      if (existence !== undefined && existence.original === false) {
        this.write(key, value, defaultValue(locationKind(key)));
        return;
      }
    }
    this.write(key, value);
  }

  private storageRead(keys: AccountKeys, key: string): Uint8Array {
    const entry = this.local.get(key);
    if (entry !== undefined) return entry.value as Uint8Array;
    // The first storage access of an account also reads its wipe marker, so that a
    // transaction that clears this account's storage is seen as a dependency.
    const wipe = this.local.get(keys.wipe);
    if (wipe === undefined) {
      this.readLocal(keys.wipe);
    } else if (wipe.value === this.wipeToken()) {
      return ZERO_BYTES; // wiped earlier in this transaction
    }
    this.noteSlot(keys, key);
    return this.readLocal(key) as Uint8Array;
  }

  private noteSlot(keys: AccountKeys, key: string): void {
    const list = this.touchedSlots.get(keys);
    if (list === undefined) this.touchedSlots.set(keys, [key]);
    else list.push(key);
  }

  private wipeToken(): number {
    return this.txIndex + 1;
  }

  private wipe(keys: AccountKeys): void {
    this.write(keys.wipe, this.wipeToken());
    const slots = this.touchedSlots.get(keys);
    if (slots !== undefined) for (const key of slots) this.write(key, ZERO_BYTES);
  }

  // ---- StateManagerInterface ------------------------------------------------------------

  async getAccount(address: Address): Promise<Account | undefined> {
    const keys = this.keysOf(address);
    if (this.phase === 'post' && keys === this.coinbaseKeys && !this.local.has(keys.balance)) {
      // The fee credit (see the module comment).
      if (this.readLocal(keys.exists) !== true) return undefined;
      return new LazyAccount(this, keys, CREDIT_BASE);
    }
    if (this.readLocal(keys.exists) !== true) return undefined;
    return new LazyAccount(this, keys);
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    const keys = this.keysOf(address);
    if (account === undefined) return this.deleteAccount(address);
    if (account instanceof LazyAccount && account.owner === this && account.keys === keys) {
      if (account.creditBase !== undefined && !this.local.has(keys.balance)) {
        this.credit(keys, account.balance - account.creditBase);
      } else if (account.hasBalance()) {
        this.writeField(keys, keys.balance, account.balance);
      }
      if (account.hasNonce()) this.writeField(keys, keys.nonce, account.nonce);
      return;
    }
    // A fresh Account object: every field is given.
    this.write(keys.exists, true);
    this.writeField(keys, keys.nonce, account.nonce);
    this.writeField(keys, keys.balance, account.balance);
  }

  private credit(keys: AccountKeys, delta: bigint): void {
    if (delta === 0n && this.deletesEmptyAccounts) {
      // A zero fee still touches the coinbase, and an empty coinbase must then be
      // deleted: read the real balance so the empty check that follows is exact.
      this.readLocal(keys.balance);
      return;
    }
    this.addCredit(keys.balance, delta);
  }

  async deleteAccount(address: Address): Promise<void> {
    const keys = this.keysOf(address);
    // EIP-161 cleanup deletes touched accounts that do not exist at all (precompiles):
    // nothing to write then, and nothing must be recorded as written.
    if (this.readLocal(keys.exists) === false && this.local.get(keys.exists)!.original === false) return;
    this.write(keys.exists, false);
    this.writeField(keys, keys.balance, 0n);
    this.writeField(keys, keys.nonce, 0n);
    this.writeField(keys, keys.code, EMPTY_CODE);
    this.wipe(keys);
  }

  async modifyAccountFields(address: Address, fields: { nonce?: bigint; balance?: bigint }): Promise<void> {
    const account = (await this.getAccount(address)) ?? new Account();
    if (fields.nonce !== undefined) account.nonce = fields.nonce;
    if (fields.balance !== undefined) account.balance = fields.balance;
    await this.putAccount(address, account);
  }

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const keys = this.keysOf(address);
    this.writeField(keys, keys.code, value.length === 0 ? EMPTY_CODE : new CodeValue(value));
  }

  async getCode(address: Address): Promise<Uint8Array> {
    return (this.readLocal(this.keysOf(address).code) as CodeValue).bytes;
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length;
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const keys = this.keysOf(address);
    return this.storageRead(keys, keys.storagePrefix + bytesToHex(key));
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const keys = this.keysOf(address);
    const slotKey = keys.storagePrefix + bytesToHex(key);
    if (!this.local.has(slotKey)) this.noteSlot(keys, slotKey);
    this.write(slotKey, stripZeros(value));
  }

  async clearStorage(address: Address): Promise<void> {
    this.wipe(this.keysOf(address));
  }

  readonly originalStorageCache = {
    get: async (address: Address, key: Uint8Array): Promise<Uint8Array> => {
      const keys = this.keysOf(address);
      const slotKey = keys.storagePrefix + bytesToHex(key);
      const entry = this.local.get(slotKey);
      if (entry !== undefined && entry.original !== UNKNOWN) return entry.original as Uint8Array;
      if (entry !== undefined) return ZERO_BYTES; // blind write after a wipe in this transaction
      return this.storageRead(keys, slotKey);
    },
    clear: (): void => {},
  };

  async checkpoint(): Promise<void> {
    this.checkpoints.push(this.undo.length);
  }

  async commit(): Promise<void> {
    this.checkpoints.pop();
    if (this.checkpoints.length === 0) this.undo.length = 0;
  }

  async revert(): Promise<void> {
    const mark = this.checkpoints.pop() ?? 0;
    for (let i = this.undo.length - 1; i >= mark; i--) {
      const record = this.undo[i]!;
      if (record.credit) {
        if (record.prev === 0n) this.credits.delete(record.key);
        else this.credits.set(record.key, record.prev as bigint);
      } else if (record.prev === ABSENT) {
        this.local.delete(record.key);
      } else {
        record.entry!.value = record.prev as LocationValue;
      }
    }
    this.undo.length = mark;
  }

  /** A partial state has no real root. Only pre-Byzantium receipts ask for one, and those are not verified. */
  async getStateRoot(): Promise<Uint8Array> {
    return new Uint8Array(32);
  }
  async setStateRoot(): Promise<void> {
    throw new Error('stm state does not support setStateRoot');
  }
  async hasStateRoot(): Promise<boolean> {
    return false;
  }
  clearCaches(): void {}
  shallowCopy(): StateManagerInterface {
    throw new Error('stm state does not support shallowCopy');
  }
}

const NO_GUARDS: StateGuard[] = [];

/** The source of a TxState between runs (release): no transaction reads through it. */
const DETACHED: StateSource = {
  lastVersion: 0,
  lastContributors: undefined,
  read(): never {
    throw new Error('TxState: no transaction is running (released)');
  },
  preValue(): never {
    throw new Error('TxState: no transaction is running (released)');
  },
};

function newReadSet(): ReadSet {
  return { keys: [], versions: [], summed: new Map() };
}

/** Whether two 20-byte addresses are equal (compared from the end, where they differ). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 19; i >= 0; i--) if (a[i] !== b[i]) return false;
  return a.length === b.length;
}
