/**
 * The terminal heatmap: rows are blocks, columns the hottest contracts, each cell one
 * character of ' ·░▒▓█' by the cell's share of the largest value (so it reads without
 * colour, in a pipe or a log), coloured from yellow to red when colour is on. The
 * columns are numbered and named below the map.
 */
import chalk from 'chalk';
import type { AnalyzeReport } from '../../rangeAnalysis/rangeReport.js';
import { dim, heading } from './format.js';

const SHADES = [' ', '·', '░', '▒', '▓', '█'];

/**
 * The shade index (0..5) of `value` against `max` on a log scale: 0 only for 0; 1 for
 * values of 1 or less; 5 for the largest. A log scale keeps the middle of the range
 * visible when one cell (a payout chain's 600 edges) dwarfs the rest (WETH's 35).
 */
export function shadeIndex(value: number, max: number): number {
  if (value <= 0 || max <= 0) return 0;
  if (value <= 1 || max <= 1) return value >= max ? SHADES.length - 1 : 1;
  const t = Math.log(value) / Math.log(max);
  return Math.min(SHADES.length - 1, 1 + Math.floor(t * (SHADES.length - 1) - 1e-9) + (t >= 1 ? 1 : 0));
}

function colour(index: number, text: string): string {
  if (index <= 1) return chalk.dim(text);
  if (index === 2) return chalk.yellow(text);
  if (index === 3) return chalk.hex('#ff9900')(text);
  return chalk.red(text);
}

export function renderHeatmap(map: AnalyzeReport['heatmap']): string {
  if (map.contracts.length === 0 || map.blocks.length === 0) return '';
  const max = Math.max(0, ...map.cells.flat());
  const width = Math.max(5, ...map.blocks.map((b) => b.length));
  const cellWidth = 3;
  const header = ' '.repeat(width) + ' │' + map.contracts.map((_, i) => String(i + 1).padStart(cellWidth)).join('');
  const lines = [heading(`Heatmap: blocks × hot contracts (intensity = ${map.measure}, max ${max})`), header, '─'.repeat(width + 1) + '┼' + '─'.repeat(cellWidth * map.contracts.length)];
  map.blocks.forEach((block, row) => {
    const cells = map.cells[row]!.map((value) => {
      const s = shadeIndex(value, max);
      return colour(s, SHADES[s]!.repeat(cellWidth - 1).padStart(cellWidth));
    });
    lines.push(block.padStart(width) + ' │' + cells.join(''));
  });
  const steps = [1, 2, 3, 4].map((k) => Math.round(Math.pow(Math.max(1, max), k / 5)));
  lines.push(dim(`shades (log scale): ' ' = 0, '·' up to ${steps[0]}, '░' ${steps[1]}, '▒' ${steps[2]}, '▓' ${steps[3]}, '█' up to ${max}`));
  map.contracts.forEach((c, i) => lines.push(`${String(i + 1).padStart(3)}  ${c.address}${c.name === null ? '' : ` (${c.name})`}`));
  return lines.join('\n') + '\n';
}
