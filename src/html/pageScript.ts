/**
 * The script of the HTML report (plain browser JavaScript, no libraries): reads the
 * embedded report and draws the tables, the heatmap, the charts and the matrix.
 */
import { BAL_CHARTS } from './balCharts.js';

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var tip = document.getElementById('tip');
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function x(v) { return v === null || v === undefined ? '–' : v.toFixed(2) + '×'; }
  function pct(v) { return v === null || v === undefined ? '–' : Math.round(v * 100) + '%'; }
  function int(v) { return v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US'); }
  function table(head, rows, left) {
    var t = el('table'), tr = el('tr');
    head.forEach(function (h, i) { tr.appendChild(el('th', left && left.indexOf(i) >= 0 ? { class: 'l' } : null, h)); });
    t.appendChild(tr);
    rows.forEach(function (row) {
      var r = el('tr');
      row.forEach(function (c, i) {
        var td = el('td', left && left.indexOf(i) >= 0 ? { class: 'l' } : null);
        if (c && typeof c === 'object') { td.textContent = c.text; td.className += ' ' + c.cls; } else td.textContent = c;
        r.appendChild(td);
      });
      t.appendChild(r);
    });
    return t;
  }
  function showTip(ev, text) { tip.textContent = text; tip.style.display = 'block'; tip.style.left = (ev.clientX + 12) + 'px'; tip.style.top = (ev.clientY + 12) + 'px'; }
  function hideTip() { tip.style.display = 'none'; }

  // Summary
  var s = report.summary, T = report.options.threads;
  document.getElementById('summary').textContent = s.ok + ' of ' + s.blocks + ' blocks ok (' + s.failed + ' failed, ' + s.mismatched + ' differ) · median ceiling(∞) ' + x(s.median.ceilingInfiniteByTime) + ' · ceiling(' + T + ') ' + x(s.median.ceilingTByTime) + ' · speedup ' + x(s.median.speedup) + ' · efficiency ' + pct(s.median.efficiency) + ' · stm ' + report.tool.version;

  // Blocks
  var statusText = { ok: { text: '✓ ok', cls: 'ok' }, mismatch: { text: '✗ differs from chain', cls: 'bad' }, 'parallel-differs': { text: '✗ parallel ≠ serial', cls: 'bad' }, error: { text: '✗ error', cls: 'bad' } };
  var rows = report.blocks.map(function (b) {
    var d = b.dependencies ? b.dependencies.all : null, p = b.parallel;
    return [b.number, int(b.txCount), int(b.gasUsed), b.serialMs === null ? '–' : b.serialMs.toFixed(1) + ' ms', d ? int(d.dependentTxs) : '–', d ? int(d.longestChain) : '–',
      d ? x(d.ceilings.byTime.infinite) : '–', d ? x(d.ceilings.byTime.threads) : '–', d ? x(d.ceilings.byGas.infinite) : '–', d ? x(d.ceilings.byGas.threads) : '–',
      p ? x(p.speedup) + (p.fallback.mode === 'serial' ? ' (serial)' : '') : '–', p ? pct(p.efficiency) : '–', p ? int(p.conflicts.total) : '–', p ? int(p.reexecutions) : '–', p ? int(p.waves) : '–',
      statusText[b.status], b.error ? b.error.message : ''];
  });
  document.getElementById('blocks').appendChild(table(['block', 'txs', 'gas', 'serial', 'dep. txs', 'chain', 'ceil(∞) time', 'ceil(' + T + ') time', 'ceil(∞) gas', 'ceil(' + T + ') gas', 'speedup', 'efficiency', 'conflicts', 're-exec', 'waves', 'status', 'note'], rows, [15, 16]));

  // Heatmap
  var hm = report.heatmap;
  document.getElementById('heat-measure').textContent = hm.measure;
  var max = 0;
  hm.cells.forEach(function (r) { r.forEach(function (v) { if (v > max) max = v; }); });
  var ht = el('table', { class: 'heat', id: 'heatmap-table' }), hr = el('tr');
  hr.appendChild(el('th', { class: 'l' }, 'block'));
  hm.contracts.forEach(function (c) { hr.appendChild(el('th', { class: 'col', title: c.address }, c.name ? c.name : c.address.slice(0, 10) + '…')); });
  ht.appendChild(hr);
  var byBlock = {};
  report.blocks.forEach(function (b) { byBlock[b.number] = b; });
  hm.blocks.forEach(function (number, row) {
    var r = el('tr');
    r.appendChild(el('th', { class: 'l' }, number));
    hm.contracts.forEach(function (c, col) {
      var v = hm.cells[row][col];
      var heat = null;
      (byBlock[number].contracts || []).forEach(function (e) { if (e.key === c.address) heat = e; });
      var a = max > 0 ? v / max : 0;
      var td = el('td', { class: 'heat-cell', 'data-block': number, 'data-contract': c.address, 'data-value': String(v) });
      td.style.background = v > 0 ? 'rgba(200,30,30,' + (0.12 + 0.88 * a).toFixed(3) + ')' : '#f6f6f6';
      var text = 'block ' + number + ' · ' + (c.name ? c.name + ' ' : '') + c.address + ' · edges ' + (heat ? heat.edges : 0) + ' · critical path ' + (heat ? heat.criticalMs.toFixed(2) : '0') + ' ms · conflicts ' + (heat ? heat.conflicts : 0);
      td.addEventListener('mousemove', function (ev) { showTip(ev, text); });
      td.addEventListener('mouseleave', hideTip);
      r.appendChild(td);
    });
    ht.appendChild(r);
  });
  document.getElementById('heatmap').appendChild(hm.contracts.length > 0 ? ht : el('p', { class: 'dim' }, 'No dependency edges or conflicts in these blocks.'));

  // Rankings
  var rk = document.getElementById('rankings');
  [['Contracts by dependency edges', report.rankings.contractsByEdges], ['Contracts by critical-path time', report.rankings.contractsByCriticalPath], ['Contracts by executor conflicts', report.rankings.contractsByConflicts],
   ['Locations by dependency edges', report.rankings.slotsByEdges], ['Locations by critical-path time', report.rankings.slotsByCriticalPath], ['Locations by executor conflicts', report.rankings.slotsByConflicts]].forEach(function (pair) {
    if (pair[1].length === 0) return;
    rk.appendChild(el('h3', null, pair[0]));
    rk.appendChild(table(['#', 'where', 'name', 'edges', 'critical path ms', 'conflicts', 'blocks'], pair[1].map(function (e, i) { return [i + 1, e.description, e.name || '', int(e.edges), e.criticalMs.toFixed(2), int(e.conflicts), e.blocks]; }), [1, 2]));
  });

  // Distributions: histograms as inline SVG
  function histogram(title, values, lo, hi, bins) {
    var box = el('div');
    box.appendChild(el('h3', null, title + ' (' + values.length + ' blocks)'));
    var w = 320, h = 160, counts = [], i;
    for (i = 0; i < bins; i++) counts.push(0);
    values.forEach(function (v) { var k = Math.floor((v - lo) / (hi - lo) * bins); counts[Math.max(0, Math.min(bins - 1, k))]++; });
    var top = Math.max.apply(null, counts.concat([1]));
    var ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', w); svg.setAttribute('height', h + 20); svg.setAttribute('class', 'histogram');
    counts.forEach(function (c, k) {
      var bar = document.createElementNS(ns, 'rect'), bh = c / top * h;
      bar.setAttribute('x', k * w / bins + 1); bar.setAttribute('y', h - bh); bar.setAttribute('width', w / bins - 2); bar.setAttribute('height', bh); bar.setAttribute('fill', '#4a78b5');
      var from = lo + (hi - lo) * k / bins, to = lo + (hi - lo) * (k + 1) / bins;
      bar.addEventListener('mousemove', function (ev) { showTip(ev, c + ' block(s) in ' + from.toFixed(2) + '…' + to.toFixed(2)); });
      bar.addEventListener('mouseleave', hideTip);
      svg.appendChild(bar);
    });
    [lo, hi].forEach(function (v, k) { var t = document.createElementNS(ns, 'text'); t.setAttribute('x', k === 0 ? 0 : w - 30); t.setAttribute('y', h + 15); t.setAttribute('font-size', '11'); t.textContent = v.toFixed(1); svg.appendChild(t); });
    box.appendChild(svg);
    return box;
  }
  var ok = report.blocks.filter(function (b) { return b.dependencies; });
  var par = report.blocks.filter(function (b) { return b.parallel; });
  var charts = document.getElementById('charts');
  var cinf = ok.map(function (b) { return b.dependencies.all.ceilings.byTime.infinite; });
  charts.appendChild(histogram('ceiling(∞) by time', cinf, 1, Math.max(2, Math.ceil(Math.max.apply(null, cinf.concat([1])))), 10));
  charts.appendChild(histogram('ceiling(' + T + ') by time', ok.map(function (b) { return b.dependencies.all.ceilings.byTime.threads; }), 1, Math.max(2, T), 10));
  charts.appendChild(histogram('speedup on ' + T + ' threads', par.map(function (b) { return b.parallel.speedup; }), 0, Math.max(2, T), 10));
  charts.appendChild(histogram('efficiency', par.map(function (b) { return b.parallel.efficiency; }), 0, 1.2, 12));

${BAL_CHARTS}
  // Dependency matrix
  var select = document.getElementById('matrix-block'), canvas = document.getElementById('matrix'), ctx = canvas.getContext('2d');
  ok.forEach(function (b) { select.appendChild(el('option', { value: b.number }, b.number + ' (' + b.txCount + ' txs)')); });
  function drawMatrix() {
    var b = byBlock[select.value];
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (!b || !b.txCount) return;
    var n = b.txCount, cell = canvas.width / n, onPath = {};
    for (var k = 1; k < b.criticalPath.length; k++) onPath[b.criticalPath[k - 1] + '>' + b.criticalPath[k]] = true;
    ctx.strokeStyle = '#eee'; ctx.strokeRect(0, 0, canvas.width, canvas.height);
    b.dependsOn.forEach(function (preds, to) {
      preds.forEach(function (from) {
        ctx.fillStyle = onPath[from + '>' + to] ? '#d0021b' : '#333';
        ctx.fillRect(from * cell, to * cell, Math.max(1, cell), Math.max(1, cell));
      });
    });
    canvas.onmousemove = function (ev) {
      var r = canvas.getBoundingClientRect(), col = Math.floor((ev.clientX - r.left) / cell), row = Math.floor((ev.clientY - r.top) / cell);
      if (row < 0 || row >= n || col < 0 || col >= n) return hideTip();
      var dep = b.dependsOn[row].indexOf(col) >= 0;
      showTip(ev, 'tx ' + row + (dep ? ' depends on ' : ' does not depend on ') + 'tx ' + col + ' · tx ' + row + ': ' + (b.txMs[row] || 0).toFixed(3) + ' ms');
    };
    canvas.onmouseleave = hideTip;
  }
  select.addEventListener('change', drawMatrix);
  drawMatrix();

  // Simulation
  if (report.options.simulate.length > 0) {
    var sim = document.getElementById('simulation');
    sim.appendChild(el('h2', null, 'Simulated speedup (Block-STM / oracle / ceiling(T))'));
    sim.appendChild(table(['block'].concat(report.options.simulate.map(function (t) { return 'T=' + t; })), report.blocks.filter(function (b) { return b.simulation; }).map(function (b) {
      return [b.number].concat(b.simulation.points.map(function (p) { return p.blockStm.toFixed(2) + ' / ' + p.oracle.toFixed(2) + ' / ' + p.ceiling.toFixed(2) + (p.fallback || p.withFallback !== p.blockStm ? ' (s)' : ''); }));
    })));
  }
  document.body.setAttribute('data-ready', 'ok');
})();
`;
