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
import { createBlockContext } from '../exec/blockContext.js';
import { ReplayVm } from '../exec/replayVm.js';
import type { LocationValue } from '../state/locations.js';
import type { StateSource } from '../state/stateSource.js';
import type { ReadSet, WriteSet } from '../state/txState.js';
import { EstimateRead, MVMemory } from './mvMemory.js';
import { fromWire, toWire, type FromWorker, type StressConfig, type ToWorker, type WireReads } from './protocol.js';
import { seededRandom } from './seededRandom.js';

interface LoadedBlock {
  replay: ReplayVm;
  memory: MVMemory;
}

const { port, workerIndex } = workerData as { port: MessagePort; workerIndex: number };
const blocks = new Map<string, LoadedBlock>();
let current: LoadedBlock | undefined;
let runId = -1;
let stress: StressSource | undefined;
const tasks: Array<{ runId: number; tx: number; inc: number }> = [];
let pumping = false;

function send(message: FromWorker): void {
  port.postMessage(message);
}

function handle(message: ToWorker): void {
  switch (message.t) {
    case 'load': {
      const started = performance.now();
      void (async () => {
        try {
          const ctx = createBlockContext(message.data, { senderPublicKeys: message.senderPublicKeys });
          const replay = await ReplayVm.create(ctx);
          blocks.set(message.blockKey, { replay, memory: new MVMemory(ctx.pre) });
          send({ t: 'loaded', worker: workerIndex, blockKey: message.blockKey, ms: performance.now() - started });
        } catch (error) {
          send({ t: 'fatal', worker: workerIndex, message: `loading block failed: ${(error as Error).message}` });
        }
      })();
      return;
    }
    case 'unload':
      blocks.delete(message.blockKey);
      return;
    case 'run': {
      current = blocks.get(message.blockKey);
      runId = message.runId;
      tasks.length = 0;
      current?.memory.clear();
      stress = message.stress === undefined || current === undefined ? undefined : new StressSource(current.memory, message.stress, workerIndex);
      return;
    }
    case 'apply': {
      if (message.runId !== runId || current === undefined) return;
      const memory = current.memory;
      for (const key of message.removed) memory.remove(key, message.tx);
      for (let i = 0; i < message.keys.length; i++) memory.write(message.keys[i]!, message.tx, message.inc, fromWire(message.keys[i]!, message.values[i]!));
      for (let i = 0; i < message.creditKeys.length; i++) memory.credit(message.creditKeys[i]!, message.tx, message.inc, message.creditDeltas[i]!);
      return;
    }
    case 'estimate': {
      if (message.runId !== runId || current === undefined) return;
      for (const key of message.keys) current.memory.markEstimate(key, message.tx);
      return;
    }
    case 'exec':
      tasks.push({ runId: message.runId, tx: message.tx, inc: message.inc });
      return;
    case 'crash':
      throw new Error('worker crash requested (test hook)');
    case 'hang': {
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        /* test hook: a hung worker */
      }
      return;
    }
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

function wireReads(reads: ReadSet): WireReads {
  const summedKeys: string[] = [];
  const summedValues: bigint[] = [];
  for (const [key, { value }] of reads.summed) {
    summedKeys.push(key);
    summedValues.push(value);
  }
  return { keys: reads.keys, versions: reads.versions, summedKeys, summedValues };
}

async function execute(task: { runId: number; tx: number; inc: number }): Promise<void> {
  const block = current!;
  const source: StateSource = stress ?? block.memory;
  stress?.beforeTask();
  try {
    const run = await block.replay.run(task.tx, source);
    // Apply our own writes to the replica at once, so the next task (often the next
    // transaction) sees them without waiting for the coordinator's broadcast of the same
    // (tx, incarnation) entries.
    applyOwnWrites(block.memory, task.tx, task.inc, run.writes);
    const values: Array<ReturnType<typeof toWire>> = run.writes.values.map((value: LocationValue) => toWire(value));
    send({
      t: 'done',
      worker: workerIndex,
      runId: task.runId,
      tx: task.tx,
      inc: task.inc,
      reads: wireReads(run.reads),
      keys: run.writes.keys,
      values,
      creditKeys: run.writes.creditKeys,
      creditDeltas: run.writes.creditDeltas,
      gasUsed: run.gasUsed,
      receipt: run.receipt,
      bloom: run.result.bloom.bitvector,
      timeMs: run.timeMs,
    });
  } catch (error) {
    if (error instanceof EstimateRead) {
      send({ t: 'blocked', worker: workerIndex, runId: task.runId, tx: task.tx, inc: task.inc, on: error.blockingTx, key: error.key });
    } else {
      const message = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error);
      send({ t: 'failed', worker: workerIndex, runId: task.runId, tx: task.tx, inc: task.inc, message, reads: wireReads(block.replay.state.readSet) });
    }
  }
}

async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    for (;;) {
      drain();
      const task = tasks.shift();
      if (task === undefined) break;
      if (task.runId !== runId || current === undefined) continue;
      await execute(task);
    }
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
