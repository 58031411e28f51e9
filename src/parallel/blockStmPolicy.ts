/**
 * The Block-STM scheduling policy: which transaction runs next, on which executor, and
 * when a transaction may commit. It has no clock, no threads and no messages of its own:
 * the real scheduler (blockStmScheduler.ts, on the worker pool) and the simulator
 * (src/simulate/simulateBlock.ts, on a virtual clock) both drive one, so the simulator
 * differs from the executor only in where time comes from.
 *
 * First incarnations are claimed, not dispatched (when there is at least one worker):
 * every executor, whenever it holds no task, claims the next transaction from one shared
 * queue (firstIncarnationOrder below: heavy ones first, then index order) and runs its first
 * incarnation. No executor waits for the main thread to hand it work, and the main
 * thread, which also executes, cannot answer while it does (13217637: a worker idle ~100
 * of a 355 ms run, its two queued chunks done, while the main thread ran its own). A
 * claimed incarnation holds no task slot. What the rules below must order is not in the
 * queue: a transaction whose sender's previous one reads its nonce is dispatched behind
 * it, and a later call to a recipient learned hot is withdrawn from the queue when nobody
 * has claimed it yet (FirstClaims.withdraw) and dispatched behind the previous call.
 * Dispatch hands out these and re-executions, which an executor runs before its next
 * claim.
 *
 * The rules, in the order dispatch applies them:
 *   - Ready transactions go lowest index first, a chunk at a time (TaskSlots.chunkSize),
 *     to the executor with the fewest tasks that has room (TaskSlots.freeExecutor).
 *   - A worker that holds no heavy transaction (TaskSlots.isHeavy: a large share of the block's gas limits) first
 *     starts the lowest ready heavy one beyond what index order reaches soon, alone:
 *     large transactions are few, mostly independent of the ones before them, and, taken
 *     in index order, come last and stretch the run's end.
 *   - A transaction whose sender's previous transaction in the block is not done would
 *     read a stale nonce: it waits for it, or is queued right behind it on the executor
 *     that holds it (that executor applies its own writes at once). Transactions whose
 *     sender updates commute (src/exec/commutativeUpdates.ts) do not read the nonce, and
 *     have no such predecessor.
 *   - Hot recipients, learned during the run: once HOT_RECIPIENT_CONFLICTS transactions
 *     calling one address (their `to`) were aborted by the previous call to that address,
 *     the address is hot, and each later transaction to it is dispatched behind the
 *     previous one to it as behind a sender's previous transaction. A hot contract (a
 *     token's exchange wallet balance, a counter) then runs as one chain on one executor
 *     instead of each call reading its predecessor's state too early and running two or
 *     three times. It is a hint, never a dependency: validation decides correctness.
 *   - The main thread takes a large transaction only when every worker holds as much
 *     work (TaskSlots.mainMayTake); otherwise a worker takes it.
 *   - A transaction aborted by the one it is dispatched behind follows it: it waits for
 *     that one to be dispatched again (then goes behind it, on its executor, when that has
 *     room) or to be done, however often it was aborted before.
 *   - Patience: a transaction aborted REEXECUTION_PATIENCE times otherwise waits until
 *     everything below it is committed, so its next incarnation is its last.
 *   - Commit: transactions commit in index order, each once it is done and the driver
 *     says it may (its reads rely on no aborted writer; its commutative updates hold).
 */
import { MinHeap } from './minHeap.js';
import type { TaskSlots } from './taskSlots.js';

export const READY = 0;
export const DISPATCHED = 1;
export const DONE = 2;
export const WAITING = 3;

/** Aborts after which a transaction waits for everything below it to commit (see makeRunnable). */
export const REEXECUTION_PATIENCE = 2;
/** Calls to one address aborted by the previous call to it, after which the address is hot (see learnFrom). */
export const HOT_RECIPIENT_CONFLICTS = 3;
/** Earlier calls to a hot address looked at before a call may run behind the previous one (see mustFollow); beyond, it waits. */
const MAX_CHAIN_LOOKBACK = 64;

/**
 * Whether executors claim first incarnations (see the module comment): with at least one
 * worker. With the main thread alone there is nobody to wait for, and claims in index
 * order would be dispatch in index order anyway.
 */
export function claimsFirstIncarnations(slots: TaskSlots): boolean {
  return slots.workers > 0;
}

/**
 * The order first incarnations are claimed in: heavy transactions (TaskSlots.isHeavy)
 * beyond what index order reaches soon (every executor's two chunks)
 * first, lowest index first, then the rest in index order. Large transactions are few,
 * mostly independent of the ones before them, and, taken in index order, come last and
 * stretch the run's end (19929064: transaction 91, 2.5M gas limit, 108 of the block's 230
 * ms). One closer than that goes in index order: it is soon anyway, and run ahead of the
 * transactions just below it, it mostly reads what they have not written yet (19929064's
 * transaction 2, 1.1M, reads what 0 and 1 write). The same horizon as nextHeavyFor's.
 */
export function firstIncarnationOrder(slots: TaskSlots, n: number): number[] {
  const horizon = slots.capacity * slots.executors;
  const heavy: number[] = [];
  const rest: number[] = [];
  for (let tx = 0; tx < n; tx++) (tx >= horizon && slots.isHeavy(tx) ? heavy : rest).push(tx);
  return heavy.concat(rest);
}

/** The driver's shared queue of first incarnations (see the module comment). */
export interface FirstClaims {
  /** Takes tx out of the queue: true when nobody had claimed it (the policy then dispatches it). */
  withdraw(tx: number): boolean;
}

/** Delivers a task (transactions run in this order) to an executor; the policy has already marked them dispatched. */
export type DeliverTask = (executor: number, txs: number[], incs: number[]) => void;

/** Observes every task the policy sends (tests compare the executor's and the simulator's): the dispatch call it came from, where, what. */
export type DispatchTrace = (call: number, executor: number, txs: readonly number[]) => void;

/**
 * Per transaction: the block's previous transaction of the same sender, or -1: dispatch
 * holds a transaction until that one is done. A transaction marked in `independent` (its
 * nonce is not read: commutative sender updates) has none, unless it calls the same
 * recipient as that previous one (`recipients`: recipientIds): one sender's repeated calls
 * to one contract tend to touch the same state of it (9069000: seven calls from one sender
 * to one contract, each paying into it and counting in one slot; without the hold its
 * transactions conflicted 8 times a run, 1.35× → 0.96× against strict sender order). A
 * unit of several transfers has no recipient (-1) and is never held this way.
 */
export function previousSameSender(senders: readonly string[], independent?: ArrayLike<boolean>, recipients?: ArrayLike<number>): Int32Array {
  const previous = new Int32Array(senders.length).fill(-1);
  const last = new Map<string, number>();
  senders.forEach((sender, i) => {
    const before = last.get(sender);
    if (before !== undefined && (independent?.[i] !== true || sameRecipient(recipients, before, i))) previous[i] = before;
    last.set(sender, i);
  });
  return previous;
}

function sameRecipient(recipients: ArrayLike<number> | undefined, a: number, b: number): boolean {
  return recipients !== undefined && recipients[a]! >= 0 && recipients[a] === recipients[b];
}

/** Per transaction: an id of its recipient (`to`), the same for the same address; -1 for none (a creation). */
export function recipientIds(recipients: ReadonlyArray<string | null | undefined>): Int32Array {
  const ids = new Map<string, number>();
  return Int32Array.from(recipients, (to) => {
    if (to === null || to === undefined) return -1;
    let id = ids.get(to);
    if (id === undefined) ids.set(to, (id = ids.size));
    return id;
  });
}

/** What the policy learns about recipients during a run (see learnFrom). */
class RecipientHeat {
  /** Per recipient id: its transactions, in block order. */
  readonly txsOf: number[][] = [];
  /** Per transaction: the previous transaction to the same recipient, or -1. */
  readonly previousCall: Int32Array;
  /** Per transaction: the next transaction to the same recipient, or -1. */
  readonly nextCall: Int32Array;
  /** Per recipient id: calls aborted by the previous call so far; hot from HOT_RECIPIENT_CONFLICTS. */
  readonly conflicts: Int32Array;
  constructor(readonly of: Int32Array) {
    this.previousCall = new Int32Array(of.length).fill(-1);
    this.nextCall = new Int32Array(of.length).fill(-1);
    of.forEach((id, tx) => {
      if (id < 0) return;
      const list = (this.txsOf[id] ??= []);
      if (list.length > 0) this.nextCall[(this.previousCall[tx] = list[list.length - 1]!)] = tx;
      list.push(tx);
    });
    this.conflicts = new Int32Array(this.txsOf.length);
  }

  /** The recipient was learned hot (HOT_RECIPIENT_CONFLICTS calls aborted by the previous call). */
  isHot(id: number): boolean {
    return this.conflicts[id]! >= HOT_RECIPIENT_CONFLICTS;
  }
}

export class BlockStmPolicy {
  /** The previous transaction of the same sender, or -1 (a nonce dependency known in advance). */
  readonly previous: Int32Array;
  /** The transaction each is dispatched behind: its sender's previous one, or the previous one to a hot recipient. */
  private readonly after: Int32Array;
  private readonly heat: RecipientHeat | undefined;
  /** Per recipient learned hot in this run, the transaction whose abort made it hot (see learnFrom). */
  readonly hotRecipientTxs: number[] = [];
  private readonly ready = new MinHeap();
  /** The READY transactions with a heavy gas limit (a subset of ready; see nextHeavyFor). */
  private readonly heavyReady = new MinHeap();
  /** Transactions waiting for the commit index to reach them (see makeRunnable). */
  private readonly deferred = new MinHeap();
  private readonly dependents = new Map<number, number[]>();
  private readonly waitingOn: Int32Array;
  commitIndex = 0;
  /** Calls of dispatch() so far. */
  private dispatchCalls = 0;
  /** Set to observe every task sent. */
  onDispatch: DispatchTrace | undefined;

  constructor(
    /** Per transaction: READY, DISPATCHED, DONE or WAITING (shared with the driver). */
    private readonly status: Int8Array,
    /** Per transaction: its current incarnation (shared with the driver). */
    private readonly incarnation: Int32Array,
    readonly slots: TaskSlots,
    previous: Int32Array,
    /** Per transaction: its recipient's id (recipientIds); without it, no recipient is learned hot. */
    recipients?: Int32Array,
    /** First incarnations are claimed from the driver's queue (claimsFirstIncarnations): what claimOrder() lists starts DISPATCHED, to that queue. */
    private readonly claims?: FirstClaims,
  ) {
    const n = status.length;
    this.previous = previous;
    this.after = Int32Array.from(previous);
    this.heat = recipients === undefined ? undefined : new RecipientHeat(recipients);
    this.waitingOn = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      if (claims !== undefined && previous[i]! < 0) status[i] = DISPATCHED;
      else this.pushReady(i);
    }
  }

  /** The transactions the driver's queue holds, in the order they are claimed (firstIncarnationOrder). */
  claimOrder(): number[] {
    return this.claims === undefined ? [] : firstIncarnationOrder(this.slots, this.status.length).filter((tx) => this.previous[tx]! < 0);
  }

  get txCount(): number {
    return this.status.length;
  }

  /**
   * The driver aborted tx's incarnation (or it stopped itself) because of `blocker` (the
   * writer it read too early, or -1): learn from it (learnFrom) and put tx back to be
   * executed, now or once `blocker` is done. A transaction aborted REEXECUTION_PATIENCE
   * times or more waits until everything below it is committed, so its next incarnation is
   * its last: otherwise a transaction far ahead that reads a location a long chain below
   * keeps rewriting (a sender's nonce) is re-executed once per link.
   */
  makeRunnable(tx: number, blocker: number): void {
    this.learnFrom(tx, blocker);
    // Aborted by the transaction it is dispatched behind (its sender's previous one, or the
    // previous call to a hot address): ready at once, with no patience. Dispatch puts it
    // behind that one (on its executor when it has room) or lets it wait for it, so its next
    // incarnation sees that one's writes. Deferring it to the commit index instead ran a hot
    // chain one link per round trip with every executor idle (6196166: 48 calls to one
    // contract, each aborted twice, the last third of the run one transaction at a time).
    if (blocker >= 0 && blocker === this.after[tx]) this.makeReady(tx);
    else this.requeue(tx, blocker);
  }

  /**
   * tx was aborted by (or blocked on) `blocker`: when that is the previous call to the same
   * address, the address may now be hot (see the module comment), and each of its later
   * transactions is dispatched behind the previous one to it.
   */
  private learnFrom(tx: number, blocker: number): void {
    const heat = this.heat;
    if (heat === undefined || blocker < 0 || heat.previousCall[tx] !== blocker) return;
    const id = heat.of[tx]!;
    const conflicts = ++heat.conflicts[id]!;
    if (conflicts === HOT_RECIPIENT_CONFLICTS) {
      this.hotRecipientTxs.push(tx);
      const txs = heat.txsOf[id]!;
      for (let i = 1; i < txs.length; i++) {
        const later = txs[i]!;
        if (later > this.commitIndex && txs[i - 1]! > this.after[later]!) {
          this.after[later] = txs[i - 1]!;
          // Still in the claim queue: taken back, to run behind the previous call. Deferred
          // by patience: it follows the previous call now instead (6196166: a call deferred
          // before the address was known hot ran last, and every call after it again).
          if (later > tx && this.isQueued(later) && this.claims!.withdraw(later)) {
            this.makeReady(later);
          } else if (this.status[later] === WAITING && this.waitingOn[later] === -1) {
            this.makeReady(later);
          }
        }
      }
    }
  }

  /**
   * The next call to tx's recipient when that recipient is hot and the call is dispatched
   * behind tx; else -1. When tx is aborted, the driver aborts this one too if it is done and
   * read what tx wrote (and so on up the chain): a hot address's calls each change what the
   * next one reads, so tx's next incarnation will invalidate it. Aborted together, the chain
   * follows tx in one pass, chunks queued behind it on its executor, instead of one link per
   * round trip once each new result arrives (6196166: the last 30 calls to one contract
   * re-ran one at a time, ~1 ms each, with the other executor idle).
   */
  hotFollower(tx: number): number {
    const next = this.heat?.nextCall[tx] ?? -1;
    return next >= 0 && this.isHotCall(next) ? next : -1;
  }

  /**
   * The calls hotFollower names up the chain from an aborted tx that the driver aborts with
   * it: each done one that `readsFrom(call, before)` says read what the call before it
   * wrote, until one did not. A call not done is passed over: it runs again anyway, and what
   * the done ones above it read from it is as stale. Returns [call, before] pairs, in order.
   */
  hotFollowersToAbort(tx: number, readsFrom: (call: number, before: number) => boolean): Array<[number, number]> {
    const found: Array<[number, number]> = [];
    for (let before = tx, f = this.hotFollower(tx); f >= 0; before = f, f = this.hotFollower(f)) {
      if (this.status[f] !== DONE) continue;
      if (!readsFrom(f, before)) break;
      found.push([f, before]);
    }
    return found;
  }

  /** Puts tx back: ready now, or waiting for `blocker` (or, after REEXECUTION_PATIENCE aborts, for the commit index). */
  private requeue(tx: number, blocker: number): void {
    if (this.incarnation[tx]! >= REEXECUTION_PATIENCE && tx > this.commitIndex) {
      this.status[tx] = WAITING;
      this.waitingOn[tx] = -1;
      this.deferred.push(tx);
      return;
    }
    if (blocker >= 0 && this.status[blocker] !== DONE) {
      this.waitFor(tx, blocker);
      return;
    }
    this.makeReady(tx);
  }

  /**
   * tx waits for `before`: until it is done (wakeDependents) or, when `before` is the
   * transaction tx is dispatched behind, dispatched again or committed (releaseFollowers).
   * No patience: what it waits for is exactly the writer it must see.
   */
  private waitFor(tx: number, before: number): void {
    this.status[tx] = WAITING;
    this.waitingOn[tx] = before;
    const list = this.dependents.get(before);
    if (list === undefined) this.dependents.set(before, [tx]);
    else list.push(tx);
  }

  /** tx was just dispatched (or committed): the transactions waiting to follow it are ready, to be queued behind it (or to go). */
  private releaseFollowers(tx: number): void {
    const list = this.dependents.get(tx);
    if (list === undefined) return;
    for (const waiter of list) {
      if (this.status[waiter] === WAITING && this.waitingOn[waiter] === tx && this.after[waiter] === tx) {
        this.waitingOn[waiter] = -1;
        this.makeReady(waiter);
      }
    }
  }

  private makeReady(tx: number): void {
    this.status[tx] = READY;
    this.pushReady(tx);
  }

  /** tx is done: what waited for it is ready. */
  wakeDependents(tx: number): void {
    const list = this.dependents.get(tx);
    if (list === undefined) return;
    this.dependents.delete(tx);
    for (const waiter of list) {
      if (this.status[waiter] === WAITING && this.waitingOn[waiter] === tx) {
        this.waitingOn[waiter] = -1;
        this.status[waiter] = READY;
        this.pushReady(waiter);
      }
    }
  }

  /**
   * Moves the commit index over every done transaction the driver lets commit (`mayCommit`
   * may also abort tx, then returns false), and releases the deferred transactions it
   * reached. Returns true when the block is complete.
   */
  advanceCommit(mayCommit: (tx: number) => boolean): boolean {
    const n = this.status.length;
    while (this.commitIndex < n && this.status[this.commitIndex] === DONE && mayCommit(this.commitIndex)) this.releaseFollowers(this.commitIndex++);
    for (let tx = this.deferred.peek(); tx !== undefined && tx <= this.commitIndex; tx = this.deferred.peek()) {
      this.deferred.pop();
      if (this.status[tx] === WAITING && this.waitingOn[tx] === -1) {
        this.status[tx] = READY;
        this.pushReady(tx);
      }
    }
    return this.commitIndex === n;
  }

  /** Fills every executor's free task slots (see the module comment), handing each task to `deliver`. */
  dispatch(deliver: DeliverTask): void {
    this.dispatchCalls++;
    const leftForWorkers: number[] = [];
    try {
      while (this.dispatchChunk(leftForWorkers, deliver));
    } finally {
      for (const tx of leftForWorkers) this.ready.push(tx);
    }
  }

  /**
   * Sends one chunk to the freest executor; false when there is nothing to send or no room.
   * A large transaction the main thread may not take goes to a worker with room as its own
   * task, or waits in leftForWorkers for the next dispatch.
   */
  private dispatchChunk(leftForWorkers: number[], deliver: DeliverTask): boolean {
    const slots = this.slots;
    const free = slots.freeExecutor();
    if (free < 0) return false;
    const main = slots.mainSlot;
    const heavy = free !== main ? this.nextHeavyFor(free) : undefined;
    if (heavy !== undefined) {
      const previous = this.after[heavy]!;
      if (previous < 0 || this.status[previous] === DONE) {
        this.send(free, [heavy], deliver);
        slots.runAlone(free, heavy);
        return true;
      }
      // Its sender's previous transaction is not done: when nothing holds that one back,
      // both go now, in order, on this worker (19929064: transaction 91, 2.5M gas and half
      // the block, waited for its sender's transaction 81 and started at ~40 ms).
      const before = this.after[previous]!;
      if (this.status[previous] === READY && (before < 0 || this.status[before] === DONE)) {
        this.send(free, [previous, heavy], deliver);
        slots.runAlone(free, heavy);
        return true;
      }
    }
    const txs: number[] = [];
    let target = free;
    while (txs.length < slots.chunkSize) {
      // A worker takes the large transactions the main thread passed over first (lowest first).
      const tx = target !== main && leftForWorkers.length > 0 ? leftForWorkers.shift()! : this.nextReady();
      if (tx === undefined) break;
      const previous = this.after[tx]!;
      if (previous >= 0 && this.mustFollow(tx, previous) && !(this.status[previous] === DISPATCHED && slots.taskExecutor[previous] === target)) {
        // Queue it behind its sender's previous transaction when that one is on an
        // executor with room (as its own chunk), else wait for it.
        const holder = this.status[previous] === DISPATCHED ? slots.taskExecutor[previous]! : -1;
        if (txs.length === 0 && holder >= 0 && slots.hasRoom(holder)) {
          target = holder;
        } else {
          this.waitFor(tx, previous);
          continue;
        }
      }
      if (target === main && !slots.mainMayTake(tx)) {
        const worker = txs.length === 0 ? slots.workerWithRoom() : -1;
        if (worker < 0) {
          leftForWorkers.push(tx);
          continue;
        }
        target = worker;
      }
      this.status[tx] = DISPATCHED;
      slots.taskExecutor[tx] = target;
      txs.push(tx);
      this.releaseFollowers(tx);
      if (target !== free) break;
    }
    if (txs.length === 0) return false;
    this.send(target, txs, deliver);
    return true;
  }

  private send(target: number, txs: number[], deliver: DeliverTask): void {
    const incs = txs.map((tx) => {
      this.status[tx] = DISPATCHED;
      return this.incarnation[tx]!;
    });
    this.slots.assign(target, txs);
    this.onDispatch?.(this.dispatchCalls, target, txs);
    deliver(target, txs, incs);
  }

  /**
   * Whether tx, dispatched behind `previous`, must still go behind it or wait for it: until
   * it is done, and for a call to a hot address also while an earlier call to that address
   * (above the commit index) is not done. A hot address's calls each change what the next
   * one reads: while one below is running again, `previous` will run again too (the driver
   * aborts it with it, see hotFollower), and tx run behind its old result now would be
   * wasted. Run anyway, the chain split over two executors that kept invalidating each
   * other (6196166). Waiting for `previous` to commit instead held back a second hot chain
   * the block could run beside the first.
   */
  private mustFollow(tx: number, previous: number): boolean {
    if (this.status[previous] !== DONE) return true;
    const heat = this.heat;
    if (heat === undefined || !this.isHotCall(tx)) return false;
    for (let q = heat.previousCall[previous]!, steps = 0; q >= this.commitIndex; q = heat.previousCall[q]!) {
      if (this.status[q] !== DONE || ++steps === MAX_CHAIN_LOOKBACK) return true;
    }
    return false;
  }

  /** tx is a call to a hot address, dispatched behind the previous call to it. */
  private isHotCall(tx: number): boolean {
    const heat = this.heat;
    return heat !== undefined && heat.previousCall[tx]! >= 0 && this.after[tx] === heat.previousCall[tx] && heat.isHot(heat.of[tx]!);
  }

  /** tx's first incarnation is in the claim queue or claimed from it (not dispatched, no result yet). */
  private isQueued(tx: number): boolean {
    return this.claims !== undefined && this.status[tx] === DISPATCHED && this.incarnation[tx] === 0 && !this.slots.assigned(tx);
  }

  /** Makes a READY transaction available to dispatch (heavy ones also to the workers' early pick). */
  private pushReady(tx: number): void {
    this.ready.push(tx);
    if (this.slots.isHeavy(tx)) this.heavyReady.push(tx);
  }

  /**
   * The lowest READY heavy transaction beyond what index order reaches soon (every
   * executor's two chunks above the commit index), for a worker that holds no heavy one;
   * else undefined. One closer than that goes in index order: it is soon anyway, and run
   * ahead of the transactions just below it, it mostly reads what they have not written yet.
   */
  private nextHeavyFor(worker: number): number | undefined {
    if (this.slots.holdsHeavy(worker)) return undefined;
    const horizon = this.commitIndex + this.slots.capacity * this.slots.executors;
    // Heavy ones below the horizon (or no longer READY) leave the early pick for good.
    for (let tx = this.heavyReady.pop(); tx !== undefined; tx = this.heavyReady.pop()) {
      if (this.status[tx] === READY && tx >= horizon) return tx;
    }
    return undefined;
  }

  private nextReady(): number | undefined {
    for (;;) {
      const tx = this.ready.pop();
      if (tx === undefined || this.status[tx] === READY) return tx;
    }
  }
}
