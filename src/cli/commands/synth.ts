/**
 * `stm synth`: generate a synthetic block (src/synth) and write it in the fixture format,
 * ready for `stm replay --fixtures DIR --block N`. Prints what was written and the
 * dependency figures the block has by construction; with --json, the same as one JSON
 * document. Options are checked before any work: a malformed or impossible value is a
 * one-line UsageError (exit 2).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { generateBlock } from '../../synth/generate.js';
import { resolveParams, type SynthKind, type SynthParams } from '../../synth/params.js';
import { synthSummary, type SynthSummary } from '../../synth/summary.js';
import { writeSyntheticBlock } from '../../synth/writeBlock.js';
import { InterruptGuard } from '../interrupt.js';
import { parseBlockNumber } from '../options.js';
import { Progress } from '../progress.js';
import { formatInt, formatSpeedup } from '../render/format.js';

/** The options as commander hands them over (strings until checked here). */
export interface SynthCommandOptions {
  kind: string;
  txs?: string;
  gas?: string;
  contention?: string;
  hotKeys?: string;
  txsPerSender?: string;
  seed?: string;
  block?: string;
  feeRecipient?: string;
  extraData?: string;
  out: string;
  json?: boolean;
  verbose?: boolean;
}

/** A whole number ≥ 0 for option `name`. */
function wholeNumber(name: string, text: string): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(`${name} expects a whole number; got "${text}"`);
  return value;
}

/** --gas: a whole amount of gas, digits or scientific (1e9). */
function gasAmount(text: string): bigint {
  const match = /^(\d+)(?:e(\d+))?$/i.exec(text.trim());
  if (match === null) throw new UsageError(`--gas expects a whole amount of gas (30000000 or 3e7); got "${text}"`);
  return BigInt(match[1]!) * 10n ** BigInt(match[2] ?? 0);
}

/** --contention: a fraction from 0 to 1. */
function fraction(text: string): number {
  const value = /^(\d+(\.\d*)?|\.\d+)$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(value >= 0 && value <= 1)) throw new UsageError(`--contention expects a fraction from 0 to 1 (e.g. 0.25); got "${text}"`);
  return value;
}

export function parseSynthOptions(raw: SynthCommandOptions): SynthParams {
  const given: Partial<SynthParams> & { kind: SynthKind } = { kind: raw.kind as SynthKind };
  if (raw.txs !== undefined) given.txs = wholeNumber('--txs', raw.txs);
  if (raw.gas !== undefined) given.gas = gasAmount(raw.gas);
  if (raw.contention !== undefined) given.contention = fraction(raw.contention);
  if (raw.hotKeys !== undefined) given.hotKeys = wholeNumber('--hot-keys', raw.hotKeys);
  if (raw.txsPerSender !== undefined) given.txsPerSender = wholeNumber('--txs-per-sender', raw.txsPerSender);
  if (raw.seed !== undefined) given.seed = wholeNumber('--seed', raw.seed);
  if (raw.block !== undefined) given.number = parseBlockNumber(raw.block);
  if (raw.feeRecipient !== undefined) given.feeRecipient = raw.feeRecipient;
  if (raw.extraData !== undefined) given.extraData = raw.extraData;
  return resolveParams(given);
}

/** --out must be a folder or not exist yet (the block goes into <out>/<N>/): a file on the way is a usage error. */
function checkOutDir(out: string): void {
  for (let path = resolve(out); ; path = dirname(path)) {
    if (existsSync(path)) {
      if (!statSync(path).isDirectory()) {
        throw new UsageError(`--out ${out}: ${path === resolve(out) ? 'it is' : `${path} is`} a file, not a folder (the block is written to <out>/<N>/)`);
      }
      return;
    }
    if (dirname(path) === path) return;
  }
}

export async function runSynth(raw: SynthCommandOptions): Promise<number> {
  const params = parseSynthOptions(raw);
  checkOutDir(raw.out);
  const json = raw.json === true;
  const interrupt = new InterruptGuard().install();
  const progress = new Progress({ json, verbose: raw.verbose === true });
  try {
    progress.phase(`generating a synthetic ${params.kind} block`);
    const block = await generateBlock(params, { checkpoint: interrupt.checkpoint, progress: progress.update });
    interrupt.checkpoint();
    progress.phase(`writing block ${params.number}`);
    const t0 = performance.now();
    const dir = writeSyntheticBlock(block, raw.out);
    const summary = synthSummary(block);
    summary.timingsMs.writeMs = performance.now() - t0;
    summary.timingsMs.totalMs += summary.timingsMs.writeMs;
    progress.stop();
    if (json) process.stdout.write(JSON.stringify({ schemaVersion: 1, dir, ...summary }, null, 2) + '\n');
    else process.stdout.write(renderSummary(summary, dir, raw.out, params));
    return 0;
  } finally {
    progress.stop();
    interrupt.uninstall();
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function renderSummary(s: SynthSummary, dir: string, out: string, p: SynthParams): string {
  const t = s.timingsMs;
  const knobs = `contention ${p.contention}, ${p.hotKeys} hot key${p.hotKeys === 1 ? '' : 's'}, ${p.txsPerSender} tx${p.txsPerSender === 1 ? '' : 's'} per sender, seed ${p.seed}`;
  const lines = [
    `wrote ${dir}`,
    `  block           ${s.block} (cancun), ${s.kind}: ${formatInt(s.txs)} txs, ${formatInt(s.hotTxs)} contended (${knobs})`,
    `  gas             ${formatInt(s.gasUsed)} used, gas limit ${formatInt(s.gasLimit)}, largest tx ${formatInt(s.maxTxGas)}`,
    `  by construction ${formatInt(s.expected.edges)} dependencies, ${formatInt(s.expected.dependentTxs)} txs with a dependency, longest chain ${formatInt(s.expected.longestChain)}, ceiling(∞) by gas ${formatSpeedup(s.expected.ceilingInfiniteByGas)}`,
    `  generated in    ${seconds(t.totalMs)} (plan ${seconds(t.planMs)}, sign ${seconds(t.signMs)}, replay ${seconds(t.replayMs)}, header ${seconds(t.headerMs)}, write ${seconds(t.writeMs ?? 0)})`,
    `replay it: stm replay --fixtures ${out} --block ${s.block}`,
  ];
  return lines.join('\n') + '\n';
}
