/**
 * The entry point: configure colour, parse the command line, run the command, and turn
 * whatever happened into an exit code (src/errors.ts ExitCode). Errors print as one line
 * (plus details) on stderr, never a stack trace unless --verbose. bin/stm.js calls `main`.
 */
import { CommanderError } from 'commander';
import { ExitCode } from '../errors.js';
import { errorReport } from './errorReport.js';
import { buildProgram } from './program.js';
import { configureColors, setTextWidth, stderrColors } from './terminal.js';

/** Runs stm with `argv` (process.argv form: node, script, args…) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  configureColors();
  setTextWidth(process.stdout.isTTY === true ? process.stdout.columns : Number(process.env.COLUMNS ?? Number.NaN));
  handleClosedStdout();
  const verbose = argv.includes('--verbose');
  let exitCode: number = ExitCode.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  program.exitOverride();
  program.configureOutput({
    // commander's own usage errors ("error: unknown option '--x'") in stm's one-line form.
    outputError: (text, write) => write(stderrColors.red(`stm: ${text.replace(/^error: /, '').trim()}`) + '\n'),
  });
  for (const command of program.commands) {
    command.exitOverride();
    command.configureOutput(program.configureOutput());
  }
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with "errors" of exit code 0; anything else is misuse.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const report = errorReport(error, verbose);
    process.stderr.write(report.lines.map((line, i) => (i === 0 ? stderrColors.red(line) : line)).join('\n') + '\n');
    return report.exitCode;
  }
}

/**
 * `stm … | head` closes stdout early: the rest of the output has nowhere to go, which is
 * not a failure of the replay. Swallow EPIPE (the exit code stays the replay's); any other
 * write error is an environment failure.
 */
function handleClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    process.stderr.write(`stm: cannot write the output: ${error.message}\n`);
    process.exit(ExitCode.failure);
  });
}
