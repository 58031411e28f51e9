/**
 * Which transactions the Block-STM executor runs as units (src/exec/unitRun.ts): runs of
 * consecutive plain transfers (no call data; see blockUnits) whose sender updates commute, up to
 * UNIT_MAX_TXS each; every other transaction is a unit of its own. A plain transfer takes
 * 20–50 µs here, and the executor's own work per scheduled transaction (its result
 * message, validation, applying and broadcasting its writes) is of the same size: a unit
 * pays it once for all its transactions, and transfers from one payout wallet share the
 * wallet's locations. The executor and the simulator both take their units from here.
 */
import type { BlockContext } from '../exec/blockContext.js';
import type { CommutativeSender } from '../exec/commutativeUpdates.js';
import { accountKeys, type CodeValue } from '../state/locations.js';

/** The most transactions in one unit. */
export const UNIT_MAX_TXS = 8;

/**
 * A block's units as the index of each one's first transaction, and the transaction count
 * last: unit u is transactions starts[u] to starts[u + 1] - 1 (units.length - 1 units).
 */
export type UnitStarts = Int32Array;

/** The block's units, or undefined when every unit would be one transaction. */
export function formUnits(plan: ReadonlyArray<CommutativeSender | undefined>, plainTransfer: (tx: number) => boolean): UnitStarts | undefined {
  const starts: number[] = [];
  let open = -1; // first transaction of the unit that may still grow
  let grouped = false;
  for (let tx = 0; tx < plan.length; tx++) {
    const joins = plan[tx] !== undefined && plainTransfer(tx);
    if (joins && open >= 0 && tx - open < UNIT_MAX_TXS) {
      grouped = true;
      continue;
    }
    starts.push(tx);
    open = joins ? tx : -1;
  }
  starts.push(plan.length);
  return grouped ? Int32Array.from(starts) : undefined;
}

/**
 * A block's units under its commutative plan, as the executor and the simulator use them.
 * A plain transfer is a transaction without call data to an account that has no code
 * before the block, or to a contract no other transaction of the block calls (a payout to
 * a wallet contract runs its code, but nothing else touches it). A contract that several
 * transactions send ether to may count them in its storage (6196166: 83 of 108
 * transactions pay two game contracts that count them in a slot; grouped, they re-ran as
 * whole units, 77 re-executions instead of 16, and the hot-recipient rule could not see
 * them). Only a guess made before execution: a unit runs its transactions in full,
 * whatever code they meet. STM_UNITS=0 in the environment
 * turns units off (every transaction its own unit), to measure what they change.
 */
export function blockUnits(ctx: BlockContext, plan: ReadonlyArray<CommutativeSender | undefined>): UnitStarts | undefined {
  if (process.env.STM_UNITS === '0') return undefined;
  const recipients = ctx.txs.map((tx) => tx.to?.toString());
  const calls = new Map<string, number>();
  for (const to of recipients) if (to !== undefined) calls.set(to, (calls.get(to) ?? 0) + 1);
  return formUnits(plan, (tx) => {
    const to = recipients[tx];
    if (ctx.txs[tx]!.data.length !== 0 || to === undefined) return false;
    return calls.get(to) === 1 || (ctx.pre.get(accountKeys(to).code) as CodeValue).bytes.length === 0;
  });
}

/** How many units there are. */
export function unitCount(starts: UnitStarts): number {
  return starts.length - 1;
}

/** A per-transaction array as a per-unit one: each unit's value from its transactions' (in order). */
export function perUnitOf<T, U>(starts: UnitStarts, values: ArrayLike<T>, combine: (txValues: T[], size: number) => U): U[] {
  const out: U[] = [];
  for (let u = 0; u + 1 < starts.length; u++) out.push(combine(Array.prototype.slice.call(values, starts[u]!, starts[u + 1]!) as T[], starts[u + 1]! - starts[u]!));
  return out;
}

/** RunOptions' `units`, when there are any (spread into the options). */
export function unitsOption(units: UnitStarts | undefined): { units?: UnitStarts } {
  return units === undefined ? {} : { units };
}
