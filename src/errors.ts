/**
 * Errors a user can hit. Each is a typed class with a one-line `shortMessage` for a
 * person, optional `details` lines (context such as the path that was read), and an
 * exit code class. The CLI prints the short message (plus details) and exits with the
 * code; `--verbose` also prints the `cause` chain. Anything that is not an StmError is a
 * bug and is reported as "internal error" with the same rules.
 */

/**
 * Text as it may go into a message: control characters, DEL, C1 codes and replacement
 * characters (binary read as UTF-8) become escapes (\x1b, \ufffd), so a message quoting
 * a file or a node's answer never writes raw bytes to the terminal.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** Exit codes a script can rely on (documented in README and docs/cli.md). */
export const ExitCode = {
  ok: 0,
  /** The replay ran but did not match the chain, or parallel did not equal serial. */
  mismatch: 1,
  /** Bad usage or bad input: malformed argument, unknown block, corrupt file. */
  usage: 2,
  /** The environment failed: RPC unreachable, worker crashed, internal error. */
  failure: 3,
  /** Interrupted by the user (Ctrl-C). */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface StmErrorOptions {
  cause?: unknown;
  details?: string[];
}

export class StmError extends Error {
  override name = 'StmError';
  readonly shortMessage: string;
  readonly details: string[];
  readonly exitCode: ExitCodeValue = ExitCode.failure;
  constructor(shortMessage: string, options: StmErrorOptions = {}) {
    super(shortMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details ?? [];
  }
}

/** Malformed command-line input. */
export class UsageError extends StmError {
  override name = 'UsageError';
  override readonly exitCode = ExitCode.usage;
}

/** A block that is not in any of the places stm looked. */
export class BlockNotFoundError extends StmError {
  override name = 'BlockNotFoundError';
  override readonly exitCode = ExitCode.usage;
}

/** A fixture or cache file that cannot be read, decompressed, parsed or is not of the expected shape. */
export class CorruptDataError extends StmError {
  override name = 'CorruptDataError';
  override readonly exitCode = ExitCode.usage;
}

/** BLOCKHASH asked for an ancestor whose hash is not in the data. */
export class MissingBlockHashError extends StmError {
  override name = 'MissingBlockHashError';
  override readonly exitCode = ExitCode.usage;
  constructor(readonly blockNumber: bigint, atBlock: bigint) {
    super(`BLOCKHASH(${blockNumber}) was needed while replaying block ${atBlock}, but that hash is not in the block's data (blockhashes.json)`);
  }
}

/** A transaction could not be executed at all (ethereumjs threw), e.g. missing pre-state. */
export class TxExecutionError extends StmError {
  override name = 'TxExecutionError';
  override readonly exitCode = ExitCode.mismatch;
  constructor(readonly txIndex: number, readonly txHash: string, message: string, options: StmErrorOptions = {}) {
    super(`transaction ${txIndex} (${txHash}) could not be replayed: ${message}`, options);
  }
}

/** The parallel executor failed in a way that is not a divergence (worker crash, timeout). */
export class ExecutorError extends StmError {
  override name = 'ExecutorError';
}

/** Ctrl-C. */
export class InterruptedError extends StmError {
  override name = 'InterruptedError';
  override readonly exitCode = ExitCode.interrupted;
  constructor() {
    super('interrupted');
  }
}

/** Errors a StateSource throws on purpose (an ESTIMATE read) carry this flag and are never wrapped. */
export const PASS_THROUGH = Symbol.for('stm.passThrough');

/** Walks an error's cause chain (for --verbose). */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  const seen = new Set<unknown>();
  while (current !== undefined && current !== null && !seen.has(current)) {
    chain.push(current);
    seen.add(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}
