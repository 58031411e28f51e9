/**
 * Completing fetched block data by replaying it. Some of what a replay needs cannot be
 * known before running it: which ancestor hashes BLOCKHASH asks for, and, on a node
 * without the debug namespace, which accounts and slots the transactions read. So the
 * fetch replays the block (serially, once), notes what was missing, fetches that, and
 * replays again until nothing is missing. The last replay is checked against the node's
 * receipts; when the chain has governance-set parameters (Sei's SSTORE cost), the
 * candidates are tried in order and the first that matches is recorded.
 *
 * Missing hashes are noted without failing the run: BLOCKHASH is answered with zero for
 * an ancestor not yet fetched, and that round's results are discarded.
 */
import type { BlockData, Prestate } from '../data/blockData.js';
import { createBlockContext } from '../exec/blockContext.js';
import { ReplayVm } from '../exec/replayVm.js';
import { runSerial, type SerialRun } from '../exec/serialExecutor.js';
import { InterruptedError, MissingBlockHashError, StmError } from '../errors.js';
import { locationAddress, locationKind, locationSlot } from '../state/locations.js';
import { PRE_STATE } from '../state/stateSource.js';
import { verifyBlock, type Verification } from '../verify/verifyBlock.js';
import { profileFor } from '../chain/profiles.js';
import type { RpcClient } from '../rpc/rpcClient.js';
import { addToPrestate, ParentState, type LazyRequest } from '../rpc/lazyState.js';
import { fetchBlockHashes } from '../rpc/nodeBlock.js';

/** Replays at most this many times before giving up (each round adds what the last one missed). */
const MAX_ROUNDS = 64;

export interface SettleOptions {
  /** Read missing state at N-1 (no debug namespace). */
  lazy: boolean;
  onRound?: (round: number, what: string) => void;
}

export interface SettleResult {
  rounds: number;
  verification: Verification;
  /** Lazy reads: accounts and slots fetched at N-1. */
  lazyReads?: { accounts: number; slots: number };
}

/** The accounts a lazy fetch needs before the first replay: senders, recipients, the coinbase, withdrawals, system contracts. */
function initialAccounts(data: BlockData): Set<string> {
  const accounts = new Set<string>([data.block.miner.toLowerCase()]);
  for (const tx of data.block.transactions) {
    accounts.add(tx.from.toLowerCase());
    if (typeof tx.to === 'string') accounts.add(tx.to.toLowerCase());
  }
  for (const w of data.block.withdrawals ?? []) accounts.add(w.address.toLowerCase());
  accounts.add('0x000f3df6d732807ef1319fb7b8bb8522d0beac02'); // EIP-4788 beacon roots
  accounts.add('0x0000f90827f1c53a10cb7a02335b175320002935'); // EIP-2935 block hashes
  return accounts;
}

interface Round {
  run?: SerialRun;
  ctx?: ReturnType<typeof createBlockContext>;
  missingHashes: Set<bigint>;
  error?: unknown;
}

async function replayOnce(data: BlockData, checkpoint: () => void): Promise<Round> {
  const ctx = createBlockContext(data);
  const replay = await ReplayVm.create(ctx);
  const missingHashes = new Set<bigint>();
  const chain = replay.vm.blockchain as unknown as { getBlock: (n: number | bigint) => Promise<{ hash: () => Uint8Array }> };
  const getBlock = chain.getBlock.bind(chain);
  chain.getBlock = async (n) => {
    try {
      return await getBlock(n);
    } catch (error) {
      if (!(error instanceof MissingBlockHashError)) throw error;
      missingHashes.add(BigInt(n));
      return { hash: () => new Uint8Array(32) };
    }
  };
  try {
    return { run: await runSerial(replay, { checkpoint }), ctx, missingHashes };
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    return { ctx, missingHashes, error };
  }
}

/** Reads from the pre-state that the data does not list: what a lazy fetch must add. */
function unlistedReads(round: Round, prestate: Prestate, absent: Set<string>, asked: Set<string>): LazyRequest {
  const request: LazyRequest = { accounts: new Set(), slots: new Map() };
  const pre = round.ctx!.pre;
  for (const tx of round.run!.txs) {
    const { keys, versions } = tx.reads;
    for (let i = 0; i < keys.length; i++) {
      if (versions[i] !== PRE_STATE) continue;
      const key = keys[i]!;
      if (pre.lists(key) || asked.has(key)) continue;
      const kind = locationKind(key);
      const address = locationAddress(key);
      if (absent.has(address) || kind === 'w') continue;
      asked.add(key);
      if (kind === 's') {
        let slots = request.slots.get(address);
        if (slots === undefined) request.slots.set(address, (slots = new Set()));
        slots.add(locationSlot(key)!);
        if (prestate[address] === undefined) request.accounts.add(address);
      } else if (prestate[address] === undefined) {
        request.accounts.add(address);
      }
    }
  }
  return request;
}

/**
 * Completes `data` in place (ancestor hashes; with `lazy`, the pre-state) and checks it.
 * Replay errors that are not about missing data (a transaction that cannot run) end the
 * loop and are thrown.
 */
export async function settleBlock(client: RpcClient, data: BlockData, options: SettleOptions): Promise<SettleResult> {
  const parent = new ParentState(client, data.number - 1n);
  const absent = new Set<string>();
  const asked = new Set<string>();
  if (options.lazy) {
    options.onRound?.(0, 'reading the senders, recipients and coinbase at the parent block');
    const answer = await parent.read({ accounts: initialAccounts(data), slots: new Map() });
    addToPrestate(data.prestate, answer);
    for (const a of answer.absent) absent.add(a);
  }
  // Governance-set parameters (Sei's SSTORE cost): unless recorded already, try each candidate.
  const profile = profileFor(data);
  const candidates = data.rules?.sstoreSetGas === undefined ? (profile.ruleCandidates ?? []) : [];
  let candidate = 0;
  const withCandidate = (i: number) => {
    if (candidates[i] !== undefined) data.rules = { ...(data.rules ?? {}), ...candidates[i] };
  };
  withCandidate(0);
  let first: Verification | undefined;
  const lazyReads = () => (options.lazy ? { lazyReads: { ...parent.fetched } } : {});
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    options.onRound?.(round, `replaying to check the data (round ${round})`);
    const result = await replayOnce(data, () => client.throwIfAborted());
    if (result.missingHashes.size > 0) {
      const numbers = [...result.missingHashes].filter((n) => !data.blockHashes.has(n));
      if (numbers.length > 0) {
        options.onRound?.(round, `fetching ${numbers.length} ancestor hash${numbers.length === 1 ? '' : 'es'} for BLOCKHASH`);
        for (const [n, hash] of await fetchBlockHashes(client, numbers)) data.blockHashes.set(n, hash);
        continue;
      }
    }
    if (result.error !== undefined) throw result.error;
    if (options.lazy) {
      const request = unlistedReads(result, data.prestate, absent, asked);
      if (request.accounts.size > 0 || request.slots.size > 0) {
        let slots = 0;
        for (const set of request.slots.values()) slots += set.size;
        options.onRound?.(round, `reading ${request.accounts.size} accounts and ${slots} slots at the parent block`);
        const answer = await parent.read(request);
        addToPrestate(data.prestate, answer);
        for (const a of answer.absent) absent.add(a);
        continue;
      }
    }
    const verification = await verifyBlock(result.ctx!, result.run!.txs);
    first ??= verification;
    if (!verification.ok && verification.firstMismatch?.field === 'gasUsed' && candidate + 1 < candidates.length) {
      candidate++;
      withCandidate(candidate);
      options.onRound?.(round, `gas differs; trying ${JSON.stringify(candidates[candidate])}`);
      continue;
    }
    if (!verification.ok && candidate > 0) {
      // No candidate matched: record the first (the chain's default) and report its result.
      candidate = 0;
      withCandidate(0);
      return { rounds: round, verification: first, ...lazyReads() };
    }
    return { rounds: round, verification, ...lazyReads() };
  }
  throw new StmError(`block ${data.number}: the replay still read new state after ${MAX_ROUNDS} rounds`);
}
