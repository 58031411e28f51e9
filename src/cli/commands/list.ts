/**
 * `stm list`: the blocks bundled with stm (fixtures/ethereum/manifest.json), which
 * replay offline: number, hardfork, transactions, gas.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledFixturesDir } from '../../data/blockLocator.js';
import { StmError } from '../../errors.js';
import { renderBlockList } from '../render/blockList.js';

export interface BundledBlock {
  /** Decimal block number. */
  number: string;
  hardfork: string;
  txCount: number;
  /** Decimal gas used. */
  gasUsed: string;
}

export interface ListOptions {
  json: boolean;
}

/** The bundled blocks, in manifest order (ascending block number). */
export function readBundledBlocks(dir: string = join(bundledFixturesDir(), 'ethereum')): BundledBlock[] {
  const path = join(dir, 'manifest.json');
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StmError(`the bundled block list ${path} cannot be read: ${(error as Error).message}`, {
      cause: error,
      details: ['the installation looks incomplete; reinstall stm'],
    });
  }
  if (!Array.isArray(entries)) throw new StmError(`the bundled block list ${path} is not an array`);
  return entries.map((entry: { number: number | string; hardfork: string; txCount: number; gasUsed: number | string }) => ({
    number: String(entry.number),
    hardfork: String(entry.hardfork),
    txCount: Number(entry.txCount),
    gasUsed: String(entry.gasUsed),
  }));
}

export function runList(options: ListOptions): number {
  const dir = join(bundledFixturesDir(), 'ethereum');
  const blocks = readBundledBlocks(dir);
  if (options.json) {
    process.stdout.write(JSON.stringify({ schemaVersion: 1, dir, blocks }, null, 2) + '\n');
  } else {
    process.stdout.write(renderBlockList(blocks, dir));
  }
  return 0;
}
