/**
 * Which tests `npm test` runs and which only `npm run test:full` (CI's suite) runs: the
 * same files, with STM_TEST_FULL=1 for the full suite. A test marked `fullOnly` shows as
 * skipped in `npm test`, with the reason, so nothing is dropped silently. What stays in
 * `npm test` is chosen so that it still proves every contract once, quickly: every
 * hardfork era's replay verifying against its header, Block-STM equal to serial under
 * stress, each scheduler once (`replay --compare`), each failure path once.
 */
export const FULL = process.env.STM_TEST_FULL === '1';

/** Options for a test that only the full suite runs. */
export const fullOnly: { skip?: string } = FULL ? {} : { skip: 'runs in npm run test:full' };

/**
 * The bundled blocks `npm test` replays (the full suite replays all 30): the cheap ones of
 * the eras frontier, homestead, tangerine whistle, spurious dragon, byzantium, muir glacier
 * and cancun, among them two payout blocks (one sender: commutative updates) and an empty
 * block. The other eras' blocks are replayed by other tests of `npm test` too (19933597,
 * the Prague dev chain) or only in the full suite.
 */
export const QUICK_BLOCKS: ReadonlySet<number> = new Set([46147, 930196, 1150000, 1796867, 2674998, 2675000, 2688148, 3356896, 4370000, 5891667, 11814555, 19426587, 19910734]);
