/**
 * The chain data a replay needs from a node, fetched and checked: the chain id, the block
 * with full transactions, its receipts (eth_getBlockReceipts, else one
 * eth_getTransactionReceipt per transaction, batched) and ancestor hashes for BLOCKHASH.
 * Anything of the wrong shape is a MalformedResponseError naming the method, never a
 * crash later in the replay.
 */
import type { RpcBlock, RpcReceipt } from '../data/blockData.js';
import { BlockNotFoundError } from '../errors.js';
import type { RpcClient } from './rpcClient.js';
import { BlockNotMinedError, MalformedResponseError, PrunedStateError, RpcRequestError } from './rpcErrors.js';

const HEX = /^0x[0-9a-fA-F]*$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;

export function toHex(n: bigint): string {
  return '0x' + n.toString(16);
}

/** JSON-RPC errors that mean "this node does not serve that method". */
export function isMethodMissing(code: number, message: string): boolean {
  return code === -32601 || code === -32004 || /method .*(not found|does not exist|is not available|not supported|unsupported)|not whitelisted|namespace .*(disabled|not enabled)|unknown method|method not allowed/i.test(message);
}

/** JSON-RPC errors that mean "the node no longer has that state" (not an archive node, or past the trace lookback). */
export function isPrunedState(message: string): boolean {
  return /missing trie node|historical state|state .*not available|state is not available|pruned|required historical state|no state (found|available)|state not found|header for .* not found|beyond (the )?(lookback|retention)|too old/i.test(message);
}

export function prunedError(client: RpcClient, what: string, message: string): PrunedStateError {
  return new PrunedStateError(`the node at ${client.endpoint} no longer has the state for ${what}: ${message}`, {
    details: ['replaying needs the state before the block: use an archive node, or a block within the node\'s state/trace retention'],
  });
}

export async function nodeChainId(client: RpcClient): Promise<number> {
  const result = await client.call<unknown>('eth_chainId', []);
  if (typeof result !== 'string' || !HEX.test(result) || result === '0x') throw new MalformedResponseError(`eth_chainId from ${client.endpoint} returned ${JSON.stringify(result)?.slice(0, 60)}, not a hex number`);
  return Number(BigInt(result));
}

export async function nodeHead(client: RpcClient): Promise<bigint> {
  const result = await client.call<unknown>('eth_blockNumber', []);
  if (typeof result !== 'string' || !HEX.test(result) || result === '0x') throw new MalformedResponseError(`eth_blockNumber from ${client.endpoint} returned ${JSON.stringify(result)?.slice(0, 60)}`);
  return BigInt(result);
}

/** The error for a block the node does not return: not yet mined (beyond its head) or unknown. */
export async function missingBlockError(client: RpcClient, number: bigint): Promise<BlockNotFoundError> {
  const head = await nodeHead(client);
  if (number > head) {
    return new BlockNotMinedError(`block ${number} is not yet mined: the latest block of the node at ${client.endpoint} is ${head}`);
  }
  return new BlockNotFoundError(`the node at ${client.endpoint} has no block ${number} (its latest is ${head})`, {
    details: ['a node that started from a snapshot may not have old blocks; use an archive node'],
  });
}

/** Checks that `value` is block `number` as eth_getBlockByNumber returns it (full transactions when `full`). */
export function checkRpcBlock(value: unknown, number: bigint, full: boolean, endpoint: string): RpcBlock {
  const bad = (what: string) => new MalformedResponseError(`eth_getBlockByNumber(${number}) from ${endpoint} is malformed: ${what}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not an object');
  const block = value as RpcBlock;
  for (const field of ['number', 'hash', 'parentHash', 'miner', 'gasUsed', 'gasLimit', 'timestamp', 'receiptsRoot', 'logsBloom'] as const) {
    if (typeof block[field] !== 'string' || !HEX.test(block[field])) throw bad(`field "${field}" missing or not hex`);
  }
  if (!HASH.test(block.hash) || !HASH.test(block.parentHash)) throw bad('hash or parentHash is not 32 bytes');
  if (BigInt(block.number) !== number) throw bad(`it is block ${BigInt(block.number)}`);
  if (!Array.isArray(block.transactions)) throw bad('"transactions" is not an array');
  if (full) {
    block.transactions.forEach((tx, i) => {
      if (typeof tx !== 'object' || tx === null || typeof tx.hash !== 'string' || !HASH.test(tx.hash) || typeof tx.from !== 'string') {
        throw bad(`transaction ${i} is not a full transaction object`);
      }
    });
  }
  return block;
}

/** Block N with full transactions; BlockNotMinedError / BlockNotFoundError when the node has none. */
export async function fetchRpcBlock(client: RpcClient, number: bigint): Promise<RpcBlock> {
  const result = await client.call<unknown>('eth_getBlockByNumber', [toHex(number), true]);
  if (result === null) throw await missingBlockError(client, number);
  return checkRpcBlock(result, number, true, client.endpoint);
}

function checkReceipt(value: unknown, i: number, txHash: string, method: string, endpoint: string): RpcReceipt {
  const bad = (what: string) => new MalformedResponseError(`${method} from ${endpoint}: the receipt of transaction ${i} (${txHash}) is malformed: ${what}`);
  if (typeof value !== 'object' || value === null) throw bad('not an object');
  const r = value as RpcReceipt;
  if (typeof r.transactionHash !== 'string' || r.transactionHash.toLowerCase() !== txHash.toLowerCase()) throw bad(`it is for ${String(r.transactionHash).slice(0, 66)}`);
  for (const field of ['gasUsed', 'cumulativeGasUsed'] as const) if (typeof r[field] !== 'string' || !HEX.test(r[field])) throw bad(`"${field}" missing or not hex`);
  if (r.status !== undefined && (typeof r.status !== 'string' || !HEX.test(r.status))) throw bad('"status" is not hex');
  if (!Array.isArray(r.logs)) throw bad('"logs" is not an array');
  for (const log of r.logs) {
    if (typeof log?.address !== 'string' || !Array.isArray(log.topics) || typeof log.data !== 'string') throw bad('a log lacks address, topics or data');
  }
  return r;
}

/** The block's receipts, in transaction order. */
export async function fetchReceipts(client: RpcClient, block: RpcBlock): Promise<RpcReceipt[]> {
  const txs = block.transactions;
  if (txs.length === 0) return [];
  const whole = await client.tryCall<unknown>('eth_getBlockReceipts', [block.number]);
  if (whole.ok && Array.isArray(whole.result) && whole.result.length === txs.length) {
    return whole.result.map((r, i) => checkReceipt(r, i, txs[i]!.hash, 'eth_getBlockReceipts', client.endpoint));
  }
  if (whole.ok && whole.result !== null && !Array.isArray(whole.result)) {
    throw new MalformedResponseError(`eth_getBlockReceipts(${BigInt(block.number)}) from ${client.endpoint} returned ${typeof whole.result}, not an array`);
  }
  // Not served (or an incomplete answer): one receipt per transaction, batched.
  const outcomes = await client.batch<unknown>(txs.map((tx) => ({ method: 'eth_getTransactionReceipt', params: [tx.hash] })));
  return outcomes.map((outcome, i) => {
    const hash = txs[i]!.hash;
    if (!outcome.ok) {
      if (isPrunedState(outcome.message)) throw prunedError(client, `the receipt of ${hash}`, outcome.message);
      throw new RpcRequestError(`eth_getTransactionReceipt(${hash}) failed at ${client.endpoint}: ${outcome.message} (code ${outcome.code})`);
    }
    if (outcome.result === null) throw new MalformedResponseError(`the node at ${client.endpoint} has no receipt for transaction ${i} (${hash}) of block ${BigInt(block.number)} (transaction index disabled or still indexing?)`);
    return checkReceipt(outcome.result, i, hash, 'eth_getTransactionReceipt', client.endpoint);
  });
}

/** Hashes of blocks `numbers` (for BLOCKHASH), from their headers. */
export async function fetchBlockHashes(client: RpcClient, numbers: bigint[]): Promise<Map<bigint, string>> {
  const outcomes = await client.batch<unknown>(numbers.map((n) => ({ method: 'eth_getBlockByNumber', params: [toHex(n), false] })));
  const hashes = new Map<bigint, string>();
  outcomes.forEach((outcome, i) => {
    const n = numbers[i]!;
    if (!outcome.ok) throw new RpcRequestError(`eth_getBlockByNumber(${n}) failed at ${client.endpoint}: ${outcome.message} (code ${outcome.code})`);
    if (outcome.result === null) throw new MalformedResponseError(`the node at ${client.endpoint} has no header for ancestor block ${n}, needed for BLOCKHASH`);
    hashes.set(n, checkRpcBlock(outcome.result, n, false, client.endpoint).hash);
  });
  return hashes;
}
