/**
 * Verification against the chain: the replay's total gas, logs bloom and receipts root
 * against the block header, and, when receipts were fetched, every receipt's status,
 * gas and logs. Before Byzantium receipts embed intermediate state roots, which a
 * partial pre-state cannot reproduce, so the receipts root is "n/a" there. The header
 * fields the data itself proves (transactions root, block hash, transaction hashes) are
 * checked alongside (headerFields.ts), and what nothing can check is listed.
 */
import { RLP } from '@ethereumjs/rlp';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { bytesToHex } from '@ethereumjs/util';
import { Bloom, encodeReceipt, type TxReceipt } from '@ethereumjs/vm';
import type { BlockContext } from '../exec/blockContext.js';
import type { TxRun } from '../exec/replayVm.js';
import { checkHeaderFields, uncheckedFields, type HeaderFieldChecks, type UncheckedField } from './headerFields.js';
import type { Check } from './check.js';

export type { Check, CheckStatus } from './check.js';

export interface Verification extends HeaderFieldChecks {
  ok: boolean;
  gas: Check;
  logsBloom: Check;
  receiptsRoot: Check;
  receipts: Check;
  /** What neither the replay nor the header checks can prove. */
  unchecked: UncheckedField[];
  /** The first transaction whose receipt differs from the fetched one. */
  firstMismatch?: { txIndex: number; txHash: string; field: string; expected: string; actual: string };
}

/** Receipts with cumulative gas filled in (runs execute with block gas 0 so they can run in any order). */
export function blockReceipts(runs: TxRun[]): TxReceipt[] {
  let cumulative = 0n;
  return runs.map((run) => {
    cumulative += run.gasUsed;
    return { ...run.receipt, cumulativeBlockGasUsed: cumulative } as TxReceipt;
  });
}

export async function receiptsRoot(ctx: BlockContext, receipts: TxReceipt[]): Promise<string> {
  const trie = new MerklePatriciaTrie({ common: ctx.common });
  for (let i = 0; i < receipts.length; i++) {
    await trie.put(RLP.encode(i), encodeReceipt(receipts[i]!, ctx.txs[i]!.type));
  }
  return bytesToHex(trie.root());
}

export async function verifyBlock(ctx: BlockContext, runs: TxRun[]): Promise<Verification> {
  const header = ctx.data.block;
  const receipts = blockReceipts(runs);
  const gasUsed = runs.reduce((sum, run) => sum + run.gasUsed, 0n);
  const gas: Check = check(BigInt(header.gasUsed).toString(), gasUsed.toString());

  const bloom = new Bloom(undefined, ctx.common);
  for (const run of runs) bloom.or(run.result.bloom);
  const logsBloom = ctx.profile.verifiesHeaderRoots
    ? check(header.logsBloom.toLowerCase(), bytesToHex(bloom.bitvector))
    : { status: 'n/a' as const, note: `${ctx.profile.name} headers do not carry an Ethereum logs bloom` };

  let root: Check;
  if (!ctx.profile.verifiesHeaderRoots) {
    root = { status: 'n/a', note: `${ctx.profile.name} receipts roots are not Ethereum tries; receipts are checked one by one` };
  } else if (!ctx.byzantium) {
    root = { status: 'n/a', note: 'before Byzantium receipts embed intermediate state roots, which a partial pre-state cannot reproduce' };
  } else {
    root = check(header.receiptsRoot.toLowerCase(), await receiptsRoot(ctx, receipts));
  }

  const headerChecks = await checkHeaderFields(ctx);
  const result: Verification = {
    ok: false,
    gas,
    logsBloom,
    receiptsRoot: root,
    receipts: { status: 'n/a', note: 'no receipts were fetched' },
    ...headerChecks,
    unchecked: uncheckedFields(ctx),
  };
  if (ctx.data.receipts !== undefined) {
    result.receipts = { status: 'ok' };
    for (let i = 0; i < runs.length; i++) {
      const mismatch = compareReceipt(ctx.data.receipts[i]!, receipts[i]!, runs[i]!);
      if (mismatch !== undefined) {
        result.receipts = { status: 'mismatch', note: `tx ${i}: ${mismatch.field} expected ${mismatch.expected}, got ${mismatch.actual}` };
        result.firstMismatch = { txIndex: i, txHash: ctx.data.block.transactions[i]!.hash, ...mismatch };
        break;
      }
    }
  }
  result.ok = [gas, logsBloom, root, result.receipts, result.transactionsRoot, result.blockHash, result.txHashes].every((c) => c.status !== 'mismatch');
  return result;
}

function check(expected: string, actual: string): Check {
  return expected === actual ? { status: 'ok', expected, actual } : { status: 'mismatch', expected, actual };
}

function compareReceipt(
  fetched: { status?: string; gasUsed: string; cumulativeGasUsed: string; logs: Array<{ address: string; topics: string[]; data: string }> },
  receipt: TxReceipt,
  run: TxRun,
): { field: string; expected: string; actual: string } | undefined {
  if (fetched.status !== undefined && 'status' in receipt) {
    const expected = BigInt(fetched.status).toString();
    if (expected !== String(receipt.status)) return { field: 'status', expected, actual: String(receipt.status) };
  }
  if (BigInt(fetched.gasUsed) !== run.gasUsed) return { field: 'gasUsed', expected: BigInt(fetched.gasUsed).toString(), actual: run.gasUsed.toString() };
  if (BigInt(fetched.cumulativeGasUsed) !== receipt.cumulativeBlockGasUsed) {
    return { field: 'cumulativeGasUsed', expected: BigInt(fetched.cumulativeGasUsed).toString(), actual: receipt.cumulativeBlockGasUsed.toString() };
  }
  if (fetched.logs.length !== receipt.logs.length) return { field: 'logs', expected: `${fetched.logs.length} logs`, actual: `${receipt.logs.length} logs` };
  for (let j = 0; j < fetched.logs.length; j++) {
    const want = fetched.logs[j]!;
    const [address, topics, data] = receipt.logs[j]!;
    const got = { address: bytesToHex(address), topics: topics.map((t) => bytesToHex(t)), data: bytesToHex(data) };
    if (want.address.toLowerCase() !== got.address || want.data.toLowerCase() !== got.data || want.topics.join().toLowerCase() !== got.topics.join()) {
      return { field: `log ${j}`, expected: JSON.stringify(want), actual: JSON.stringify(got) };
    }
  }
  return undefined;
}
