/**
 * Block-level access lists as files: the RLP bytes (what the header's hash commits to) or
 * ethereumjs's JSON form (Engine API field names). Reading is strict: a file that is not
 * a well-formed, canonically ordered list is refused with one line (exit 2), and an
 * expected hash, when one is given, must match (exit 1: the list is not the block's).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  bytesToHex,
  createBlockLevelAccessListFromJSON,
  createBlockLevelAccessListFromRLP,
  equalsBytes,
  hexToBytes,
  validateBlockAccessListJSONStructure,
  validateBlockAccessListStructure,
  type BALJSONBlockAccessList,
  type BlockLevelAccessList,
} from '@ethereumjs/util';
import { CorruptDataError, ExitCode, StmError, UsageError } from '../errors.js';

export type BalFormat = 'rlp' | 'json';

/** The list does not hash to what was expected of it. */
export class BalHashMismatchError extends StmError {
  override name = 'BalHashMismatchError';
  override readonly exitCode = ExitCode.mismatch;
}

export function parseBalFormat(text: string | undefined): BalFormat {
  if (text === undefined || text === 'rlp') return 'rlp';
  if (text === 'json') return 'json';
  throw new UsageError(`--format must be rlp or json, not "${text}"`);
}

export function writeBalFile(path: string, bal: BlockLevelAccessList, format: BalFormat): void {
  try {
    if (format === 'json') writeFileSync(path, JSON.stringify(balJson(bal), null, 1) + '\n');
    else writeFileSync(path, bal.serialize());
  } catch (error) {
    throw new UsageError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

/**
 * The JSON form in canonical order. ethereumjs's toJSON orders slots as strings, which is
 * not their numeric order once leading zeros are stripped ("0x0100" before "0x02"), and its
 * own JSON validation then refuses the result; the slots are re-sorted by value here.
 */
export function balJson(bal: BlockLevelAccessList): BALJSONBlockAccessList {
  const byValue = (a: string, b: string): number => {
    const x = slotValue(a);
    const y = slotValue(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return bal.toJSON().map((account) => ({
    ...account,
    storageChanges: [...account.storageChanges].sort((a, b) => byValue(a.slot, b.slot)),
    storageReads: [...account.storageReads].sort(byValue),
  }));
}

function slotValue(hex: string): bigint {
  return hex === '0x' ? 0n : BigInt(hex);
}

/** Reads a list from a file: JSON when it starts with "[", else RLP. */
export function readBalFile(path: string): BlockLevelAccessList {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read --bal ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  const text = bytes.subarray(0, 64).toString('latin1').trimStart();
  return text.startsWith('[') ? parseJson(path, bytes.toString('utf8')) : parseRlp(path, bytes);
}

function parseJson(path: string, text: string): BlockLevelAccessList {
  let json: BALJSONBlockAccessList;
  try {
    json = JSON.parse(text) as BALJSONBlockAccessList;
    if (!Array.isArray(json)) throw new Error('not a JSON array');
    validateBlockAccessListJSONStructure(json);
    // The EIP orders accounts by address; ethereumjs's JSON check does not, and reading would re-sort silently.
    for (let i = 1; i < json.length; i++) {
      if (!(json[i - 1]!.address.toLowerCase() < json[i]!.address.toLowerCase())) throw new Error(`accounts are not sorted by address (${json[i - 1]!.address} before ${json[i]!.address})`);
    }
    const bal = createBlockLevelAccessListFromJSON(json);
    validateBlockAccessListStructure(bal);
    return bal;
  } catch (error) {
    throw new CorruptDataError(`--bal ${path} is not a valid block access list (JSON): ${reason(error)}`, { cause: error });
  }
}

function parseRlp(path: string, bytes: Uint8Array): BlockLevelAccessList {
  try {
    const bal = createBlockLevelAccessListFromRLP(bytes);
    validateBlockAccessListStructure(bal);
    // Canonical encoding only: what is read must encode back to the same bytes.
    if (!equalsBytes(bal.serialize(), bytes)) throw new Error('not in canonical form (re-encoding gives other bytes)');
    return bal;
  } catch (error) {
    throw new CorruptDataError(`--bal ${path} is not a valid block access list (RLP): ${reason(error)}`, { cause: error });
  }
}

/** Checks the list against an expected hash (0x + 64 hex digits). */
export function checkBalHash(bal: BlockLevelAccessList, expected: string, what: string): void {
  if (!/^0x[0-9a-fA-F]{64}$/.test(expected)) throw new UsageError(`--bal-hash must be 0x and 64 hex digits, not "${expected}"`);
  const actual = bal.hash();
  if (!equalsBytes(actual, hexToBytes(expected as `0x${string}`))) {
    throw new BalHashMismatchError(`${what} hashes to ${bytesToHex(actual)}, not the expected ${expected.toLowerCase()}`);
  }
}

function reason(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  return message.split('\n')[0]!.replace(/^invalid (header|block access list): /, '');
}
