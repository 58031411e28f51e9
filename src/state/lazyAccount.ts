/**
 * An ethereumjs Account whose fields are read from the transaction's state only when
 * the EVM looks at them. ethereumjs asks for whole accounts (getAccount) where it needs
 * one field, so eager loading would record reads of balance, nonce and code on every
 * CALL target, and a transaction that only calls a contract would "depend" on every
 * earlier transaction that moved ETH into it. With lazy fields a read is recorded only
 * for the field actually used, and what the EVM did not look at cannot have influenced it.
 *
 * `isEmpty` checks code, then nonce, then balance: the same answer, but a contract is
 * known non-empty from its code alone, without reading its balance; and an account that
 * existed before the block with a non-zero nonce is non-empty without reading anything
 * more (TxState.knownNonEmpty).
 */
import { Account, KECCAK256_NULL, KECCAK256_RLP, equalsBytes } from '@ethereumjs/util';
import type { AccountKeys, CodeValue } from './locations.js';

/** What a LazyAccount needs from the state that made it. */
export interface AccountFieldReader {
  readLocal(key: string): unknown;
  /** A balance comparison served without reading the balance (TxState.serveBalanceCheck), else undefined. */
  serveBalanceCheck(keys: AccountKeys): bigint | undefined;
  /** True when the account cannot be empty whatever earlier transactions did (no read recorded). */
  knownNonEmpty(keys: AccountKeys): boolean;
}

export class LazyAccount extends Account {
  constructor(
    readonly owner: AccountFieldReader,
    readonly keys: AccountKeys,
    /** Set for the coinbase placeholder of a fee credit (see TxState). */
    readonly creditBase?: bigint,
  ) {
    super(null as unknown as bigint, null as unknown as bigint, null as unknown as Uint8Array, null as unknown as Uint8Array, null as unknown as number, null as unknown as number);
    if (creditBase !== undefined) this._balance = creditBase;
  }

  override get nonce(): bigint {
    if (this._nonce === null) this._nonce = this.owner.readLocal(this.keys.nonce) as bigint;
    return this._nonce;
  }
  override set nonce(value: bigint) {
    this._nonce = value;
  }
  override get balance(): bigint {
    if (this._balance === null) {
      // One comparison a CALL makes may be served lazily (not kept: every other access reads).
      const served = this.owner.serveBalanceCheck(this.keys);
      if (served !== undefined) return served;
      this._balance = this.owner.readLocal(this.keys.balance) as bigint;
    }
    return this._balance;
  }
  override set balance(value: bigint) {
    this._balance = value;
  }
  override get codeHash(): Uint8Array {
    if (this._codeHash === null) this._codeHash = (this.owner.readLocal(this.keys.code) as CodeValue).hash;
    return this._codeHash;
  }
  override set codeHash(value: Uint8Array) {
    this._codeHash = value;
  }
  override get codeSize(): number {
    if (this._codeSize === null) this._codeSize = (this.owner.readLocal(this.keys.code) as CodeValue).bytes.length;
    return this._codeSize;
  }
  override set codeSize(value: number) {
    this._codeSize = value;
  }
  /** The data holds only accessed slots, not a storage root; see docs/architecture.md. */
  override get storageRoot(): Uint8Array {
    return this._storageRoot ?? KECCAK256_RLP;
  }
  override set storageRoot(value: Uint8Array) {
    this._storageRoot = value;
  }
  override get version(): number {
    return this._version ?? 0;
  }
  override set version(value: number) {
    this._version = value;
  }
  override isContract(): boolean {
    return !equalsBytes(this.codeHash, KECCAK256_NULL);
  }
  override isEmpty(): boolean {
    // Fields already in hand first (no new read), then facts that need no read at all.
    if ((this._balance !== null && this._balance !== 0n) || (this._nonce !== null && this._nonce !== 0n)) return false;
    if (this._nonce === null && this._balance === null && this.owner.knownNonEmpty(this.keys)) return false;
    return equalsBytes(this.codeHash, KECCAK256_NULL) && this.nonce === 0n && this.balance === 0n;
  }
  /** True when the field was loaded or set on this object (so putAccount must store it). */
  hasNonce(): boolean {
    return this._nonce !== null;
  }
  hasBalance(): boolean {
    return this._balance !== null;
  }
}
