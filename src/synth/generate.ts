/**
 * Generates a synthetic block: plan the workload, derive the keys, build the pre-state,
 * sign the transactions, replay the block once serially with stm's own replay to learn
 * what the header must say (gas used, receipts root, logs bloom), and return the block in
 * stm's BlockData form together with the dependency graph it must have by construction.
 *
 * With --gas the block is filled up to the target: a few more transactions than needed
 * are planned (from per-transaction gas estimates), and after the replay has measured
 * each one the block is cut to the longest prefix in which every transaction still fits
 * (gas used before it + its gas limit ≤ the target, the consensus rule). Cutting the tail
 * changes nothing before it, so the prefix's receipts are the ones already computed; the
 * pre-state is rebuilt for the prefix alone.
 */
import { createBlockHeaderFromRPC } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createFeeMarket1559Tx, type TypedTransaction } from '@ethereumjs/tx';
import { bigIntToHex, bytesToHex, hexToBytes, intToHex } from '@ethereumjs/util';
import { Bloom, encodeReceipt } from '@ethereumjs/vm';
import type { BlockData, Prestate, PrestateAccount, RpcBlock, RpcTransaction } from '../data/blockData.js';
import { customCryptoFor } from '../chain/crypto.js';
import { StmError } from '../errors.js';
import { createBlockContext } from '../exec/blockContext.js';
import { ReplayVm, type TxRun } from '../exec/replayVm.js';
import { runSerial } from '../exec/serialExecutor.js';
import { blockReceipts } from '../verify/verifyBlock.js';
import { SYNTH_PAIR_CODE, SYNTH_TOKEN_CODE } from './contracts.js';
import { expectedGraph, type ExpectedGraph } from './expectedGraph.js';
import { KeySequence, SequentialSigner } from './keys.js';
import { orderedTrieRoot } from './orderedTrie.js';
import {
  BASE_FEE,
  COINBASE,
  HOT_RECIPIENT_TOKENS,
  MAX_FEE,
  MIN_BLOCK_GAS_LIMIT,
  POOL_RESERVE,
  RESERVES_SLOT,
  SENDER_ETH,
  SENDER_NONCE,
  SENDER_TOKENS,
  TIMESTAMP,
  TIP,
  TOKEN,
  TRADER_POOL_BALANCE,
  headerHash,
  packedReserves,
  poolBalanceSlot,
  tokenBalanceSlot,
  word,
} from './layout.js';
import { DEFAULT_EXTRA_DATA, type SynthParams } from './params.js';
import { plannedTxCount, planTransactions, type SynthTx } from './plan.js';

export interface GenerateOptions {
  /** Called now and then; throws to stop (Ctrl-C). */
  checkpoint?: () => void;
  /** Progress: (phase, done, total). */
  progress?: (phase: string, done: number, total: number) => void;
}

/** Wall time of each phase, ms. */
export interface GenerateTimings {
  planMs: number;
  signMs: number;
  replayMs: number;
  headerMs: number;
  totalMs: number;
}

export interface SyntheticBlock {
  params: SynthParams;
  data: BlockData;
  /** The transactions as planned (kind, hot, sender, counterparty …), in block order. */
  txs: SynthTx[];
  /** The graph stm must find (docs/synth.md). */
  expected: ExpectedGraph;
  /** The graph stm must find in the "transfers commute" view (commutative sender updates). */
  expectedCommutative: ExpectedGraph;
  /** Gas used per transaction, from the replay. */
  gasUsed: bigint[];
  gasLimit: bigint;
  timings: GenerateTimings;
}

const EMPTY_TRIE_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';
const EMPTY_UNCLES_HASH = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
const ZERO_HASH = '0x' + '00'.repeat(32);

export async function generateBlock(params: SynthParams, options: GenerateOptions = {}): Promise<SyntheticBlock> {
  const started = performance.now();
  const checkpoint = options.checkpoint ?? (() => {});
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, customCrypto: customCryptoFor(false) });

  options.progress?.('planning', 0, 1);
  const planned = plannedTxCount(params);
  const keys = new KeySequence(params.seed);
  const txs = planTransactions(params, planned, keys);
  const tPlan = performance.now();

  // Sign, in block order (nonces per sender from SENDER_NONCE).
  const signer = new SequentialSigner(params.seed);
  const nonces = new Map<number, bigint>();
  const rpcTxs: RpcTransaction[] = [];
  const number = params.number;
  for (let i = 0; i < txs.length; i++) {
    if ((i & 255) === 0) {
      options.progress?.('signing', i, txs.length);
      await yieldToEventLoop();
      checkpoint();
    }
    const tx = txs[i]!;
    const nonce = nonces.get(tx.senderKey) ?? BigInt(SENDER_NONCE);
    nonces.set(tx.senderKey, nonce + 1n);
    const fields = {
      chainId: 1n,
      nonce,
      maxPriorityFeePerGas: TIP,
      maxFeePerGas: MAX_FEE,
      gasLimit: tx.gasLimit,
      to: tx.to as `0x${string}`,
      value: tx.value,
      data: hexToBytes(tx.data as `0x${string}`),
      accessList: [],
    };
    const unsigned = createFeeMarket1559Tx(fields, { common });
    const signature = signer.sign(unsigned.getHashedMessageToSign(), keys.account(tx.senderKey).privateKey);
    const signed = createFeeMarket1559Tx({ ...fields, v: signature.yParity, r: signature.r, s: signature.s }, { common });
    rpcTxs.push({
      blockHash: ZERO_HASH,
      blockNumber: bigIntToHex(number),
      from: tx.sender,
      gas: bigIntToHex(tx.gasLimit),
      gasPrice: bigIntToHex(BASE_FEE + TIP),
      maxFeePerGas: bigIntToHex(MAX_FEE),
      maxPriorityFeePerGas: bigIntToHex(TIP),
      hash: bytesToHex(signed.hash()),
      input: tx.data,
      nonce: bigIntToHex(nonce),
      to: tx.to,
      transactionIndex: intToHex(i),
      value: bigIntToHex(tx.value),
      type: '0x2',
      accessList: [],
      chainId: '0x1',
      v: bigIntToHex(signature.yParity),
      r: bigIntToHex(signature.r),
      s: bigIntToHex(signature.s),
      yParity: bigIntToHex(signature.yParity),
    });
  }
  const tSign = performance.now();

  // Replay once, serially, on the whole plan: gas, receipts and logs of every transaction.
  const sumLimits = txs.reduce((sum, tx) => sum + tx.gasLimit, 0n);
  const gasLimit = maxBigInt(MIN_BLOCK_GAS_LIMIT, params.gas ?? sumLimits);
  const block = rpcBlock(params, rpcTxs, gasLimit);
  const data: BlockData = {
    number,
    chainId: 1,
    block,
    prestate: buildPrestate(txs, feeRecipientOf(params)),
    blockHashes: new Map([[number - 1n, block.parentHash]]),
    origin: { kind: 'fixtures', dir: '(synthetic block)' },
  };
  options.progress?.('replaying', 0, txs.length);
  const ctx = createBlockContext(data, { senderPublicKeys: txs.map((tx) => keys.account(tx.senderKey).publicKey) });
  checkSignatures(ctx.txs, txs);
  const replay = await ReplayVm.create(ctx);
  const run = await runSerial(replay, { checkpoint: () => checkpoint() });
  run.txs.forEach((txRun, i) => {
    if ((txRun.receipt as { status?: number }).status !== 1) {
      throw new StmError(`synthetic transaction ${i} (${txs[i]!.kind}) failed when replayed: a bug in the generator`);
    }
  });
  const tReplay = performance.now();

  // Cut to the target gas, then fill in the header.
  const count = params.gas === undefined ? txs.length : fittingPrefix(run.txs, txs, params.gas);
  const kept = txs.slice(0, count);
  const keptRuns = run.txs.slice(0, count);
  block.transactions = rpcTxs.slice(0, count);
  data.prestate = buildPrestate(kept, feeRecipientOf(params));
  const gasUsed = keptRuns.map((r) => r.gasUsed);
  block.gasUsed = bigIntToHex(gasUsed.reduce((a, b) => a + b, 0n));
  const bloom = new Bloom(undefined, ctx.common);
  for (const r of keptRuns) bloom.or(r.result.bloom);
  block.logsBloom = bytesToHex(bloom.bitvector);
  const receipts = blockReceipts(keptRuns);
  block.receiptsRoot = bytesToHex(orderedTrieRoot(receipts.map((receipt, i) => encodeReceipt(receipt, ctx.txs[i]!.type))));
  block.transactionsRoot = bytesToHex(orderedTrieRoot(ctx.txs.slice(0, count).map((tx) => tx.serialize())));
  block.hash = bytesToHex(createBlockHeaderFromRPC(block as never, { common: ctx.common, setHardfork: true }).hash());
  for (const tx of block.transactions) tx.blockHash = block.hash;
  const tHeader = performance.now();

  return {
    params,
    data,
    txs: kept,
    expected: expectedGraph(kept),
    expectedCommutative: expectedGraph(kept, { commutativeSenders: true }),
    gasUsed,
    gasLimit,
    timings: { planMs: tPlan - started, signMs: tSign - tPlan, replayMs: tReplay - tSign, headerMs: tHeader - tReplay, totalMs: tHeader - started },
  };
}

/** The longest prefix in which every transaction fits: gas used before it + its gas limit ≤ target. */
function fittingPrefix(runs: TxRun[], txs: SynthTx[], target: bigint): number {
  let used = 0n;
  for (let i = 0; i < runs.length; i++) {
    if (used + txs[i]!.gasLimit > target) return i;
    used += runs[i]!.gasUsed;
  }
  return runs.length;
}

function rpcBlock(params: SynthParams, transactions: RpcTransaction[], gasLimit: bigint): RpcBlock {
  const { seed, number } = params;
  return {
    baseFeePerGas: bigIntToHex(BASE_FEE),
    blobGasUsed: '0x0',
    difficulty: '0x0',
    excessBlobGas: '0x0',
    extraData: bytesToHex(new TextEncoder().encode(params.extraData ?? DEFAULT_EXTRA_DATA)), // "stm synth" by default
    gasLimit: bigIntToHex(gasLimit),
    gasUsed: '0x0',
    hash: ZERO_HASH,
    logsBloom: '0x' + '00'.repeat(256),
    miner: feeRecipientOf(params),
    mixHash: headerHash('prevrandao', seed, number),
    nonce: '0x0000000000000000',
    number: bigIntToHex(number),
    parentBeaconBlockRoot: headerHash('beacon root', seed, number),
    parentHash: headerHash('parent', seed, number),
    receiptsRoot: EMPTY_TRIE_ROOT,
    sha3Uncles: EMPTY_UNCLES_HASH,
    // Not computed: the pre-state is the whole state, but stm never checks the state root.
    stateRoot: ZERO_HASH,
    timestamp: bigIntToHex(TIMESTAMP),
    transactions,
    transactionsRoot: EMPTY_TRIE_ROOT,
    uncles: [],
    withdrawals: [],
    withdrawalsRoot: EMPTY_TRIE_ROOT,
  };
}

/**
 * The state before the block: the coinbase, every sender and hot account (funded), the
 * token with the senders' and hot recipients' balances, and each pool used with its
 * reserves and its traders' balances. Fresh recipients are absent (transfers create them).
 */
/** The block's fee recipient: --fee-recipient, else the synthetic coinbase. */
function feeRecipientOf(params: SynthParams): string {
  return params.feeRecipient ?? COINBASE;
}

export function buildPrestate(txs: SynthTx[], feeRecipient: string = COINBASE): Prestate {
  const accounts = new Map<string, PrestateAccount>();
  const eoa = (address: string) => {
    if (!accounts.has(address)) accounts.set(address, { balance: bigIntToHex(SENDER_ETH), nonce: SENDER_NONCE });
  };
  const contract = (address: string, code: string, storage: Record<string, string>) => {
    let account = accounts.get(address);
    if (account === undefined) accounts.set(address, (account = { balance: '0x0', nonce: 1, code, storage }));
    return account.storage!;
  };
  accounts.set(feeRecipient, { balance: '0x0', nonce: 0 });
  for (const tx of txs) {
    eoa(tx.sender);
    if (tx.kind === 'eth') {
      if (tx.recipientExists) eoa(tx.counterparty);
    } else if (tx.kind === 'erc20') {
      const storage = contract(TOKEN, SYNTH_TOKEN_CODE, {});
      storage[tokenBalanceSlot(tx.sender)] ??= word(SENDER_TOKENS);
      if (tx.hot) storage[tokenBalanceSlot(tx.counterparty)] ??= word(HOT_RECIPIENT_TOKENS);
    } else {
      const storage = contract(tx.counterparty, SYNTH_PAIR_CODE, { [RESERVES_SLOT]: packedReserves(POOL_RESERVE, POOL_RESERVE) });
      storage[poolBalanceSlot(tx.sender, 0)] ??= word(TRADER_POOL_BALANCE);
      storage[poolBalanceSlot(tx.sender, 1)] ??= word(TRADER_POOL_BALANCE);
    }
  }
  return Object.fromEntries(accounts);
}

/** Our signer is fast because it is hand-made: recover the first and the last sender the ordinary way, as a check. */
function checkSignatures(decoded: TypedTransaction[], txs: SynthTx[]): void {
  for (const i of new Set([0, txs.length - 1])) {
    const recovered = decoded[i]!.getSenderAddress().toString();
    if (recovered !== txs[i]!.sender) throw new StmError(`synthetic transaction ${i}: signature recovers ${recovered}, not ${txs[i]!.sender} (a bug in the signer)`);
  }
}

function maxBigInt(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
