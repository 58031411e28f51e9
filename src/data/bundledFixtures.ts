/**
 * The blocks shipped with stm (fixtures/, found relative to this module so it works from
 * dist/ and from an installed package) and their list, fixtures/ethereum/manifest.json:
 * number, hardfork, transactions, gas of each bundled block.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StmError } from '../errors.js';

/** The bundled fixtures folder. */
export function bundledFixturesDir(): string {
  return resolve(fileURLToPath(new URL('../../../fixtures', import.meta.url)));
}

/** The folder of bundled Ethereum mainnet blocks (`stm list` shows them). */
export function bundledEthereumDir(): string {
  return join(bundledFixturesDir(), 'ethereum');
}

export interface BundledBlock {
  /** Decimal block number. */
  number: string;
  hardfork: string;
  txCount: number;
  /** Decimal gas used. */
  gasUsed: string;
}

/** The bundled blocks, in manifest order (ascending block number). */
export function readBundledBlocks(dir: string = bundledEthereumDir()): BundledBlock[] {
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
