// Makes a fixtures folder of COUNT blocks from a few: block k is a copy of source block
// (k mod sources) with its number (and its ancestor hash's number) set to START + k.
// Only for blocks whose rules do not depend on the number (synthetic cancun blocks: the
// timestamp picks the fork), to measure `stm analyze` over long ranges.
//   npm run build && node dist/scripts/rangeAnalysis/repeat-fixtures.js SRC_DIR OUT_DIR START COUNT
import { mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const [src, out, start, count] = process.argv.slice(2) as Array<string | undefined>;
if (!src || !out || !start || !count) {
  console.error('usage: node dist/scripts/rangeAnalysis/repeat-fixtures.js SRC_DIR OUT_DIR START COUNT');
  process.exit(2);
}
const sources = readdirSync(src).filter((d) => /^\d+$/.test(d)).sort();
const read = (dir: string, file: string): Record<string, unknown> => JSON.parse(gunzipSync(readFileSync(join(src, dir, file))).toString('utf8'));
const blocks = sources.map((d) => ({ dir: d, block: read(d, 'block.json.gz'), hashes: read(d, 'blockhashes.json.gz') }));
for (let k = 0; k < Number(count); k++) {
  const number = BigInt(start) + BigInt(k);
  const source = blocks[k % blocks.length]!;
  const dir = join(out, number.toString());
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'block.json.gz'), gzipSync(JSON.stringify({ ...source.block, number: '0x' + number.toString(16) })));
  const parent = Object.values(source.hashes)[0] as string;
  writeFileSync(join(dir, 'blockhashes.json.gz'), gzipSync(JSON.stringify({ [(number - 1n).toString()]: parent })));
  copyFileSync(join(src, source.dir, 'prestate.json.gz'), join(dir, 'prestate.json.gz'));
}
console.log(`${count} blocks in ${out} (${start}..${BigInt(start) + BigInt(count) - 1n}) from ${sources.length} sources`);
