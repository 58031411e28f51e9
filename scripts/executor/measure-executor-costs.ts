// Measures the per-read and per-task costs behind the executor's design (docs/executor.md):
// a message round trip between threads (structured clone) for an empty and a typical
// result-sized payload, a SharedArrayBuffer + Atomics ping-pong, a synchronous pull with
// receiveMessageOnPort, and one state read through MVMemory and through the serial
// BlockState. Run: npm run build && node dist/scripts/executor/measure-executor-costs.js
import { MessageChannel, Worker, isMainThread, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { median } from '../../src/analysis/stats.js';
import type { StateSource } from '../../src/state/stateSource.js';

if (!isMainThread) {
  const { port, sab } = workerData;
  if (sab) {
    const flag = new Int32Array(sab);
    for (;;) {
      Atomics.wait(flag, 0, 0);
      if (Atomics.load(flag, 0) === 2) break;
      Atomics.store(flag, 0, 0);
      Atomics.notify(flag, 0);
    }
  } else {
    port.on('message', (m: unknown) => port.postMessage(m));
  }
} else {
  const typicalResult = {
    t: 'done', tx: 17, inc: 0,
    reads: { keys: Array.from({ length: 60 }, (_, i) => 's:0x' + 'ab'.repeat(20) + ':0x' + i.toString(16).padStart(64, '0')), versions: Array.from({ length: 60 }, (_, i) => i * 1048576), summedKeys: [], summedValues: [] },
    keys: Array.from({ length: 10 }, (_, i) => 's:0x' + 'cd'.repeat(20) + ':0x' + i.toString(16).padStart(64, '0')),
    values: Array.from({ length: 10 }, () => new Uint8Array(32).fill(7)),
    gasUsed: 123456n,
  };
  async function roundTrips(payload: object, count: number): Promise<number> {
    const { port1, port2 } = new MessageChannel();
    const w = new Worker(new URL(import.meta.url), { workerData: { port: port2 }, transferList: [port2] });
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await new Promise((r) => { port1.once('message', r); port1.postMessage(payload); });
      times.push((performance.now() - t) * 1000);
    }
    await w.terminate();
    return median(times.slice(50));
  }
  async function atomicsPingPong(count: number): Promise<number> {
    const sab = new SharedArrayBuffer(4);
    const flag = new Int32Array(sab);
    const w = new Worker(new URL(import.meta.url), { workerData: { sab } });
    await new Promise((r) => setTimeout(r, 200));
    const t = performance.now();
    for (let i = 0; i < count; i++) {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      while (Atomics.load(flag, 0) !== 0) Atomics.wait(flag, 0, 1, 1);
    }
    const us = ((performance.now() - t) * 1000) / count;
    Atomics.store(flag, 0, 2); Atomics.notify(flag, 0);
    await w.terminate();
    return us;
  }
  function pullCost(count: number): number {
    const { port1, port2 } = new MessageChannel();
    for (let i = 0; i < count; i++) port1.postMessage([typicalResult]);
    const t = performance.now();
    let n = 0;
    while (receiveMessageOnPort(port2) !== undefined) n++;
    const us = ((performance.now() - t) * 1000) / n;
    port1.close();
    return us;
  }
  const { MVMemory } = await import('../../src/parallel/mvMemory.js');
  const { BlockState } = await import('../../src/state/blockState.js');
  const { PreState } = await import('../../src/state/preState.js');
  function readCost(source: StateSource, keys: string[], count: number): number {
    const t = performance.now();
    for (let i = 0; i < count; i++) source.read(keys[i % keys.length], 1000);
    return ((performance.now() - t) * 1e6) / count;
  }
  const pre = new PreState({});
  const keys = typicalResult.reads.keys;
  const memory = new MVMemory(pre);
  const state = new BlockState(pre);
  keys.forEach((k, i) => { if (i % 2) { memory.write(k, i, 0, new Uint8Array([1])); state.commit(i, { keys: [k], values: [new Uint8Array([1])], creditKeys: [], creditDeltas: [] }); } });
  readCost(memory, keys, 1e6); readCost(state, keys, 1e6);
  const results = {
    'message round trip, empty (µs)': await roundTrips({}, 2000),
    'message round trip, typical result: 60 reads + 10 writes (µs)': await roundTrips(typicalResult, 2000),
    'SharedArrayBuffer + Atomics ping-pong round trip (µs)': await atomicsPingPong(20000),
    'receiveMessageOnPort pull of one typical result (µs)': pullCost(5000),
    'MVMemory read (ns)': readCost(memory, keys, 3e6),
    'BlockState (serial) read (ns)': readCost(state, keys, 3e6),
  };
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(66)} ${v.toFixed(2)}`);
}
