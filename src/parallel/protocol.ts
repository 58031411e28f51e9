/**
 * Messages between the coordinator (main thread) and the workers. Messages travel in
 * batches both ways (one postMessage carries an array of messages: the coordinator flushes
 * once per event it handles, a worker once per chunk of tasks), on a dedicated
 * MessageChannel so a worker can also pull them synchronously between transactions
 * (receiveMessageOnPort) and start every task with the newest writes it can have.
 *
 * Values cross threads structured-cloned; the only class among them, CodeValue, travels
 * as its bytes and is rebuilt from the key's kind ('c'). The two messages sent once per
 * transaction, a worker's result and a write set for a replica, travel packed into flat
 * arrays (packDone, packApply): structured clone costs per object and property name far
 * more than per value.
 */
import { CodeValue, type LocationValue } from '../state/locations.js';
import type { ReadSet, StateGuard } from '../state/txState.js';
import type { TxReceipt } from '@ethereumjs/vm';
import type { UnitGuard } from '../exec/unitRun.js';

export interface StressConfig {
  seed: number;
  /** Probability per state read of a busy-wait of up to maxDelayUs. */
  delayProbability: number;
  maxDelayUs: number;
  /** Probability per state read of pulling pending writes in mid-execution. */
  drainProbability: number;
}

/** What the coordinator sends a worker: objects, except a write set to apply, which travels packed (PackedApply). */
export type ToWorker = ToWorkerMessage | PackedApply;

export type ToWorkerMessage =
  /**
   * Load a block: `data` is the BlockData's structured-clone bytes (node:v8 serialize) in
   * memory shared by every worker, `keys` the senders' public keys (64 bytes each, in block
   * order), shared too. With `recover`, the worker first recovers senders into `keys`,
   * claiming RECOVERY_CHUNK transactions at a time from the shared counter `recover` (the
   * next unclaimed index; every thread claims from it, so a thread that starts late takes
   * less), answers 'recovered' when none is left, and waits for 'senders' (every thread's
   * claims are in). Then it replays the block serially `warmRuns` times to
   * warm its JIT (part of setup; it stops wherever `warmMs` have passed, mid-block if need
   * be, or once the main thread sets the shared flag `warmStop`) and answers 'loaded'.
   */
  | { t: 'load'; blockKey: string; data: SharedArrayBuffer; keys: SharedArrayBuffer; recover: SharedArrayBuffer | null; warmRuns: number; warmMs: number; warmStop: SharedArrayBuffer }
  /** Every sender key of this block is in the shared buffer now. */
  | { t: 'senders'; blockKey: string }
  | { t: 'unload'; blockKey: string }
  /**
   * Start a run; with `commutative`, transactions the rule allows run with lazy sender
   * updates (src/exec/commutativeUpdates.ts); with `bal`, against the memory that list
   * loaded ('balLoad'), which the run leaves as it is (its transactions' writes are the
   * list's, already there); with `units` (txUnits.ts), every index of the run is a unit's.
   */
  | { t: 'run'; runId: number; blockKey: string; stress: StressConfig | undefined; commutative: boolean; bal?: string; units?: Int32Array }
  /**
   * A block-level access list (its RLP): the worker makes its plan (src/bal/balPlan.ts),
   * loads the plan's writes once into a memory of their own for runs that name `balKey`,
   * and holds each transaction it runs there to the list itself ('done' carries the
   * verdict, `listCheck`). It replaces the block's earlier list.
   */
  | { t: 'balLoad'; blockKey: string; balKey: string; rlp: Uint8Array }
  /** (Sent packed: packApply.) */
  | ApplyMessage
  | { t: 'estimate'; runId: number; tx: number; keys: string[] }
  /** Execute these transactions in this order (a chunk: small transactions travel together). */
  | { t: 'exec'; runId: number; txs: number[]; incs: number[]; strict?: number[] }
  /**
   * Claim transactions from a shared queue (claimQueue below) and execute each (incarnation
   * 0) until none is left: every executor draws from the same queue, so none waits for
   * another to hand it work (the access-list executor: no transaction depends on another).
   * `touched`: the run's marks of listed accounts and slots (BalPlan.checkTransaction),
   * shared by every executor. `strict`: transactions the coordinator runs without lazy
   * sender updates (its plan leaves them out; the worker's own plan may not).
   */
  | { t: 'claim'; runId: number; queue: SharedArrayBuffer; touched?: SharedArrayBuffer; strict?: number[] }
  /**
   * The machine-bound measurement (two plain replays at once): replay the block serially,
   * run after run, from now until the main thread sets `flags[BESIDE_STOP]`; set
   * `flags[BESIDE_STARTED]` on starting. Answer 'replayedSerially' once stopped.
   */
  | { t: 'replaySerially'; blockKey: string; flags: SharedArrayBuffer }
  | { t: 'crash' }
  /** Test hook: hang in the next transaction started (holding it). */
  | { t: 'hang' };

/**
 * A worker's check of one transaction against the access list (BalPlan.checkTransaction):
 * the first violation, if any. What it touched is marked in the run's shared `touched`.
 */
export interface ListCheck {
  failure?: string;
}

/** The bloom of a transaction that logged nothing (never written to). */
export const EMPTY_BLOOM = new Uint8Array(256);

/** A finished incarnation's writes for a worker's replica, with the keys its previous incarnation wrote and this one did not. */
export interface ApplyMessage {
  t: 'apply';
  runId: number;
  tx: number;
  inc: number;
  keys: string[];
  values: WireValue[];
  creditKeys: string[];
  creditDeltas: bigint[];
  removed: string[];
}

/**
 * An ApplyMessage as it crosses threads: one flat array (as PackedDone, and for the same
 * reason): runId, tx, inc, then three sections, each its length n and n keys, followed by
 * n values for the writes and the credits: writes, credits, removed keys.
 */
export type PackedApply = unknown[] & { readonly __packedApply: true };

export function packApply(runId: number, tx: number, inc: number, keys: readonly string[], values: readonly LocationValue[], creditKeys: readonly string[], creditDeltas: readonly bigint[], removed: readonly string[]): PackedApply {
  const packed: unknown[] = [runId, tx, inc];
  pushWrites(packed, keys, values);
  pushSection(packed, creditKeys, creditDeltas);
  packed.push(removed.length, ...removed);
  return packed as PackedApply;
}

export function isPackedApply(message: ToWorker): message is PackedApply {
  return Array.isArray(message);
}

export function unpackApply(packed: PackedApply): ApplyMessage {
  const sections = new Sections(packed, 3);
  const [keys, values] = sections.next<string, WireValue>();
  const [creditKeys, creditDeltas] = sections.next<string, bigint>();
  const removed = sections.keysOnly<string>();
  return { t: 'apply', runId: packed[0] as number, tx: packed[1] as number, inc: packed[2] as number, keys, values, creditKeys, creditDeltas, removed };
}

/** Reads a packed array's sections in order, from `at` (as pushSection wrote them). */
class Sections {
  constructor(
    private readonly packed: readonly unknown[],
    private at: number,
  ) {}
  /** The next section's keys and values. */
  next<K, V>(): [K[], V[]] {
    const n = this.packed[this.at] as number;
    const start = this.at + 1;
    this.at = start + 2 * n;
    return [this.packed.slice(start, start + n) as K[], this.packed.slice(start + n, start + 2 * n) as V[]];
  }
  /** The next section of keys alone (its length, then its keys). */
  keysOnly<K>(): K[] {
    const n = this.packed[this.at] as number;
    const start = this.at + 1;
    this.at = start + n;
    return this.packed.slice(start, start + n) as K[];
  }
}

/** A read set with nothing in it (a result whose reads were checked where it ran). */
export const NO_READS: WireReads = { keys: [], versions: [], summedKeys: [], summedValues: [] };

export interface WireReads {
  keys: string[];
  versions: number[];
  summedKeys: string[];
  summedValues: bigint[];
}

/** What a worker sends: objects, except a finished transaction's result, which travels packed (PackedDone). */
export type FromWorker = WorkerMessage | PackedDone;

export type WorkerMessage =
  | { t: 'ready'; worker: number; ms: number }
  | { t: 'recovered'; worker: number; blockKey: string }
  | { t: 'loaded'; worker: number; blockKey: string; ms: number }
  | DoneMessage
  | { t: 'blocked'; worker: number; runId: number; tx: number; inc: number; on: number; key: string; cause: 'estimate' | 'validation' }
  | { t: 'failed'; worker: number; runId: number; tx: number; inc: number; message: string; reads: WireReads }
  /** Stopped replaying serially ('replaySerially'): how many complete replays it ran. */
  | { t: 'replayedSerially'; worker: number; runs: number }
  /**
   * A worker's busy and GC times in a run, once its claims are done and its collections
   * have reached its GC clock (after its last results); when it claimed its first
   * transaction (0: none) and found the queue empty, as performance.timeOrigin + now().
   */
  | { t: 'runStats'; worker: number; runId: number; busyMs: number; gcMs: number; firstClaimAt: number; claimsDoneAt: number }
  | { t: 'fatal'; worker: number; message: string };

/** A finished incarnation's result, as the coordinator reads it (unpackDone). */
export interface DoneMessage {
  t: 'done';
  worker: number;
  runId: number;
  tx: number;
  inc: number;
  reads: WireReads;
  keys: string[];
  values: WireValue[];
  creditKeys: string[];
  creditDeltas: bigint[];
  gasUsed: bigint;
  /** The receipt without its logs (`logs` is empty: they travel packed in `packedLogs`) and without its bloom (`bloom`). */
  receipt: TxReceipt;
  /**
   * Both absent when the transaction logged nothing (its bloom is then all zero): a plain
   * transfer's result carries no typed array, each of which costs a backing store to
   * clone and to collect.
   */
  packedLogs?: Uint8Array;
  bloom?: Uint8Array;
  timeMs: number;
  /** It ran with lazy sender updates: the coordinator checks its guard at commit. */
  lazy: boolean;
  /** In a run against an access list: the worker's check of this transaction against it (then `reads` is empty). */
  listCheck?: ListCheck;
  /** The worker's busy time in this run so far (before this result; the last result of a run of claims includes its own), ms. */
  busyMs: number;
  /** The worker's garbage-collection time in this run so far, ms (gcClock.ts). */
  gcMs: number;
  /** A unit's result (txUnits.ts): each transaction's receipt, and the unit's boundary guards. */
  unit?: WireUnit;
  /** A single transaction's guards of contracts' payments it debited lazily, when there are any. */
  guards?: StateGuard[];
}

/** One transaction of a unit as the coordinator keeps it. */
export interface WireUnitTx {
  gasUsed: bigint;
  receipt: TxReceipt;
  packedLogs?: Uint8Array;
  bloom?: Uint8Array;
  timeMs: number;
}

export interface WireUnit {
  txs: WireUnitTx[];
  guards: UnitGuard[];
}

/**
 * A DoneMessage as it crosses threads: one flat array of its values (packDone), not an
 * object. Structured clone writes every object's property names and rebuilds objects
 * property by property; the same values in one array cost a fraction of that
 * (`node dist/scripts/executor/measure-message-cost.js 12300570`, a payout transfer:
 * 808 bytes, 7.4 µs to serialize and 5.0 µs to deserialize as objects; 566 bytes,
 * 3.5 and 1.8 µs packed). Layout: the fixed fields at the D_* positions, then four sections,
 * each its length n, n keys and n values: reads (keys, versions), summed reads (keys,
 * values), writes (keys, values), credits (keys, deltas).
 */
export type PackedDone = unknown[] & { readonly __packedDone: true };

const D_WORKER = 0;
const D_RUN = 1;
const D_TX = 2;
const D_INC = 3;
const D_GAS = 4;
const D_CUMULATIVE_GAS = 5;
/** The receipt's status (0 or 1), or before Byzantium its state root. */
const D_STATUS_OR_ROOT = 6;
/** A blob transaction's [blobGasUsed, blobGasPrice], else undefined. */
const D_BLOB = 7;
const D_LOGS = 8;
const D_BLOOM = 9;
const D_TIME = 10;
const D_LAZY = 11;
const D_BUSY = 12;
const D_GC = 13;
const D_LIST_CHECK = 14;
/** A unit's transactions and guards (packUnit), else undefined. */
const D_UNIT = 15;
/** A single transaction's guards of contracts' payments it debited lazily (key, value each: at least), else undefined. */
const D_GUARDS = 16;
const D_SECTIONS = 17;

/** What a worker knows of a finished incarnation besides its reads, writes and receipt. */
export interface DoneHead {
  worker: number;
  runId: number;
  tx: number;
  inc: number;
  gasUsed: bigint;
  timeMs: number;
  lazy: boolean;
  busyMs: number;
  gcMs: number;
  listCheck?: ListCheck;
  /** Guards of contracts' payments it debited lazily (TxState.guards), when there are any. */
  guards?: readonly StateGuard[];
}

/** Packs a result (the receipt with its logs and bloom; its logs packed, the bloom only when there are logs). */
export function packDone(head: DoneHead, receipt: TxReceipt, bloom: Uint8Array, reads: WireReads, keys: readonly string[], values: readonly LocationValue[], creditKeys: readonly string[], creditDeltas: readonly bigint[], unit?: { txs: ReadonlyArray<{ gasUsed: bigint; receipt: TxReceipt; bloom: Uint8Array; timeMs: number }>; guards: readonly UnitGuard[] }): PackedDone {
  const hasLogs = receipt.logs.length > 0;
  const blob = 'blobGasUsed' in receipt ? [receipt.blobGasUsed, receipt.blobGasPrice] : undefined;
  const packed: unknown[] = [
    head.worker,
    head.runId,
    head.tx,
    head.inc,
    head.gasUsed,
    receipt.cumulativeBlockGasUsed,
    'stateRoot' in receipt ? receipt.stateRoot : receipt.status,
    blob,
    hasLogs ? packLogs(receipt.logs as ReceiptLog[]) : undefined,
    hasLogs ? bloom : undefined,
    head.timeMs,
    head.lazy ? 1 : 0,
    head.busyMs,
    head.gcMs,
    head.listCheck,
    unit === undefined ? undefined : packUnit(unit.txs, unit.guards),
    head.guards === undefined || head.guards.length === 0 ? undefined : head.guards.flatMap((guard) => [guard.key, guard.value]),
  ];
  pushSection(packed, reads.keys, reads.versions);
  pushSection(packed, reads.summedKeys, reads.summedValues);
  pushWrites(packed, keys, values);
  pushSection(packed, creditKeys, creditDeltas);
  return packed as PackedDone;
}

function pushSection(packed: unknown[], keys: readonly unknown[], values: readonly unknown[]): void {
  const n = keys.length;
  packed.push(n);
  for (let i = 0; i < n; i++) packed.push(keys[i]);
  for (let i = 0; i < n; i++) packed.push(values[i]);
}

/** A write set's section: its values as they cross threads (toWire). */
function pushWrites(packed: unknown[], keys: readonly string[], values: readonly LocationValue[]): void {
  const n = keys.length;
  packed.push(n);
  for (let i = 0; i < n; i++) packed.push(keys[i]);
  for (let i = 0; i < n; i++) packed.push(toWire(values[i]!));
}

export function isPackedDone(message: FromWorker): message is PackedDone {
  return Array.isArray(message);
}

/** The result packDone packed; its receipt has no logs (they are in packedLogs) and no bloom. */
export function unpackDone(packed: PackedDone): DoneMessage {
  const sections = new Sections(packed, D_SECTIONS);
  const [readKeys, versions] = sections.next<string, number>();
  const [summedKeys, summedValues] = sections.next<string, bigint>();
  const [keys, values] = sections.next<string, WireValue>();
  const [creditKeys, creditDeltas] = sections.next<string, bigint>();
  const receipt = wireReceipt(packed[D_STATUS_OR_ROOT], packed[D_CUMULATIVE_GAS] as bigint, packed[D_BLOB] as [bigint, bigint] | undefined);
  const done: DoneMessage = {
    t: 'done',
    worker: packed[D_WORKER] as number,
    runId: packed[D_RUN] as number,
    tx: packed[D_TX] as number,
    inc: packed[D_INC] as number,
    reads: { keys: readKeys, versions, summedKeys, summedValues },
    keys,
    values,
    creditKeys,
    creditDeltas,
    gasUsed: packed[D_GAS] as bigint,
    receipt,
    timeMs: packed[D_TIME] as number,
    lazy: packed[D_LAZY] === 1,
    busyMs: packed[D_BUSY] as number,
    gcMs: packed[D_GC] as number,
  };
  const packedLogs = packed[D_LOGS] as Uint8Array | undefined;
  if (packedLogs !== undefined) {
    done.packedLogs = packedLogs;
    done.bloom = packed[D_BLOOM] as Uint8Array;
  }
  const listCheck = packed[D_LIST_CHECK] as ListCheck | undefined;
  if (listCheck !== undefined) done.listCheck = listCheck;
  const unit = packed[D_UNIT] as unknown[] | undefined;
  if (unit !== undefined) done.unit = unpackUnit(unit);
  const guards = packed[D_GUARDS] as unknown[] | undefined;
  if (guards !== undefined) {
    done.guards = [];
    for (let i = 0; i < guards.length; i += 2) done.guards.push({ key: guards[i] as string, atLeast: true, value: guards[i + 1] as bigint });
  }
  return done;
}

/** A receipt without logs and bloom, from its wire fields. */
function wireReceipt(statusOrRoot: unknown, cumulativeBlockGasUsed: bigint, blob: [bigint, bigint] | undefined): TxReceipt {
  const receipt = (
    statusOrRoot instanceof Uint8Array ? { stateRoot: statusOrRoot, cumulativeBlockGasUsed, logs: [] } : { status: statusOrRoot, cumulativeBlockGasUsed, logs: [] }
  ) as unknown as TxReceipt & { blobGasUsed?: bigint; blobGasPrice?: bigint };
  if (blob !== undefined) {
    receipt.blobGasUsed = blob[0];
    receipt.blobGasPrice = blob[1];
  }
  return receipt;
}

/** Fields per transaction in a packed unit. */
const UNIT_TX_FIELDS = 7;

/** A unit's transactions (UNIT_TX_FIELDS each: gas, cumulative gas, status or root, blob, packed logs, bloom, time), then its guards (count, then key, atLeast, value each). */
function packUnit(txs: ReadonlyArray<{ gasUsed: bigint; receipt: TxReceipt; bloom: Uint8Array; timeMs: number }>, guards: readonly UnitGuard[]): unknown[] {
  const packed: unknown[] = [txs.length];
  for (const { gasUsed, receipt, bloom, timeMs } of txs) {
    const hasLogs = receipt.logs.length > 0;
    packed.push(
      gasUsed,
      receipt.cumulativeBlockGasUsed,
      'stateRoot' in receipt ? receipt.stateRoot : receipt.status,
      'blobGasUsed' in receipt ? [receipt.blobGasUsed, receipt.blobGasPrice] : undefined,
      hasLogs ? packLogs(receipt.logs as ReceiptLog[]) : undefined,
      hasLogs ? bloom : undefined,
      timeMs,
    );
  }
  packed.push(guards.length);
  for (const guard of guards) packed.push(guard.key, guard.atLeast ? 1 : 0, guard.value);
  return packed;
}

function unpackUnit(packed: unknown[]): WireUnit {
  const n = packed[0] as number;
  const txs: WireUnitTx[] = [];
  let at = 1;
  for (let i = 0; i < n; i++, at += UNIT_TX_FIELDS) {
    const tx: WireUnitTx = { gasUsed: packed[at] as bigint, receipt: wireReceipt(packed[at + 2], packed[at + 1] as bigint, packed[at + 3] as [bigint, bigint] | undefined), timeMs: packed[at + 6] as number };
    const logs = packed[at + 4] as Uint8Array | undefined;
    if (logs !== undefined) {
      tx.packedLogs = logs;
      tx.bloom = packed[at + 5] as Uint8Array;
    }
    txs.push(tx);
  }
  const guards: UnitGuard[] = [];
  const g = packed[at++] as number;
  for (let i = 0; i < g; i++, at += 3) guards.push({ key: packed[at] as string, atLeast: packed[at + 1] === 1, value: packed[at + 2] as bigint });
  return { txs, guards };
}

/** Slots of the 'replaySerially' flags (an Int32Array of 2): the worker has started; the main thread says stop. */
export const BESIDE_STARTED = 0;
export const BESIDE_STOP = 1;

/** Bytes of one sender public key in the shared key buffer. */
export const SENDER_KEY_BYTES = 64;
/** Transactions a thread claims at a time in shared sender recovery (~0.1 s of work here at ~1.7 ms per recovery: small beside a large block's total, so no thread is left with much at the end). */
export const RECOVERY_CHUNK = 64;

/**
 * Claims chunks of transactions from the shared counter `next` until none is left, and
 * hands each claimed range [start, end) of `n` to `recover`. Every thread that shares
 * sender recovery runs this on the same counter.
 */
export function claimRecovery(next: Int32Array, n: number, recover: (start: number, end: number) => void): void {
  for (;;) {
    const start = Atomics.add(next, 0, RECOVERY_CHUNK);
    if (start >= n) return;
    recover(start, Math.min(n, start + RECOVERY_CHUNK));
  }
}

/**
 * A queue of transactions every executor claims from: [next, length, order..., state per
 * transaction] in shared memory. `Atomics.add` on `next` hands each position to exactly one
 * claimant; the position's transaction is then its own unless the coordinator withdrew it
 * first (withdrawClaim): a compare-and-swap on the transaction's state (0 open, 1 claimed,
 * 2 withdrawn) decides which of the two has it.
 */
export function claimQueue(order: ArrayLike<number>, txCount = order.length): Int32Array {
  const queue = new Int32Array(new SharedArrayBuffer(4 * (2 + order.length + txCount)));
  queue[1] = order.length;
  for (let i = 0; i < order.length; i++) queue[2 + i] = order[i]!;
  return queue;
}

/** The next transaction from a claim queue, or -1 when every one is claimed or withdrawn. */
export function claimNext(queue: Int32Array): number {
  const length = queue[1]!;
  for (;;) {
    const position = Atomics.add(queue, 0, 1);
    if (position >= length) return -1;
    const tx = queue[2 + position]!;
    if (Atomics.compareExchange(queue, 2 + length + tx, 0, 1) === 0) return tx;
  }
}

/** Takes tx out of a claim queue before anyone claims it: true when it was still open (then no executor will run it from the queue). */
export function withdrawClaim(queue: Int32Array, tx: number): boolean {
  return Atomics.compareExchange(queue, 2 + queue[1]! + tx, 0, 2) === 0;
}

/** Whether a claim queue has positions left to claim (some may turn out withdrawn). */
export function claimsLeft(queue: Int32Array): boolean {
  return Atomics.load(queue, 0) < queue[1]!;
}

/**
 * A worker running claimed transactions sends its results once this long (ms) has passed
 * since its last message, and when nothing is left to claim: one message per transaction
 * would cost more than a small one's execution.
 */
export const CLAIM_FLUSH_MS = 1;

/**
 * How long a finished run waits for the workers' 'runStats' (ms), outside its time; they
 * come a few event-loop turns after a worker's last results. Without them a worker's busy
 * and GC times are those of its last result.
 */
export const RUN_STATS_WAIT_MS = 50;

/**
 * Where executors claim their work (the access-list executor; Block-STM's first
 * incarnations), and where the main thread is the only executor, it executes for this long
 * (ms) before it lets the event loop deliver the workers' results (ExecutionRun.mainTurnMs):
 * no executor waits for it to hand out work, so one turn per transaction would only cost
 * its turn. Block-STM, 16
 * bundled blocks alternating 0 and 1 ms: parallel time ×0.958 and ×0.904 at the median
 * (docs/executor.md).
 */
export const CLAIMING_MAIN_TURN_MS = 1;

/**
 * How long the main thread executes its own tasks in one turn of the event loop (ms), the
 * executor's rule and the simulator's: CLAIMING_MAIN_TURN_MS where executors claim their
 * work or no worker runs (then nothing waits for the turn to end), else 0 (one task per
 * turn, so a scheduler that dispatches from results handles them as soon as they arrive).
 */
export function mainTurnMs(claiming: boolean, workers: number): number {
  return claiming || workers === 0 ? CLAIMING_MAIN_TURN_MS : 0;
}

/** A receipt log: address, topics, data. */
export type ReceiptLog = [Uint8Array, Uint8Array[], Uint8Array];

/**
 * A transaction's logs as one byte array (each byte array with a u32 length before it:
 * address, topic count, topics, data). A receipt's logs cross threads this way: one copy
 * instead of three objects per log (15537394's transaction 25 has 10,001 logs, 1.3 MB: as
 * objects they took ~60 ms to clone and rebuild, the rest of the block's run on the other
 * thread). The coordinator unpacks them only to compare with the serial run.
 */
export function packLogs(logs: ReceiptLog[]): Uint8Array {
  let size = 4;
  for (const [address, topics, data] of logs) {
    size += 12 + address.length + data.length;
    for (const topic of topics) size += 4 + topic.length;
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  const put = (part: Uint8Array): void => {
    view.setUint32(at, part.length, true);
    bytes.set(part, at + 4);
    at += 4 + part.length;
  };
  view.setUint32(at, logs.length, true);
  at += 4;
  for (const [address, topics, data] of logs) {
    put(address);
    view.setUint32(at, topics.length, true);
    at += 4;
    for (const topic of topics) put(topic);
    put(data);
  }
  return bytes;
}

/** The logs packLogs packed (views into `bytes`, not copies). */
export function unpackLogs(bytes: Uint8Array): ReceiptLog[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const take = (): Uint8Array => {
    const length = view.getUint32(at, true);
    const part = bytes.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    return part;
  };
  const count = view.getUint32(at, true);
  at += 4;
  const logs: ReceiptLog[] = [];
  for (let i = 0; i < count; i++) {
    const address = take();
    const topicCount = view.getUint32(at, true);
    at += 4;
    const topics: Uint8Array[] = [];
    for (let t = 0; t < topicCount; t++) topics.push(take());
    logs.push([address, topics, take()]);
  }
  return logs;
}

/** A location value as it crosses threads. */
export type WireValue = bigint | boolean | number | Uint8Array;

export function toWire(value: LocationValue): WireValue {
  return value instanceof CodeValue ? value.bytes : (value as WireValue);
}

export function fromWire(key: string, value: WireValue): LocationValue {
  return key.charCodeAt(0) === 99 /* c */ ? new CodeValue(value as Uint8Array) : value;
}

/** A transaction's read set as it crosses threads (summed reads flattened into arrays). */
export function toWireReads(reads: ReadSet): WireReads {
  const summedKeys: string[] = [];
  const summedValues: bigint[] = [];
  for (const [key, { value }] of reads.summed) {
    summedKeys.push(key);
    summedValues.push(value);
  }
  return { keys: reads.keys, versions: reads.versions, summedKeys, summedValues };
}
