// Is memory flat over a range? Runs `stm analyze`'s range loop in process (no executor,
// one run per block) over blocks START..START+COUNT-1 of a fixtures folder, forcing a GC
// every 100 blocks and printing the live heap and the RSS there.
//   npm run build && node --expose-gc dist/scripts/rangeAnalysis/analyze-heap.js FIXTURES_DIR START COUNT
// (e.g. a folder made by scripts/rangeAnalysis/repeat-fixtures.ts)
import { analyzeRange } from '../../src/rangeAnalysis/analyzeRange.js';
import { loadBlock } from '../../src/source/blockLocator.js';

const [dir, start, count] = process.argv.slice(2) as Array<string | undefined>;
const gc = (globalThis as { gc?: () => void }).gc;
if (!dir || !start || !count || gc === undefined) {
  console.error('usage: node --expose-gc dist/scripts/rangeAnalysis/analyze-heap.js FIXTURES_DIR START COUNT');
  process.exit(2);
}
const numbers = Array.from({ length: Number(count) }, (_, i) => BigInt(start) + BigInt(i));
const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);
const mark = (label: string): void => {
  gc();
  const m = process.memoryUsage();
  console.log(`${label}: heap ${mb(m.heapUsed)} MB, rss ${mb(m.rss)} MB`);
};
await analyzeRange({
  numbers,
  load: async (n: bigint) => loadBlock(n, { fixturesDir: dir }),
  machine: {} as never,
  toolVersion: 'heap check',
  options: { threads: 2, runs: 1, warmup: 0, parallel: false, fallback: true, heat: 'edges', simulate: [], progress: (_n: unknown, index: number, _c: unknown, phase: string) => { if (phase === 'loading' && index % 100 === 0) mark(`after ${index} blocks`); } },
});
mark(`after ${count} blocks`);
