/**
 * The dependency graph a synthetic block must have, derived from what each transaction
 * does by construction, under stm's definitions (docs/metrics.md), without running it.
 *
 * Each transaction is reduced to the locations that some transaction of the block writes
 * (only those can make an edge) and what it does to them:
 *   every transaction   reads and writes its sender's balance and nonce (fee and nonce);
 *                       credits the coinbase (commutative: never an edge)
 *   eth to a hot account        credits the recipient's balance (commutative)
 *   eth to a fresh address      reads its existence, writes existence and balance (creation)
 *   erc20 transfer      reads and writes the sender's and the recipient's balance slots
 *   amm swap            reads and writes the pool's reserves slot and the trader's two
 *                       balance slots in that pool
 * Then j depends on i < j when j reads a location whose last full writer before j is i,
 * or that i credited after that last full write (a read of a credited balance sums the
 * credits). Edges are unique (from, to) pairs.
 *
 * The "transfers commute" view (commutative sender updates, src/exec/commutativeUpdates.ts):
 * no synthetic transaction's code looks at its sender's balance or nonce, so none reads
 * them: the nonce is written in full, the balance debited (a credit), and nothing reads a
 * sender's balance in full (hot accounts receive only credits).
 */
import type { DependencyEdge } from '../analysis/dependencyGraph.js';
import { COINBASE, RESERVES_SLOT, TOKEN, poolBalanceSlot, tokenBalanceSlot } from './layout.js';
import type { SynthTx } from './plan.js';

/** What one transaction does to the locations that matter (stm location keys, src/state/locations.ts). */
export interface TxAccesses {
  reads: string[];
  writes: string[];
  credits: string[];
}

export interface ExpectedGraph {
  txCount: number;
  /** preds[j]: the transactions j depends on, ascending. */
  preds: number[][];
  /** Unique (from, to) pairs. */
  edgeCount: number;
  /** Every read-after-write, with the location (a pair may appear once per location). */
  edges: DependencyEdge[];
}

const storage = (address: string, slot: string) => `s:${address}:${slot}`;

export interface ExpectedGraphOptions {
  /** The "transfers commute" view: senders' balance and nonce updates commute. */
  commutativeSenders?: boolean;
}

export function txAccesses(tx: SynthTx, options: ExpectedGraphOptions = {}): TxAccesses {
  const sender = [`b:${tx.sender}`, `n:${tx.sender}`];
  const lazy = options.commutativeSenders === true;
  const reads = lazy ? [] : [...sender];
  const writes = lazy ? [`n:${tx.sender}`] : [...sender];
  const credits = lazy ? [`b:${COINBASE}`, `b:${tx.sender}`] : [`b:${COINBASE}`];
  if (tx.kind === 'eth') {
    if (tx.recipientExists) {
      credits.push(`b:${tx.counterparty}`);
    } else {
      reads.push(`e:${tx.counterparty}`);
      writes.push(`e:${tx.counterparty}`, `b:${tx.counterparty}`);
    }
  } else if (tx.kind === 'erc20') {
    const slots = [storage(TOKEN, tokenBalanceSlot(tx.sender)), storage(TOKEN, tokenBalanceSlot(tx.counterparty))];
    reads.push(...slots);
    writes.push(...slots);
  } else {
    const slots = [storage(tx.counterparty, RESERVES_SLOT), storage(tx.counterparty, poolBalanceSlot(tx.sender, 0)), storage(tx.counterparty, poolBalanceSlot(tx.sender, 1))];
    reads.push(...slots);
    writes.push(...slots);
  }
  return { reads, writes, credits };
}

export function expectedGraph(txs: SynthTx[], options: ExpectedGraphOptions = {}): ExpectedGraph {
  const lastWriter = new Map<string, number>();
  const creditsSince = new Map<string, number[]>();
  const preds: number[][] = [];
  const edges: DependencyEdge[] = [];
  let edgeCount = 0;
  txs.forEach((tx, to) => {
    const access = txAccesses(tx, options);
    const from = new Set<number>();
    for (const location of access.reads) {
      const writer = lastWriter.get(location);
      if (writer !== undefined) {
        from.add(writer);
        edges.push({ from: writer, to, location });
      }
      for (const creditor of creditsSince.get(location) ?? []) {
        from.add(creditor);
        edges.push({ from: creditor, to, location });
      }
    }
    for (const location of access.writes) {
      lastWriter.set(location, to);
      creditsSince.delete(location);
    }
    for (const location of access.credits) {
      const list = creditsSince.get(location);
      if (list === undefined) creditsSince.set(location, [to]);
      else list.push(to);
    }
    preds.push([...from].sort((a, b) => a - b));
    edgeCount += from.size;
  });
  return { txCount: txs.length, preds, edgeCount, edges };
}
