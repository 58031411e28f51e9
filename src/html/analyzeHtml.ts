/**
 * `stm analyze --html FILE`: one self-contained page (no network: CSS, script and data
 * inline) with the per-block table, the rankings, an interactive heatmap (blocks ×
 * contracts, hover for the numbers), a per-block tx×tx dependency matrix, and the
 * distributions of ceiling, speedup and efficiency. The data is the --json document,
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
th{background:#f4f4f4}td.l,th.l{text-align:left}
.bad{color:#b00020;font-weight:600}.ok{color:#1b7f3b}.dim{color:#777}
table.heat td.heat-cell{width:28px;height:22px;padding:0;border:1px solid #fff;cursor:default}
table.heat th.col{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;text-align:left;max-height:220px;white-space:nowrap}
#tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:4px 8px;border-radius:4px;font-size:12px;display:none;z-index:9}
.charts{display:flex;flex-wrap:wrap;gap:24px}
canvas{border:1px solid #ccc;image-rendering:pixelated}
code{font-size:12px}
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
<p class="dim">Intensity = <span id="heat-measure"></span>. Hover a cell for the numbers.</p>
<div id="heatmap"></div>
<h2>Hot contracts and locations</h2><div id="rankings"></div>
<h2>Distributions</h2><div class="charts" id="charts"></div>
<h2>Dependency matrix</h2>
<p>Block <select id="matrix-block"></select> <span class="dim">row = the transaction that waits, column = the one it waits for; red = on the time-weighted critical path.</span></p>
<canvas id="matrix" width="600" height="600"></canvas>
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
