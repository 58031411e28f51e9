/**
 * The results file of `stm analyze --results FILE` (JSON Lines): a header line (tool,
 * machine, the options that shape the figures), then one line per finished block, its
 * record (AnalyzedBlock) as in the --json report. Each line is appended with one write as
 * soon as its block is done, so a crash or Ctrl-C loses at most the block in flight; a
 * torn last line (no newline) is cut off when the file is opened again. A rerun skips the
 * blocks already there (not those that failed to load or replay: they are tried again,
 * and their new line replaces the failed one in the report). `--from-results` reads one or more such files, streaming, into a report.
 */
import { closeSync, createReadStream, existsSync, ftruncateSync, openSync, readSync, fstatSync, statSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CorruptDataError, UsageError } from '../errors.js';
import type { MachineInfo } from '../report/machine.js';
import type { AnalyzedBlock, ReportOptions } from './rangeReport.js';

export const RESULTS_FORMAT = 1;

export interface ResultsHeader {
  stmAnalyzeResults: typeof RESULTS_FORMAT;
  tool: { name: 'stm'; version: string };
  machine: MachineInfo;
  options: ReportOptions;
}

/** The options that must agree between a results file and a run (or another file): they change the figures. */
export function optionsDiffer(a: ReportOptions, b: ReportOptions): string | null {
  if (a.threads !== b.threads) return `--threads ${a.threads} vs ${b.threads}`;
  if (a.parallel !== b.parallel) return `${a.parallel ? 'with' : 'without'} the executor vs ${b.parallel ? 'with' : 'without'}`;
  if (a.parallel && a.scheduler !== b.scheduler) return `--scheduler ${a.scheduler} vs ${b.scheduler}`;
  if (a.parallel && a.fallback !== b.fallback) return `fallback ${a.fallback ? 'on' : 'off'} vs ${b.fallback ? 'on' : 'off'}`;
  if (a.simulate.join(',') !== b.simulate.join(',')) return `--simulate ${a.simulate.join(',') || '(none)'} vs ${b.simulate.join(',') || '(none)'}`;
  if ((a.whatIf > 0) !== (b.whatIf > 0)) return `${a.whatIf > 0 ? 'with' : 'without'} --what-if vs ${b.whatIf > 0 ? 'with' : 'without'}`;
  return null;
}

function parseLine(file: string, lineNo: number, text: string): ResultsHeader | AnalyzedBlock {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptDataError(`${file}, line ${lineNo}: not a JSON line of a results file (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null) throw new CorruptDataError(`${file}, line ${lineNo}: not a results record`);
  if (lineNo === 1) {
    const header = value as ResultsHeader;
    if (header.stmAnalyzeResults !== RESULTS_FORMAT || typeof header.options !== 'object') throw new CorruptDataError(`${file} is not an stm analyze results file (format ${RESULTS_FORMAT}): its first line is not the header`);
    return header;
  }
  const block = value as AnalyzedBlock;
  if (typeof block.number !== 'string' || !/^\d+$/.test(block.number) || typeof block.status !== 'string') throw new CorruptDataError(`${file}, line ${lineNo}: not a block record`);
  return block;
}

/** Reads a results file line by line: the header, then each block record to `onBlock`. */
export async function readResults(file: string, onBlock: (block: AnalyzedBlock) => void): Promise<ResultsHeader> {
  if (!existsSync(file)) throw new UsageError(`results file ${file} does not exist`);
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let header: ResultsHeader | undefined;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const parsed = parseLine(file, lineNo, line);
    if (lineNo === 1) header = parsed as ResultsHeader;
    else onBlock(parsed as AnalyzedBlock);
  }
  if (header === undefined) throw new CorruptDataError(`${file} is empty: no results header`);
  return header;
}

/** Cuts a torn last line (a write interrupted by a crash) so the next append starts a fresh line. */
function cutTornTail(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const chunk = Buffer.alloc(Math.min(size, 1 << 20));
    let end = size;
    // Find the last newline, reading backwards.
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const at = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (at >= 0) {
        const keep = start + at + 1;
        if (keep !== size) ftruncateSync(fd, keep);
        return;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
}

/** An open results file: appends one line per block. */
export class ResultsWriter {
  private constructor(private readonly fd: number) {}

  /**
   * Opens `file` for a run: creates it with a header, or, when it exists, checks its
   * header against the run's options and hands each finished block to `onExisting`.
   */
  static async open(file: string, header: ResultsHeader, onExisting: (block: AnalyzedBlock) => void): Promise<ResultsWriter> {
    let fresh = !existsSync(file);
    if (!fresh) {
      cutTornTail(file);
      if (statSync(file).size === 0) fresh = true;
    }
    if (!fresh) {
      const existing = await readResults(file, onExisting);
      const diff = optionsDiffer(existing.options, header.options);
      if (diff !== null) throw new UsageError(`results file ${file} was made with other options (${diff}); use another file or the same options`);
    }
    let fd: number;
    try {
      fd = openSync(file, 'a');
    } catch (error) {
      throw new UsageError(`cannot write the results file ${file}: ${(error as Error).message}`);
    }
    const writer = new ResultsWriter(fd);
    if (fresh) writer.writeLine(header);
    return writer;
  }

  append(block: AnalyzedBlock): void {
    this.writeLine(block);
  }

  private writeLine(value: unknown): void {
    const buffer = Buffer.from(JSON.stringify(value) + '\n', 'utf8');
    let done = 0;
    while (done < buffer.length) done += writeSync(this.fd, buffer, done, buffer.length - done);
  }

  close(): void {
    closeSync(this.fd);
  }
}
