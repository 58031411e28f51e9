/**
 * `stm bal --block N`: the block's EIP-7928 block-level access list, built from a serial
 * replay (verified against the chain first): its hash, sizes, counts and the EIP's item
 * cap; `--out FILE` writes it (RLP, or `--format json`). Exit 0 when the replay verified,
 * 1 when it did not (the list is then not the block's) or `--bal-hash` does not match.
 */
import { obtainCommandBlock } from '../commandBlock.js';
import { replaySerial } from '../../replay/replayBlock.js';
import { buildBlockAccessList } from '../../bal/buildBal.js';
import { summarizeBal, type BalSummary } from '../../bal/balSummary.js';
import { checkBalHash, parseBalFormat, writeBalFile } from '../../bal/balFile.js';
import { ExitCode } from '../../errors.js';
import { InterruptGuard } from '../interrupt.js';
import { parseBlockNumber } from '../options.js';
import { Progress } from '../progress.js';
import { bad, dim, formatInt, formatMs, heading, ok, table } from '../render/format.js';
import { toolVersion } from '../../version.js';

export interface BalCommandOptions {
  block: string;
  fixtures?: string;
  rpc?: string;
  chainId?: string;
  hardfork?: string;
  json?: boolean;
  out?: string;
  format?: string;
  balHash?: string;
  verbose?: boolean;
}

/** The `--json` document of `stm bal` (docs/json-schema.md). */
export interface BalReport {
  tool: { name: 'stm'; version: string };
  block: { number: string; hardfork: string; txCount: number; gasUsed: string; gasLimit: string };
  verified: boolean;
  bal: BalSummary;
  /** Building the list from the recorded sets, ms (the serial replay is not in it). */
  buildMs: number;
  serialMs: number;
  out: { path: string; format: 'rlp' | 'json' } | null;
  exitCode: number;
}

export async function runBal(raw: BalCommandOptions): Promise<number> {
  const number = parseBlockNumber(raw.block);
  const format = parseBalFormat(raw.format);
  const json = raw.json === true;
  const interrupt = new InterruptGuard().install();
  const progress = new Progress({ json, verbose: raw.verbose === true });
  try {
    const { data } = await obtainCommandBlock(number, raw, progress, interrupt);
    interrupt.checkpoint();
    progress.phase(`replaying block ${number} (${data.block.transactions.length} txs)`);
    const serial = await replaySerial(data, { runs: 1, warmup: 0, threads: 1, checkpoint: interrupt.checkpoint });
    const started = performance.now();
    const bal = buildBlockAccessList(serial);
    const buildMs = performance.now() - started;
    progress.stop();
    if (raw.balHash !== undefined) checkBalHash(bal, raw.balHash, `the access list of block ${number}`);
    if (raw.out !== undefined) writeBalFile(raw.out, bal, format);

    const header = serial.ctx.block.header;
    const report: BalReport = {
      tool: { name: 'stm', version: toolVersion() },
      block: {
        number: String(number),
        hardfork: serial.ctx.hardfork,
        txCount: serial.ctx.txs.length,
        gasUsed: String(header.gasUsed),
        gasLimit: String(header.gasLimit),
      },
      verified: serial.verification.ok,
      bal: summarizeBal(bal, header.gasLimit),
      buildMs,
      serialMs: serial.serialMs.median,
      out: raw.out === undefined ? null : { path: raw.out, format },
      exitCode: serial.verification.ok ? ExitCode.ok : ExitCode.mismatch,
    };
    process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : renderBal(report));
    return report.exitCode;
  } finally {
    progress.stop();
    interrupt.uninstall();
  }
}

function renderBal(report: BalReport): string {
  const { block, bal } = report;
  const c = bal.counts;
  const t = table();
  t.push(
    [heading('block'), `${block.number} (${block.hardfork}), ${formatInt(block.txCount)} txs, ${formatInt(block.gasUsed)} gas`],
    [heading('replay'), report.verified ? `${ok()} verified against the chain` : `${bad()} does not match the chain: this list is not the block's`],
    [heading('hash'), bal.hash],
    [heading('size'), `${formatInt(bal.rlpBytes)} bytes RLP, ${formatInt(bal.gzipBytes)} bytes gzip`],
    [heading('accounts'), formatInt(c.accounts)],
    [heading('storage'), `${formatInt(c.storageSlotsChanged)} slots changed (${formatInt(c.storageWrites)} writes), ${formatInt(c.storageReads)} slots only read`],
    [heading('changes'), `balance ${formatInt(c.balanceChanges)}, nonce ${formatInt(c.nonceChanges)}, code ${formatInt(c.codeChanges)}`],
    [
      heading('items'),
      `${formatInt(bal.items)} of ${formatInt(bal.maxItems)} allowed (gas limit ${formatInt(block.gasLimit)} / ${bal.itemCost}) ${bal.withinLimit ? ok() : bad('over the cap')}`,
    ],
    [heading('build'), dim(`${formatMs(report.buildMs)} from the recorded sets (serial replay ${formatMs(report.serialMs)})`)],
  );
  const lines = [t.toString()];
  if (report.out !== null) lines.push(`written: ${report.out.path} (${report.out.format === 'json' ? 'JSON' : 'RLP'})`);
  return lines.join('\n') + '\n';
}
