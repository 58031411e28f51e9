/**
 * The block-level access list (EIP-7928) of a block, built from what the serial replay
 * recorded: the prelude's system writes, each transaction's read and write sets, and the
 * epilogue's credits. It runs after the replay, over the recorded sets, so the replay
 * itself pays nothing for it.
 *
 * The EIP's rules, as they map onto stm's locations (src/state/locations.ts):
 *   - indices: 0 = the prelude (EIP-4788 beacon root, EIP-2935 parent hash), 1..n = the
 *     transactions (stm's transaction i is index i + 1), n + 1 = the epilogue
 *     (withdrawals, block rewards);
 *   - an account is listed when any of its locations was read, written or credited at any
 *     index (and the system contracts the prelude addresses, with or without code);
 *   - a balance, nonce or code change is recorded at an index when the value after that
 *     index differs from the value before it: a balance that nets to zero within a
 *     transaction is no change, but the account stays listed; commutative credits (the
 *     coinbase fee) count at the value they sum to;
 *   - a storage slot is a change at an index when its value after the index differs from
 *     the value before; a write that restores the pre-value, or a reverted write, is a
 *     read; slots read and never changed in the block are storage reads;
 *   - existence and storage-wipe markers have no field: they only make an account listed.
 * Encoding, ordering, hashing and validation are ethereumjs's BlockLevelAccessList.
 */
import { bigIntToHex, bytesToHex, createBlockLevelAccessListFromJSON, type BALJSONBlockAccessList, type BlockLevelAccessList } from '@ethereumjs/util';
import type { BlockContext } from '../exec/blockContext.js';
import type { SerialRun } from '../exec/serialExecutor.js';
import { epilogueCredits } from '../exec/systemOps.js';
import { CodeValue, ZERO_BYTES, locationAddress, valuesEqual, type LocationValue } from '../state/locations.js';
import type { WriteSet } from '../state/txState.js';

/** What one account accumulates while the list is built. */
interface AccountBuild {
  /** slot (minimal hex) -> [index, post-value (minimal hex)] */
  storageChanges: Map<string, Array<[number, string]>>;
  storageReads: Set<string>;
  balanceChanges: Array<[number, bigint]>;
  nonceChanges: Array<[number, bigint]>;
  codeChanges: Array<[number, Uint8Array]>;
}

/** The inputs: the block's context and one serial run of it. */
export interface BalSource {
  ctx: BlockContext;
  run: SerialRun;
}

export function buildBlockAccessList(source: BalSource): BlockLevelAccessList {
  return createBlockLevelAccessListFromJSON(buildBlockAccessListJSON(source));
}

/** The list in ethereumjs's JSON form (Engine API field names, hex values). */
export function buildBlockAccessListJSON({ ctx, run }: BalSource): BALJSONBlockAccessList {
  const builder = new Builder(ctx);
  builder.prelude();
  run.txs.forEach((tx, i) => builder.transaction(i + 1, tx.reads.keys, tx.writes));
  const n = run.txs.length;
  const credited = epilogueCredits(ctx.common, ctx.block, ctx.data.block.uncles?.length ?? 0).map(([address]) => address.toString());
  builder.transaction(n + 1, credited.map((address) => 'e:' + address), run.epilogue);
  return builder.toJSON();
}

class Builder {
  private readonly accounts = new Map<string, AccountBuild>();
  /** Values written so far in the block (over the pre-state). */
  private readonly current = new Map<string, LocationValue>();
  /** Storage keys written so far, per account (a wipe zeroes them). */
  private readonly slotsOf = new Map<string, Set<string>>();
  /** Accounts whose storage some transaction wiped: unwritten slots read zero. */
  private readonly wiped = new Set<string>();

  constructor(private readonly ctx: BlockContext) {}

  prelude(): void {
    for (const address of this.ctx.prelude.addressed) this.account(address);
    for (const { key, before, value } of this.ctx.prelude.writes) {
      // The prelude is already in the pre-state; its "before" is the value the data gave.
      const account = this.account(locationAddress(key));
      const slot = slotOf(key);
      if (valuesEqual(before, value)) account.storageReads.add(slot);
      else addStorageChange(account, slot, 0, value as Uint8Array);
    }
  }

  /** One index: every location it touched lists its account; its changes are recorded. */
  transaction(index: number, readKeys: string[], writes: WriteSet): void {
    for (const key of readKeys) {
      const account = this.account(locationAddress(key));
      if (key.charCodeAt(0) === 115 /* s */) account.storageReads.add(slotOf(key));
    }
    // Every change is against the value before the index: read them all before applying
    // any (a wipe comes first in a write set, and must not hide what a slot held before).
    const befores = writes.keys.map((key) => this.valueOf(key));
    for (let i = 0; i < writes.keys.length; i++) {
      const key = writes.keys[i]!;
      const value = writes.values[i]!;
      const account = this.account(locationAddress(key));
      const before = befores[i]!;
      this.set(key, value);
      switch (key.charCodeAt(0)) {
        case 115 /* s */:
          if (valuesEqual(before, value)) account.storageReads.add(slotOf(key));
          else addStorageChange(account, slotOf(key), index, value as Uint8Array);
          break;
        case 98 /* b */:
          if (before !== value) account.balanceChanges.push([index, value as bigint]);
          break;
        case 110 /* n */:
          if (before !== value) account.nonceChanges.push([index, value as bigint]);
          break;
        case 99 /* c */:
          if (!valuesEqual(before, value)) account.codeChanges.push([index, (value as CodeValue).bytes]);
          break;
        case 119 /* w */:
          this.wipe(locationAddress(key));
          break;
      }
    }
    for (let i = 0; i < writes.creditKeys.length; i++) {
      const key = writes.creditKeys[i]!;
      const delta = writes.creditDeltas[i]!;
      const account = this.account(locationAddress(key));
      const after = (this.valueOf(key) as bigint) + delta;
      this.set(key, after);
      if (delta !== 0n) account.balanceChanges.push([index, after]);
    }
  }

  toJSON(): BALJSONBlockAccessList {
    const out: BALJSONBlockAccessList = [];
    for (const address of [...this.accounts.keys()].sort()) {
      const account = this.accounts.get(address)!;
      const slots = [...account.storageChanges.keys()].sort(compareSlots);
      out.push({
        address: address as `0x${string}`,
        storageChanges: slots.map((slot) => ({
          slot: slot as `0x${string}`,
          slotChanges: account.storageChanges.get(slot)!.map(([index, value]) => ({ blockAccessIndex: indexHex(index), postValue: value as `0x${string}` })),
        })),
        storageReads: [...account.storageReads].filter((slot) => !account.storageChanges.has(slot)).sort(compareSlots) as `0x${string}`[],
        balanceChanges: account.balanceChanges.map(([index, value]) => ({ blockAccessIndex: indexHex(index), postBalance: quantityHex(value) })),
        nonceChanges: account.nonceChanges.map(([index, value]) => ({ blockAccessIndex: indexHex(index), postNonce: quantityHex(value) })),
        codeChanges: account.codeChanges.map(([index, code]) => ({ blockAccessIndex: indexHex(index), newCode: bytesToHex(code) })),
      });
    }
    return out;
  }

  private account(address: string): AccountBuild {
    let account = this.accounts.get(address);
    if (account === undefined) {
      account = { storageChanges: new Map(), storageReads: new Set(), balanceChanges: [], nonceChanges: [], codeChanges: [] };
      this.accounts.set(address, account);
    }
    return account;
  }

  private valueOf(key: string): LocationValue {
    const value = this.current.get(key);
    if (value !== undefined) return value;
    if (key.charCodeAt(0) === 115 /* s */ && this.wiped.has(locationAddress(key))) return ZERO_BYTES;
    return this.ctx.pre.get(key);
  }

  private set(key: string, value: LocationValue): void {
    this.current.set(key, value);
    if (key.charCodeAt(0) === 115 /* s */) {
      const address = locationAddress(key);
      let slots = this.slotsOf.get(address);
      if (slots === undefined) this.slotsOf.set(address, (slots = new Set()));
      slots.add(key);
    }
  }

  /** As BlockState does: every slot of the account reads zero from here on, until written again. */
  private wipe(address: string): void {
    this.wiped.add(address);
    for (const key of this.slotsOf.get(address) ?? []) this.current.delete(key);
    this.slotsOf.delete(address);
  }
}

function addStorageChange(account: AccountBuild, slot: string, index: number, value: Uint8Array): void {
  let changes = account.storageChanges.get(slot);
  if (changes === undefined) account.storageChanges.set(slot, (changes = []));
  changes.push([index, bytesToHex(value)]);
}

/** A storage key's slot as the list writes it: minimal big-endian hex ("0x" for slot 0). */
export function slotOf(key: string): string {
  const hex = key.slice(47); // after "s:<address>:0x"
  let i = 0;
  while (i < hex.length - 1 && hex[i] === '0' && hex[i + 1] === '0') i += 2;
  return '0x' + hex.slice(i);
}

function compareSlots(a: string, b: string): number {
  // Minimal hex of equal-width integers: shorter is smaller, then lexicographic.
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function indexHex(index: number): `0x${string}` {
  const hex = index.toString(16);
  return `0x${hex.length % 2 === 1 ? '0' + hex : hex}`;
}

function quantityHex(value: bigint): `0x${string}` {
  if (value === 0n) return '0x';
  const hex = bigIntToHex(value).slice(2);
  return `0x${hex.length % 2 === 1 ? '0' + hex : hex}`;
}
