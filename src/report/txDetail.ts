/**
 * One transaction seen up close (`stm replay --tx I`): what it read and where each value
 * came from (the pre-block state, or the earlier transaction whose write it saw), what it
 * wrote, and which earlier transactions it depends on through which locations. Built from
 * the serial replay's read and write sets, which are also what the dependency graph is
 * built from, so this view and the graph always agree. Also the per-transaction facts
 * (hash, sender, status) every report row needs.
 */
import { bytesToHex } from '@ethereumjs/util';
import type { SerialReplay } from '../replay/replayBlock.js';
import type { ParallelTxDetail } from '../parallel/types.js';
import { CodeValue, describeLocation, locationKind, type LocationValue } from '../state/locations.js';
import { PRE_STATE, SUMMED, versionTx } from '../state/stateSource.js';

/** A location with its human-readable description. */
export interface LocationRef {
  /** Location key (src/state/locations.ts), e.g. "b:0xabc…" or "s:0xabc…:0x…". */
  location: string;
  /** "balance 0xabc…", "0xabc… slot 0x…". */
  description: string;
}

/** One read of the transaction, with where the value it saw came from. */
export interface TxReadReport extends LocationRef {
  /**
   * "pre-state": the value before the block; "tx": the write of an earlier transaction
   * (`writers[0]`); "summed": a balance made of the last full write plus the commutative
   * credits since (the coinbase's fees, value received), `writers` being every
   * transaction summed.
   */
  valueFrom: 'pre-state' | 'tx' | 'summed';
  /** The earlier transactions whose writes the value includes (empty for pre-state). */
  writers: number[];
}

/** One location the transaction wrote, with the value it left. */
export interface TxWriteReport extends LocationRef {
  /** The value written, as text (see formatLocationValue). */
  value: string;
}

/** A commutative balance credit: wei added to a balance the transaction did not read (the coinbase fee, value received). */
export interface TxCreditReport extends LocationRef {
  /** Wei added, as a decimal string. */
  delta: string;
}

/** An earlier transaction this one depends on, and the locations that make it so. */
export interface TxDependencyReport {
  tx: number;
  locations: LocationRef[];
}

export interface TxDetailReport {
  index: number;
  hash: string;
  from: string;
  /** null for a contract creation. */
  to: string | null;
  /** Gas used, decimal string. */
  gasUsed: string;
  status: TxStatus;
  /** Median serial execution time over the measured runs, ms. */
  serialMs: number;
  reads: TxReadReport[];
  writes: TxWriteReport[];
  credits: TxCreditReport[];
  dependsOn: TxDependencyReport[];
  /** What the parallel executor did with this transaction; null when it did not run. */
  parallel: { incarnations: number; abortedBy: LocationRef[] } | null;
}

/** "success" or "failure" (reverted or out of gas): the receipt status, or before Byzantium whether execution raised an exception. */
export type TxStatus = 'success' | 'failure';

/** The basic facts of transaction `index`: hash, sender, recipient, gas, status. */
export function txFacts(serial: SerialReplay, index: number): { hash: string; from: string; to: string | null; gasUsed: string; status: TxStatus } {
  const rpc = serial.ctx.data.block.transactions[index]!;
  const run = serial.run.txs[index]!;
  const receipt = run.receipt as { status?: number };
  const failed = receipt.status !== undefined ? receipt.status === 0 : run.result.execResult.exceptionError !== undefined;
  return {
    hash: rpc.hash,
    from: rpc.from.toLowerCase(),
    to: typeof rpc.to === 'string' ? rpc.to.toLowerCase() : null,
    gasUsed: serial.gasUsed[index]!.toString(),
    status: failed ? 'failure' : 'success',
  };
}

/** The earlier transactions `index` depends on, each with the locations that make the edge (from the replay's edges). */
export function txDependencies(serial: SerialReplay, index: number): TxDependencyReport[] {
  const byWriter = new Map<number, Set<string>>();
  for (const edge of serial.analysis.edges) {
    if (edge.to !== index) continue;
    let locations = byWriter.get(edge.from);
    if (locations === undefined) byWriter.set(edge.from, (locations = new Set()));
    locations.add(edge.location);
  }
  return [...byWriter.entries()]
    .sort(([a], [b]) => a - b)
    .map(([tx, locations]) => ({ tx, locations: [...locations].sort().map(locationRef) }));
}

export function buildTxDetail(serial: SerialReplay, index: number, parallel?: ParallelTxDetail): TxDetailReport {
  const run = serial.run.txs[index]!;
  const reads: TxReadReport[] = run.reads.keys.map((location, r) => {
    const version = run.reads.versions[r]!;
    if (version === PRE_STATE) return { ...locationRef(location), valueFrom: 'pre-state', writers: [] };
    if (version === SUMMED) {
      const contributors = run.reads.summed.get(location)?.contributors ?? [];
      return { ...locationRef(location), valueFrom: 'summed', writers: contributors.filter((tx) => tx < index) };
    }
    return { ...locationRef(location), valueFrom: 'tx', writers: [versionTx(version)] };
  });
  const writes: TxWriteReport[] = run.writes.keys.map((location, w) => ({
    ...locationRef(location),
    value: formatLocationValue(location, run.writes.values[w]!),
  }));
  const credits: TxCreditReport[] = run.writes.creditKeys.map((location, c) => ({
    ...locationRef(location),
    delta: run.writes.creditDeltas[c]!.toString(),
  }));
  return {
    index,
    ...txFacts(serial, index),
    serialMs: serial.txTimesMs[index]!,
    reads,
    writes,
    credits,
    dependsOn: txDependencies(serial, index),
    parallel: parallel === undefined ? null : { incarnations: parallel.incarnations, abortedBy: parallel.abortedBy.map(locationRef) },
  };
}

export function locationRef(location: string): LocationRef {
  return { location, description: describeLocation(location) };
}

/**
 * A location's value as text: balances and nonces in decimal, storage as a 32-byte hex
 * word, code as its size and keccak-256 (code can be 24 KB), existence as true/false, a
 * storage-wipe marker as its number.
 */
export function formatLocationValue(location: string, value: LocationValue): string {
  switch (locationKind(location)) {
    case 'b':
    case 'n':
      return String(value);
    case 's': {
      const hex = bytesToHex(value as Uint8Array).slice(2);
      return '0x' + hex.padStart(64, '0');
    }
    case 'c': {
      const code = value as CodeValue;
      return code.bytes.length === 0 ? 'none' : `${code.bytes.length} bytes, keccak ${bytesToHex(code.hash)}`;
    }
    case 'e':
      return value ? 'true' : 'false';
    case 'w':
      return String(value);
  }
}
