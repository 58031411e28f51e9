/**
 * The pre-state of a block from the node's prestateTracer: one trace of the whole block
 * (debug_traceBlockByNumber), else one per transaction (debug_traceTransaction, batched).
 * Either way the tracer gives, for each transaction, every account and slot it touched
 * with its value just before that transaction; merged over the block, the first
 * transaction that shows an account or slot carries its value before the block (an
 * earlier transaction that changed it would have shown it first).
 *
 * A fact to respect when merging: the tracer omits `nonce` when it is 0 and `code` when it
 * is empty. So an account's fields come whole from its first appearance; a later
 * transaction that shows nonce 1 (after the first one sent from it) must not fill in the
 * "missing" nonce. Slots merge one by one (a later transaction may read a slot no earlier
 * one touched; that slot is then unchanged since the block began).
 */
import type { Prestate, PrestateAccount, RpcBlock } from '../data/blockData.js';
import type { RpcClient } from './rpcClient.js';
import { DebugUnavailableError, MalformedResponseError, RpcRequestError } from './rpcErrors.js';
import { isMethodMissing, isPrunedState, prunedError } from './nodeBlock.js';

export type TraceSource = 'debug_traceBlockByNumber' | 'debug_traceTransaction';

export interface TracedPrestate {
  /** The block's pre-state, merged. */
  prestate: Prestate;
  /** Each transaction's own prestate (what it touched, as it was just before it). */
  perTx: Prestate[];
  source: TraceSource;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HEX = /^0x[0-9a-fA-F]*$/;

/** Checks one prestateTracer result (non-diff mode, or one side of diffMode). */
export function checkPrestate(value: unknown, what: string, endpoint: string): Prestate {
  const bad = (detail: string) => new MalformedResponseError(`the prestateTracer result for ${what} from ${endpoint} is malformed: ${detail}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not an object');
  const out: Prestate = {};
  for (const [address, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!ADDRESS.test(address) || typeof raw !== 'object' || raw === null) throw bad(`entry "${address.slice(0, 44)}"`);
    const acct = raw as Record<string, unknown>;
    const account: PrestateAccount = {};
    if (acct.balance !== undefined && acct.balance !== null) {
      if (typeof acct.balance !== 'string' || !HEX.test(acct.balance)) throw bad(`balance of ${address}`);
      account.balance = acct.balance;
    }
    if (acct.nonce !== undefined && acct.nonce !== null) {
      if (typeof acct.nonce !== 'number' && !(typeof acct.nonce === 'string' && HEX.test(acct.nonce))) throw bad(`nonce of ${address}`);
      account.nonce = acct.nonce;
    }
    if (acct.code !== undefined && acct.code !== null) {
      if (typeof acct.code !== 'string' || !HEX.test(acct.code)) throw bad(`code of ${address}`);
      if (acct.code !== '0x') account.code = acct.code;
    }
    if (acct.storage !== undefined && acct.storage !== null) {
      if (typeof acct.storage !== 'object') throw bad(`storage of ${address}`);
      const storage: Record<string, string> = {};
      for (const [slot, v] of Object.entries(acct.storage as Record<string, unknown>)) {
        if (!HEX.test(slot) || typeof v !== 'string' || !HEX.test(v)) throw bad(`slot ${slot.slice(0, 66)} of ${address}`);
        storage[slot.toLowerCase()] = v;
      }
      account.storage = storage;
    }
    out[address.toLowerCase()] = account;
  }
  return out;
}

/** The block's pre-state from each transaction's prestate, in order (see the module comment). */
export function mergePrestates(perTx: Prestate[]): Prestate {
  const merged: Prestate = {};
  for (const prestate of perTx) {
    for (const [address, account] of Object.entries(prestate)) {
      const known = merged[address];
      if (known === undefined) {
        // First appearance: balance, nonce (absent = 0) and code (absent = empty) as they were before the block.
        const first: PrestateAccount = {};
        if (account.balance !== undefined) first.balance = account.balance;
        if (account.nonce !== undefined) first.nonce = account.nonce;
        if (account.code !== undefined) first.code = account.code;
        if (account.storage !== undefined) first.storage = { ...account.storage };
        merged[address] = first;
        continue;
      }
      if (account.storage !== undefined) {
        known.storage ??= {};
        for (const [slot, value] of Object.entries(account.storage)) if (!(slot in known.storage)) known.storage[slot] = value;
      }
    }
  }
  return merged;
}

/** Thrown (and caught by the fetch) when the node serves no debug namespace. */
export class NoDebugNamespace extends DebugUnavailableError {}

function classifyTraceError(client: RpcClient, method: string, block: RpcBlock, code: number, message: string): Error {
  if (isMethodMissing(code, message)) {
    return new NoDebugNamespace(`the node at ${client.endpoint} does not serve ${method} (the debug namespace): ${message}`, {
      details: ['stm can read the state lazily instead (--prestate lazy, or auto); or enable the debug namespace on the node'],
    });
  }
  if (isPrunedState(message)) return prunedError(client, `block ${BigInt(block.number)} (${method})`, message);
  return new RpcRequestError(`${method} for block ${BigInt(block.number)} failed at ${client.endpoint}: ${message} (code ${code})`);
}

const PRESTATE_TRACER = { tracer: 'prestateTracer' };

/** The block's pre-state from prestateTracer traces; NoDebugNamespace when the node has no debug namespace. */
export async function tracePrestate(client: RpcClient, block: RpcBlock): Promise<TracedPrestate> {
  const txs = block.transactions;
  if (txs.length === 0) return { prestate: {}, perTx: [], source: 'debug_traceBlockByNumber' };
  const whole = await client.tryCall<unknown>('debug_traceBlockByNumber', [block.number, PRESTATE_TRACER]);
  if (whole.ok) {
    const result = whole.result;
    if (!Array.isArray(result) || result.length !== txs.length) {
      throw new MalformedResponseError(`debug_traceBlockByNumber(${BigInt(block.number)}) from ${client.endpoint} returned ${Array.isArray(result) ? `${result.length} traces for ${txs.length} transactions` : 'no array'}`);
    }
    const perTx = result.map((entry, i) => {
      const e = entry as { txHash?: string; result?: unknown; error?: string };
      if (typeof e !== 'object' || e === null) throw new MalformedResponseError(`debug_traceBlockByNumber: trace ${i} is not an object`);
      if (typeof e.txHash === 'string' && e.txHash.toLowerCase() !== txs[i]!.hash.toLowerCase()) {
        throw new MalformedResponseError(`debug_traceBlockByNumber(${BigInt(block.number)}) from ${client.endpoint}: trace ${i} is for ${e.txHash}, not ${txs[i]!.hash}`);
      }
      if (e.error !== undefined) throw new RpcRequestError(`debug_traceBlockByNumber: tracing transaction ${i} (${txs[i]!.hash}) failed at ${client.endpoint}: ${client.redact(String(e.error))}`);
      return checkPrestate(e.result, `transaction ${i} (${txs[i]!.hash})`, client.endpoint);
    });
    return { prestate: mergePrestates(perTx), perTx, source: 'debug_traceBlockByNumber' };
  }
  const blockError = classifyTraceError(client, 'debug_traceBlockByNumber', block, whole.code, whole.message);
  if (!(blockError instanceof NoDebugNamespace) && !(blockError instanceof RpcRequestError)) throw blockError;
  // The block trace is not served (or failed, e.g. too large or timed out on the node): one per transaction.
  const raw = await traceTransactions(client, block, PRESTATE_TRACER);
  const perTx = raw.map((r, i) => checkPrestate(r, `transaction ${i} (${txs[i]!.hash})`, client.endpoint));
  return { prestate: mergePrestates(perTx), perTx, source: 'debug_traceTransaction' };
}

/** debug_traceTransaction with `config` for each transaction of the block (or of `indices`), batched. */
export async function traceTransactions(client: RpcClient, block: RpcBlock, config: object, indices?: number[]): Promise<unknown[]> {
  const which = indices ?? block.transactions.map((_, i) => i);
  const outcomes = await client.batch<unknown>(which.map((i) => ({ method: 'debug_traceTransaction', params: [block.transactions[i]!.hash, config] })));
  return outcomes.map((outcome) => {
    if (!outcome.ok) throw classifyTraceError(client, 'debug_traceTransaction', block, outcome.code, outcome.message);
    return outcome.result;
  });
}
