/**
 * Preparing a run of the access-list executor (--scheduler bal) from a serial replay: the
 * plan it is held to, from the given list (--bal FILE) or the one built from the replay,
 * and what the block touches outside its transactions (prelude and epilogue).
 */
import type { BlockLevelAccessList } from '@ethereumjs/util';
import { BalPlan, balPlanRules, firstPlanDifference } from '../bal/balPlan.js';
import { buildBlockAccessList } from '../bal/buildBal.js';
import { epilogueCredits } from '../exec/systemOps.js';
import { BalMismatchError, type BalRunOptions } from '../parallel/balScheduler.js';
import { locationAddress } from '../state/locations.js';
import type { SerialReplay } from './replayBlock.js';

/**
 * The plan for a run: from the given list (--bal FILE) or the one built from the serial
 * replay. A given list must hold at index 0 and n + 1 what the replay did (the executor
 * runs only the transactions); when the run falls back to serial, all of it must equal
 * the replay's.
 */
export function prepareBalRun(serial: SerialReplay, given: BlockLevelAccessList | undefined, fallingBack: boolean): Pick<BalRunOptions, 'plan' | 'outsideTouched'> {
  const { ctx } = serial;
  const rules = balPlanRules(ctx);
  const own = new BalPlan(buildBlockAccessList(serial), rules);
  const plan = given === undefined ? own : new BalPlan(given, rules);
  if (given !== undefined) {
    // Falling back, no transaction is held to the list: the whole list is held to the replay's.
    const failure = fallingBack ? firstPlanDifference(plan, own) : plan.checkPreludeAndEpilogue(own);
    if (failure !== undefined) throw new BalMismatchError(failure);
  }
  const accounts = new Set<string>(ctx.prelude.addressed);
  const slots = new Set<string>();
  for (const { key } of ctx.prelude.writes) {
    accounts.add(locationAddress(key));
    slots.add(key);
  }
  const credited = epilogueCredits(ctx.common, ctx.block, ctx.data.block.uncles?.length ?? 0);
  for (const [address] of credited) accounts.add(address.toString());
  return { plan, outsideTouched: { accounts, slots } };
}
