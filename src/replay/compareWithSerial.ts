/**
 * The correctness check of every parallel run: its receipts (status, gas, logs, bloom)
 * and its post-state must equal the serial replay's exactly. The post-state is rebuilt by
 * committing the final write sets in block order over the pre-state, then the block's
 * epilogue (withdrawals, rewards), the same way the serial replay built its own.
 *
 * It runs between timed parallel runs, so it compares bytes in place and builds text only
 * for a difference: its garbage lands in the next run's young-generation collection. Hex
 * strings of every bloom and log allocated ~6.7 MB per check on 5891667 (380 transfers),
 * more than the parallel run itself, and the runs that followed a check paid a collection
 * for it (docs/metrics.md, "Speedup").
 */
import { bytesToHex, equalsBytes } from '@ethereumjs/util';
import type { SerialReplay } from './replayBlock.js';
import { BlockState } from '../state/blockState.js';
import { CodeValue, describeLocation, valuesEqual, type LocationValue } from '../state/locations.js';
import type { TxOutcome } from '../parallel/blockStmScheduler.js';
import { receiptLogs } from '../parallel/executionRun.js';
import type { ParallelDifference } from '../parallel/types.js';
import type { ReceiptLog } from '../parallel/protocol.js';

export async function compareWithSerial(serial: SerialReplay, outcomes: TxOutcome[]): Promise<ParallelDifference | undefined> {
  const txs = serial.run.txs;
  for (let i = 0; i < txs.length; i++) {
    const s = txs[i]!;
    const p = outcomes[i];
    if (p === undefined) return { txIndex: i, field: 'result', serial: 'present', parallel: 'missing' };
    if (s.gasUsed !== p.gasUsed) return { txIndex: i, field: 'gasUsed', serial: s.gasUsed.toString(), parallel: p.gasUsed.toString() };
    const sStatus = 'status' in s.receipt ? String(s.receipt.status) : 'n/a';
    const pStatus = 'status' in p.receipt ? String(p.receipt.status) : 'n/a';
    if (sStatus !== pStatus) return { txIndex: i, field: 'status', serial: sStatus, parallel: pStatus };
    const pLogs = receiptLogs(p);
    if (!logsEqual(s.receipt.logs, pLogs)) return { txIndex: i, field: 'logs', serial: logsText(s.receipt.logs).slice(0, 200), parallel: logsText(pLogs).slice(0, 200) };
    if (!equalsBytes(s.result.bloom.bitvector, p.bloom)) return { txIndex: i, field: 'logsBloom', serial: 'differs', parallel: 'differs' };
  }
  const state = new BlockState(serial.ctx.pre);
  outcomes.forEach((outcome, i) =>
    state.commit(i, { keys: outcome.writeKeys, values: outcome.writeValues, creditKeys: outcome.creditKeys, creditDeltas: outcome.creditDeltas }),
  );
  state.commit(txs.length, await serial.replay.runEpilogue(state));
  const parallelState = state.postState();
  const serialState = serial.run.postState;
  for (const [key, value] of serialState) {
    const other = parallelState.get(key);
    if (other === undefined || !valuesEqual(value, other)) {
      return { location: key, field: `post-state ${describeLocation(key)}`, serial: show(value), parallel: other === undefined ? 'not written' : show(other) };
    }
  }
  for (const [key, value] of parallelState) {
    if (!serialState.has(key)) return { location: key, field: `post-state ${describeLocation(key)}`, serial: 'not written', parallel: show(value) };
  }
  return undefined;
}

function logsEqual(a: ReceiptLog[], b: ReceiptLog[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const [address, topics, data] = a[i]!;
    const [otherAddress, otherTopics, otherData] = b[i]!;
    if (!equalsBytes(address, otherAddress) || !equalsBytes(data, otherData) || topics.length !== otherTopics.length) return false;
    for (let t = 0; t < topics.length; t++) if (!equalsBytes(topics[t]!, otherTopics[t]!)) return false;
  }
  return true;
}

function logsText(logs: ReceiptLog[]): string {
  return logs.map(([address, topics, data]) => `${bytesToHex(address)}:${topics.map((t) => bytesToHex(t)).join(',')}:${bytesToHex(data)}`).join(';');
}

function show(value: LocationValue): string {
  if (value instanceof CodeValue) return `code ${bytesToHex(value.hash)}`;
  if (value instanceof Uint8Array) return bytesToHex(value);
  return String(value);
}
