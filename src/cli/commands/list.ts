/**
 * `stm list`: the blocks bundled with stm (fixtures/ethereum/manifest.json), which
 * replay offline: number, hardfork, transactions, gas.
 */
import { bundledEthereumDir, readBundledBlocks } from '../../data/bundledFixtures.js';
import { renderBlockList } from '../render/blockList.js';

export interface ListOptions {
  json: boolean;
}

export function runList(options: ListOptions): number {
  const dir = bundledEthereumDir();
  const blocks = readBundledBlocks(dir);
  if (options.json) {
    process.stdout.write(JSON.stringify({ schemaVersion: 1, dir, blocks }, null, 2) + '\n');
  } else {
    process.stdout.write(renderBlockList(blocks, dir));
  }
  return 0;
}
