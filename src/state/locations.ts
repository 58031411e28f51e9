/**
 * State locations: the unit of read/write tracking, dependency edges and conflicts.
 *
 * A location is a string key: a one-letter kind, a colon, the lower-case 0x address, and
 * for storage a colon and the 0x 32-byte slot. Strings keep keys usable as Map keys in
 * every thread and cheap to send between threads. Kinds:
 *   b  balance            n  nonce            c  code (bytes; the code hash derives from it)
 *   e  existence (does the account exist; written on creation and deletion)
 *   w  storage wipe marker (written when an account's storage is cleared: self-destruct,
 *      deletion, re-creation; its value identifies the wiping transaction)
 *   s  storage slot
 * Field-level keys mean a transaction that only reads a contract's code does not depend
 * on a transaction that only moved ETH into it.
 */
import { keccak_256 as keccak256 } from '@noble/hashes/sha3.js';

export type LocationKind = 'b' | 'n' | 'c' | 'e' | 'w' | 's';

export const ZERO_BYTES = new Uint8Array(0);

/** Contract code with its hash computed at most once. Immutable; shared between views. */
export class CodeValue {
  private hashCache: Uint8Array | undefined;
  constructor(readonly bytes: Uint8Array, hash?: Uint8Array) {
    this.hashCache = hash;
  }
  get hash(): Uint8Array {
    if (this.hashCache === undefined) this.hashCache = keccak256(this.bytes);
    return this.hashCache;
  }
  equals(other: CodeValue): boolean {
    return this === other || bytesEqual(this.bytes, other.bytes);
  }
}
export const EMPTY_CODE = new CodeValue(ZERO_BYTES);

/** Value types by kind: b,n -> bigint; c -> CodeValue; e -> boolean; w -> number; s -> Uint8Array (no leading zeros). */
export type LocationValue = bigint | CodeValue | boolean | number | Uint8Array;

/** The precomputed keys of one account (built once per address per block). */
export interface AccountKeys {
  address: string;
  balance: string;
  nonce: string;
  code: string;
  exists: string;
  wipe: string;
  /** Prefix of this account's storage keys: `s:<address>:`. */
  storagePrefix: string;
}

export function accountKeys(address: string): AccountKeys {
  return {
    address,
    balance: 'b:' + address,
    nonce: 'n:' + address,
    code: 'c:' + address,
    exists: 'e:' + address,
    wipe: 'w:' + address,
    storagePrefix: 's:' + address + ':',
  };
}

export function storageKey(address: string, slotHex: string): string {
  return 's:' + address + ':' + slotHex;
}

export function locationKind(key: string): LocationKind {
  return key[0] as LocationKind;
}

/** The address part of any location key. */
export function locationAddress(key: string): string {
  return key.slice(2, 44);
}

/** The slot of a storage key (undefined for account fields). */
export function locationSlot(key: string): string | undefined {
  return key[0] === 's' ? key.slice(45) : undefined;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Strips leading zero bytes (storage values are kept minimal, as ethereumjs returns them). */
export function stripZeros(value: Uint8Array): Uint8Array {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  return i === 0 ? value : value.subarray(i);
}

/** Equality of two values of the same kind. */
export function valuesEqual(a: LocationValue, b: LocationValue): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return bytesEqual(a, b);
  if (a instanceof CodeValue && b instanceof CodeValue) return a.equals(b);
  return false;
}

/** The value a location has when the account does not exist / the slot is empty. */
export function defaultValue(kind: LocationKind): LocationValue {
  switch (kind) {
    case 'b':
    case 'n':
      return 0n;
    case 'c':
      return EMPTY_CODE;
    case 'e':
      return false;
    case 'w':
      return 0;
    case 's':
      return ZERO_BYTES;
  }
}

/** A human-readable description of a location, for tables ("storage 0xabc…:0x01", "balance 0xabc…"). */
export function describeLocation(key: string): string {
  const names: Record<LocationKind, string> = { b: 'balance', n: 'nonce', c: 'code', e: 'existence', w: 'storage-wipe', s: 'slot' };
  const kind = locationKind(key);
  const slot = locationSlot(key);
  return slot === undefined ? `${names[kind]} ${locationAddress(key)}` : `${locationAddress(key)} slot ${slot}`;
}
