/**
 * Writes a synthetic block in the fixture format (fixtures/README.md): DIR/<N>/
 * block.json.gz, prestate.json.gz, blockhashes.json.gz, plus expected-graph.json (the
 * dependency graph by construction and the parameters that made the block).
 *
 * Atomically: everything is written into a hidden folder beside the target and renamed
 * into place, so an interrupted run (Ctrl-C, a full disk) never leaves a half-written
 * block where stm would read it. gzip output is deterministic (no name, mtime 0), so the
 * same block gives byte-identical files.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BLOCKHASHES_FILE, BLOCK_FILE, PRESTATE_FILE } from '../data/fixtureStore.js';
import { StmError } from '../errors.js';
import type { SyntheticBlock } from './generate.js';

export const EXPECTED_GRAPH_FILE = 'expected-graph.json';

/** expected-graph.json: what the block was made from and the graph stm must find in it. */
export interface ExpectedGraphFile {
  schemaVersion: 1;
  params: {
    kind: string;
    txs: number | null;
    gas: string | null;
    contention: number;
    hotKeys: number;
    txsPerSender: number;
    seed: number;
    block: string;
  };
  txCount: number;
  edgeCount: number;
  /** preds[j]: the transactions tx j depends on (read-after-write), ascending. */
  preds: number[][];
}

export function expectedGraphFile(block: SyntheticBlock): ExpectedGraphFile {
  const p = block.params;
  return {
    schemaVersion: 1,
    params: {
      kind: p.kind,
      txs: p.txs ?? null,
      gas: p.gas === undefined ? null : p.gas.toString(),
      contention: p.contention,
      hotKeys: p.hotKeys,
      txsPerSender: p.txsPerSender,
      seed: p.seed,
      block: p.number.toString(),
    },
    txCount: block.expected.txCount,
    edgeCount: block.expected.edgeCount,
    preds: block.expected.preds,
  };
}

/** Writes the block under `outDir` and returns its folder (outDir/<N>). Replaces an earlier block of the same number. */
export function writeSyntheticBlock(block: SyntheticBlock, outDir: string): string {
  const number = block.data.number.toString();
  const target = join(outDir, number);
  const temp = join(outDir, `.${number}.tmp-${process.pid}`);
  const old = join(outDir, `.${number}.old-${process.pid}`);
  const hashes = Object.fromEntries([...block.data.blockHashes].map(([n, hash]) => [n.toString(), hash]));
  try {
    mkdirSync(outDir, { recursive: true });
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp);
    writeFileSync(join(temp, BLOCK_FILE), gzipSync(JSON.stringify(block.data.block)));
    writeFileSync(join(temp, PRESTATE_FILE), gzipSync(JSON.stringify(block.data.prestate)));
    writeFileSync(join(temp, BLOCKHASHES_FILE), gzipSync(JSON.stringify(hashes)));
    writeFileSync(join(temp, EXPECTED_GRAPH_FILE), JSON.stringify(expectedGraphFile(block)) + '\n');
    if (existsSync(target)) renameSync(target, old);
    renameSync(temp, target);
    rmSync(old, { recursive: true, force: true });
  } catch (error) {
    try {
      rmSync(temp, { recursive: true, force: true });
      if (!existsSync(target) && existsSync(old)) renameSync(old, target);
    } catch {
      // Cleaning up failed too (the path is not a folder): report the write's error.
    }
    throw new StmError(`cannot write the block to ${target}: ${(error as Error).message}`, { cause: error });
  }
  return target;
}
