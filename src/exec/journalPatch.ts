/**
 * ethereumjs's Journal (warm addresses and slots, touched accounts, per-checkpoint diffs)
 * without its per-transaction allocation; the same behaviour, applied once per process by
 * applyEvmPatches (evmPatches.ts).
 *
 * A plain transfer calls cleanJournal three or four times (runTx's cleanup at its start and
 * the EIP-161 cleanup at its end, runTx's `finally`, ReplayVm before each transaction), and
 * checkpoint and commit twice each; every call built a fresh diff (two Sets, a Map, two
 * arrays) or a fresh journal (two Maps, a Set and a diff), nearly all of them never written
 * to, and cleanup rebuilt every touched account's Address from its hex string. Together
 * ~9 KB of the ~37 KB a payout block's transfer allocates in a serial replay (5891667, the
 * inspector's sampling heap profiler), which the young generation's collections then scan.
 *
 * Here:
 * - a checkpoint's or commit's diff starts as a shared empty one (EMPTY_DIFF, never
 *   written) and gets its own Sets and Map on its first write (ownDiff: touchAccount,
 *   addWarmedAddress, addWarmedStorage are the only writers; revert only reads diffs);
 * - checkpoint and commit return the state manager's promise instead of awaiting it in an
 *   async function of their own (every caller awaits them);
 * - cleanJournal keeps a journal's Maps and Set when they are already empty;
 * - touchAddress remembers the Address it was given, and cleanup looks the account up by
 *   that Address (an Address's bytes are never changed in place) instead of decoding hex.
 * A journal that reports access lists or preimages behaves exactly as before (those paths
 * call ethereumjs's own code). test/exec/journalPatch.test.ts runs ethereumjs's journal
 * and this one side by side.
 */
import { Hardfork } from '@ethereumjs/common';
import { Address, bytesToUnprefixedHex, hexToBytes } from '@ethereumjs/util';

type Diff = [Set<string>, Map<string, Set<string>>, Set<string>];

interface JournalLike {
  journalHeight: number;
  journal: Map<string, Set<string>>;
  alwaysWarmJournal: Map<string, Set<string>>;
  touched: Set<string>;
  journalDiff: Array<[number, Diff]>;
  accessList?: Map<string, Set<string>>;
  preimages?: Map<string, Uint8Array>;
  stateManager: { checkpoint(): Promise<void>; commit(): Promise<void>; getAccount(address: Address): Promise<{ isEmpty(): boolean } | undefined> };
  common: { gteHardfork(hardfork: Hardfork): boolean };
  DEBUG: boolean;
  _debug(message: string): void;
  touchAccount(address: string): void;
  addWarmedAddress(address: Uint8Array): void;
  deleteAccount(address: Address): Promise<void>;
  cleanJournal(): void;
  checkpoint(): Promise<void>;
  commit(): Promise<void>;
  /** The Address each touched account was touched with (touchAddress), by unprefixed hex. */
  stmTouched?: Map<string, Address>;
}

/** The diff of a checkpoint nothing has written to yet: shared, never written (ownDiff replaces it first). */
const EMPTY_DIFF: Diff = Object.freeze([new Set<string>(), new Map<string, Set<string>>(), new Set<string>()]) as unknown as Diff;

/** The current (top) diff, given Sets and a Map of its own if it still has the shared empty one. */
function ownDiff(journal: JournalLike): Diff {
  const top = journal.journalDiff[journal.journalDiff.length - 1]!;
  if (top[1] === EMPTY_DIFF) top[1] = [new Set(), new Map(), new Set()];
  return top[1];
}

export function patchJournal(proto: JournalLike): void {
  const { touchAccount, addWarmedAddress, addWarmedStorage, cleanup } = proto as unknown as Record<string, (...args: never[]) => unknown>;
  if ([touchAccount, addWarmedAddress, addWarmedStorage, cleanup, proto.cleanJournal, proto.checkpoint, proto.commit].some((f) => typeof f !== 'function')) return; // a different ethereumjs: run unpatched

  proto.checkpoint = function (this: JournalLike): Promise<void> {
    this.journalHeight++;
    this.journalDiff.push([this.journalHeight, EMPTY_DIFF]);
    return this.stateManager.checkpoint();
  };
  proto.commit = function (this: JournalLike): Promise<void> {
    this.journalHeight--;
    this.journalDiff.push([this.journalHeight, EMPTY_DIFF]);
    return this.stateManager.commit();
  };

  proto.cleanJournal = function (this: JournalLike): void {
    this.journalHeight = 0;
    if (this.journal === undefined || this.journal.size > 0) this.journal = new Map();
    if (this.alwaysWarmJournal === undefined || this.alwaysWarmJournal.size > 0) this.alwaysWarmJournal = new Map();
    if (this.touched === undefined || this.touched.size > 0) this.touched = new Set();
    if (this.stmTouched !== undefined && this.stmTouched.size > 0) this.stmTouched = new Map();
    const diff = this.journalDiff;
    if (diff === undefined || diff.length !== 1 || diff[0]![0] !== 0 || diff[0]![1] !== EMPTY_DIFF) this.journalDiff = [[0, EMPTY_DIFF]];
  };

  proto.touchAccount = function (this: JournalLike, address: string): void {
    if (this.preimages !== undefined) {
      if (!this.touched.has(address)) ownDiff(this);
      return touchAccount.call(this, address as never) as void;
    }
    if (!this.touched.has(address)) {
      this.touched.add(address);
      ownDiff(this)[2].add(address);
    }
  };
  (proto as unknown as { touchAddress(address: Address): void }).touchAddress = function (this: JournalLike, address: Address): void {
    const hex = address.toString().slice(2);
    if (!this.touched.has(hex)) (this.stmTouched ??= new Map()).set(hex, address);
    this.touchAccount(hex);
  };

  proto.addWarmedAddress = function (this: JournalLike, bytes: Uint8Array): void {
    const address = bytesToUnprefixedHex(bytes);
    if (!this.journal.has(address)) {
      this.journal.set(address, new Set());
      ownDiff(this)[0].add(address);
    }
    if (this.accessList !== undefined && !this.accessList.has(address)) this.accessList.set(address, new Set());
  };

  (proto as unknown as { addWarmedStorage(address: Uint8Array, slot: Uint8Array): void }).addWarmedStorage = function (this: JournalLike, address: Uint8Array, slot: Uint8Array): void {
    const addressHex = bytesToUnprefixedHex(address);
    let slots = this.journal.get(addressHex);
    if (slots === undefined) {
      this.addWarmedAddress(address);
      slots = this.journal.get(addressHex)!;
    }
    const slotHex = bytesToUnprefixedHex(slot);
    if (!slots.has(slotHex)) {
      slots.add(slotHex);
      const changed = ownDiff(this)[1];
      let changedSlots = changed.get(addressHex);
      if (changedSlots === undefined) {
        changedSlots = new Set();
        changed.set(addressHex, changedSlots);
      }
      changedSlots.add(slotHex);
    }
    // As ethereumjs: addWarmedAddress above put the address in the access list.
    if (this.accessList !== undefined) this.accessList.get(addressHex)!.add(slotHex);
  };

  (proto as unknown as { cleanup(): Promise<void> }).cleanup = async function (this: JournalLike): Promise<void> {
    if (this.common.gteHardfork(Hardfork.SpuriousDragon)) {
      for (const addressHex of this.touched) {
        const address = this.stmTouched?.get(addressHex) ?? new Address(hexToBytes(`0x${addressHex}`));
        const account = await this.stateManager.getAccount(address);
        if (account === undefined || account.isEmpty()) {
          await this.deleteAccount(address);
          if (this.DEBUG) this._debug(`Cleanup touched account address=${address} (>= SpuriousDragon)`);
        }
      }
    }
    this.cleanJournal();
    delete this.accessList;
    delete this.preimages;
  };
}
