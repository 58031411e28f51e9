/**
 * Running an opaque transaction: one stm cannot execute (it reaches a Sei precompile,
 * which acts on Cosmos state), replayed from the node's trace instead, so the block still
 * replays and the dependency analysis still counts it.
 *
 * Through the same TxState every executed transaction uses, so serial and parallel
 * replays record its reads and writes exactly as for any other transaction:
 *   reads   every account and slot the node's prestateTracer (non-diff) shows it touching:
 *           existence, balance, nonce, code when it has some, each listed slot;
 *   writes  the diffMode trace: new values of changed fields; an account in `pre` but not
 *           in `post` is deleted; a slot in `pre` but not in `post` becomes zero;
 *   fee     the coinbase's balance change is applied after execution, as the fee credit
 *           runTx applies (a commutative credit, so opaque transactions do not all depend
 *           on each other through the fee collector);
 *   receipt status, gas used and logs are the node's.
 */
import type { TypedTransaction } from '@ethereumjs/tx';
import { Account, Address, bigIntToBytes, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import { Bloom, type RunTxResult, type TxReceipt } from '@ethereumjs/vm';
import type { Common } from '@ethereumjs/common';
import type { OpaqueTx, PrestateAccount } from '../data/blockData.js';
import type { ReadSet, TxState, WriteSet } from '../state/txState.js';

export interface OpaqueRun {
  result: RunTxResult;
  receipt: TxReceipt;
  gasUsed: bigint;
  reads: ReadSet;
  writes: WriteSet;
}

function address(hex: string): Address {
  return new Address(hexToBytes(hex.toLowerCase() as `0x${string}`));
}

function slotBytes(slot: string): Uint8Array {
  return setLengthLeft(hexToBytes(('0x' + slot.slice(2).padStart(64, '0')) as `0x${string}`), 32);
}

function valueBytes(value: string | undefined): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  const n = BigInt(value);
  return n === 0n ? new Uint8Array(0) : bigIntToBytes(n);
}

/** Runs `opaque` on `state` (begun by the caller for this transaction) and returns what a runTx would. */
export async function runOpaqueTx(state: TxState, common: Common, coinbase: string, opaque: OpaqueTx, _tx: TypedTransaction): Promise<OpaqueRun> {
  const cb = coinbase.toLowerCase();
  state.phase = 'exec';
  // Reads: what the node saw the transaction touch.
  for (const [addr, account] of Object.entries(opaque.touched)) {
    if (addr.toLowerCase() === cb) continue;
    const a = address(addr);
    const current = await state.getAccount(a);
    if (current !== undefined) {
      void current.balance;
      void current.nonce;
      if (account.code !== undefined && account.code !== '0x') await state.getCode(a);
    }
    for (const slot of Object.keys(account.storage ?? {})) await state.getStorage(a, slotBytes(slot));
  }
  // Writes: what it changed.
  let coinbaseDelta = 0n;
  const changed = new Set([...Object.keys(opaque.pre), ...Object.keys(opaque.post)].map((a) => a.toLowerCase()));
  for (const addr of changed) {
    const before: PrestateAccount | undefined = opaque.pre[addr] ?? findCaseless(opaque.pre, addr);
    const after: PrestateAccount | undefined = opaque.post[addr] ?? findCaseless(opaque.post, addr);
    if (addr === cb) {
      if (after?.balance !== undefined) coinbaseDelta = BigInt(after.balance) - BigInt(before?.balance ?? '0x0');
      if (after?.nonce === undefined && after?.code === undefined && after?.storage === undefined) continue;
    }
    const a = address(addr);
    if (after === undefined) {
      await state.deleteAccount(a);
      continue;
    }
    const account = (await state.getAccount(a)) ?? new Account();
    if (after.balance !== undefined && addr !== cb) account.balance = BigInt(after.balance);
    if (after.nonce !== undefined) account.nonce = BigInt(after.nonce);
    await state.putAccount(a, account);
    if (after.code !== undefined) await state.putCode(a, hexToBytes(after.code as `0x${string}`));
    const slots = new Set([...Object.keys(before?.storage ?? {}), ...Object.keys(after.storage ?? {})]);
    for (const slot of slots) await state.putStorage(a, slotBytes(slot), valueBytes(after.storage?.[slot]));
  }
  // The fee, as runTx credits it: after execution, through the coinbase placeholder.
  state.phase = 'post';
  if (coinbaseDelta !== 0n) {
    const a = address(cb);
    const account = (await state.getAccount(a)) ?? new Account();
    account.balance += coinbaseDelta;
    await state.putAccount(a, account);
  }

  const gasUsed = BigInt(opaque.receipt.gasUsed);
  const bloom = new Bloom(undefined, common);
  const logs = opaque.receipt.logs.map((log) => {
    const entry: [Uint8Array, Uint8Array[], Uint8Array] = [
      hexToBytes(log.address as `0x${string}`),
      log.topics.map((t) => hexToBytes(t as `0x${string}`)),
      hexToBytes(log.data as `0x${string}`),
    ];
    bloom.add(entry[0]);
    for (const topic of entry[1]) bloom.add(topic);
    return entry;
  });
  const status = BigInt(opaque.receipt.status) === 1n ? 1 : 0;
  const receipt = { status, cumulativeBlockGasUsed: gasUsed, bitvector: bloom.bitvector, logs } as unknown as TxReceipt;
  const result = {
    bloom,
    receipt,
    totalGasSpent: gasUsed,
    amountSpent: 0n,
    gasRefund: 0n,
    minerValue: coinbaseDelta,
    execResult: {
      returnValue: new Uint8Array(0),
      executionGasUsed: gasUsed,
      exceptionError: status === 1 ? undefined : { error: 'reverted (opaque transaction, status from the node)' },
      logs,
    },
  } as unknown as RunTxResult;
  return { result, receipt, gasUsed, reads: state.readSet, writes: state.finish() };
}

function findCaseless(map: Record<string, PrestateAccount>, addr: string): PrestateAccount | undefined {
  for (const [key, value] of Object.entries(map)) if (key.toLowerCase() === addr) return value;
  return undefined;
}
