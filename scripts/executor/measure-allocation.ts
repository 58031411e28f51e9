// Bytes allocated per transaction by each thread: the serial replay, and Block-STM's main
// thread and worker at THREADS threads (default 2), on one block. Run under
// `node --trace-gc-nvp`: V8 prints, per collection of each isolate, the bytes allocated since
// the previous one; this script marks the phases (serial runs, then parallel runs) on stdout
// and the summary is computed from that log by the same script given --parse LOG.
// What a thread allocates is what its collections must scan: the executor's own per-transaction
// allocation (results, messages, multi-version memory) is the difference to the serial replay.
// Beside it, what its young collections promoted to the old generation per transaction: what
// outlived two of them, or was kept alive from old objects (docs/executor.md, "Young tables
// for per-transaction Maps, and no pretenuring"); full collections reclaim it later.
// Run: npm run build && node --trace-gc-nvp dist/scripts/executor/measure-allocation.js [--fixtures DIR] block > LOG 2>&1
//      node dist/scripts/executor/measure-allocation.js --parse LOG
import { readFileSync } from 'node:fs';
import { bundledFixturesDir } from '../../src/data/bundledFixtures.js';
import { loadBlock } from '../../src/source/blockLocator.js';
import { replaySerial } from '../../src/replay/replayBlock.js';
import { runSerial } from '../../src/exec/serialExecutor.js';
import { closeSharedPool } from '../../src/parallel/workerPool.js';
import { blockStmRunner } from './blockStmRunner.js';

const args = process.argv.slice(2);
if (args[0] === '--parse') {
  // "[pid:isolate]   T ms: pause=… gc=s … allocated=N …" and this script's "MARK phase txs" lines.
  const lines = readFileSync(args[1]!, 'utf8').split('\n');
  const phases: Array<{ name: string; txs: number; runs: number; bytes: Map<string, number>; promoted: Map<string, number> }> = [];
  let current: (typeof phases)[number] | undefined;
  for (const line of lines) {
    const mark = /^MARK (\S+) (\d+) (\d+)/.exec(line);
    if (mark !== null) {
      current = mark[1] === 'end' ? undefined : { name: mark[1]!, txs: Number(mark[2]), runs: Number(mark[3]), bytes: new Map(), promoted: new Map() };
      if (current !== undefined) phases.push(current);
      continue;
    }
    const gc = /^\[\d+:(0x[0-9a-f]+)\].*\ballocated=(\d+)/.exec(line);
    if (gc === null || current === undefined) continue;
    current.bytes.set(gc[1]!, (current.bytes.get(gc[1]!) ?? 0) + Number(gc[2]));
    const promoted = /\bgc=s\b.*\bpromoted=(\d+)/.exec(line);
    if (promoted !== null) current.promoted.set(gc[1]!, (current.promoted.get(gc[1]!) ?? 0) + Number(promoted[1]));
  }
  const kbPerTx = (bytes: number, phase: (typeof phases)[number]): string => (bytes / phase.txs / phase.runs / 1024).toFixed(1);
  for (const phase of phases) {
    const perTx = [...phase.bytes].map(([isolate, bytes]) => `${isolate} ${kbPerTx(bytes, phase)} KB/tx (promoted ${kbPerTx(phase.promoted.get(isolate) ?? 0, phase)})`);
    console.log(`${phase.name}: ${perTx.join(', ')}`);
  }
  process.exit(0);
}
const fixturesDir = args[0] === '--fixtures' ? args.splice(0, 2)[1] : bundledFixturesDir();
const block = BigInt(args[0] ?? 11814555);
const runs = Number(process.env.RUNS ?? 40);
const threads = Number(process.env.THREADS ?? 2);

const serial = await replaySerial(loadBlock(block, { fixturesDir }), { runs: 3, warmup: 2, threads });
const { ctx } = serial;
const n = ctx.txs.length;
for (let i = 0; i < 5; i++) await runSerial(serial.replay);
// Collections are counted in the phase they happen in: the allocation before one is
// attributed to the phase it ends in, so each phase starts with an explicit collection.
const collect = (globalThis as { gc?: () => void }).gc;
collect?.();
console.log(`MARK serial ${n} ${runs}`);
for (let i = 0; i < runs; i++) await runSerial(serial.replay);
collect?.();
console.log('MARK end 0 0');

const run = await blockStmRunner(serial, threads, false);
for (let i = 0; i < 5; i++) await run();
collect?.();
console.log(`MARK parallel ${n} ${runs}`);
for (let i = 0; i < runs; i++) await run();
collect?.();
console.log('MARK end 0 0');
await closeSharedPool();
