/**
 * Which transactions the Block-STM executor runs as units (src/exec/unitRun.ts): runs of
 * consecutive plain transfers (no call data) whose sender updates commute, up to
 * UNIT_MAX_TXS each; every other transaction is a unit of its own. A plain transfer takes
 * 20–50 µs here, and the executor's own work per scheduled transaction (its result
 * message, validation, applying and broadcasting its writes) is of the same size: a unit
 * pays it once for all its transactions, and transfers from one payout wallet share the
 * wallet's locations. The executor and the simulator both take their units from here.
 */
import type { BlockContext } from '../exec/blockContext.js';
import type { CommutativeSender } from '../exec/commutativeUpdates.js';

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
 * A block's units under its commutative plan (a plain transfer: a transaction without call
 * data), as the executor and the simulator use them. STM_UNITS=0 in the environment turns
 * them off (every transaction its own unit), to measure what they change.
 */
export function blockUnits(ctx: BlockContext, plan: ReadonlyArray<CommutativeSender | undefined>): UnitStarts | undefined {
  if (process.env.STM_UNITS === '0') return undefined;
  return formUnits(plan, (tx) => ctx.txs[tx]!.data.length === 0);
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
