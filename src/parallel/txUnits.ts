/**
 * Which transactions the Block-STM executor runs as units (src/exec/unitRun.ts): runs of
 * consecutive plain transfers (no call data) whose sender updates commute, up to
 * UNIT_MAX_TXS each. Such a transfer takes 20–50 µs here, and the executor's own work per
 * scheduled transaction (its result message, validation, applying and broadcasting its
 * writes) is of the same size; a unit pays it once for all its transactions, and
 * transfers from one payout wallet share the wallet's locations. Every other transaction
 * is a unit of its own.
 */
import type { CommutativeSender } from '../exec/commutativeUpdates.js';

/** The most transactions in one unit. */
export const UNIT_MAX_TXS = 8;

/** The block's units in order (each its transactions, ascending), or undefined when every unit would be one transaction. */
export function formUnits(plan: ReadonlyArray<CommutativeSender | undefined>, plainTransfer: (tx: number) => boolean): number[][] | undefined {
  const units: number[][] = [];
  let open: number[] | undefined;
  let grouped = false;
  for (let tx = 0; tx < plan.length; tx++) {
    const joins = plan[tx] !== undefined && plainTransfer(tx);
    if (joins && open !== undefined && open.length < UNIT_MAX_TXS) {
      open.push(tx);
      grouped = true;
      continue;
    }
    const unit = [tx];
    units.push(unit);
    open = joins ? unit : undefined;
  }
  return grouped ? units : undefined;
}
