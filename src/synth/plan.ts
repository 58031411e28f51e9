/**
 * The workload of a synthetic block, decided before anything is signed: which kind each
 * transaction is, which transactions are contended (touch a hot key), who sends each one,
 * to whom, and how much. Everything comes from one seeded generator, in a fixed order, so
 * the same parameters always give the same plan.
 *
 *   eth    a transfer from a sender to a fresh address (created by the transfer). A
 *          contended one is a transfer between hot accounts: from hot account a to hot
 *          account b ≠ a (with one hot key, to a fresh address). Hot accounts must spend
 *          for a transfer to matter: a transfer into an account that does not read its own
 *          balance is a commutative credit (docs/metrics.md), never a dependency.
 *   erc20  SynthToken.transfer from a sender to a fresh address; a contended one pays one
 *          of the hot recipients, whose balance slot every such transfer reads and writes.
 *   amm    SynthPair.swap on the sender's own pool; a contended one swaps on one of the hot
 *          pools, whose reserves every such swap reads and writes.
 *   mix    each transaction is eth, erc20 or amm with equal probability.
 *   payout an eth transfer to a fresh address from one of K paying wallets (the hot keys,
 *          each sending every K-th transaction, in a shuffled order): an exchange's or a
 *          mining pool's payout run. All locations: K chains through the wallets' balance
 *          and nonce; with commutative sender updates (docs/metrics.md): no edge at all.
 *
 * Senders: every transaction not sent by a hot account is sent by a pool sender; each pool
 * sender sends `txsPerSender` of them (the last one possibly fewer), at random positions.
 */
import { UsageError } from '../errors.js';
import { KeySequence } from './keys.js';
import { GAS_LIMIT, TOKEN, freshRecipient, hotPool, hotRecipient, ownPool, swapCall, transferCall } from './layout.js';
import type { SynthParams } from './params.js';
import { SeededRandom } from './random.js';

export type TxKind = 'eth' | 'erc20' | 'amm';
const MIX_KINDS: TxKind[] = ['eth', 'erc20', 'amm'];

/** One transaction of the plan, in symbolic form (indices, not addresses). */
interface PlanTx {
  kind: TxKind;
  hot: boolean;
  /** Hot key (account, recipient or pool) of a contended transaction. */
  hotKey: number;
  /** Pool sender index, or -1 for a transfer sent by hot account `hotKey`. */
  poolSender: number;
  /** eth: hot account receiving (K ≥ 2), or -1 for a fresh recipient. */
  hotReceiver: number;
  /** Index of the fresh recipient (eth, erc20), or -1. */
  fresh: number;
  /** Wei (eth), token units (erc20), amount in (amm). */
  amount: bigint;
  /** amm: swap token 0 for token 1. */
  zeroForOne: boolean;
}

interface Plan {
  txs: PlanTx[];
  poolSenders: number;
}

/** A planned transaction with every address resolved: what is signed, and what the pre-state and expected graph are built from. */
export interface SynthTx {
  kind: TxKind;
  /** Touches a hot key. */
  hot: boolean;
  /** Index of the sender in the key sequence. */
  senderKey: number;
  sender: string;
  /** The transaction's `to`. */
  to: string;
  value: bigint;
  data: string;
  gasLimit: bigint;
  /** eth: the recipient (to); erc20: the token recipient; amm: the pool (to). */
  counterparty: string;
  /** eth: the recipient is a hot account that exists before the block (the transfer is a credit); otherwise it is created. */
  recipientExists: boolean;
  /** amm: the direction. */
  zeroForOne: boolean;
  /** erc20: tokens; amm: amount in. */
  amount: bigint;
}

/** Estimated gas used per transaction, low by a little, for choosing how many fill --gas (test/synth checks them). */
export const GAS_ESTIMATE = { eth: 21_000, erc20Fresh: 51_300, erc20Hot: 34_000, amm: 40_350 } as const;

function estimate(tx: PlanTx): number {
  if (tx.kind === 'eth') return GAS_ESTIMATE.eth;
  if (tx.kind === 'erc20') return tx.hot ? GAS_ESTIMATE.erc20Hot : GAS_ESTIMATE.erc20Fresh;
  return GAS_ESTIMATE.amm;
}

function plan(params: SynthParams, n: number): Plan {
  const rng = new SeededRandom(params.seed);
  const K = params.hotKeys;
  const txs: PlanTx[] = [];
  for (let i = 0; i < n; i++) {
    const kind = params.kind === 'mix' ? MIX_KINDS[rng.int(3)]! : params.kind === 'payout' ? 'eth' : params.kind;
    txs.push({ kind, hot: false, hotKey: -1, poolSender: -1, hotReceiver: -1, fresh: -1, amount: 0n, zeroForOne: false });
  }
  // Exactly round(contention · n) contended transactions, at random positions.
  const hotCount = Math.round(params.contention * n);
  const positions = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  for (let t = 0; t < hotCount; t++) txs[positions[t]!]!.hot = true;
  for (const tx of txs) if (tx.hot) tx.hotKey = rng.int(K);
  // Pool senders: S transactions each, shuffled over the block.
  const pooled = txs.filter((tx) => !(tx.kind === 'eth' && tx.hot));
  // Payout: the K paying wallets are the pool senders, each sending every K-th transaction.
  const payout = params.kind === 'payout';
  const senders = rng.shuffle(pooled.map((_, j) => (payout ? j % K : Math.floor(j / params.txsPerSender))));
  pooled.forEach((tx, j) => (tx.poolSender = senders[j]!));
  let fresh = 0;
  for (const tx of txs) {
    if (tx.kind === 'eth') {
      if (tx.hot && K >= 2) {
        const other = rng.int(K - 1);
        tx.hotReceiver = other >= tx.hotKey ? other + 1 : other;
      } else {
        tx.fresh = fresh++;
      }
      tx.amount = BigInt(1 + rng.int(1_000_000)) * 1_000_000_000n; // 1 gwei .. 0.001 ETH
    } else if (tx.kind === 'erc20') {
      if (!tx.hot) tx.fresh = fresh++;
      tx.amount = BigInt(1 + rng.int(1_000_000)) * 1_000_000_000_000n;
    } else {
      tx.zeroForOne = rng.int(2) === 0;
      tx.amount = BigInt(1 + rng.int(1_000_000)) * 1_000_000_000_000n;
    }
  }
  const poolSenders = pooled.length === 0 ? 0 : payout ? Math.min(K, pooled.length) : Math.ceil(pooled.length / params.txsPerSender);
  return { txs, poolSenders };
}

/**
 * How many transactions to plan: `txs`, or for --gas enough that their estimated gas
 * exceeds the target by a small margin (the block is cut to fit after the replay has
 * measured every transaction's gas; see generate.ts).
 */
export function plannedTxCount(params: SynthParams): number {
  if (params.txs !== undefined) return params.txs;
  const target = Number(params.gas!);
  const first = plan(params, 1).txs[0]!;
  if (BigInt(target) < GAS_LIMIT[first.kind]) {
    throw new UsageError(`--gas ${target} is too small for one transaction: an ${first.kind} transaction has a gas limit of ${GAS_LIMIT[first.kind]}`);
  }
  const wanted = target * 1.02 + 100_000;
  const average = (p: Plan) => p.txs.reduce((sum, tx) => sum + estimate(tx), 0) / p.txs.length;
  let n = Math.max(1, Math.ceil(wanted / average(plan(params, 1000))));
  for (let round = 0; round < 4; round++) {
    const total = plan(params, n).txs.reduce((sum, tx) => sum + estimate(tx), 0);
    if (total >= wanted) break;
    n = Math.ceil((n * wanted) / total) + 1;
  }
  return n;
}

/** The transactions of the block, with addresses (derives the keys it needs). */
export function planTransactions(params: SynthParams, n: number, keys: KeySequence): SynthTx[] {
  const { txs, poolSenders } = plan(params, n);
  // Hot accounts get keys after the pool senders, numbered in order of first use (so a
  // huge --hot-keys derives only the keys of the accounts actually used).
  const hotAccounts = new Map<number, number>();
  const hotAccountKey = (k: number) => {
    let key = hotAccounts.get(k);
    if (key === undefined) hotAccounts.set(k, (key = poolSenders + hotAccounts.size));
    return key;
  };
  return txs.map((tx): SynthTx => {
    const senderKey = tx.poolSender >= 0 ? tx.poolSender : hotAccountKey(tx.hotKey);
    const sender = keys.account(senderKey).address;
    const base = { kind: tx.kind, hot: tx.hot, senderKey, sender, gasLimit: GAS_LIMIT[tx.kind], zeroForOne: false, amount: tx.amount };
    if (tx.kind === 'eth') {
      const exists = tx.hotReceiver >= 0;
      const recipient = exists ? keys.account(hotAccountKey(tx.hotReceiver)).address : freshRecipient(params.seed, tx.fresh);
      return { ...base, to: recipient, value: tx.amount, data: '0x', counterparty: recipient, recipientExists: exists };
    }
    if (tx.kind === 'erc20') {
      const recipient = tx.hot ? hotRecipient(tx.hotKey) : freshRecipient(params.seed, tx.fresh);
      return { ...base, to: TOKEN, value: 0n, data: transferCall(recipient, tx.amount), counterparty: recipient, recipientExists: false };
    }
    const pool = tx.hot ? hotPool(tx.hotKey) : ownPool(tx.poolSender);
    return { ...base, to: pool, value: 0n, data: swapCall(tx.zeroForOne, tx.amount), counterparty: pool, recipientExists: false, zeroForOne: tx.zeroForOne };
  });
}
