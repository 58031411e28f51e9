/**
 * Blocks with many kinds of transactions, built on an anvil node with automine off and
 * mined with evm_mine. The contracts are hand-assembled (no compiler needed):
 *
 *   token      ERC-20-style: calldata is `to (32 bytes) | amount (32 bytes)`; balances in
 *              storage slot = holder address; moves `amount` from the caller to `to` and
 *              emits Transfer(caller, to, amount); reverts when the caller has too little.
 *              The constructor gives the deployer 10^24.
 *   blockhash  stores BLOCKHASH(NUMBER - 2) in slot 0 (an ancestor beyond the parent, so
 *              the fetch must get its hash from the node).
 *   precompile (Sei tests) code put at 0x…1002 with anvil_setCode: counts calls per caller
 *              in storage and emits a log; under the Sei profile, a transaction reaching
 *              it is opaque.
 */
import type { AnvilNode } from './anvilNode.js';

const TRANSFER_TOPIC = 'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

/** Token runtime (77 bytes); see the module comment. */
const TOKEN_RUNTIME =
  '6020' + '35' + '33' + '54' + '81' + '81' + '10' + '610048' + '57' + // load amount, balance; jump to revert if balance < amount
  '81' + '90' + '03' + '33' + '55' + // balance[caller] -= amount
  '6000' + '35' + '80' + '54' + '82' + '01' + '90' + '55' + // balance[to] += amount
  '6000' + '52' + // mem[0] = amount
  '6000' + '35' + '33' + '7f' + TRANSFER_TOPIC + '6020' + '6000' + 'a3' + // LOG3(Transfer, caller, to)
  '00' + // STOP
  '5b' + '6000' + '80' + 'fd'; // revert

/** Deployer gets 10^24, then the runtime is returned. */
export const TOKEN_INIT = '0x' + '69' + 'd3c21bcecceda1000000' + '33' + '55' + '604d' + '6019' + '6000' + '39' + '604d' + '6000' + 'f3' + TOKEN_RUNTIME;

const BLOCKHASH_RUNTIME = '43' + '6002' + '90' + '03' + '40' + '6000' + '55' + '00';
export const BLOCKHASH_INIT = '0x' + '600a' + '600c' + '6000' + '39' + '600a' + '6000' + 'f3' + BLOCKHASH_RUNTIME;

/** slot[caller] += 1; LOG1(topic 0x01) with no data. */
export const PRECOMPILE_CODE = '0x' + '33' + '54' + '6001' + '01' + '33' + '55' + '6001' + '6000' + '6000' + 'a1' + '00';
export const SEI_BANK_PRECOMPILE = '0x0000000000000000000000000000000000001002';

function word(value: bigint | string): string {
  const hex = typeof value === 'string' ? value.slice(2) : value.toString(16);
  return hex.toLowerCase().padStart(64, '0');
}

/** Calldata for a token transfer. */
export function transferData(to: string, amount: bigint): string {
  return '0x' + word(to) + word(amount);
}

export interface BuiltChain {
  accounts: string[];
  token: string;
  /** Block numbers built, by purpose. */
  setupBlock: bigint;
  busyBlock: bigint;
  /** Transactions in the busy block. */
  busyTxs: number;
  /** Index in the busy block of the reverting transaction. */
  revertIndex: number;
  /** Index of the call to the Sei precompile address (only when built with `precompile`). */
  precompileIndex?: number;
}

class Sender {
  private readonly nonces = new Map<string, number>();
  readonly hashes: string[] = [];
  constructor(private readonly node: AnvilNode) {}

  async send(from: string, tx: { to?: string; data?: string; value?: bigint; gas: bigint }): Promise<string> {
    let nonce = this.nonces.get(from);
    if (nonce === undefined) nonce = Number(BigInt(await this.node.rpc<string>('eth_getTransactionCount', [from, 'latest'])));
    this.nonces.set(from, nonce + 1);
    const request: Record<string, string> = { from, gas: '0x' + tx.gas.toString(16), nonce: '0x' + nonce.toString(16) };
    if (tx.to !== undefined) request.to = tx.to;
    if (tx.data !== undefined) request.data = tx.data;
    if (tx.value !== undefined) request.value = '0x' + tx.value.toString(16);
    const hash = await this.node.rpc<string>('eth_sendTransaction', [request]);
    this.hashes.push(hash);
    return hash;
  }
}

async function mine(node: AnvilNode, expectTxs: number): Promise<bigint> {
  await node.rpc('evm_mine', []);
  const number = BigInt(await node.rpc<string>('eth_blockNumber'));
  const block = await node.rpc<{ transactions: unknown[] }>('eth_getBlockByNumber', ['0x' + number.toString(16), false]);
  if (block.transactions.length !== expectTxs) throw new Error(`block ${number} has ${block.transactions.length} transactions, expected ${expectTxs} (anvil dropped some?)`);
  return number;
}

function contractAddressOf(receipt: { contractAddress?: string | null }): string {
  if (typeof receipt.contractAddress !== 'string') throw new Error('deployment has no contractAddress');
  return receipt.contractAddress.toLowerCase();
}

/**
 * Builds: two empty blocks (ancestors for BLOCKHASH), a setup block (token and blockhash
 * contract deployed, token balances handed out), then a busy block of 40 transactions:
 * ETH transfers, token transfers (some depending on earlier ones in the block), a reverting
 * token transfer, a contract deployment and a call to it in the same block, a BLOCKHASH
 * call, several transactions per sender; with `precompile`, also a call to 0x…1002.
 */
export async function buildChain(node: AnvilNode, options: { precompile?: boolean } = {}): Promise<BuiltChain> {
  const accounts = (await node.rpc<string[]>('eth_accounts')).map((a) => a.toLowerCase());
  const [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9] = accounts as [string, string, string, string, string, string, string, string, string, string];
  const s = new Sender(node);
  await mine(node, 0);
  await mine(node, 0);
  if (options.precompile === true) await node.rpc('anvil_setCode', [SEI_BANK_PRECOMPILE, PRECOMPILE_CODE]);

  const tokenTx = await s.send(a0, { data: TOKEN_INIT, gas: 300_000n });
  const bhTx = await s.send(a0, { data: BLOCKHASH_INIT, gas: 200_000n });
  const setupBlock = await mine(node, 2);
  const token = contractAddressOf(await node.rpc('eth_getTransactionReceipt', [tokenTx]));
  const blockhash = contractAddressOf(await node.rpc('eth_getTransactionReceipt', [bhTx]));

  // The busy block.
  let count = 0;
  const send = async (from: string, tx: { to?: string; data?: string; value?: bigint; gas: bigint }) => {
    count++;
    return s.send(from, tx);
  };
  const fresh = (i: number) => '0x' + (0xbeef0000 + i).toString(16).padStart(40, '0');
  // Token: the deployer hands out balances; receivers pass some on in the same block.
  await send(a0, { to: token, data: transferData(a1, 5_000n), gas: 100_000n });
  await send(a0, { to: token, data: transferData(a2, 5_000n), gas: 100_000n });
  await send(a0, { to: token, data: transferData(a3, 5_000n), gas: 100_000n });
  await send(a1, { to: token, data: transferData(a4, 1_000n), gas: 100_000n });
  await send(a2, { to: token, data: transferData(a4, 1_000n), gas: 100_000n });
  await send(a4, { to: token, data: transferData(a5, 1_500n), gas: 100_000n });
  const revertIndex = count;
  await send(a6, { to: token, data: transferData(a7, 1n), gas: 100_000n }); // a6 holds no tokens: reverts
  await send(a3, { to: token, data: transferData(fresh(1), 10n), gas: 100_000n });
  await send(a3, { to: token, data: transferData(fresh(2), 10n), gas: 100_000n });
  // A deployment and a call to the new contract in the same block.
  const newToken = '0x' + (await predictAddress(a9, Number(BigInt(await node.rpc<string>('eth_getTransactionCount', [a9, 'latest'])))));
  await send(a9, { data: TOKEN_INIT, gas: 300_000n });
  await send(a9, { to: newToken, data: transferData(a8, 42n), gas: 100_000n });
  // BLOCKHASH of an ancestor.
  await send(a8, { to: blockhash, gas: 100_000n });
  let precompileIndex: number | undefined;
  if (options.precompile === true) {
    precompileIndex = count;
    await send(a7, { to: SEI_BANK_PRECOMPILE, gas: 100_000n });
  }
  // ETH transfers: several per sender, to fresh addresses and to each other.
  const senders = [a1, a2, a3, a5, a6, a7, a8, a9];
  let i = 0;
  while (count < 40) {
    const from = senders[i % senders.length]!;
    const to = i % 3 === 0 ? accounts[(i + 3) % accounts.length]! : fresh(100 + i);
    await send(from, { to, value: 1_000_000_000_000n + BigInt(i), gas: 21_000n });
    i++;
  }
  const busyBlock = await mine(node, count);
  return { accounts, token, setupBlock, busyBlock, busyTxs: count, revertIndex, ...(precompileIndex === undefined ? {} : { precompileIndex }) };
}

/** The CREATE address of `sender` at `nonce` (hex without 0x). */
async function predictAddress(sender: string, nonce: number): Promise<string> {
  const { keccak_256 } = await import('@noble/hashes/sha3.js');
  const { RLP } = await import('@ethereumjs/rlp');
  const { hexToBytes, bytesToHex, intToBytes } = await import('@ethereumjs/util');
  const encoded = RLP.encode([hexToBytes(sender as `0x${string}`), nonce === 0 ? new Uint8Array(0) : intToBytes(nonce)]);
  return bytesToHex(keccak_256(encoded)).slice(-40);
}
