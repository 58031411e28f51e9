/**
 * How a failure is shown: `stm: <short message>` on one line, its details indented
 * below, never a stack trace. With --verbose, the cause chain follows, and for an
 * internal error (anything that is not an StmError: a bug) its stack; an StmError is a
 * condition stm understood (a node failing, bad input), whose stack would only be noise.
 * Every line is printable: control bytes quoted from a file or a node become escapes.
 * Also decides the exit code (src/errors.ts ExitCode).
 */
import { ExitCode, StmError, causeChain, printable, type ExitCodeValue } from '../errors.js';

export interface ErrorReport {
  lines: string[];
  exitCode: ExitCodeValue;
}

function oneLine(text: string): string {
  return printable(text.replace(/\s*\n\s*/g, ' ').trim());
}

function describe(error: unknown): string {
  if (error instanceof StmError) return `${error.name}: ${oneLine(error.shortMessage)}`;
  if (error instanceof Error) return `${error.name}: ${oneLine(error.message)}`;
  return oneLine(String(error));
}

export function errorReport(error: unknown, verbose: boolean): ErrorReport {
  const lines: string[] = [];
  let exitCode: ExitCodeValue;
  if (error instanceof StmError) {
    lines.push(`stm: ${oneLine(error.shortMessage)}`);
    for (const detail of error.details) lines.push(`  ${oneLine(detail)}`);
    exitCode = error.exitCode;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    lines.push(`stm: internal error: ${oneLine(message)}`);
    exitCode = ExitCode.failure;
  }
  if (verbose) {
    for (const cause of causeChain(error).slice(1)) lines.push(`  caused by ${describe(cause)}`);
  }
  if (verbose && !(error instanceof StmError)) {
    const deepest = causeChain(error)
      .reverse()
      .find((e) => e instanceof Error && !(e instanceof StmError));
    if (deepest instanceof Error && deepest.stack !== undefined) {
      lines.push(`  stack of ${describe(deepest)}:`, ...deepest.stack.split('\n').slice(1).map((line) => `  ${printable(line.trim())}`));
    }
  } else if (!(error instanceof StmError)) {
    lines.push('  this is a bug in stm; run again with --verbose for the stack trace and report it');
  }
  return { lines, exitCode };
}
