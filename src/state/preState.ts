/**
 * The pre-block state: an immutable map from location key to value, built once per block
 * from prestate.json (geth prestateTracer form). Accounts listed there exist; everything
 * else does not. A slot that is not listed reads as zero: when the data lacks a slot a
 * transaction needs, the replay diverges and verification reports it.
 */
import { hexToBytes } from '@ethereumjs/util';
import type { Prestate } from '../data/blockData.js';
import { CodeValue, EMPTY_CODE, defaultValue, locationKind, stripZeros, type LocationValue } from './locations.js';

export class PreState {
  private readonly values = new Map<string, LocationValue>();
  readonly accountCount: number;
  readonly slotCount: number;

  constructor(prestate: Prestate) {
    let slots = 0;
    const accounts = Object.entries(prestate);
    for (const [rawAddress, account] of accounts) {
      const address = rawAddress.toLowerCase();
      this.values.set('e:' + address, true);
      this.values.set('b:' + address, BigInt(account.balance ?? '0x0'));
      this.values.set('n:' + address, BigInt(account.nonce ?? 0));
      const code = account.code;
      this.values.set('c:' + address, code === undefined || code === '0x' ? EMPTY_CODE : new CodeValue(hexToBytes(code as `0x${string}`)));
      if (account.storage !== undefined) {
        for (const [slot, value] of Object.entries(account.storage)) {
          this.values.set('s:' + address + ':' + normalizeSlot(slot), stripZeros(hexToBytes(padHex(value))));
          slots++;
        }
      }
    }
    this.accountCount = accounts.length;
    this.slotCount = slots;
  }

  /** True when the data lists this location (an account or slot the block touches). */
  lists(key: string): boolean {
    return this.values.has(key);
  }

  /** Changes a location before any transaction runs (system writes: the EIP-4788 beacon root). */
  override(key: string, value: LocationValue): void {
    this.values.set(key, value);
  }

  /** The value of a location before the block. */
  get(key: string): LocationValue {
    const value = this.values.get(key);
    return value === undefined ? defaultValue(locationKind(key)) : value;
  }
}

function padHex(value: string): `0x${string}` {
  const digits = value.slice(2);
  return `0x${digits.length % 2 === 1 ? '0' + digits : digits}`;
}

/** Slots as keys: 0x + 64 lower-case hex digits, the form bytesToHex gives a 32-byte key. */
export function normalizeSlot(slot: string): string {
  return '0x' + slot.slice(2).toLowerCase().padStart(64, '0');
}
