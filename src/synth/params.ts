/**
 * What a synthetic block is made of: the parameters of `stm synth`, their defaults, and
 * the checks that turn an impossible combination into a one-line UsageError (exit 2)
 * before any work is done. docs/synth.md describes each one.
 */
import { UsageError } from '../errors.js';

export const SYNTH_KINDS = ['eth', 'erc20', 'amm', 'mix'] as const;
/** eth: ETH transfers; erc20: token transfers; amm: swaps on constant-product pools; mix: all three. */
export type SynthKind = (typeof SYNTH_KINDS)[number];

export interface SynthParams {
  kind: SynthKind;
  /** Exactly this many transactions (when set, `gas` is not). */
  txs?: number;
  /** Fill the block with transactions up to this much gas (default 30,000,000 when `txs` is not set). */
  gas?: bigint;
  /** Fraction of transactions that touch a hot key, in [0, 1]. 0: no transaction depends on another (unless `txsPerSender` > 1). */
  contention: number;
  /** Number of hot keys: hot accounts (eth), hot recipients (erc20), hot pools (amm). */
  hotKeys: number;
  /** Transactions per sender: 1 = every transaction has its own sender; S > 1: chains of S through the nonce. */
  txsPerSender: number;
  /** Seed of every random choice and every key. */
  seed: number;
  /** The block's number. */
  number: bigint;
  /** The block's fee recipient (`miner`), lower-case 0x address; default the synthetic coinbase. */
  feeRecipient?: string;
  /** The header's extraData as text (at most 32 bytes of UTF-8); default "stm synth". */
  extraData?: string;
}

export const DEFAULT_EXTRA_DATA = 'stm synth';

/** The default block number: far above mainnet's head, so it is never mistaken for (or fetched as) a real block. */
export const DEFAULT_BLOCK_NUMBER = 90_000_000n;
/** Synthetic blocks are cancun blocks (the timestamp picks the fork); any post-merge number works. */
export const MIN_BLOCK_NUMBER = 15_537_394n;
export const DEFAULT_GAS = 30_000_000n;
/** Generating and replaying more than this would take hours on a small machine. */
export const MAX_TXS = 2_000_000;
export const MAX_GAS = 40_000_000_000n;

export const DEFAULT_PARAMS: Omit<SynthParams, 'kind'> = {
  contention: 0,
  hotKeys: 1,
  txsPerSender: 1,
  seed: 1,
  number: DEFAULT_BLOCK_NUMBER,
};

/** Fills in defaults and checks the parameters; throws UsageError naming the option at fault. */
export function resolveParams(given: Partial<SynthParams> & { kind: SynthKind }): SynthParams {
  const params: SynthParams = { ...DEFAULT_PARAMS, ...stripUndefined(given), kind: given.kind };
  if (!SYNTH_KINDS.includes(params.kind)) {
    throw new UsageError(`--kind expects one of ${SYNTH_KINDS.join(', ')}; got "${String(params.kind)}"`);
  }
  if (params.txs !== undefined && params.gas !== undefined) throw new UsageError('give either --txs or --gas, not both');
  if (params.txs !== undefined && (!Number.isSafeInteger(params.txs) || params.txs < 1 || params.txs > MAX_TXS)) {
    throw new UsageError(`--txs expects a whole number from 1 to ${MAX_TXS.toLocaleString('en-US')}; got ${params.txs}`);
  }
  if (params.txs === undefined) params.gas ??= DEFAULT_GAS;
  if (params.gas !== undefined && (params.gas < 0n || params.gas > MAX_GAS)) {
    throw new UsageError(`--gas expects a whole number of gas up to ${MAX_GAS}; got ${params.gas}`);
  }
  if (!(params.contention >= 0 && params.contention <= 1)) {
    throw new UsageError(`--contention expects a fraction from 0 to 1 (e.g. 0.25); got ${params.contention}`);
  }
  if (!Number.isSafeInteger(params.hotKeys) || params.hotKeys < 1) {
    throw new UsageError(`--hot-keys expects a whole number ≥ 1; got ${params.hotKeys}`);
  }
  if (!Number.isSafeInteger(params.txsPerSender) || params.txsPerSender < 1) {
    throw new UsageError(`--txs-per-sender expects a whole number ≥ 1; got ${params.txsPerSender}`);
  }
  if (!Number.isSafeInteger(params.seed) || params.seed < 0) {
    throw new UsageError(`--seed expects a whole number ≥ 0; got ${params.seed}`);
  }
  if (params.feeRecipient !== undefined) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(params.feeRecipient)) throw new UsageError(`--fee-recipient expects a 0x address of 40 hex digits; got "${params.feeRecipient}"`);
    params.feeRecipient = params.feeRecipient.toLowerCase();
  }
  if (params.extraData !== undefined && Buffer.byteLength(params.extraData, 'utf8') > 32) {
    throw new UsageError(`--extra-data holds at most 32 bytes (the consensus limit); "${params.extraData}" has ${Buffer.byteLength(params.extraData, 'utf8')}`);
  }
  if (params.number < MIN_BLOCK_NUMBER) {
    throw new UsageError(`--block must be a post-merge number (≥ ${MIN_BLOCK_NUMBER}): synthetic blocks are cancun blocks; got ${params.number}`);
  }
  return params;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
