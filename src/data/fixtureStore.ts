/**
 * Reads and writes blocks in the fixture format (../shared/fixtures/README.md): a folder
 * per block with block.json.gz, prestate.json.gz, blockhashes.json.gz (and, in the cache,
 * receipts.json.gz). Reading checks every file: a truncated gzip, bad JSON or a file of
 * the wrong shape is a CorruptDataError naming the file, never a crash later.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CorruptDataError } from '../errors.js';
import type { BlockData, BlockOrigin, Prestate, RpcBlock, RpcReceipt } from './blockData.js';

export const BLOCK_FILE = 'block.json.gz';
export const PRESTATE_FILE = 'prestate.json.gz';
export const BLOCKHASHES_FILE = 'blockhashes.json.gz';
export const RECEIPTS_FILE = 'receipts.json.gz';

/** The folder of block N inside a fixture store root, or undefined when absent. */
export function blockDirIn(root: string, number: bigint): string | undefined {
  const candidates = [join(root, number.toString()), join(root, 'ethereum', number.toString())];
  return candidates.find((dir) => existsSync(join(dir, BLOCK_FILE)));
}

function readJsonGz(path: string): unknown {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (error) {
    throw new CorruptDataError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let text: string;
  try {
    text = gunzipSync(raw).toString('utf8');
  } catch (error) {
    throw new CorruptDataError(`${path} is not a valid gzip file (truncated or corrupt): ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorruptDataError(`${path} does not hold valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

const HEX = /^0x[0-9a-fA-F]*$/;

function checkBlock(value: unknown, path: string, number: bigint): RpcBlock {
  const block = value as RpcBlock;
  const bad = (what: string) => new CorruptDataError(`${path} is not a block of the expected shape: ${what}`);
  if (typeof block !== 'object' || block === null) throw bad('not an object');
  for (const field of ['number', 'hash', 'parentHash', 'miner', 'gasUsed', 'gasLimit', 'timestamp', 'receiptsRoot', 'logsBloom'] as const) {
    if (typeof block[field] !== 'string' || !HEX.test(block[field])) throw bad(`field "${field}" missing or not hex`);
  }
  if (BigInt(block.number) !== number) throw bad(`it holds block ${BigInt(block.number)}, not ${number}`);
  if (!Array.isArray(block.transactions)) throw bad('"transactions" is not an array');
  block.transactions.forEach((tx, i) => {
    if (typeof tx !== 'object' || tx === null || typeof tx.hash !== 'string' || typeof tx.from !== 'string') {
      throw bad(`transaction ${i} is not a full transaction object (was the block fetched with full transactions?)`);
    }
  });
  return block;
}

function checkPrestate(value: unknown, path: string): Prestate {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CorruptDataError(`${path} is not a pre-state object`);
  }
  for (const [address, account] of Object.entries(value as Record<string, unknown>)) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(address) || typeof account !== 'object' || account === null) {
      throw new CorruptDataError(`${path} has a malformed entry for "${address.slice(0, 50)}"`);
    }
    const acct = account as Record<string, unknown>;
    if (acct.balance !== undefined && (typeof acct.balance !== 'string' || !HEX.test(acct.balance))) {
      throw new CorruptDataError(`${path}: account ${address} has a malformed balance`);
    }
    if (acct.code !== undefined && (typeof acct.code !== 'string' || !HEX.test(acct.code))) {
      throw new CorruptDataError(`${path}: account ${address} has malformed code`);
    }
    if (acct.storage !== undefined) {
      if (typeof acct.storage !== 'object' || acct.storage === null) throw new CorruptDataError(`${path}: account ${address} has malformed storage`);
      for (const [slot, v] of Object.entries(acct.storage as Record<string, unknown>)) {
        if (!HEX.test(slot) || typeof v !== 'string' || !HEX.test(v)) throw new CorruptDataError(`${path}: account ${address} has a malformed storage slot ${slot.slice(0, 70)}`);
      }
    }
  }
  return value as Prestate;
}

function checkBlockHashes(value: unknown, path: string): Map<bigint, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CorruptDataError(`${path} is not a block-hash map`);
  }
  const hashes = new Map<bigint, string>();
  for (const [n, hash] of Object.entries(value as Record<string, unknown>)) {
    if (!/^\d+$/.test(n) || typeof hash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(hash)) {
      throw new CorruptDataError(`${path} has a malformed entry "${n.slice(0, 30)}"`);
    }
    hashes.set(BigInt(n), hash);
  }
  return hashes;
}

function checkReceipts(value: unknown, path: string, txCount: number): RpcReceipt[] {
  if (!Array.isArray(value) || value.length !== txCount) {
    throw new CorruptDataError(`${path} does not hold one receipt per transaction`);
  }
  return value as RpcReceipt[];
}

/** Reads block N from a fixture-format folder (the folder of that block). */
export function readBlockDir(dir: string, number: bigint, origin: BlockOrigin, chainId = 1): BlockData {
  const block = checkBlock(readJsonGz(join(dir, BLOCK_FILE)), join(dir, BLOCK_FILE), number);
  const prestate = checkPrestate(readJsonGz(join(dir, PRESTATE_FILE)), join(dir, PRESTATE_FILE));
  const blockHashes = checkBlockHashes(readJsonGz(join(dir, BLOCKHASHES_FILE)), join(dir, BLOCKHASHES_FILE));
  // N-1 is always known from the block itself, and an ancestor list that says otherwise is corrupt.
  const parent = blockHashes.get(number - 1n);
  if (parent !== undefined && parent.toLowerCase() !== block.parentHash.toLowerCase()) {
    throw new CorruptDataError(`${join(dir, BLOCKHASHES_FILE)} gives block ${number - 1n} the hash ${parent}, but the block's parentHash is ${block.parentHash}`);
  }
  if (number > 0n && parent === undefined) blockHashes.set(number - 1n, block.parentHash);
  const receiptsPath = join(dir, RECEIPTS_FILE);
  const receipts = existsSync(receiptsPath) ? checkReceipts(readJsonGz(receiptsPath), receiptsPath, block.transactions.length) : undefined;
  const data: BlockData = { number, chainId, block, prestate, blockHashes, origin };
  if (receipts !== undefined) data.receipts = receipts;
  return data;
}
