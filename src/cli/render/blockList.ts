/** The text form of `stm list`: one row per bundled block. */
import type { BundledBlock } from '../../data/bundledFixtures.js';
import { dim, formatInt, table } from './format.js';

export function renderBlockList(blocks: BundledBlock[], dir: string): string {
  const t = table(['block', 'hardfork', 'txs', 'gas'], ['right', 'left', 'right', 'right']);
  for (const b of blocks) t.push([b.number, b.hardfork, formatInt(b.txCount), formatInt(b.gasUsed)]);
  return `${t.toString()}\n${dim(`${blocks.length} bundled blocks in ${dir}; replay one with: stm replay --block ${blocks.at(-1)?.number ?? 'N'}`)}\n`;
}
