// What a worker's results cost to send: every transaction of a block is replayed once, its
// result packed as the 'done' message a worker posts (packDone, as worker.ts does), and the messages, in chunks of 7,
// serialized and deserialized with the structured-clone serializer postMessage uses.
// Prints bytes per transaction and µs per transaction each way (5 passes).
// Run: npm run build && node dist/scripts/executor/measure-message-cost.js [--fixtures DIR] block
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { createBlockContext } from '../../src/exec/blockContext.js';
import { ReplayVm } from '../../src/exec/replayVm.js';
import { MVMemory } from '../../src/parallel/mvMemory.js';
import { packDone, toWireReads } from '../../src/parallel/protocol.js';
import v8 from 'node:v8';
const args = process.argv.slice(2);
let dir = bundledFixturesDir();
if (args[0] === '--fixtures') { dir = args[1]; args.splice(0, 2); }
const ctx = createBlockContext(loadBlock(BigInt(args[0]), { fixturesDir: dir }));
const vm = await ReplayVm.create(ctx);
const mem = new MVMemory(ctx.pre);
const msgs = [];
for (let i = 0; i < ctx.txs.length; i++) {
  const run = await vm.run(i, mem);
  for (let k = 0; k < run.writes.keys.length; k++) mem.write(run.writes.keys[k], i, 0, run.writes.values[k]);
  for (let k = 0; k < run.writes.creditKeys.length; k++) mem.credit(run.writes.creditKeys[k], i, 0, run.writes.creditDeltas[k]);
  const head = { worker: 0, runId: 1, tx: i, inc: 0, gasUsed: run.gasUsed, timeMs: run.timeMs, lazy: run.lazy, busyMs: 1, gcMs: 0 };
  msgs.push(packDone(head, run.receipt, run.result.bloom.bitvector, toWireReads(run.reads), run.writes.keys, run.writes.values, run.writes.creditKeys, run.writes.creditDeltas));
}
const batches = []; for (let i = 0; i < msgs.length; i += 7) batches.push(msgs.slice(i, i + 7));
let bytes = 0; for (const b of batches) bytes += v8.serialize(b).length;
for (let rep = 0; rep < 5; rep++) {
  let ser = 0, de = 0;
  for (const b of batches) { const a = performance.now(); const buf = v8.serialize(b); const m = performance.now(); v8.deserialize(buf); de += performance.now() - m; ser += m - a; }
  console.log(`txs ${msgs.length} bytes/tx ${(bytes / msgs.length).toFixed(0)} serialize ${(1000 * ser / msgs.length).toFixed(1)} us/tx deserialize ${(1000 * de / msgs.length).toFixed(1)} us/tx`);
}
