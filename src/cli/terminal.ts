/**
 * What the terminal can show: colour on stdout and stderr, decided once at start-up.
 * Colour is off when NO_COLOR is set (https://no-color.org) or the stream is not a TTY,
 * so piped output and files never carry escape codes. Everything coloured also carries a
 * word or a mark (✓ ✗ !), so nothing is said by colour alone.
 */
import chalk, { Chalk, supportsColor, supportsColorStderr, type ChalkInstance } from 'chalk';

/** Colours for stderr (messages, errors); `chalk` itself is configured for stdout. */
export let stderrColors: ChalkInstance = new Chalk({ level: 0 });

function wantsColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

export function configureColors(env: NodeJS.ProcessEnv = process.env): void {
  chalk.level = wantsColor(process.stdout, env) ? (supportsColor ? supportsColor.level : 1) : 0;
  stderrColors = new Chalk({ level: wantsColor(process.stderr, env) ? (supportsColorStderr ? supportsColorStderr.level : 1) : 0 });
}

/** Whether stderr is an interactive terminal with a width (for the progress spinner; a 0-column pseudo-terminal would make it loop). */
export function stderrIsInteractive(): boolean {
  return process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0;
}
