/**
 * The shape of one block's data as stm stores it (fixtures, cache): the RPC block with
 * full transactions, the pre-state in geth prestateTracer form, and ancestor hashes for
 * BLOCKHASH. Everything downstream (state, execution, verification) starts from a
 * BlockData; where it came from is recorded in `origin` for messages.
 */

/** A transaction as eth_getBlockByNumber(N, true) returns it (fields we rely on). */
export interface RpcTransaction {
  hash: string;
  from: string;
  to?: string | null;
  type?: string;
  [field: string]: unknown;
}

/** A block as eth_getBlockByNumber(N, true) returns it. */
export interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  miner: string;
  gasUsed: string;
  gasLimit: string;
  timestamp: string;
  receiptsRoot: string;
  logsBloom: string;
  transactions: RpcTransaction[];
  uncles?: string[];
  withdrawals?: Array<{ index: string; validatorIndex: string; address: string; amount: string }>;
  [field: string]: unknown;
}

/** One account of the pre-state (prestateTracer, non-diff mode). */
export interface PrestateAccount {
  balance?: string;
  nonce?: number | string;
  code?: string;
  storage?: Record<string, string>;
}
export type Prestate = Record<string, PrestateAccount>;

/** A receipt as eth_getTransactionReceipt returns it (fields verification uses). */
export interface RpcReceipt {
  transactionHash: string;
  transactionIndex: string;
  status?: string;
  gasUsed: string;
  cumulativeGasUsed: string;
  logs: Array<{ address: string; topics: string[]; data: string }>;
  [field: string]: unknown;
}

/**
 * Chain rules that the chain id alone does not fix, recorded with the block when it was
 * fetched: a dev chain's hardfork (--hardfork, or inferred from the header), Sei's
 * governance-set SSTORE cost. Profiles read them (src/chain).
 */
export interface ChainRules {
  hardfork?: string;
  /** EIP-2200 "set" cost of SSTORE (zero to non-zero); Ethereum 20,000. */
  sstoreSetGas?: number;
}

/**
 * A transaction stm does not execute (it reaches a Sei precompile): its effects are the
 * node's prestateTracer results. `touched` is what the transaction read (non-diff mode),
 * `pre`/`post` what it changed (diffMode: `post` holds new values of changed fields; an
 * account in `pre` but not `post` was deleted; a slot in `pre` but not `post` became 0).
 */
export interface OpaqueTx {
  index: number;
  hash: string;
  /** Why it is opaque ("calls Sei precompile 0x…1002"). */
  reason: string;
  touched: Prestate;
  pre: Prestate;
  post: Prestate;
  /** The node's receipt: status, gas and logs are taken from it. */
  receipt: { status: string; gasUsed: string; logs: Array<{ address: string; topics: string[]; data: string }> };
}

export type BlockOrigin =
  | { kind: 'fixtures'; dir: string }
  | { kind: 'cache'; dir: string }
  | { kind: 'bundled'; dir: string };

export interface BlockData {
  number: bigint;
  chainId: number;
  block: RpcBlock;
  prestate: Prestate;
  /** Ancestor number -> hash, for BLOCKHASH. */
  blockHashes: Map<bigint, string>;
  /** Receipts from the node, when they were fetched (the fixtures have none). */
  receipts?: RpcReceipt[];
  /** Rules recorded when the block was fetched (cache only). */
  rules?: ChainRules;
  /** Transactions whose effects come from the node's trace (cache only; Sei precompiles). */
  opaque?: OpaqueTx[];
  origin: BlockOrigin;
}
