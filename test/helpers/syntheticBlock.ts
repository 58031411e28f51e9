/**
 * Small made-up blocks for tests that need a specific dependency shape no real block has:
 * real signed transactions (legacy or EIP-1559) in an RPC-shaped block at a mainnet
 * Shanghai number and timestamp, with a pre-state that funds the senders. The header's
 * roots are placeholders, so such a block does not verify against "the chain"; tests use
 * it for what the replay computes (read/write sets, the dependency graph), not for
 * verification.
 */
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createFeeMarket1559Tx, createLegacyTx, type TypedTransaction } from '@ethereumjs/tx';
import { bigIntToHex, bytesToHex, hexToBytes, intToHex, privateToAddress } from '@ethereumjs/util';
import type { BlockData, Prestate, RpcBlock, RpcTransaction } from '../../src/data/blockData.js';

/** A key pair standing for one externally owned account. */
export interface TestAccount {
  privateKey: Uint8Array;
  /** Lower-case 0x address. */
  address: string;
}

/** A deterministic test account: private key = seed as a 32-byte number (seed ≥ 1). */
export function testAccount(seed: number): TestAccount {
  const privateKey = hexToBytes(`0x${seed.toString(16).padStart(64, '0')}`);
  return { privateKey, address: bytesToHex(privateToAddress(privateKey)) };
}

/** A fixed non-sender address (contracts, recipients, the coinbase): 0x00…00<tag>. */
export function testAddress(tag: number): string {
  return `0x${tag.toString(16).padStart(40, '0')}`;
}

export interface SyntheticTx {
  from: TestAccount;
  /** Recipient; null creates a contract. */
  to: string | null;
  /** Wei sent (default 0). */
  value?: bigint;
  /** Call data, hex (default empty). */
  data?: string;
  /** Gas limit (default 21,000 for a plain transfer, 200,000 otherwise). */
  gasLimit?: bigint;
  /** "1559" (default) or "legacy". */
  type?: '1559' | 'legacy';
  /** Priority fee per gas (the coinbase's share), wei (default 1 gwei). */
  tip?: bigint;
}

export interface SyntheticBlockSpec {
  txs: SyntheticTx[];
  /** Accounts before the block; senders must be funded here (see `fund`). */
  prestate: Prestate;
  /** Fee recipient (default testAddress(0xc0ffee)). */
  coinbase?: string;
  /** Default: 17,100,000, a mainnet Shanghai block. */
  number?: bigint;
  /** Default: 1,682,000,000 (April 2023, Shanghai). */
  timestamp?: bigint;
  /** Default: 10 gwei. */
  baseFee?: bigint;
  /** Header extraData, hex (default "0x"); a builder writes its name here. */
  extraData?: string;
}

export const SHANGHAI_BLOCK = 17_100_000n;
export const SHANGHAI_TIME = 1_682_000_000n;
export const GWEI = 1_000_000_000n;
export const ETHER = 10n ** 18n;

const EMPTY_TRIE_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';
const EMPTY_UNCLES_HASH = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
const ZERO_HASH = `0x${'00'.repeat(32)}`;

/** Pre-state entries giving each account `balance` wei and nonce 0. */
export function fund(accounts: TestAccount[], balance: bigint = 10n * ETHER): Prestate {
  return Object.fromEntries(accounts.map((account) => [account.address, { balance: bigIntToHex(balance), nonce: 0 }]));
}

/** Builds the block: transactions signed in order, nonces counted per sender from the pre-state. */
export function syntheticBlock(spec: SyntheticBlockSpec): BlockData {
  const number = spec.number ?? SHANGHAI_BLOCK;
  const timestamp = spec.timestamp ?? SHANGHAI_TIME;
  const baseFee = spec.baseFee ?? 10n * GWEI;
  const coinbase = (spec.coinbase ?? testAddress(0xc0ffee)).toLowerCase();
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Shanghai });
  const nonces = new Map<string, bigint>();
  const prestate: Prestate = { [coinbase]: { balance: '0x0', nonce: 0 }, ...spec.prestate };

  const transactions = spec.txs.map((tx, index) => {
    const nonce = nonces.get(tx.from.address) ?? BigInt(prestate[tx.from.address]?.nonce ?? 0);
    nonces.set(tx.from.address, nonce + 1n);
    const signed = signTx(tx, nonce, baseFee, common);
    return rpcTransaction(signed, tx.from.address, index, number);
  });

  const block: RpcBlock = {
    number: bigIntToHex(number),
    hash: `0x${'ab'.repeat(31)}${(Number(number % 256n)).toString(16).padStart(2, '0')}`,
    parentHash: `0x${'cd'.repeat(32)}`,
    sha3Uncles: EMPTY_UNCLES_HASH,
    miner: coinbase,
    stateRoot: ZERO_HASH,
    transactionsRoot: EMPTY_TRIE_ROOT,
    receiptsRoot: EMPTY_TRIE_ROOT,
    logsBloom: `0x${'00'.repeat(256)}`,
    difficulty: '0x0',
    gasLimit: bigIntToHex(30_000_000n),
    gasUsed: '0x0',
    timestamp: bigIntToHex(timestamp),
    extraData: spec.extraData ?? '0x',
    mixHash: ZERO_HASH,
    nonce: '0x0000000000000000',
    baseFeePerGas: bigIntToHex(baseFee),
    withdrawalsRoot: EMPTY_TRIE_ROOT,
    withdrawals: [],
    uncles: [],
    transactions,
  };
  return {
    number,
    chainId: 1,
    block,
    prestate,
    blockHashes: new Map([[number - 1n, block.parentHash]]),
    origin: { kind: 'fixtures', dir: '(synthetic block)' },
  };
}

function signTx(tx: SyntheticTx, nonce: bigint, baseFee: bigint, common: Common): TypedTransaction {
  const tip = tx.tip ?? GWEI;
  const gasLimit = tx.gasLimit ?? (tx.data === undefined && tx.to !== null ? 21_000n : 200_000n);
  const fields = {
    nonce,
    gasLimit,
    value: tx.value ?? 0n,
    data: hexToBytes((tx.data ?? '0x') as `0x${string}`),
    ...(tx.to === null ? {} : { to: tx.to as `0x${string}` }),
  };
  if (tx.type === 'legacy') {
    return createLegacyTx({ ...fields, gasPrice: baseFee + tip }, { common }).sign(tx.from.privateKey);
  }
  return createFeeMarket1559Tx({ ...fields, chainId: 1n, maxFeePerGas: baseFee * 2n + tip, maxPriorityFeePerGas: tip, accessList: [] }, { common }).sign(
    tx.from.privateKey,
  );
}

/** A signed transaction as eth_getBlockByNumber(N, true) returns it. */
function rpcTransaction(tx: TypedTransaction, from: string, index: number, blockNumber: bigint): RpcTransaction {
  const json = tx.toJSON() as Record<string, unknown>;
  return {
    ...json,
    type: intToHex(tx.type),
    hash: bytesToHex(tx.hash()),
    from,
    to: tx.to === undefined ? null : tx.to.toString(),
    gas: json.gasLimit,
    input: json.data,
    transactionIndex: intToHex(index),
    blockNumber: bigIntToHex(blockNumber),
  };
}
