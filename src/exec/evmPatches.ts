/**
 * Semantics-preserving speed-ups to ethereumjs, applied once per process.
 *
 * Jump-destination analysis: ethereumjs analyses a contract's code (valid JUMPDESTs,
 * PUSH values, opcode table lookups) on every call that jumps, ~12% of replay time on
 * a post-merge block. The result depends only on the code bytes and the opcode table
 * (fixed per hardfork), so it is cached per code object: the state layer hands out one
 * immutable Uint8Array per contract code, so repeated calls hit the cache. Init code
 * (new objects) simply misses.
 *
 * EIP checks: the interpreter asks `common.isActivatedEIP(n)` for every opcode (twice in
 * runStep), and ethereumjs answers with Array.includes over the ~60 active EIPs, ~10% of
 * replay time on a mainnet block. The same answer comes from a bitmap built from that list;
 * the list is replaced (never changed in place) when the hardfork changes, so the bitmap is
 * rebuilt whenever the list it was built from is no longer the current one.
 *
 * MSTORE: ethereumjs turns the stored word into bytes through a hex string (toString(16),
 * a regex check, hex decoding) and pads it to 32 bytes by spreading both parts into a
 * plain array, ~6% of a DeFi block's serial replay (19933597, CPU profile: setLength under
 * MSTORE alone) and a dozen short-lived objects per store. The patched handler writes the
 * word's 32 big-endian bytes into one reused buffer (memory.write copies it), the same
 * bytes (test/exec/evmPatches.test.ts compares them with ethereumjs's conversion).
 *
 * Balance checks of CALLs with value: TxState may serve them lazily (patchBalanceChecks).
 *
 * Sender addresses: a transaction's getSenderAddress hashes its sender's public key
 * (keccak) on every call, and runTx calls it on every execution: ~4 µs, 5–8% of a plain
 * transfer's replay. The address is remembered per public key (the object ethereumjs
 * caches on the transaction), so it is hashed once per transaction and process; each call
 * still returns a new Address.
 *
 * Address strings: ethereumjs's journal keys every touched account by `address.toString()`,
 * a hex string built a byte at a time (20 intermediate strings): ~7 calls per plain transfer
 * on ~1.2 Address objects, ~8% of a payout block's allocation (11814555, sampled with the
 * inspector's heap profiler). The string is remembered on the Address the first time (an
 * Address's bytes are never changed in place; getSenderAddress above shares them between
 * Address objects for the same reason).
 *
 * Precompile lookups: `getPrecompile` keys its map by the address's hex string, rebuilt
 * (bytesToUnprefixedHex) on each of the ~2 calls per message; it takes the remembered one.
 *
 * The journal: src/exec/journalPatch.ts. Events nobody listens to: quietEvents.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Common } from '@ethereumjs/common';
import { AccessList2930Tx, Blob4844Tx, EOACode7702Tx, FeeMarket1559Tx, LegacyTx } from '@ethereumjs/tx';
import { Address, bytesToHex } from '@ethereumjs/util';
import { EVM } from '@ethereumjs/evm';
import { TxState } from '../state/txState.js';
import { patchJournal } from './journalPatch.js';

type Analysis = { jumps: Uint8Array; pushes: Record<number, bigint>; opcodesCached: unknown[] };
interface InterpreterLike {
  _evm: { _opcodeMap: unknown };
  _getValidJumpDestinations(code: Uint8Array): Analysis;
}

let applied: Promise<void> | undefined;

export function applyEvmPatches(): Promise<void> {
  applied ??= (async () => {
    patchEipChecks();
    patchSenderAddresses();
    patchAddressStrings();
    // The interpreter module is not exported by the package; import its file directly
    // (the same module instance the EVM uses, since the URL is the same).
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@ethereumjs/evm').replace(/cjs[\\/]index\.js$/, 'esm/index.js');
    const url = pathToFileURL(entry.replace(/index\.js$/, 'interpreter.js')).href;
    await patchMstore(pathToFileURL(entry.replace(/index\.js$/, 'opcodes/functions.js')).href);
    const journal = (await import(pathToFileURL(entry.replace(/index\.js$/, 'journal.js')).href)) as { Journal?: { prototype: unknown } };
    if (journal.Journal !== undefined) patchJournal(journal.Journal.prototype as Parameters<typeof patchJournal>[0]);
    patchPrecompileLookups();
    const module = (await import(url)) as { Interpreter?: { prototype: InterpreterLike } };
    const proto = module.Interpreter?.prototype;
    if (proto === undefined || typeof proto._getValidJumpDestinations !== 'function') return; // a different ethereumjs: run unpatched
    patchBalanceChecks(proto as unknown as InterpreterCalls);
    const analyse = proto._getValidJumpDestinations;
    const cache = new WeakMap<Uint8Array, { table: unknown; analysis: Analysis }>();
    proto._getValidJumpDestinations = function (this: InterpreterLike, code: Uint8Array): Analysis {
      const table = this._evm._opcodeMap;
      const hit = cache.get(code);
      if (hit !== undefined && hit.table === table) return hit.analysis;
      const analysis = analyse.call(this, code);
      cache.set(code, { table, analysis });
      return analysis;
    };
  })();
  return applied;
}

interface InterpreterCalls {
  _baseCall(msg: { value: bigint; delegatecall?: boolean }): Promise<bigint>;
  _stateManager: unknown;
  _env: { address: Address };
}

/**
 * A CALL with value compares the calling contract's balance with the value in the
 * interpreter's _baseCall (before anything else reads that balance there; the depth check
 * before it short-circuits). TxState is told first (armBalanceCheck), so that in a lazily
 * run transaction the comparison can be served from a guard (TxState's module comment);
 * whatever _baseCall did not consume by the end of its synchronous part is disarmed. A
 * state that is not stm's, or a call that sends nothing, runs ethereumjs's code untouched.
 */
function patchBalanceChecks(proto: InterpreterCalls): void {
  const baseCall = proto._baseCall;
  if (typeof baseCall !== 'function') return;
  proto._baseCall = function (this: InterpreterCalls, msg) {
    const state = this._stateManager;
    if (msg.value === 0n || msg.delegatecall === true || !(state instanceof TxState) || !state.armBalanceCheck(this._env.address, msg.value)) return baseCall.call(this, msg);
    try {
      return baseCall.call(this, msg);
    } finally {
      state.disarmBalanceCheck();
    }
  };
}

interface CommonLike {
  _activatedEIPsCache: number[];
  isActivatedEIP(eip: number): boolean;
  /** The list the bitmap below was built from. */
  stmEipList?: number[];
  stmEipBits?: Uint8Array;
}

function patchEipChecks(): void {
  const proto = Common.prototype as unknown as CommonLike;
  if (typeof proto.isActivatedEIP !== 'function') return;
  const original = proto.isActivatedEIP;
  proto.isActivatedEIP = function (this: CommonLike, eip: number): boolean {
    const list = this._activatedEIPsCache;
    if (!Array.isArray(list)) return original.call(this, eip); // a different ethereumjs: its own answer
    if (this.stmEipList !== list) {
      const bits = new Uint8Array(list.reduce((max, n) => Math.max(max, n), 0) + 1);
      for (const n of list) bits[n] = 1;
      this.stmEipList = list;
      this.stmEipBits = bits;
    }
    return this.stmEipBits![eip] === 1;
  };
}

interface TxLike {
  cache: { senderPubKey?: Uint8Array };
  getSenderAddress(): Address;
}

function patchSenderAddresses(): void {
  const addresses = new WeakMap<Uint8Array, Uint8Array>();
  for (const txClass of [LegacyTx, AccessList2930Tx, FeeMarket1559Tx, Blob4844Tx, EOACode7702Tx]) {
    const proto = txClass.prototype as unknown as TxLike;
    const original = proto.getSenderAddress;
    if (typeof original !== 'function') continue;
    proto.getSenderAddress = function (this: TxLike): Address {
      const key = this.cache?.senderPubKey;
      if (key === undefined) return original.call(this); // not recovered yet: ethereumjs recovers (and caches the key)
      let bytes = addresses.get(key);
      if (bytes === undefined) {
        bytes = original.call(this).bytes;
        addresses.set(key, bytes);
      }
      return new Address(bytes);
    };
  }
}

function patchAddressStrings(): void {
  const proto = Address.prototype as unknown as { toString(this: Address & { stmHex?: string }): string };
  proto.toString = function (this: Address & { stmHex?: string }): string {
    return (this.stmHex ??= bytesToHex(this.bytes));
  };
}

function patchPrecompileLookups(): void {
  const proto = EVM.prototype as unknown as { getPrecompile(address: Address | string): unknown; precompiles: Map<string, unknown> };
  const original = proto.getPrecompile;
  if (typeof original !== 'function') return;
  proto.getPrecompile = function (this: typeof proto, address: Address | string): unknown {
    if (typeof address === 'string' || !(this.precompiles instanceof Map)) return original.call(this, address);
    return this.precompiles.get(address.toString().slice(2));
  };
}

/** An ethereumjs VM or EVM: its event emitter and the method that awaits every listener of a topic. */
interface EmitsEvents {
  events: { listenerCount(topic: string): number };
  _emit: (topic: string, data: unknown) => Promise<void>;
}
const NOTHING_TO_AWAIT = Promise.resolve();

/**
 * ethereumjs emits four events per transaction (beforeTx, afterTx, beforeMessage,
 * afterMessage) through an async function that lists the topic's listeners into a new
 * array: a promise and an array each, ~1.4 KB per plain transfer, with nobody listening in
 * stm. A topic without listeners now returns at once; one with listeners goes the old way.
 */
export function quietEvents(target: EmitsEvents): void {
  const emit = target._emit;
  if (typeof emit !== 'function' || typeof target.events?.listenerCount !== 'function') return;
  target._emit = (topic, data) => (target.events.listenerCount(topic) === 0 ? NOTHING_TO_AWAIT : emit(topic, data));
}

interface RunStateLike {
  stack: { popN(n: number): bigint[] };
  memory: { write(offset: number, size: number, value: Uint8Array): void };
}

/** One word's bytes (wordBytes): written into memory by copy, so one buffer serves every store. */
const word = new Uint8Array(32);
const wordView = new DataView(word.buffer);
const MAX_UINT64 = 0xffffffffffffffffn;

/** The 32 big-endian bytes of a stack word (0 <= value < 2^256), in a buffer reused by the next call. */
export function wordBytes(value: bigint): Uint8Array {
  if (value <= MAX_UINT64) {
    // Offsets, small numbers and most amounts: no bigint is made.
    wordView.setBigUint64(0, 0n);
    wordView.setBigUint64(8, 0n);
    wordView.setBigUint64(16, 0n);
    wordView.setBigUint64(24, value);
    return word;
  }
  wordView.setBigUint64(0, value >> 192n);
  wordView.setBigUint64(8, BigInt.asUintN(64, value >> 128n));
  wordView.setBigUint64(16, BigInt.asUintN(64, value >> 64n));
  wordView.setBigUint64(24, BigInt.asUintN(64, value));
  return word;
}

/** Replaces the MSTORE handler in ethereumjs's table, which every EVM copies when it is made. */
async function patchMstore(url: string): Promise<void> {
  const module = (await import(url)) as { handlers?: Map<number, (runState: RunStateLike) => void> };
  const handlers = module.handlers;
  if (!(handlers instanceof Map) || typeof handlers.get(0x52) !== 'function') return; // a different ethereumjs: run unpatched
  handlers.set(0x52, (runState: RunStateLike) => {
    const [offset, value] = runState.stack.popN(2);
    runState.memory.write(Number(offset), 32, wordBytes(value!));
  });
}
