/**
 * A Block-STM worker thread. It keeps, per loaded block, the block context and a VM, and
 * a replica of multi-version memory that the coordinator keeps current by broadcasting
 * every applied write set and every ESTIMATE marking, in order. It executes the
 * transactions it is told to against that replica and reports read set, write set and
 * receipt (or the ESTIMATE it ran into, or the error it hit). Validation and scheduling
 * happen in the coordinator; a worker never decides whether a result counts.
 *
 * Before each transaction the worker pulls every pending message synchronously
 * (receiveMessageOnPort), so it starts with the newest writes the coordinator has sent.
 * Reads during execution never leave the thread.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { deserialize } from 'node:v8';
import type { TypedTransaction } from '@ethereumjs/tx';
import { createBlockLevelAccessListFromRLP } from '@ethereumjs/util';
import { BalPlan, balPlanRules } from '../bal/balPlan.js';
import type { BlockData } from '../data/blockData.js';
import { createBlockContext, decodeBlock, recoverSenders } from '../exec/blockContext.js';
import { ReplayVm } from '../exec/replayVm.js';
import { UnitSource, runUnit } from '../exec/unitRun.js';
import { BlockState } from '../state/blockState.js';
import type { LocationValue } from '../state/locations.js';
import { versionIncarnation, versionTx, type StateSource } from '../state/stateSource.js';
import { PASS_THROUGH } from '../errors.js';
import type { WriteSet } from '../state/txState.js';
import { EstimateRead, MVMemory } from './mvMemory.js';
import { BESIDE_STARTED, BESIDE_STOP, CLAIM_FLUSH_MS, NO_READS, SENDER_KEY_BYTES, claimNext, claimRecovery, fromWire, isPackedApply, isPackedDone, packDone, toWireReads, unpackApply, type FromWorker, type ListCheck, type StressConfig, type ToWorker } from './protocol.js';
import { seededRandom } from './seededRandom.js';
import { collectYoungGeneration, gcEntriesArrived, gcMs, gcMsSince } from './gcClock.js';

interface LoadedBlock {
  replay: ReplayVm;
  memory: MVMemory;
  /** The block's access list ('balLoad'): its plan, and its writes loaded into a memory of their own, for runs that name it. */
  bal?: { key: string; memory: MVMemory; plan: BalPlan };
}

const { port, workerIndex } = workerData as { port: MessagePort; workerIndex: number };
const blocks = new Map<string, LoadedBlock>();
/** Loads waiting for the other threads' share of sender recovery, by block key. */
const keysComplete = new Map<string, () => void>();
let current: LoadedBlock | undefined;
let runId = -1;
/**
 * This run executes against an access list (its plan, or undefined): the list's writes are
 * in memory already, the memory stays as it is for the next run, and each transaction is
 * held to the list here, marking what it touched in the run's shared `touched` ('claim').
 */
let list: { plan: BalPlan; touched?: Uint8Array } | undefined;
let stress: StressSource | undefined;
/** This run applies commutative sender updates (the coordinator checks their guards). */
let commutative = false;
/** The current run's units (txUnits.ts): task and memory indices are units then. */
let units: Int32Array | undefined;
const tasks: Array<{ runId: number; tx: number; inc: number; last: boolean; strict: boolean }> = [];
/** The shared queue this run's transactions are claimed from ('claim'), when it has one. */
let claims: { runId: number; queue: Int32Array; strict: Set<number>; next?: number } | undefined;
/** When the outbox last went out: claimed results go out at least every CLAIM_FLUSH_MS of work. */
let flushedAt = 0;
/** Results waiting to go out; sent as one batch at the end of each chunk. */
let outbox: FromWorker[] = [];
let pumping = false;

function send(message: FromWorker): void {
  outbox.push(message);
}

function flushOutbox(): void {
  flushedAt = performance.now();
  if (outbox.length === 0) return;
  port.postMessage(outbox);
  outbox = [];
}

function handle(received: ToWorker): void {
  const message = isPackedApply(received) ? unpackApply(received) : received;
  switch (message.t) {
    case 'load': {
      const started = performance.now();
      void (async () => {
        try {
          // The block arrives once for every worker: its structured-clone bytes in shared
          // memory, decoded here, in parallel with the other workers.
          const data = deserialize(new Uint8Array(message.data)) as BlockData;
          const keys = new Uint8Array(message.keys);
          if (message.recover !== null) {
            // This worker's share of sender recovery: chunks claimed from the shared counter, written into the shared key buffer.
            const { block } = decodeBlock(data);
            const txs = block.transactions as TypedTransaction[];
            const recovered: Uint8Array[] = [];
            claimRecovery(new Int32Array(message.recover), txs.length, (start, end) => {
              recoverSenders(data, txs, start, end, recovered);
              for (let i = start; i < end; i++) keys.set(recovered[i]!, i * SENDER_KEY_BYTES);
            });
            send({ t: 'recovered', worker: workerIndex, blockKey: message.blockKey });
            flushOutbox();
            await new Promise<void>((resolve) => keysComplete.set(message.blockKey, resolve));
          }
          const senderPublicKeys = Array.from({ length: data.block.transactions.length }, (_, i) => keys.slice(i * SENDER_KEY_BYTES, (i + 1) * SENDER_KEY_BYTES));
          const ctx = createBlockContext(data, { senderPublicKeys });
          const replay = await ReplayVm.create(ctx);
          // Warm this thread's JIT on the block, so the measured runs do not pay for it.
          await warmUp(replay, message.warmRuns, message.warmMs, new Int32Array(message.warmStop));
          blocks.set(message.blockKey, { replay, memory: new MVMemory(ctx.pre) });
          send({ t: 'loaded', worker: workerIndex, blockKey: message.blockKey, ms: performance.now() - started });
          flushOutbox();
        } catch (error) {
          send({ t: 'fatal', worker: workerIndex, message: `loading block failed: ${(error as Error).message}` });
          flushOutbox();
        }
      })();
      return;
    }
    case 'senders':
      keysComplete.get(message.blockKey)?.();
      keysComplete.delete(message.blockKey);
      return;
    case 'unload':
      blocks.delete(message.blockKey);
      return;
    case 'run': {
      const block = blocks.get(message.blockKey);
      list = undefined;
      if (block === undefined || message.bal === undefined) current = block;
      else if (block.bal?.key === message.bal) {
        current = { replay: block.replay, memory: block.bal.memory };
        list = { plan: block.bal.plan };
      } else {
        current = undefined;
        send({ t: 'fatal', worker: workerIndex, message: `access list ${message.bal} is not loaded` });
        flushOutbox();
      }
      runId = message.runId;
      firstClaimAt = 0;
      commutative = message.commutative;
      units = message.units;
      busyMs = 0;
      gcMs(); // the clock runs from here
      runStarted = performance.now();
      tasks.length = 0;
      claims = undefined;
      outbox = [];
      if (list === undefined) current?.memory.clear();
      stress = message.stress === undefined || current === undefined ? undefined : new StressSource(current.memory, message.stress, workerIndex);
      return;
    }
    case 'apply': {
      if (message.runId !== runId || current === undefined) return;
      // The coordinator does not echo back the writes of an incarnation this worker ran
      // itself (they were applied when it finished); for those it sends only removals.
      if (running !== undefined && message.tx < running.tx && doomed === undefined) {
        checkDoomed(message.tx, message.inc, message.keys, false);
        checkDoomed(message.tx, message.inc, message.creditKeys, false);
        checkDoomed(message.tx, message.inc, message.removed, true);
      }
      const memory = current.memory;
      for (const key of message.removed) memory.remove(key, message.tx);
      for (let i = 0; i < message.keys.length; i++) memory.write(message.keys[i]!, message.tx, message.inc, fromWire(message.keys[i]!, message.values[i]!));
      for (let i = 0; i < message.creditKeys.length; i++) memory.credit(message.creditKeys[i]!, message.tx, message.inc, message.creditDeltas[i]!);
      return;
    }
    case 'estimate': {
      if (message.runId !== runId || current === undefined) return;
      if (running !== undefined && message.tx < running.tx && doomed === undefined) checkDoomed(message.tx, -1, message.keys, true);
      for (const key of message.keys) current.memory.markEstimate(key, message.tx);
      return;
    }
    case 'exec':
      for (let i = 0; i < message.txs.length; i++) {
        const tx = message.txs[i]!;
        tasks.push({ runId: message.runId, tx, inc: message.incs[i]!, last: i === message.txs.length - 1, strict: message.strict?.includes(tx) === true });
      }
      return;
    case 'balLoad': {
      const block = blocks.get(message.blockKey);
      if (block === undefined) return;
      const { ctx } = block.replay;
      const plan = new BalPlan(createBlockLevelAccessListFromRLP(message.rlp), balPlanRules(ctx));
      const memory = new MVMemory(ctx.pre);
      memory.writeAll(plan.preload);
      block.bal = { key: message.balKey, memory, plan };
      return;
    }
    case 'claim':
      if (message.runId !== runId || current === undefined) return;
      claims = { runId, queue: new Int32Array(message.queue), strict: new Set(message.strict) };
      if (list !== undefined && message.touched !== undefined) list.touched = new Uint8Array(message.touched);
      return;
    case 'replaySerially': {
      const block = blocks.get(message.blockKey);
      const flags = new Int32Array(message.flags);
      void (async () => {
        if (block === undefined) send({ t: 'fatal', worker: workerIndex, message: `block ${message.blockKey} is not loaded` });
        else {
          Atomics.store(flags, BESIDE_STARTED, 1);
          Atomics.notify(flags, BESIDE_STARTED);
          const runs = await replayRepeatedly(block.replay, Infinity, () => Atomics.load(flags, BESIDE_STOP) === 0);
          send({ t: 'replayedSerially', worker: workerIndex, runs });
        }
        flushOutbox();
      })();
      return;
    }
    case 'crash':
      throw new Error('worker crash requested (test hook)');
    case 'hang':
      // Test hook: hang in the next transaction this worker starts, holding it (a worker
      // that hangs before it holds anything only leaves its share to the other executors).
      hangInNextTask = true;
      return;
  }
}

/**
 * Replays the block serially `runs` times to warm this thread's JIT, stopping wherever
 * `ms` have passed, mid-run if need be: a prefix of the block, replayed in order from the
 * pre-state, is a valid serial replay, and a gigagas block would otherwise cost seconds;
 * or as soon as the main thread sets `stop` (its serial runs are over).
 */
async function warmUp(replay: ReplayVm, runs: number, ms: number, stop: Int32Array): Promise<void> {
  const started = performance.now();
  await replayRepeatedly(replay, runs, () => performance.now() - started < ms && Atomics.load(stop, 0) === 0);
}

/**
 * Replays the block serially, up to `runs` times and while `going()` holds (asked before
 * each transaction: a run cut short mid-block is a valid prefix of a serial replay).
 * Returns how many runs were complete.
 */
async function replayRepeatedly(replay: ReplayVm, runs: number, going: () => boolean): Promise<number> {
  for (let r = 0; r < runs; r++) {
    const state = new BlockState(replay.ctx.pre);
    for (let i = 0; i < replay.ctx.txs.length; i++) {
      if (!going()) return r;
      state.commit(i, (await replay.run(i, state)).writes);
    }
  }
  return runs;
}

/** The task being executed, while it runs. */
let running: { tx: number; inc: number; overlay?: UnitSource } | undefined;
/** Set when a write applied mid-execution invalidates something the running task already read. */
let doomed: { key: string; on: number } | undefined;

/**
 * A write by an earlier transaction arrived while `running` executes: if the running
 * incarnation already read one of these locations at an older version, its result would
 * fail validation anyway; stop it now instead of finishing doomed work.
 */
function checkDoomed(tx: number, inc: number, keys: string[], onlyIfReadFromTx: boolean): void {
  const state = running!.overlay ?? current!.replay.state;
  for (const key of keys) {
    const seen = state.readVersionOf(key);
    if (seen === undefined) continue;
    const stale = onlyIfReadFromTx
      ? seen >= 0 && versionTx(seen) === tx
      : seen < 0 || versionTx(seen) < tx || (versionTx(seen) === tx && versionIncarnation(seen) !== inc);
    if (stale) {
      doomed = { key, on: tx };
      return;
    }
  }
}

/** Thrown from a read once the running incarnation is doomed (never wrapped by the runner). */
class EarlyAbort {
  constructor(readonly key: string, readonly on: number) {
    (this as unknown as Record<symbol, boolean>)[PASS_THROUGH] = true;
  }
}

/**
 * The worker's state source: the replica, polled every POLL_READS reads for pending
 * messages (so a long incarnation learns early that an earlier transaction changed what
 * it read), with the stress mode's perturbations when enabled.
 */
const POLL_READS = 24;
class WorkerSource implements StateSource {
  lastVersion = 0;
  lastContributors: number[] | undefined = undefined;
  private reads = 0;
  constructor(
    private readonly memory: MVMemory,
    private readonly stress: StressSource | undefined,
  ) {}
  preValue(key: string): LocationValue {
    return this.memory.preValue(key);
  }
  read(key: string, txIndex: number): LocationValue {
    if (++this.reads % POLL_READS === 0) {
      drain();
      if (doomed !== undefined) throw new EarlyAbort(doomed.key, doomed.on);
    }
    const value = this.stress === undefined ? this.memory.read(key, txIndex) : this.stress.read(key, txIndex);
    this.lastVersion = this.memory.lastVersion;
    this.lastContributors = this.memory.lastContributors;
    return value;
  }
}

/** Applies every message already waiting, without going through the event loop. */
export function drain(): void {
  for (;;) {
    const received = receiveMessageOnPort(port);
    if (received === undefined) return;
    for (const message of received.message as ToWorker[]) handle(message);
  }
}

function applyOwnWrites(memory: MVMemory, tx: number, inc: number, writes: WriteSet): void {
  for (let i = 0; i < writes.keys.length; i++) memory.write(writes.keys[i]!, tx, inc, writes.values[i]!);
  for (let i = 0; i < writes.creditKeys.length; i++) memory.credit(writes.creditKeys[i]!, tx, inc, writes.creditDeltas[i]!);
}

/** Time spent executing tasks in the current run (all incarnations), reported with each result. */
let busyMs = 0;
/** When the current run started (its GC is what collected from then on: gcMsSince). */
let runStarted = 0;

async function execute(task: { runId: number; tx: number; inc: number; last: boolean; strict: boolean }): Promise<void> {
  const startedTask = performance.now();
  try {
    await executeTask(task);
  } finally {
    busyMs += performance.now() - startedTask;
  }
}

/** Test hook ('hang'): the next transaction started never ends (busy for 60 s). */
let hangInNextTask = false;

async function executeTask(task: { runId: number; tx: number; inc: number; strict: boolean }): Promise<void> {
  if (hangInNextTask) {
    hangInNextTask = false;
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      /* test hook: a hung worker */
    }
  }
  const block = current!;
  const source = new WorkerSource(block.memory, stress);
  stress?.beforeTask();
  const overlay = units === undefined ? undefined : new UnitSource(source, task.tx);
  running = { tx: task.tx, inc: task.inc, ...(overlay === undefined ? {} : { overlay }) };
  doomed = undefined;
  try {
    const lazily = commutative && !task.strict;
    const unitRun = overlay === undefined ? undefined : await runUnit(block.replay, units![task.tx]!, units![task.tx + 1]!, overlay, lazily);
    const txRun = unitRun === undefined ? await block.replay.run(task.tx, source, lazily) : undefined;
    // A unit's result carries its transactions' receipts (packDone's unit); the fixed fields are its first's.
    const run = txRun ?? { writes: unitRun!.writes, gasUsed: 0n, timeMs: unitRun!.timeMs, lazy: unitRun!.lazy, receipt: unitRun!.txs[0]!.receipt, reads: { keys: unitRun!.reads.keys } };
    const bloom = txRun?.result.bloom.bitvector ?? unitRun!.txs[0]!.bloom;
    running = undefined;
    if (doomed !== undefined) throw new EarlyAbort((doomed as { key: string }).key, (doomed as { on: number }).on);
    // Apply our own writes to the replica at once, so the next task (often the next
    // transaction) sees them without waiting for the coordinator's broadcast of the same
    // (tx, incarnation) entries.
    let listCheck: ListCheck | undefined;
    if (list === undefined) applyOwnWrites(block.memory, task.tx, task.inc, run.writes);
    else {
      const { keys, values, creditKeys, creditDeltas } = run.writes;
      const failure = list.plan.checkTransaction(task.tx, run.reads.keys, keys, values, creditKeys, creditDeltas, list.touched);
      listCheck = failure === undefined ? {} : { failure };
    }
    send(
      packDone(
        { worker: workerIndex, runId: task.runId, tx: task.tx, inc: task.inc, gasUsed: run.gasUsed, timeMs: run.timeMs, lazy: run.lazy, busyMs, gcMs: gcMsSince(runStarted), ...(listCheck === undefined ? {} : { listCheck }), ...(txRun === undefined || txRun.guards.length === 0 ? {} : { guards: txRun.guards }) },
        run.receipt,
        bloom,
        listCheck !== undefined ? NO_READS : txRun !== undefined ? toWireReads(txRun.reads) : unitRun!.reads,
        run.writes.keys,
        run.writes.values,
        run.writes.creditKeys,
        run.writes.creditDeltas,
        unitRun,
      ),
    );
  } catch (error) {
    running = undefined;
    if (error instanceof EstimateRead) {
      send({ t: 'blocked', worker: workerIndex, runId: task.runId, tx: task.tx, inc: task.inc, on: error.blockingTx, key: error.key, cause: 'estimate' });
    } else if (error instanceof EarlyAbort) {
      send({ t: 'blocked', worker: workerIndex, runId: task.runId, tx: task.tx, inc: task.inc, on: error.on, key: error.key, cause: 'validation' });
    } else {
      const message = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error);
      send({ t: 'failed', worker: workerIndex, runId: task.runId, tx: task.tx, inc: task.inc, message, reads: overlay === undefined ? toWireReads(block.replay.state.readSet) : overlay.reads });
    }
  }
}

/**
 * The claims are done, and the last results have gone out (the run's end waits for them).
 * Then this worker collects its young generation, then the event loop's turns that bring
 * the GC clock its entries (a run of claims never returned to it: gcEntriesArrived), and
 * the newest busy and GC times go out on their own ('runStats'; the coordinator waits for
 * them after the run's clock has stopped). Before, the last results waited for those
 * turns: 0.3–1.4 ms at the end of every run (the run's end after the worker's last claim,
 * medians: 12300570 2.46/2.18 → 1.05/0.85 ms).
 *
 * The collection: the worker is usually idle until the next run (only re-executions may
 * still come), so it collects now (its young generation is mostly garbage then, ~0.3 ms)
 * rather than in the middle of its next run's transactions, where one collection of a
 * young generation full of that run's live results costs 1–5 ms (3356896, a 15 ms block:
 * the worker's transactions ran at 1.55× their serial time at the median, 0.86× with this;
 * its speedup 0.77–0.87× -> 1.01–1.13×). It comes before 'runStats', which the coordinator
 * waits for between runs: when it came after, the next run of a batch started while the
 * worker was still collecting, and its first claim came 0.77 and 1.0 ms after the run's
 * start instead of 0.18 and 0.24 (5891667, 11814555; steady-state parallel time ×0.94 on
 * both, docs/executor.md). It is not this run's GC (gcMsSince's `until`).
 */
async function finishClaims(): Promise<void> {
  const claimsDoneAt = performance.timeOrigin + performance.now();
  flushOutbox();
  const of = runId;
  const collectedAt = performance.now();
  collectYoungGeneration();
  await gcEntriesArrived();
  send({ t: 'runStats', worker: workerIndex, runId: of, busyMs, gcMs: gcMsSince(runStarted, collectedAt), firstClaimAt, claimsDoneAt });
  flushOutbox();
}

/** When this worker claimed its first transaction in the current run (performance.timeOrigin + now(); 0: not yet). */
let firstClaimAt = 0;

async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    for (;;) {
      drain();
      const task = tasks.shift();
      if (task === undefined) {
        if (claims === undefined || claims.runId !== runId || current === undefined) break;
        const tx = claims.next ?? claimNext(claims.queue);
        if (tx < 0) {
          claims = undefined;
          await finishClaims();
          // Tasks may have arrived during finishClaims's turn (their pump() call found this one running).
          continue;
        }
        if (firstClaimAt === 0) firstClaimAt = performance.timeOrigin + performance.now();
        await execute({ runId, tx, inc: 0, last: false, strict: claims.strict.has(tx) });
        // Claim the next one before sending: when none is left, finishClaims sends the last results.
        claims.next = claimNext(claims.queue);
        if (claims.next >= 0 && performance.now() - flushedAt >= CLAIM_FLUSH_MS) flushOutbox();
        continue;
      }
      if (task.runId !== runId || current === undefined) continue;
      await execute(task);
      if (task.last || tasks.length === 0) flushOutbox();
    }
    flushOutbox();
  } finally {
    pumping = false;
  }
}

/**
 * The stress mode: a StateSource in front of the replica that, seeded, busy-waits and
 * pulls pending writes in the middle of an execution, so reads see versions change under
 * them and tasks finish in other orders. Results must still equal the serial replay.
 */
class StressSource implements StateSource {
  lastVersion = 0;
  lastContributors: number[] | undefined = undefined;
  private readonly random: () => number;
  constructor(
    private readonly memory: MVMemory,
    private readonly config: StressConfig,
    worker: number,
  ) {
    this.random = seededRandom(config.seed * 7919 + worker);
  }
  preValue(key: string): LocationValue {
    return this.memory.preValue(key);
  }
  beforeTask(): void {
    if (this.random() < 0.3) this.spin();
  }
  private spin(): void {
    const until = performance.now() + (this.random() * this.config.maxDelayUs) / 1000;
    while (performance.now() < until) {
      /* busy-wait: the other workers get ahead */
    }
  }
  read(key: string, txIndex: number): LocationValue {
    const r = this.random();
    if (r < this.config.delayProbability) this.spin();
    else if (r < this.config.delayProbability + this.config.drainProbability) drain();
    const value = this.memory.read(key, txIndex);
    this.lastVersion = this.memory.lastVersion;
    this.lastContributors = this.memory.lastContributors;
    return value;
  }
}

port.on('message', (batch: ToWorker[]) => {
  for (const message of batch) handle(message);
  void pump();
});
send({ t: 'ready', worker: workerIndex, ms: performance.now() });
flushOutbox();
