/**
 * Commutative sender updates: the one place that decides which transactions' balance and
 * nonce updates of their sender commute with the rest of the block (docs/metrics.md,
 * "Commutative balance and nonce updates"). The serial replay's "transfers commute" graph
 * view, the Block-STM executor and the simulator all follow this rule.
 *
 * A call (a legacy, access-list or fee-market transaction with a recipient) reads its
 * sender's balance and nonce for ethereumjs's checks (balance ≥ cost, nonce = the
 * transaction's) and changes them by amounts known from the transaction and its gas; as
 * long as no code it runs looks at them (a plain transfer runs none), that is all.
 * Executed lazily, it does not read them at all: its nonce is the transaction's own, its
 * balance a placeholder large enough for every check, and what it writes is the nonce + 1
 * and a debit (a negative credit, summed like the coinbase's fee credits). Recipients'
 * credits are commutative already (TxState.creditBalance). What the checks would have
 * decided becomes a guard checked when the transaction commits, against the exact state
 * of everything below it: the sender's nonce equals the transaction's, and its balance
 * covers the transaction's maximum cost. When a guard fails, or when code looked at the
 * sender's balance or nonce during the transaction (it could have observed the
 * placeholder: TxState.lazyViolated; a payment back to the sender is a credit, not a
 * look), the transaction runs again strictly, so every result equals the serial one.
 *
 * In such a transaction contracts' payments commute too: a CALL's check of the paying
 * contract's balance becomes a guard and its debit a negative credit (TxState's module
 * comment); failedGuards checks those guards, as a unit's boundary guards.
 *
 * Left strict: contract creations, blob and set-code (EIP-7702) transactions, and opaque
 * transactions (Sei precompiles, replayed from the node's trace).
 */
import type { TypedTransaction } from '@ethereumjs/tx';
import { accountKeys } from '../state/locations.js';
import type { LazySender, StateGuard } from '../state/txState.js';
import type { BlockContext } from './blockContext.js';

/** What a lazily executed transaction assumes of its sender, checked when it commits. */
export interface CommutativeSender extends LazySender {
  /** (nonce: the nonce the sender must have, the transaction's.) */
  /** The balance the sender must have: what ethereumjs's balance checks require (upfront and maximum cost). */
  minBalance: bigint;
}

/** Transaction types whose sender updates may commute: legacy, EIP-2930, EIP-1559. */
const PLAIN_TYPES = new Set([0, 1, 2]);

/** Per transaction: the assumptions under which its sender updates commute, or undefined (strict). */
export function commutativeSenders(ctx: BlockContext): Array<CommutativeSender | undefined> {
  const baseFee = ctx.block.header.baseFeePerGas;
  const opaque = new Set((ctx.data.opaque ?? []).map((o) => o.index));
  return ctx.txs.map((tx, i) => {
    if (!PLAIN_TYPES.has(tx.type) || tx.to === undefined || opaque.has(i)) return undefined;
    const keys = accountKeys(tx.getSenderAddress().toString());
    return { balanceKey: keys.balance, nonceKey: keys.nonce, nonce: tx.nonce, minBalance: requiredBalance(tx, baseFee) };
  });
}

/** The balance ethereumjs's runTx requires of the sender: max(upfront cost at the base fee, value + gas limit × max fee). */
export function requiredBalance(tx: TypedTransaction, baseFee: bigint | undefined): bigint {
  const upfront = tx.getUpfrontCost(baseFee);
  const maxCost = 'maxFeePerGas' in tx ? tx.value + tx.gasLimit * (tx as { maxFeePerGas: bigint }).maxFeePerGas : 0n;
  return upfront > maxCost ? upfront : maxCost;
}

/** Per transaction: whether it may run lazily (its sender updates commute) under the rule. */
export function independentOfSender(plan: ReadonlyArray<CommutativeSender | undefined>): boolean[] {
  return plan.map((entry) => entry !== undefined);
}

/**
 * The guard of a lazily run transaction, checked when it commits: undefined when the
 * sender's exact nonce (as the transaction sees it: everything below it applied) equals
 * the transaction's and its balance covers the maximum cost; else the failing key.
 */
export function failedGuard(sender: CommutativeSender, exact: (key: string) => unknown): string | undefined {
  if (exact(sender.nonceKey) !== sender.nonce) return sender.nonceKey;
  const balance = exact(sender.balanceKey);
  if (typeof balance !== 'bigint' || balance < sender.minBalance) return sender.balanceKey;
  return undefined;
}

/**
 * Whether every guard holds against the exact state (`exact`): a unit's boundary guards, or
 * the guards of contracts' payments a transaction debited lazily (TxState.guards). The
 * failing key, else undefined.
 */
export function failedGuards(guards: readonly StateGuard[], exact: (key: string) => unknown): string | undefined {
  for (const guard of guards) {
    const value = exact(guard.key);
    if (typeof value !== 'bigint') return guard.key;
    if (guard.atLeast ? value < guard.value : value !== guard.value) return guard.key;
  }
  return undefined;
}
