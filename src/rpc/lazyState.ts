/**
 * State read at block N-1, for nodes without the debug namespace. The replay is
 * synchronous per read, so it cannot wait for the network in the middle of a
 * transaction; instead the fetch replays the block, collects every location a transaction
 * read from the pre-state that the data does not list yet, fetches those at N-1, and
 * replays again, until a replay reads nothing new (settle.ts). This module does the
 * fetching: eth_getProof (one call per account, with its slots), else
 * eth_getBalance / eth_getTransactionCount / eth_getCode / eth_getStorageAt; batched.
 *
 * An account that does not exist at N-1 (or is empty: no balance, nonce or code, the
 * same thing after EIP-161) is left out of the pre-state, which is how the data says
 * "does not exist".
 */
import type { Prestate, PrestateAccount } from '../data/blockData.js';
import type { RpcClient, RpcOutcome } from './rpcClient.js';
import { MalformedResponseError, PrunedStateError, RpcRequestError } from './rpcErrors.js';
import { isMethodMissing, isPrunedState, prunedError, toHex } from './nodeBlock.js';

const EMPTY_CODE_HASH = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470';
const ZERO_HASH = '0x' + '00'.repeat(32);
const HEX = /^0x[0-9a-fA-F]*$/;

export interface LazyRequest {
  /** Accounts whose balance, nonce and code are needed. */
  accounts: Set<string>;
  /** Slots needed, per account (0x + 64 hex digits). */
  slots: Map<string, Set<string>>;
}

export interface LazyAnswer {
  /** Accounts that exist, with the requested slots. */
  accounts: Map<string, PrestateAccount>;
  /** Requested accounts that do not exist (or are empty) at N-1. */
  absent: Set<string>;
  /** Slot values of accounts whose fields were not requested. */
  slots: Map<string, Record<string, string>>;
}

function hexOrThrow(value: unknown, what: string, endpoint: string): string {
  if (typeof value !== 'string' || !HEX.test(value) || value === '0x') throw new MalformedResponseError(`${what} from ${endpoint} is not a hex number: ${JSON.stringify(value)?.slice(0, 60)}`);
  return value;
}

export class ParentState {
  /** Set once eth_getProof turned out not to be served. */
  private noProofs = false;
  /** Figures for the fetch report. */
  readonly fetched = { accounts: 0, slots: 0 };

  constructor(
    private readonly client: RpcClient,
    /** The block whose state is read: N-1. */
    private readonly parent: bigint,
  ) {}

  private fail(method: string, outcome: Extract<RpcOutcome, { ok: false }>): Error {
    if (isPrunedState(outcome.message)) return prunedError(this.client, `block ${this.parent} (${method})`, outcome.message);
    return new RpcRequestError(`${method} at block ${this.parent} failed at ${this.client.endpoint}: ${outcome.message} (code ${outcome.code})`);
  }

  async read(request: LazyRequest): Promise<LazyAnswer> {
    const addresses = new Set([...request.accounts, ...request.slots.keys()]);
    this.fetched.accounts += request.accounts.size;
    for (const slots of request.slots.values()) this.fetched.slots += slots.size;
    if (!this.noProofs) {
      try {
        return await this.readWithProofs([...addresses], request);
      } catch (error) {
        if (!(error instanceof ProofsMissing)) throw error;
        this.noProofs = true;
      }
    }
    return this.readOneByOne([...addresses], request);
  }

  private async readWithProofs(addresses: string[], request: LazyRequest): Promise<LazyAnswer> {
    const tag = toHex(this.parent);
    const outcomes = await this.client.batch<unknown>(addresses.map((a) => ({ method: 'eth_getProof', params: [a, [...(request.slots.get(a) ?? [])], tag] })));
    const answer: LazyAnswer = { accounts: new Map(), absent: new Set(), slots: new Map() };
    const needCode: string[] = [];
    outcomes.forEach((outcome, i) => {
      const address = addresses[i]!;
      if (!outcome.ok) {
        if (isMethodMissing(outcome.code, outcome.message)) throw new ProofsMissing();
        throw this.fail('eth_getProof', outcome);
      }
      const proof = outcome.result as { balance?: unknown; nonce?: unknown; codeHash?: unknown; storageProof?: Array<{ key?: unknown; value?: unknown }> } | null;
      if (typeof proof !== 'object' || proof === null) throw new MalformedResponseError(`eth_getProof(${address}) from ${this.client.endpoint} is not an object`);
      const storage: Record<string, string> = {};
      for (const entry of proof.storageProof ?? []) {
        const key = hexOrThrow(entry?.key, `eth_getProof(${address}) storage key`, this.client.endpoint);
        storage['0x' + key.slice(2).toLowerCase().padStart(64, '0')] = hexOrThrow(entry?.value, `eth_getProof(${address}) storage value`, this.client.endpoint);
      }
      for (const slot of request.slots.get(address) ?? []) storage[slot] ??= '0x0';
      if (!request.accounts.has(address)) {
        answer.slots.set(address, storage);
        return;
      }
      const balance = hexOrThrow(proof.balance, `eth_getProof(${address}).balance`, this.client.endpoint);
      const nonce = hexOrThrow(proof.nonce, `eth_getProof(${address}).nonce`, this.client.endpoint);
      const codeHash = typeof proof.codeHash === 'string' ? proof.codeHash.toLowerCase() : EMPTY_CODE_HASH;
      const hasCode = codeHash !== EMPTY_CODE_HASH && codeHash !== ZERO_HASH;
      if (!hasCode && BigInt(balance) === 0n && BigInt(nonce) === 0n) {
        answer.absent.add(address);
        if (Object.keys(storage).length > 0) answer.slots.set(address, storage);
        return;
      }
      const account: PrestateAccount = { balance, nonce: Number(BigInt(nonce)) };
      if (Object.keys(storage).length > 0) account.storage = storage;
      answer.accounts.set(address, account);
      if (hasCode) needCode.push(address);
    });
    if (needCode.length > 0) {
      const codes = await this.client.batch<unknown>(needCode.map((a) => ({ method: 'eth_getCode', params: [a, tag] })));
      codes.forEach((outcome, i) => {
        if (!outcome.ok) throw this.fail('eth_getCode', outcome);
        const code = outcome.result;
        if (typeof code !== 'string' || !HEX.test(code)) throw new MalformedResponseError(`eth_getCode(${needCode[i]}) from ${this.client.endpoint} is not hex`);
        if (code !== '0x') answer.accounts.get(needCode[i]!)!.code = code;
      });
    }
    return answer;
  }

  private async readOneByOne(addresses: string[], request: LazyRequest): Promise<LazyAnswer> {
    const tag = toHex(this.parent);
    const calls: Array<{ method: string; params: unknown[] }> = [];
    const plan: Array<{ address: string; field: 'balance' | 'nonce' | 'code' | 'slot'; slot?: string }> = [];
    for (const address of addresses) {
      if (request.accounts.has(address)) {
        calls.push({ method: 'eth_getBalance', params: [address, tag] }, { method: 'eth_getTransactionCount', params: [address, tag] }, { method: 'eth_getCode', params: [address, tag] });
        plan.push({ address, field: 'balance' }, { address, field: 'nonce' }, { address, field: 'code' });
      }
      for (const slot of request.slots.get(address) ?? []) {
        calls.push({ method: 'eth_getStorageAt', params: [address, slot, tag] });
        plan.push({ address, field: 'slot', slot });
      }
    }
    const outcomes = await this.client.batch<unknown>(calls);
    const fields = new Map<string, { balance?: string; nonce?: string; code?: string; storage: Record<string, string> }>();
    outcomes.forEach((outcome, i) => {
      const step = plan[i]!;
      if (!outcome.ok) throw this.fail(calls[i]!.method, outcome);
      const value = outcome.result;
      if (typeof value !== 'string' || !HEX.test(value)) throw new MalformedResponseError(`${calls[i]!.method}(${step.address}) from ${this.client.endpoint} is not hex`);
      let entry = fields.get(step.address);
      if (entry === undefined) fields.set(step.address, (entry = { storage: {} }));
      if (step.field === 'slot') entry.storage[step.slot!] = value === '0x' ? '0x0' : value;
      else entry[step.field] = value;
    });
    const answer: LazyAnswer = { accounts: new Map(), absent: new Set(), slots: new Map() };
    for (const [address, entry] of fields) {
      if (!request.accounts.has(address)) {
        answer.slots.set(address, entry.storage);
        continue;
      }
      const balance = entry.balance ?? '0x0';
      const nonce = entry.nonce ?? '0x0';
      const code = entry.code ?? '0x';
      if (code === '0x' && BigInt(balance === '0x' ? '0x0' : balance) === 0n && BigInt(nonce === '0x' ? '0x0' : nonce) === 0n) {
        answer.absent.add(address);
        if (Object.keys(entry.storage).length > 0) answer.slots.set(address, entry.storage);
        continue;
      }
      const account: PrestateAccount = { balance, nonce: Number(BigInt(nonce)) };
      if (code !== '0x') account.code = code;
      if (Object.keys(entry.storage).length > 0) account.storage = entry.storage;
      answer.accounts.set(address, account);
    }
    return answer;
  }
}

class ProofsMissing extends Error {}

/** Adds an answer to a pre-state being built. */
export function addToPrestate(prestate: Prestate, answer: LazyAnswer): void {
  for (const [address, account] of answer.accounts) {
    const known = prestate[address];
    if (known === undefined) prestate[address] = account;
    else if (account.storage !== undefined) known.storage = { ...(known.storage ?? {}), ...account.storage };
  }
  for (const [address, storage] of answer.slots) {
    const known = prestate[address];
    if (known !== undefined) known.storage = { ...(known.storage ?? {}), ...storage };
  }
}

export { PrunedStateError };
