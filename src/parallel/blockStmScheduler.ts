/**
 * The Block-STM scheduler: one run of one block on the worker pool.
 *
 * Design (numbers and the alternatives measured: docs/executor.md). The coordinator, on
 * the main thread, owns the authoritative multi-version memory and the scheduler; workers
 * own replicas and execute. Every state read happens inside a worker against its replica
 * (no message on the read path); the coordinator sees each incarnation once, when it
 * finishes, with its read and write sets.
 *
 * On a finished incarnation of tx i the coordinator
 *   1. applies its write set to memory (and broadcasts it, in order, to every replica);
 *   2. validates its read set: every read must resolve to the same version now (a summed
 *      coinbase read: the same value). A failed validation aborts the incarnation: its
 *      writes become ESTIMATE markers and i is re-executed, after the writer of the
 *      failing location is done when that writer is still running (dependency suspension);
 *   3. otherwise marks i done and re-checks only the reads that can have changed: the
 *      done readers above i of every location i's write changed (a reverse index
 *      location -> readers). A done reader whose read no longer resolves to what it saw is
 *      aborted the same way, and so on up (the cascade the paper's validation index does).
 * An incarnation that reads an ESTIMATE in its replica stops at once and reports the
 * writer it waits for; it is re-executed when that writer is done.
 *
 * Invariant: every done transaction's reads resolve, in the coordinator's memory, to what
 * it saw. So once transactions 0..k are all done, none of them can change any more (only
 * a lower transaction's new write could invalidate them, and there is none): they are
 * committed. The block is done when all are committed.
 *
 * First incarnations are claimed by the executors from a shared queue (with at least one
 * worker); only re-executions are dispatched. Scheduling (what runs next, where, and the commit order) is the policy in
 * blockStmPolicy.ts, which the simulator drives too. The plumbing shared with the other
 * schedulers (messages, the main thread as an executor, applying and broadcasting writes,
 * the timer) is in executionRun.ts.
 */
import { ExecutorError } from '../errors.js';
import { failedGuard, failedGuards, independentOfSender } from '../exec/commutativeUpdates.js';
import type { UnitGuard } from '../exec/unitRun.js';
import type { PreState } from '../state/preState.js';
import { SUMMED, makeVersion, versionIncarnation, versionTx } from '../state/stateSource.js';
import type { LocationValue } from '../state/locations.js';
import type { StateGuard } from '../state/txState.js';
import { BlockStmPolicy, DISPATCHED, DONE, claimsFirstIncarnations, previousSameSender, recipientIds } from './blockStmPolicy.js';
import {
  ExecutionRun,
  ParallelExecutionError,
  summedMap,
  type IncarnationResult,
  type RunOptions,
  type RunResult,
} from './executionRun.js';
import { claimQueue, withdrawClaim, type WireReads } from './protocol.js';
import type { WorkerPool } from './workerPool.js';
import { perUnitOf, unitCount, type UnitStarts } from './txUnits.js';

export { ParallelExecutionError, TooManyReexecutions, chooseChunkSize, type TxOutcome } from './executionRun.js';
export { previousSameSender, recipientIds } from './blockStmPolicy.js';
export { HEAVY_GAS_LIMIT } from './taskSlots.js';
export type BlockStmOptions = RunOptions;
export type BlockStmResult = RunResult;

const INVALID = 0;
const VALID = 1;
const SUSPECT = 2;

export function runBlockStm(pool: WorkerPool, pre: PreState, txCount: number, options: BlockStmOptions): Promise<BlockStmResult> {
  const units = options.units;
  if (units === undefined) return new BlockStmScheduler(pool, pre, txCount, options).run();
  return new BlockStmScheduler(pool, pre, unitCount(units), perUnit(options, units)).run();
}

/**
 * The per-transaction options of a run as per-unit ones: a unit of several transfers has no
 * one recipient, its first transaction's sender and commutative plan (its own guards come
 * with its result), and its largest gas limit (it is as light as its transactions).
 */
function perUnit(options: BlockStmOptions, units: UnitStarts): BlockStmOptions {
  const first = <T>(values: T[]): T => values[0]!;
  return {
    ...options,
    senders: perUnitOf(units, options.senders, first),
    ...(options.recipients === undefined ? {} : { recipients: perUnitOf(units, options.recipients, (values, size) => (size > 1 ? null : values[0]!)) }),
    ...(options.commutative === undefined ? {} : { commutative: perUnitOf(units, options.commutative, first) }),
    ...(options.gasLimits === undefined ? {} : { gasLimits: perUnitOf(units, options.gasLimits, (values) => Math.max(...values)) }),
  };
}

class BlockStmScheduler extends ExecutionRun {
  /**
   * Per done transaction that can still be invalidated: its reads as received (looked up by
   * scanning: rechecks are rare). One that committed as it finished has none (see completed).
   */
  private readonly readSets: Array<WireReads | undefined>;
  /**
   * Location -> readers, each tagged with the incarnation that read it (append-only; a tag
   * whose transaction has moved on, or is not done, is skipped). Cheaper to maintain on
   * every result than a set per location, which matters on conflict-free blocks.
   */
  private readonly readers = new Map<string, number[]>();
  /** What runs next, where, and the commit order (shared with the simulator). */
  private readonly policy: BlockStmPolicy;
  /** Per transaction: its standing incarnation ran with lazy sender updates (its guard is checked at commit). */
  private readonly lazyRan: Uint8Array;
  /** Per unit (RunOptions.units): the boundary guards of its standing incarnation. */
  private readonly unitGuards: Array<UnitGuard[] | undefined> = [];
  /** Per single transaction: the guards of contracts' payments its standing incarnation debited lazily, if any. */
  private readonly debitGuards: Array<StateGuard[] | undefined> = [];
  /** Per transaction: how many aborted writers its standing reads rely on (0 = committable). */
  private readonly suspicion: Int32Array;
  /** Aborted writer -> readers (tagged with their incarnation) suspect of it. */
  private readonly suspects = new Map<number, Set<number>>();
  /** Done transactions whose last incarnation threw (see onFailed). */
  private readonly failures = new Map<number, string>();
  /** The shared queue first incarnations are claimed from (blockStmPolicy.ts), when executors claim them; started with the first dispatch. */
  private readonly firstClaims: Int32Array | undefined;

  constructor(pool: WorkerPool, pre: PreState, n: number, options: BlockStmOptions) {
    super(pool, pre, n, options);
    this.suspicion = new Int32Array(n);
    this.readSets = new Array(n);
    this.lazyRan = new Uint8Array(n);
    const independent = options.commutative === undefined ? undefined : independentOfSender(options.commutative);
    const recipients = options.recipients === undefined ? undefined : recipientIds(options.recipients);
    this.policy = new BlockStmPolicy(
      this.status,
      this.incarnation,
      this.slots,
      previousSameSender(options.senders, independent, recipients),
      recipients,
      claimsFirstIncarnations(this.slots) ? { withdraw: (tx) => withdrawClaim(this.firstClaims!, tx) } : undefined,
    );
    if (claimsFirstIncarnations(this.slots)) this.firstClaims = claimQueue(this.policy.claimOrder(), n);
    this.policy.onDispatch = options.onDispatch;
  }

  private get commitIndex(): number {
    return this.policy.commitIndex;
  }

  protected isComplete(): boolean {
    return this.policy.commitIndex === this.n;
  }

  /** A finished incarnation (from a worker or the main thread): apply, validate, and complete or abort. */
  protected onResult(tx: number, inc: number, reads: WireReads, keys: string[], values: LocationValue[], creditKeys: string[], creditDeltas: bigint[], result: IncarnationResult): void {
    this.lazyRan[tx] = result.lazy ? 1 : 0;
    if (result.unit !== undefined) this.unitGuards[tx] = result.unit.guards;
    else this.debitGuards[tx] = result.guards;
    const changed = this.applyWrites(tx, inc, keys, values, creditKeys, creditDeltas);
    // (Its own writes, just applied, are above its reads: they do not change what it read.)
    if (result.readsCurrent === true) this.pendingSuspicions = [];
    else if (!this.validate(tx, reads)) {
      this.abortIncarnation(tx, this.failingKey, 'validation');
      this.recheckReaders(changed, tx);
      return;
    }
    this.status[tx] = DONE;
    this.recordOutcome(tx, keys, values, creditKeys, creditDeltas, result);
    this.completed(tx, reads, changed);
  }

  /** A transaction's incarnation stands: index its reads, re-check what its writes changed, clear suspicions on it. */
  private completed(tx: number, reads: WireReads, changed: string[]): void {
    // A transaction that stands at the commit index, relying on no aborted writer, commits
    // right now: nothing can invalidate its reads any more, so they need no index.
    if (tx !== this.commitIndex || this.pendingSuspicions.length > 0) this.registerReads(tx, reads);
    for (const writer of this.pendingSuspicions) this.addSuspect(writer, tx);
    this.recheckReaders(changed, tx);
    this.clearSuspicionsOn(tx);
    this.wakeDependents(tx);
    this.advanceCommit();
  }

  /** Readers of (tx, from) at key saw the same value tx's incarnation `to` wrote: their read stands. */
  protected override onValueRewritten(key: string, tx: number, from: number, to: number): void {
    const list = this.readers.get(key);
    if (list === undefined) return;
    const seen = makeVersion(tx, from);
    for (const tag of list) {
      const reader = this.liveReader(tag);
      if (reader <= tx) continue;
      const reads = this.readSets[reader]!;
      const at = reads.keys.indexOf(key);
      if (at >= 0 && reads.versions[at] === seen) reads.versions[at] = makeVersion(tx, to);
    }
  }

  /** The reader a tag names, or -1 when that incarnation is no longer a done reader. */
  private liveReader(tag: number): number {
    const reader = versionTx(tag);
    return this.status[reader] === DONE && this.incarnation[reader] === versionIncarnation(tag) && this.readSets[reader] !== undefined ? reader : -1;
  }

  /** The key validate() found invalid. */
  private failingKey = '';
  /** The aborted writers whose retained values validate() relied on (the reader becomes suspect of each). */
  private pendingSuspicions: number[] = [];

  /** Validates a finished incarnation's reads; sets failingKey or pendingSuspicions. */
  private validate(tx: number, reads: WireReads): boolean {
    this.pendingSuspicions = [];
    let summed: Map<string, bigint> | undefined;
    for (let r = 0; r < reads.keys.length; r++) {
      const key = reads.keys[r]!;
      const version = reads.versions[r]!;
      if (version === SUMMED) summed ??= summedMap(reads);
      const verdict = this.checkRead(tx, key, version, version === SUMMED ? summed!.get(key) : undefined);
      if (verdict === INVALID) {
        this.failingKey = key;
        return false;
      }
      if (verdict === SUSPECT) this.pendingSuspicions.push(this.memory.lastEstimateTx);
    }
    return true;
  }

  /**
   * Whether a recorded read still holds: VALID; SUSPECT when it holds only through an
   * ESTIMATE's retained value (the writer's next incarnation decides); else INVALID.
   */
  private checkRead(tx: number, key: string, version: number, summedValue: bigint | undefined): number {
    const value = this.memory.resolve(key, tx);
    if (value === undefined) return INVALID;
    const estimate = this.memory.lastEstimateTx;
    if (version === SUMMED) {
      if (estimate >= 0) return INVALID;
      return value === summedValue ? VALID : INVALID;
    }
    if (this.memory.lastVersion !== version) return INVALID;
    return estimate >= 0 ? SUSPECT : VALID;
  }

  private registerReads(tx: number, reads: WireReads): void {
    const tag = makeVersion(tx, this.incarnation[tx]!);
    for (const key of reads.keys) {
      const list = this.readers.get(key);
      if (list === undefined) this.readers.set(key, [tag]);
      else if (list[list.length - 1] !== tag) list.push(tag);
    }
    this.readSets[tx] = reads;
  }

  private unregisterReads(tx: number): void {
    this.readSets[tx] = undefined;
  }

  /** What reader recorded for key: its version, and for a SUMMED read the value. */
  private recordedRead(reader: number, key: string): { version: number; summed: bigint | undefined } | undefined {
    const reads = this.readSets[reader]!;
    const at = reads.keys.indexOf(key);
    if (at < 0) return undefined;
    const version = reads.versions[at]!;
    if (version !== SUMMED) return { version, summed: undefined };
    const s = reads.summedKeys.indexOf(key);
    return { version, summed: s < 0 ? undefined : reads.summedValues[s] };
  }

  /**
   * Re-checks the done readers above `writer` of the given keys: a read that no longer
   * holds aborts its reader; one that now holds only through an ESTIMATE makes its reader
   * suspect (it cannot commit until that writer is done again).
   */
  private recheckReaders(keys: string[], writer: number): void {
    for (const key of keys) {
      const list = this.readers.get(key);
      if (list === undefined || list.length === 0) continue;
      const victims: number[] = [];
      let live = 0;
      for (const tag of list) {
        const reader = this.liveReader(tag);
        if (reader < 0) continue;
        list[live++] = tag; // compact stale tags away while passing
        if (reader <= writer) continue;
        const recorded = this.recordedRead(reader, key);
        if (recorded === undefined) continue;
        const verdict = this.checkRead(reader, key, recorded.version, recorded.summed);
        if (verdict === INVALID) victims.push(reader);
        else if (verdict === SUSPECT) this.addSuspect(this.memory.lastEstimateTx, reader);
      }
      list.length = live;
      for (const reader of victims) {
        if (this.status[reader] !== DONE) continue;
        if (reader < this.commitIndex) throw new ExecutorError(`internal: committed transaction ${reader} was invalidated by ${writer} at ${key}`);
        this.unregisterReads(reader);
        this.outcomes[reader] = undefined;
        this.failures.delete(reader);
        this.abortIncarnation(reader, key, 'validation');
      }
    }
  }

  /**
   * Aborts tx's current incarnation: its writes become ESTIMATEs (retaining their values),
   * the done readers of those writes become suspect (not aborted: if tx's next incarnation
   * writes the same values, their reads stand), and tx runs again when what it waits for
   * is done.
   */
  private abortIncarnation(tx: number, key: string, cause: 'validation' | 'estimate'): void {
    this.abortOne(tx, key, cause, this.writerOf(key, tx));
    this.abortHotFollowers(tx);
  }

  private abortOne(tx: number, key: string, cause: 'validation' | 'estimate', blocker: number): void {
    const keys = this.markEstimates(tx);
    if (keys.length > 0) this.recheckReaders(keys, tx);
    this.suspicion[tx] = 0;
    this.countConflict(tx, key, cause);
    this.makeRunnable(tx, blocker);
  }

  /**
   * tx was aborted: the done calls after it to the same hot address go with it
   * (policy.hotFollowersToAbort says which and why). One already aborted meanwhile, by the
   * re-checks an earlier abort here ran, is left as it is.
   */
  private abortHotFollowers(tx: number): void {
    const keys: string[] = [];
    const found = this.policy.hotFollowersToAbort(tx, (call, before) => {
      const key = this.readOfWrite(call, before);
      if (key !== undefined) keys.push(key);
      return key !== undefined;
    });
    found.forEach(([call, before], i) => {
      if (this.status[call] !== DONE) return;
      this.unregisterReads(call);
      this.outcomes[call] = undefined;
      this.failures.delete(call);
      this.abortOne(call, keys[i]!, 'validation', before);
    });
  }

  /** A location reader's standing incarnation read and writer's last incarnation wrote, or undefined. */
  private readOfWrite(reader: number, writer: number): string | undefined {
    const reads = this.readSets[reader];
    const written = this.writeKeys[writer];
    if (reads === undefined || written === undefined) return undefined;
    return reads.keys.find((key) => written.includes(key));
  }

  /** Reader r (in its current incarnation) holds only if writer's next incarnation writes the same values. */
  private addSuspect(writer: number, reader: number): void {
    let set = this.suspects.get(writer);
    if (set === undefined) this.suspects.set(writer, (set = new Set()));
    const tag = makeVersion(reader, this.incarnation[reader]!);
    if (set.has(tag)) return;
    set.add(tag);
    this.suspicion[reader]!++;
  }

  /** writer is done again: every reader still suspect of it (not aborted meanwhile) is cleared of it. */
  private clearSuspicionsOn(writer: number): void {
    const set = this.suspects.get(writer);
    if (set === undefined) return;
    this.suspects.delete(writer);
    for (const tag of set) {
      const reader = versionTx(tag);
      if (this.status[reader] === DONE && this.incarnation[reader] === versionIncarnation(tag) && this.suspicion[reader]! > 0) this.suspicion[reader]!--;
    }
  }

  /** The transaction whose entry tx now sees at key (to wait for it when it is not done), or -1. */
  private writerOf(key: string, tx: number): number {
    this.memory.resolve(key, tx);
    if (this.memory.lastEstimateTx >= 0) return this.memory.lastEstimateTx;
    return this.memory.lastVersion >= 0 ? versionTx(this.memory.lastVersion) : -1;
  }

  /** The incarnation stopped itself: it met an ESTIMATE, or saw a newer write to something it had read (early abort). */
  protected onBlocked(tx: number, inc: number, on: number, key: string, cause: 'estimate' | 'validation'): void {
    if (this.status[tx] !== DISPATCHED || this.incarnation[tx] !== inc) return;
    this.countConflict(tx, key, cause);
    this.makeRunnable(tx, on);
  }

  /**
   * An incarnation that threw. On stale reads that is ordinary speculation (a nonce not yet
   * bumped by an earlier transaction still running): it is handled like any result, with
   * no writes, and aborted when its reads change. Only if it is still standing when it is
   * committed did parallel execution fail where serial did not.
   */
  protected onFailed(tx: number, inc: number, message: string, reads: WireReads): void {
    if (this.status[tx] !== DISPATCHED || this.incarnation[tx] !== inc) return;
    this.lazyRan[tx] = 0;
    const changed = this.applyWrites(tx, inc, [], [], [], []);
    if (!this.validate(tx, reads)) {
      this.countConflict(tx, this.failingKey, 'validation');
      this.makeRunnable(tx, this.writerOf(this.failingKey, tx));
      this.recheckReaders(changed, tx);
      return;
    }
    this.status[tx] = DONE;
    this.outcomes[tx] = undefined;
    this.failures.set(tx, message);
    this.completed(tx, reads, changed);
  }

  private advanceCommit(): void {
    this.policy.advanceCommit(this.mayCommit);
  }

  /** The recipients learned hot go into the run's stats (the report names them). */
  protected override finish(): void {
    const recipients = this.options.recipients;
    if (recipients !== undefined) this.stats.hotRecipients = this.policy.hotRecipientTxs.map((tx) => recipients[tx]!);
    super.finish();
  }

  /**
   * A done transaction at the commit index commits when it relies on no aborted writer and,
   * when it ran with lazy sender updates, its guard holds against the now final state
   * below it (else it runs again, strictly). One whose last incarnation threw fails the run.
   */
  private readonly mayCommit = (tx: number): boolean => {
    if (this.suspicion[tx] !== 0) return false;
    const failure = this.failures.get(tx);
    if (failure !== undefined) {
      throw new ParallelExecutionError(`${this.transactionsOf(tx)} failed in parallel execution although everything it read was final: ${failure}`);
    }
    if (this.lazyRan[tx] === 1) {
      const guards = this.unitGuards[tx];
      const exact = (k: string) => this.memory.resolve(k, tx);
      const debits = this.debitGuards[tx];
      const key =
        guards !== undefined ? failedGuards(guards, exact) : (failedGuard(this.options.commutative![tx]!, exact) ?? (debits === undefined ? undefined : failedGuards(debits, exact)));
      if (key !== undefined) {
        this.strict[tx] = 1;
        this.unregisterReads(tx);
        this.outcomes[tx] = undefined;
        this.abortIncarnation(tx, key, 'validation');
        return false;
      }
    }
    return true;
  };

  /** What index tx stands for, in words: a transaction, or a unit's transactions (RunOptions.units). */
  private transactionsOf(tx: number): string {
    const units = this.options.units;
    if (units === undefined || units[tx + 1]! - units[tx]! === 1) return `transaction ${units === undefined ? tx : units[tx]!}`;
    return `one of transactions ${units[tx]!}–${units[tx + 1]! - 1} (run as one unit)`;
  }

  private makeRunnable(tx: number, blocker: number): void {
    this.policy.makeRunnable(tx, blocker);
  }

  private wakeDependents(tx: number): void {
    this.policy.wakeDependents(tx);
  }

  protected dispatch(): void {
    if (this.firstClaims !== undefined) this.startClaims(this.firstClaims);
    this.policy.dispatch(this.deliverTask);
  }

}

