/**
 * What the terminal can show: colour on stdout and stderr and the width of stdout,
 * decided once at start-up.
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

/**
 * The terminal's width when stdout is one (or $COLUMNS), set once at start-up: below
 * COMPACT_BELOW columns, tables shorten addresses and hashes (0xc02aaa…756cc2) so that they
 * fit; piped output and wide terminals get them in full.
 */
let columns = Number.POSITIVE_INFINITY;
const COMPACT_BELOW = 140;

export function setTextWidth(width: number | undefined): void {
  columns = width !== undefined && Number.isFinite(width) && width > 0 ? width : Number.POSITIVE_INFINITY;
}

/** Tables should shorten what they can (a terminal narrower than COMPACT_BELOW columns). */
export function compactText(): boolean {
  return columns < COMPACT_BELOW;
}

/**
 * Wraps a line of plain text at word boundaries to the terminal's width less `reserve`
 * columns (a table cell: the columns left of it and the borders), continuation lines
 * indented; unchanged when there is no width.
 */
export function wrapText(text: string, indent = '  ', reserve = 0): string {
  const width = columns - reserve;
  if (!Number.isFinite(width) || text.length <= width) return text;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}
