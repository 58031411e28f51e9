/**
 * A Prague block of the access-list edge cases (EIP-7928), built on anvil after
 * buildChain's blocks, with hand-assembled contracts:
 *   restore     writes slot 0 = 1 then back to 0 in one call (a write restoring the
 *               pre-value: a read), and reads slot 5
 *   revertWrite writes slot 1 = 5 and reverts (a reverted write: a read)
 *   bounce      sends the value it receives back to the caller (a net-zero balance)
 *   hash        STATICCALLs the sha256 precompile (a precompile is accessed)
 *   toggle      slot 0 = 1 - slot 0: called twice, its change at one index is undone at a
 *               later one (two changes, the second back to the pre-block value)
 *   probe       BALANCE and EXTCODESIZE of an account nothing else touches
 *   giveBack    SELFDESTRUCT to the caller (Cancun: no deletion; value in, value out)
 * plus a contract created and self-destructed in its own constructor (EIP-6780), a
 * zero-value call to a fresh address, a transfer to oneself, a call carrying an EIP-2930
 * access list that names an address and slot nothing accesses, and an EIP-7702
 * transaction delegating anvil's account 4 to the toggle contract (sent by account 0).
 */
import { privateKeyToAccount } from 'viem/accounts';
import type { AnvilNode } from '../rpc/anvilNode.js';

/** anvil's well-known dev key of its account 4 (the authority of the EIP-7702 delegation below). */
const AUTHORITY_KEY = '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a';

function initFor(runtime: string): string {
  const length = (runtime.length / 2).toString(16).padStart(2, '0');
  return '0x60' + length + '600c60003960' + length + '6000f3' + runtime;
}

const fresh = (i: number): string => '0x' + (0xedce0000 + i).toString(16).padStart(40, '0');

const RUNTIMES = {
  restore: '6001600055' + '6000600055' + '60055450' + '00',
  revertWrite: '6005600155' + '60006000fd',
  bounce: '600060006000600034335af150' + '00',
  hash: '6020600060206000' + '60025afa50' + '00',
  toggle: '600054600103600055' + '00',
  probe: '73' + fresh(7).slice(2) + '3150' + '73' + fresh(7).slice(2) + '3b50' + '00',
  giveBack: '33ff',
};

async function send(node: AnvilNode, nonces: Map<string, number>, from: string, tx: Record<string, unknown>): Promise<string> {
  let nonce = nonces.get(from);
  if (nonce === undefined) nonce = Number(BigInt(await node.rpc<string>('eth_getTransactionCount', [from, 'latest'])));
  nonces.set(from, nonce + 1);
  return node.rpc<string>('eth_sendTransaction', [{ from, nonce: '0x' + nonce.toString(16), ...tx }]);
}

async function mine(node: AnvilNode, expectTxs: number): Promise<bigint> {
  await node.rpc('evm_mine', []);
  const number = BigInt(await node.rpc<string>('eth_blockNumber'));
  const block = await node.rpc<{ transactions: unknown[] }>('eth_getBlockByNumber', ['0x' + number.toString(16), false]);
  if (block.transactions.length !== expectTxs) throw new Error(`block ${number} has ${block.transactions.length} transactions, expected ${expectTxs}`);
  return number;
}

/** Deploys the contracts (one block), then mines the edge-case block; returns both numbers. */
export async function buildEdgeBlocks(node: AnvilNode): Promise<{ setupBlock: bigint; edgeBlock: bigint; edgeTxs: number; at: Record<string, string>; probed: string; unused: string; authority: string }> {
  const accounts = (await node.rpc<string[]>('eth_accounts')).map((a) => a.toLowerCase());
  const [a0, a1, a2, a3] = accounts as [string, string, string, string];
  const nonces = new Map<string, number>();
  const hashes: Record<string, string> = {};
  for (const [name, runtime] of Object.entries(RUNTIMES)) hashes[name] = await send(node, nonces, a0, { data: initFor(runtime), gas: '0x30d40' });
  const setupBlock = await mine(node, Object.keys(RUNTIMES).length);
  const at: Record<string, string> = {};
  for (const [name, hash] of Object.entries(hashes)) {
    const receipt = await node.rpc<{ contractAddress: string | null; status: string }>('eth_getTransactionReceipt', [hash]);
    if (receipt.contractAddress === null || receipt.status !== '0x1') throw new Error(`deploying ${name} failed`);
    at[name] = receipt.contractAddress.toLowerCase();
  }
  const txs: Array<[string, Record<string, unknown>]> = [
    [a1, { to: at.restore, gas: '0x186a0' }],
    [a1, { to: at.revertWrite, gas: '0x186a0' }],
    [a2, { to: at.bounce, value: '0x3e8', gas: '0x186a0' }],
    [a2, { to: at.hash, gas: '0x186a0' }],
    [a3, { to: at.toggle, gas: '0x186a0' }],
    [a1, { to: at.toggle, gas: '0x186a0' }],
    [a3, { to: at.probe, gas: '0x186a0' }],
    [a2, { to: at.giveBack, value: '0x7d0', gas: '0x186a0' }],
    // Created and self-destructed in its constructor, with value: EIP-6780 deletes it.
    [a3, { data: '0x73' + a3.slice(2) + 'ff', value: '0x64', gas: '0x30d40' }],
    [a1, { to: fresh(1), value: '0x0', gas: '0x5208' }],
    [a2, { to: a2, value: '0x1', gas: '0x5208' }],
    [a3, { to: at.restore, gas: '0x186a0', accessList: [{ address: fresh(9), storageKeys: ['0x' + '01'.padStart(64, '0')] }] }],
  ];
  for (const [from, tx] of txs) await send(node, nonces, from, tx);
  // EIP-7702: account 4 (the authority, signed with its dev key) delegates to toggle; account 0 pays.
  const authority = privateKeyToAccount(AUTHORITY_KEY);
  const chainId = Number(BigInt(await node.rpc<string>('eth_chainId')));
  const authNonce = Number(BigInt(await node.rpc<string>('eth_getTransactionCount', [authority.address, 'latest'])));
  const auth = await authority.signAuthorization({ chainId, address: at.toggle as `0x${string}`, nonce: authNonce });
  await send(node, nonces, a0, {
    to: authority.address.toLowerCase(),
    gas: '0x30d40',
    authorizationList: [{ chainId: '0x' + chainId.toString(16), address: at.toggle, nonce: '0x' + authNonce.toString(16), yParity: '0x' + (auth.yParity ?? 0).toString(16), r: auth.r, s: auth.s }],
  });
  const edgeBlock = await mine(node, txs.length + 1);
  return { setupBlock, edgeBlock, edgeTxs: txs.length + 1, at, probed: fresh(7), unused: fresh(9), authority: authority.address.toLowerCase() };
}
