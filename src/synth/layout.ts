/**
 * Where everything in a synthetic block lives: fixed addresses (coinbase, token, hot
 * recipients, pools), derived addresses (fresh recipients), the contracts' storage slots,
 * call data, fees and starting balances. The plan, the pre-state, the signed transactions
 * and the expected dependency graph all take their addresses and slots from here, so they
 * cannot disagree.
 */
import { keccak_256 as keccak256 } from '@noble/hashes/sha3.js';
import { bigIntToHex, bytesToHex, hexToBytes, utf8ToBytes } from '@ethereumjs/util';

export const GWEI = 1_000_000_000n;
export const ETHER = 10n ** 18n;

/** Header fields. The timestamp (July 2024) makes every post-merge number a cancun block. */
export const TIMESTAMP = 1_720_000_000n;
export const BASE_FEE = 10n * GWEI;
/** Priority fee of every transaction: non-zero, so every fee is a credit to the coinbase. */
export const TIP = 1n * GWEI;
export const MAX_FEE = 2n * BASE_FEE + TIP;
/** The smallest block gas limit a synthetic block gets (mainnet's in 2024). */
export const MIN_BLOCK_GAS_LIMIT = 30_000_000n;

/** Gas limits of the transactions (a little above what they use). */
export const GAS_LIMIT = { eth: 21_000n, erc20: 65_000n, amm: 60_000n } as const;

/**
 * Every funded account starts with nonce 1, as an account that has sent before. It
 * matters for hot accounts, which receive: ethereumjs checks every touched account for
 * emptiness (EIP-161), and stm knows an account that existed with a non-zero nonce is not
 * empty without reading its nonce or balance, so a transfer into it stays a pure credit.
 */
export const SENDER_NONCE = 1;

/** Starting balances: ample for any block size (10,000 ETH each; token and pool amounts far above what any block moves). */
export const SENDER_ETH = 10_000n * ETHER;
export const SENDER_TOKENS = 10n ** 30n;
/** Hot recipients start with tokens, so every transfer to them costs the same gas (no zero → non-zero store). */
export const HOT_RECIPIENT_TOKENS = ETHER;
export const POOL_RESERVE = 10n ** 30n;
export const TRADER_POOL_BALANCE = 10n ** 30n;

function tagged(prefix: string, index: number): string {
  return '0x' + prefix + index.toString(16).padStart(40 - prefix.length, '0');
}

/** The fee recipient of every synthetic block. */
export const COINBASE = '0xc0ffee000000000000000000000000000000c0de';
/** The one ERC-20 token (contracts/SynthToken.sol). */
export const TOKEN = '0x7070000000000000000000000000000000000000';
/** Hot recipient k of ERC-20 transfers (never a sender). */
export function hotRecipient(k: number): string {
  return tagged('4070', k);
}
/** Hot pool k (contracts/SynthPair.sol). */
export function hotPool(k: number): string {
  return tagged('a770', k);
}
/** The pool of pool-sender j, where its uncontended swaps go. */
export function ownPool(j: number): string {
  return tagged('a771', j);
}
/** Fresh recipient i: an address that exists nowhere else in the block (derived from the seed). */
export function freshRecipient(seed: number, i: number): string {
  return bytesToHex(keccak256(utf8ToBytes(`stm synth recipient ${seed} ${i}`)).subarray(12));
}

/** Other header values derived from the seed and number (no meaning, only determinism). */
export function headerHash(label: string, seed: number, number: bigint): string {
  return bytesToHex(keccak256(utf8ToBytes(`stm synth ${label} ${seed} ${number}`)));
}

// ---- storage ----------------------------------------------------------------------------

export const ZERO_SLOT = '0x' + '00'.repeat(32);

export function word(value: bigint): string {
  return '0x' + value.toString(16).padStart(64, '0');
}

/** The slot of `mapping[owner]` for a mapping declared at slot `index` (Solidity layout). */
export function mappingSlot(owner: string, index: number): string {
  const preimage = new Uint8Array(64);
  preimage.set(hexToBytes(owner as `0x${string}`), 12);
  preimage[63] = index;
  return bytesToHex(keccak256(preimage));
}

/** SynthToken: balanceOf at slot 0. */
export function tokenBalanceSlot(owner: string): string {
  return mappingSlot(owner, 0);
}
/** SynthPair: reserves packed in slot 0 (reserve0 low 128 bits), balance0 at slot 1, balance1 at slot 2. */
export const RESERVES_SLOT = ZERO_SLOT;
export function poolBalanceSlot(trader: string, token: 0 | 1): string {
  return mappingSlot(trader, token === 0 ? 1 : 2);
}
export function packedReserves(reserve0: bigint, reserve1: bigint): string {
  return word((reserve1 << 128n) | reserve0);
}

// ---- call data ----------------------------------------------------------------------------

const TRANSFER_SELECTOR = selector('transfer(address,uint256)');
const SWAP_SELECTOR = selector('swap(bool,uint256,uint256)');

function selector(signature: string): string {
  return bytesToHex(keccak256(utf8ToBytes(signature)).subarray(0, 4)).slice(2);
}

function arg(value: bigint | string): string {
  return typeof value === 'string' ? value.slice(2).padStart(64, '0') : value.toString(16).padStart(64, '0');
}

/** SynthToken.transfer(to, amount). */
export function transferCall(to: string, amount: bigint): string {
  return '0x' + TRANSFER_SELECTOR + arg(to) + arg(amount);
}

/** SynthPair.swap(zeroForOne, amountIn, minAmountOut = 0). */
export function swapCall(zeroForOne: boolean, amountIn: bigint): string {
  return '0x' + SWAP_SELECTOR + arg(zeroForOne ? 1n : 0n) + arg(amountIn) + arg(0n);
}

export { bigIntToHex };
