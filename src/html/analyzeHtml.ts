/**
 * `stm analyze --html FILE`: one self-contained page (no network: CSS, script and data
 * inline) with the per-block table, interactive heatmaps (blocks × contracts, blocks ×
 * slots; log colour scale with a legend; hover for the numbers), the rankings, the
 * what-if gains, the builders, the distributions of ceiling, speedup and efficiency, a
 * per-block tx×tx dependency matrix and per-block re-execution waves. The data is the --json document,
 * embedded as JSON; the page's script draws everything from it, and marks the body
 * `data-ready="ok"` when done (the browser test waits for that). Written atomically.
 */
import { renameSync, writeFileSync, rmSync } from 'node:fs';
import type { AnalyzeReport } from '../rangeAnalysis/rangeReport.js';
import { PAGE_SCRIPT } from './pageScript.js';

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}
th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right;font-variant-numeric:tabular-nums}
th{background:#f4f4f4}td.l,th.l{text-align:left}td{white-space:nowrap}td.l{white-space:normal}
.bad{color:#b00020;font-weight:600}.ok{color:#1b7f3b}.dim{color:#777}
table.heat td.heat-cell{width:28px;height:22px;padding:0;border:1px solid #fff;cursor:default}
table.heat th.col{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;text-align:left;height:210px;white-space:nowrap;font-size:12px;vertical-align:bottom}
#tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:4px 8px;border-radius:4px;font-size:12px;display:none;z-index:9}
.charts{display:flex;flex-wrap:wrap;gap:24px}
canvas{image-rendering:pixelated}
code,.mono{font-family:ui-monospace,monospace;font-size:12px}
svg text{font-family:system-ui,sans-serif}
.note{margin:4px 0 0}
.scroll{max-height:640px;overflow:auto;border:1px solid #ddd}
.scroll th{position:sticky;top:0}
`;

/** The page as a string (pure: the same report gives the same page). */
export function renderHtml(report: AnalyzeReport): string {
  // JSON inside <script>: escape "<" so no "</script>" or "<!--" can end it early.
  const data = JSON.stringify(report).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const blocks = report.blocks.map((b) => b.number);
  const title = blocks.length === 1 ? `block ${blocks[0]}` : `${blocks.length} blocks (${blocks[0] ?? ''}…${blocks[blocks.length - 1] ?? ''})`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>stm analyze: ${escapeHtml(title)}</title>
<style>${STYLE}</style></head>
<body>
<h1>stm analyze: ${escapeHtml(title)}</h1>
<p id="summary"></p>
<h2>Blocks</h2><div id="blocks"></div>
<h2>Heatmap: blocks × hot contracts</h2>
<p class="dim">Colour = <span id="heat-measure"></span>, per block. Hover a cell for the numbers.
<label><input type="checkbox" id="no-coinbase"> leave out the blocks' fee recipients (coinbase)</label></p>
<div id="heatmap"></div>
<h2>Heatmap: blocks × hottest locations</h2>
<p class="dim">Colour = dependency edges through the location, per block (the 12 locations with the most edges over the range).</p>
<div id="slot-heatmap"></div>
<h2>Hot contracts and locations</h2><div id="rankings"></div>
<h2>What if a hot contract were commutative</h2>
<p class="dim">Each block's ceiling by time with the contract's (location's) dependency edges removed, against the ceiling as measured (docs/metrics.md).</p>
<div id="what-if"></div>
<h2>Builders and the top of the block</h2>
<p class="dim">Blocks grouped by fee recipient; the name from the known addresses or the header's extraData. Top 10% = the first tenth of each block's transactions.</p>
<div id="builders"></div>
<h2>Distributions</h2><div class="charts" id="charts"></div>
<h2>Dependency matrix</h2>
<p>Block <select id="matrix-block"></select> <span class="dim">row = the transaction that waits, column = the one it waits for; red = on the time-weighted critical path (pink on the diagonal: its transactions).</span></p>
<canvas id="matrix" width="620" height="610"></canvas>
<p class="note" id="matrix-note"></p>
<h2>Re-execution waves</h2>
<p>Block <select id="waves-block"></select> <span class="dim">rows = transactions the executor ran more than once; columns = their incarnations.</span></p>
<div id="waves"></div>
<div id="simulation"></div>
<div id="tip"></div>
<script type="application/json" id="report-data">${data}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Writes the page to `file` atomically (a temporary file beside it, then rename). */
export function writeHtmlReport(file: string, report: AnalyzeReport): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, renderHtml(report));
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
