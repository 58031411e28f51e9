/**
 * The script of the HTML report (plain browser JavaScript, no libraries, no network):
 * reads the embedded report and draws the tables and the charts as SVG with axes, ticks
 * and legends: the contract heatmap and the slot heatmap (log colour scale with a legend,
 * the coinbase can be left out), the what-if gains, the builders, histograms, the
 * per-block dependency matrix and the per-block re-execution waves.
 */
import { BAL_CHARTS } from './balCharts.js';

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var tip = document.getElementById('tip');
  var NS = 'http://www.w3.org/2000/svg';
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function x(v) { return v === null || v === undefined ? '–' : v.toFixed(2) + '×'; }
  function pct(v) { return v === null || v === undefined ? '–' : Math.round(v * 100) + '%'; }
  function gain(v) { return v === null || v === undefined ? '–' : (v >= 1 ? '+' : '') + ((v - 1) * 100).toFixed(1) + '%'; }
  function int(v) { return v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US'); }
  function short(addr) { return addr.length > 14 ? addr.slice(0, 8) + '…' + addr.slice(-4) : addr; }
  /** "0xabc… slot 0x00…07" → "0xc02a…6cc2 slot 0x7"; hashed slots keep 6+4 digits. */
  function shortLocation(desc) {
    return desc.replace(/ slot 0x0*([0-9a-f]+)$/, function (_, d) { return ' slot 0x' + (d.length > 12 ? d.slice(0, 6) + '…' + d.slice(-4) : d); }).replace(/\b0x[0-9a-f]{40}\b/g, function (a) { return short(a); });
  }
  function table(head, rows, left, attrs) {
    var t = el('table', attrs), tr = el('tr');
    head.forEach(function (h, i) { tr.appendChild(el('th', left && left.indexOf(i) >= 0 ? { class: 'l' } : null, h)); });
    t.appendChild(tr);
    rows.forEach(function (row) {
      var r = el('tr');
      row.forEach(function (c, i) {
        var td = el('td', left && left.indexOf(i) >= 0 ? { class: 'l' } : null);
        if (c && typeof c === 'object') { td.textContent = c.text; td.className += ' ' + c.cls; if (c.title) td.title = c.title; } else td.textContent = c;
        r.appendChild(td);
      });
      t.appendChild(r);
    });
    return t;
  }
  function showTip(ev, text) { tip.textContent = text; tip.style.display = 'block'; tip.style.left = (ev.clientX + 12) + 'px'; tip.style.top = (ev.clientY + 12) + 'px'; }
  function hideTip() { tip.style.display = 'none'; }
  function hover(node, text) { node.addEventListener('mousemove', function (ev) { showTip(ev, typeof text === 'function' ? text() : text); }); node.addEventListener('mouseleave', hideTip); }
  /** About n round tick values covering [lo, hi]. */
  function ticks(lo, hi, n) {
    if (!(hi > lo)) return [lo];
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n))), err = (hi - lo) / n / step;
    if (err >= 7.5) step *= 10; else if (err >= 3.5) step *= 5; else if (err >= 1.5) step *= 2;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
    return out;
  }
  function fmtTick(v) { return Math.abs(v) >= 1000 ? int(v) : String(Math.round(v * 100) / 100); }
  /** Log colour scale: 0 is grey; 1..max from pale yellow to dark red by log(1+v)/log(1+max). */
  function heatColour(v, max) {
    if (!(v > 0) || !(max > 0)) return '#f3f3f3';
    var t = Math.log(1 + v) / Math.log(1 + max);
    var stops = [[255, 245, 200], [253, 174, 97], [215, 48, 39], [120, 0, 30]];
    var p = t * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(p)), f = p - i, a = stops[i], b = stops[i + 1];
    return 'rgb(' + [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * f); }).join(',') + ')';
  }
  function legend(max, label) {
    var w = 320, svg = sv('svg', { width: w + 40, height: 50, class: 'legend' });
    var grad = sv('linearGradient', { id: 'g' + Math.random().toString(36).slice(2), x1: 0, x2: 1, y1: 0, y2: 0 });
    for (var i = 0; i <= 10; i++) grad.appendChild(sv('stop', { offset: (i * 10) + '%', 'stop-color': heatColour(Math.exp(i / 10 * Math.log(1 + max)) - 1, max) }));
    var defs = sv('defs'); defs.appendChild(grad); svg.appendChild(defs);
    svg.appendChild(sv('rect', { x: 10, y: 4, width: w, height: 14, fill: 'url(#' + grad.id + ')', stroke: '#999' }));
    var marks = [1];
    [3, 10, 30, 100, 300, 1000, 3000, 10000].forEach(function (m) { if (m < max * 0.8) marks.push(m); });
    if (max > 1) marks.push(max);
    marks.forEach(function (m) {
      var px = 10 + w * Math.log(1 + m) / Math.log(1 + Math.max(1, max));
      svg.appendChild(sv('line', { x1: px, x2: px, y1: 18, y2: 23, stroke: '#555' }));
      svg.appendChild(sv('text', { x: px, y: 34, 'font-size': 11, 'text-anchor': 'middle' }, fmtTick(m)));
    });
    svg.appendChild(sv('text', { x: 10, y: 48, 'font-size': 11, fill: '#555' }, label + ' per cell (log scale; grey = 0)'));
    return svg;
  }

  // Summary
  var s = report.summary, T = report.options.threads;
  document.getElementById('summary').textContent = s.ok + ' of ' + s.blocks + ' blocks ok (' + s.failed + ' failed, ' + s.mismatched + ' differ) · median ceiling(∞) ' + x(s.median.ceilingInfiniteByTime) + ' · ceiling(' + T + ') ' + x(s.median.ceilingTByTime) + ' · speedup ' + x(s.median.speedup) + ' · efficiency ' + pct(s.median.efficiency) + ' · chain id ' + ((report.chainIds || []).join(', ') || '–') + ' · stm ' + report.tool.version;

  // Blocks
  var statusText = { ok: { text: '✓ ok', cls: 'ok' }, mismatch: { text: '✗ differs from chain', cls: 'bad' }, 'parallel-differs': { text: '✗ parallel ≠ serial', cls: 'bad' }, error: { text: '✗ error', cls: 'bad' } };
  var withExecutor = report.options.parallel;
  var rows = report.blocks.map(function (b) {
    var d = b.dependencies ? b.dependencies.all : null, p = b.parallel, top = b.topOfBlock, who = b.builder && b.builder.extraDataText ? b.builder.extraDataText : (b.coinbase ? short(b.coinbase) : '–');
    var row = [b.number, who, int(b.txCount), int(b.gasUsed), b.serialMs === null ? '–' : b.serialMs.toFixed(1) + ' ms', d ? int(d.dependentTxs) : '–', top ? top.dependentTop + ' / ' + top.dependentRest : '–', top ? pct(top.criticalShareTop) : '–', d ? int(d.longestChain) : '–',
      d ? x(d.ceilings.byTime.infinite) : '–', d ? x(d.ceilings.byTime.threads) : '–', d ? x(d.ceilings.byGas.infinite) : '–', d ? x(d.ceilings.byGas.threads) : '–'];
    if (withExecutor) row.push(p ? x(p.speedup) + (p.fallback.mode === 'serial' ? ' (serial)' : '') : '–', p ? pct(p.efficiency) : '–', p ? int(p.conflicts.total) : '–', p ? int(p.reexecutions) : '–', p ? int(p.waves) : '–');
    return row.concat([statusText[b.status], b.error ? b.error.message : '']);
  });
  var head = ['block', 'builder', 'txs', 'gas', 'serial', 'dep. txs', 'dep. top 10% / rest', 'crit. path in top 10%', 'chain', 'ceil(∞) time', 'ceil(' + T + ') time', 'ceil(∞) gas', 'ceil(' + T + ') gas'];
  if (withExecutor) head = head.concat(['speedup', 'efficiency', 'conflicts', 're-exec', 'waves']);
  head = head.concat(['status', 'note']);
  var blocksBox = document.getElementById('blocks');
  if (report.blocks.length > 40) blocksBox.className = 'scroll';
  blocksBox.appendChild(table(head, rows, [1, head.length - 2, head.length - 1]));

  var byBlock = {};
  report.blocks.forEach(function (b) { byBlock[b.number] = b; });
  var coinbases = {};
  report.blocks.forEach(function (b) { if (b.coinbase) coinbases[b.coinbase] = true; });

  // A heatmap as an HTML table (rows = blocks, or runs of consecutive blocks summed when there
  // are more than MAX_ROWS; columns = keys), log colour scale, legend.
  var MAX_ROWS = 200;
  function heatRows(numbers) {
    var per = Math.ceil(numbers.length / MAX_ROWS), rows = [];
    for (var i = 0; i < numbers.length; i += per) rows.push(numbers.slice(i, i + per));
    return rows;
  }
  function heatTable(id, blocks, columns, valueOf, label, detail) {
    var rows = heatRows(blocks), max = 0;
    function value(row, c) { var sum = 0; row.forEach(function (n) { sum += valueOf(n, c); }); return sum; }
    rows.forEach(function (row) { columns.forEach(function (c) { var v = value(row, c); if (v > max) max = v; }); });
    var box = el('div');
    if (rows.length < blocks.length) box.appendChild(el('p', { class: 'dim' }, blocks.length + ' blocks: each row sums ' + rows[0].length + ' consecutive blocks.'));
    var ht = el('table', { class: 'heat', id: id }), hr = el('tr');
    hr.appendChild(el('th', { class: 'l' }, 'block'));
    columns.forEach(function (c, i) { var text = (i + 1) + ' ' + c.label; hr.appendChild(el('th', { class: 'col', title: c.label + ' · ' + c.key }, text.length > 34 ? text.slice(0, 33) + '…' : text)); });
    ht.appendChild(hr);
    rows.forEach(function (row) {
      var r = el('tr'), name = row.length === 1 ? row[0] : row[0] + '–' + row[row.length - 1];
      r.appendChild(el('th', { class: 'l' }, name));
      columns.forEach(function (c) {
        var v = value(row, c);
        var td = el('td', { class: id === 'heatmap-table' ? 'heat-cell' : 'slot-cell', 'data-block': name, 'data-contract': c.key, 'data-value': String(v) });
        td.style.background = heatColour(v, max);
        hover(td, function () { return (row.length === 1 ? 'block ' + name + ' · ' + c.label + ' (' + c.key + ') · ' + detail(row[0], c) : 'blocks ' + name + ' · ' + c.label + ' · ' + label + ' ' + v); });
        r.appendChild(td);
      });
      ht.appendChild(r);
    });
    box.appendChild(ht);
    box.appendChild(legend(max, label));
    return box;
  }

  // Contract heatmap: columns recomputed from each block's contracts so the coinbase can be left out.
  var hm = report.heatmap, measure = hm.measure;
  document.getElementById('heat-measure').textContent = measure === 'edges' ? 'dependency edges (unique transaction pairs through the contract)' : 'executor conflicts';
  function entryOf(list, key) { for (var i = 0; i < list.length; i++) if (list[i].key === key) return list[i]; return null; }
  function drawHeatmap() {
    var noCoinbase = document.getElementById('no-coinbase').checked, columns;
    function label(name, address) { return name === 'coinbase' ? 'coinbase ' + short(address) : name || short(address); }
    if (!noCoinbase) columns = hm.contracts.map(function (c) { return { key: c.address, label: label(c.name, c.address) }; });
    else {
      var totals = {};
      report.blocks.forEach(function (b) { b.contracts.forEach(function (e) { if (!coinbases[e.key] && e[measure] > 0) totals[e.key] = (totals[e.key] || 0) + e[measure]; }); });
      columns = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a] || (a < b ? -1 : 1); }).slice(0, hm.contracts.length || 12).map(function (k) { var e = null; report.blocks.some(function (b) { e = entryOf(b.contracts, k); return e; }); return { key: k, label: label(e && e.name, k) }; });
    }
    var target = document.getElementById('heatmap');
    target.textContent = '';
    if (columns.length === 0) { target.appendChild(el('p', { class: 'dim' }, 'No dependency edges or conflicts in these blocks.')); return; }
    target.appendChild(heatTable('heatmap-table', hm.blocks, columns, function (n, c) { var e = entryOf(byBlock[n].contracts || [], c.key); return e ? e[measure] : 0; }, measure, function (n, c) {
      var e = entryOf(byBlock[n].contracts || [], c.key);
      return 'edges ' + (e ? e.edges : 0) + ' · critical path ' + (e ? e.criticalMs.toFixed(2) : '0') + ' ms · conflicts ' + (e ? e.conflicts : 0);
    }));
  }
  // "#no-coinbase" in the address starts with the fee recipients left out (a link can share that view).
  if (/no-coinbase/.test(location.hash)) document.getElementById('no-coinbase').checked = true;
  document.getElementById('no-coinbase').addEventListener('change', drawHeatmap);
  drawHeatmap();

  // Slot heatmap: the hottest locations (by edges over the range) × blocks.
  (function () {
    var slots = report.rankings.slotsByEdges.slice(0, 12);
    var target = document.getElementById('slot-heatmap');
    if (slots.length === 0) { target.appendChild(el('p', { class: 'dim' }, 'No hot locations.')); return; }
    target.appendChild(heatTable('slot-heatmap-table', hm.blocks, slots.map(function (e) { return { key: e.key, label: shortLocation(e.description) + (e.name ? ' (' + e.name + ')' : '') }; }), function (n, c) { var e = entryOf(byBlock[n].slots || [], c.key); return e ? e.edges : 0; }, 'edges', function (n, c) {
      var e = entryOf(byBlock[n].slots || [], c.key);
      return 'edges ' + (e ? e.edges : 0) + ' · critical path ' + (e ? e.criticalMs.toFixed(2) : '0') + ' ms · conflicts ' + (e ? e.conflicts : 0);
    }));
  })();

  // Rankings
  var rk = document.getElementById('rankings');
  [['Contracts by dependency edges', report.rankings.contractsByEdges, false], ['Contracts by critical-path time', report.rankings.contractsByCriticalPath, false], ['Contracts by executor conflicts', report.rankings.contractsByConflicts, false],
   ['Locations by dependency edges', report.rankings.slotsByEdges, true], ['Locations by critical-path time', report.rankings.slotsByCriticalPath, true], ['Locations by executor conflicts', report.rankings.slotsByConflicts, true]].forEach(function (spec) {
    if (spec[1].length === 0) return;
    rk.appendChild(el('h3', null, spec[0]));
    rk.appendChild(table(['#', 'where', 'name', 'edges', 'critical path ms', 'conflicts', 'blocks'], spec[1].map(function (e, i) { return [i + 1, { text: spec[2] ? shortLocation(e.description) : e.description, cls: 'mono', title: e.key }, e.name || '', int(e.edges), e.criticalMs.toFixed(2), int(e.conflicts), e.blocks]; }), [1, 2]));
  });

  // Horizontal bars with an x axis (gains, shares…).
  function barChart(title, items, valueOf, fmt, lo) {
    var box = el('div');
    box.appendChild(el('h3', null, title));
    var rowH = 20, left = 300, w = 360, h = items.length * rowH, hi = Math.max(lo + 1e-9, Math.max.apply(null, items.map(valueOf).concat([lo])));
    var tk = ticks(lo, hi, 5); hi = Math.max(hi, tk[tk.length - 1]);
    var svg = sv('svg', { width: left + w + 70, height: h + 34, class: 'bars' });
    function px(v) { return left + (v - lo) / (hi - lo) * w; }
    tk.forEach(function (t) { svg.appendChild(sv('line', { x1: px(t), x2: px(t), y1: 0, y2: h, stroke: '#e4e4e4' })); svg.appendChild(sv('text', { x: px(t), y: h + 14, 'font-size': 10, 'text-anchor': 'middle' }, fmt(t))); });
    items.forEach(function (it, i) {
      var v = valueOf(it);
      svg.appendChild(sv('text', { x: left - 6, y: i * rowH + 14, 'font-size': 11, 'text-anchor': 'end' }, it.label));
      var bar = sv('rect', { x: left, y: i * rowH + 3, width: Math.max(1, px(v) - left), height: rowH - 6, fill: '#4a78b5' });
      hover(bar, it.tip || (it.label + ': ' + fmt(v)));
      svg.appendChild(bar);
      svg.appendChild(sv('text', { x: px(v) + 4, y: i * rowH + 14, 'font-size': 10 }, fmt(v)));
    });
    svg.appendChild(sv('line', { x1: left, x2: left, y1: 0, y2: h, stroke: '#333' }));
    svg.appendChild(sv('line', { x1: left, x2: left + w, y1: h, y2: h, stroke: '#333' }));
    box.appendChild(svg);
    return box;
  }

  // What-if
  (function () {
    var w = report.whatIf, target = document.getElementById('what-if');
    if (!w) { target.appendChild(el('p', { class: 'dim' }, 'Not computed: run with --what-if K.')); return; }
    [['contracts', w.contracts, false], ['locations', w.slots, true]].forEach(function (spec) {
      if (spec[1].length === 0) return;
      var items = spec[1].map(function (e) { var label = (spec[2] ? shortLocation(e.description) : short(e.key)) + (e.name ? ' (' + e.name + ')' : ''); return { label: label, e: e, tip: label + ' · mean gain of ceiling(∞) ' + gain(e.meanGainInfinite) + ' · median ' + gain(e.medianGainInfinite) + ' · where it has edges ' + gain(e.medianGainInfiniteWhereHot) + ' · max ' + gain(e.maxGainInfinite) + ' · ' + e.blocks + ' blocks' }; });
      target.appendChild(barChart('Top ' + w.k + ' ' + spec[0] + ': mean gain of ceiling(∞) by time if made commutative', items, function (it) { return (it.e.meanGainInfinite - 1) * 100; }, function (v) { return v.toFixed(1) + '%'; }, 0));
      target.appendChild(table(['#', spec[0] === 'contracts' ? 'contract' : 'location', 'blocks with edges', 'ceil(∞) mean', 'median', 'median where it has edges', 'max', 'ceil(' + T + ') mean', 'median', 'blocks it changes'], spec[1].map(function (e, i) {
        return [i + 1, { text: (spec[2] ? shortLocation(e.description) : e.key) + (e.name ? ' (' + e.name + ')' : ''), cls: 'mono', title: e.key }, e.blocks, gain(e.meanGainInfinite), gain(e.medianGainInfinite), gain(e.medianGainInfiniteWhereHot), gain(e.maxGainInfinite), gain(e.meanGainThreads), gain(e.medianGainThreads), e.perBlock.map(function (p) { return p.number + ' ' + gain(p.gainInfinite); }).slice(0, 6).join(', ') + (e.perBlock.length > 6 ? ' …' : '')];
      }), [1, 9], { class: 'what-if' }));
    });
  })();

  // Builders
  (function () {
    var target = document.getElementById('builders');
    if (!report.builders || report.builders.length === 0) { target.appendChild(el('p', { class: 'dim' }, 'No replayed blocks.')); return; }
    target.appendChild(table(['fee recipient', 'name', 'extraData', 'blocks', 'txs', 'median dep. txs', 'median ceil(' + T + ') time', 'median conflicts', 'median dep. top 10%', 'median dep. rest', 'median crit. path in top 10%'], report.builders.map(function (b) {
      return [{ text: b.feeRecipient, cls: 'mono' }, b.name || '', b.extraData.join(' · '), b.blocks, int(b.txs), int(b.medianDependentTxs), x(b.medianCeilingTByTime), int(b.medianConflicts), int(b.medianDependentTop), int(b.medianDependentRest), pct(b.medianCriticalShareTop)];
    }), [0, 1, 2], { class: 'builders' }));
    var items = report.builders.slice(0, 15).map(function (b) { return { label: (b.name || short(b.feeRecipient)) + ' (' + b.blocks + ')', v: b.medianDependentTxs || 0 }; });
    target.appendChild(barChart('Median dependent transactions per block, by builder (blocks)', items, function (it) { return it.v; }, function (v) { return fmtTick(v); }, 0));
  })();

  // Histograms with both axes
  function histogram(title, values, lo, hi, bins, xlabel) {
    var box = el('div');
    box.appendChild(el('h3', null, title + ' (' + values.length + ' blocks)'));
    var w = 320, h = 150, L = 34, B = 34, P = 10, counts = [], i;
    for (i = 0; i < bins; i++) counts.push(0);
    values.forEach(function (v) { var k = Math.floor((v - lo) / (hi - lo) * bins); counts[Math.max(0, Math.min(bins - 1, k))]++; });
    var top = Math.max.apply(null, counts.concat([1])), yt = ticks(0, top, 4).filter(function (t) { return t === Math.round(t); });
    top = Math.max(top, yt[yt.length - 1]);
    var svg = sv('svg', { width: L + w + 16, height: P + h + B, class: 'histogram' });
    yt.forEach(function (t) { var y = P + h - t / top * h; svg.appendChild(sv('line', { x1: L, x2: L + w, y1: y, y2: y, stroke: '#eee' })); svg.appendChild(sv('text', { x: L - 4, y: y + 3, 'font-size': 10, 'text-anchor': 'end' }, t)); });
    counts.forEach(function (c, k) {
      var bh = c / top * h, bar = sv('rect', { x: L + k * w / bins + 1, y: P + h - bh, width: w / bins - 2, height: bh, fill: '#4a78b5' });
      var from = lo + (hi - lo) * k / bins, to = lo + (hi - lo) * (k + 1) / bins;
      hover(bar, c + ' block(s) in ' + from.toFixed(2) + '…' + to.toFixed(2));
      svg.appendChild(bar);
    });
    ticks(lo, hi, 6).forEach(function (t) { var px = L + (t - lo) / (hi - lo) * w; svg.appendChild(sv('line', { x1: px, x2: px, y1: P + h, y2: P + h + 4, stroke: '#333' })); svg.appendChild(sv('text', { x: px, y: P + h + 16, 'font-size': 10, 'text-anchor': 'middle' }, fmtTick(t))); });
    svg.appendChild(sv('line', { x1: L, x2: L, y1: P, y2: P + h, stroke: '#333' }));
    svg.appendChild(sv('line', { x1: L, x2: L + w, y1: P + h, y2: P + h, stroke: '#333' }));
    svg.appendChild(sv('text', { x: L + w / 2, y: P + h + 30, 'font-size': 10, 'text-anchor': 'middle', fill: '#555' }, xlabel));
    svg.appendChild(sv('text', { x: 10, y: P + h / 2, 'font-size': 10, 'text-anchor': 'middle', fill: '#555', transform: 'rotate(-90 10 ' + (P + h / 2) + ')' }, 'blocks'));
    box.appendChild(svg);
    return box;
  }
  var ok = report.blocks.filter(function (b) { return b.dependencies; });
  var par = report.blocks.filter(function (b) { return b.parallel; });
  var charts = document.getElementById('charts');
  var cinf = ok.map(function (b) { return b.dependencies.all.ceilings.byTime.infinite; });
  charts.appendChild(histogram('ceiling(∞) by time', cinf, 1, Math.max(2, Math.ceil(Math.max.apply(null, cinf.concat([1])))), 10, 'ceiling(∞) (×)'));
  charts.appendChild(histogram('ceiling(' + T + ') by time', ok.map(function (b) { return b.dependencies.all.ceilings.byTime.threads; }), 1, Math.max(2, T), 10, 'ceiling(' + T + ') (×)'));
  if (par.length > 0) {
    charts.appendChild(histogram('speedup on ' + T + ' threads', par.map(function (b) { return b.parallel.speedup; }), 0, Math.max(2, T), 10, 'speedup (×)'));
    charts.appendChild(histogram('efficiency', par.map(function (b) { return b.parallel.efficiency; }), 0, 1.2, 12, 'speedup / ceiling(' + T + ')'));
  }
  var withTop = ok.filter(function (b) { return b.topOfBlock; });
  charts.appendChild(histogram('critical path in the top 10%', withTop.map(function (b) { return b.topOfBlock.criticalShareTop; }), 0, 1, 10, 'share of the critical path\'s time'));

${BAL_CHARTS}
  // Dependency matrix (canvas, with axes of transaction indices)
  var select = document.getElementById('matrix-block'), canvas = document.getElementById('matrix'), ctx = canvas.getContext('2d');
  var detailed = ok.filter(function (b) { return b.txMs && b.txMs.length === b.txCount; });
  detailed.forEach(function (b) { select.appendChild(el('option', { value: b.number }, b.number + ' (' + b.txCount + ' txs)')); });
  var M = { left: 44, top: 10, size: 560 };
  function drawMatrix() {
    var b = byBlock[select.value], note = document.getElementById('matrix-note');
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, canvas.width, canvas.height);
    note.textContent = '';
    if (!b || !b.txCount) { note.textContent = detailed.length === 0 ? 'No block with per-transaction detail in this report.' : 'An empty block.'; return; }
    var n = b.txCount, cell = M.size / n, onPath = {}, inPath = {};
    for (var k = 1; k < b.criticalPath.length; k++) onPath[b.criticalPath[k - 1] + '>' + b.criticalPath[k]] = true;
    b.criticalPath.forEach(function (t) { inPath[t] = true; });
    ctx.strokeStyle = '#ccc'; ctx.strokeRect(M.left, M.top, M.size, M.size);
    // The diagonal: critical-path transactions marked.
    for (var t = 0; t < n; t++) { ctx.fillStyle = inPath[t] ? '#f5a3ad' : '#f0f0f0'; ctx.fillRect(M.left + t * cell, M.top + t * cell, Math.max(1, cell), Math.max(1, cell)); }
    b.dependsOn.forEach(function (preds, to) {
      preds.forEach(function (from) {
        ctx.fillStyle = onPath[from + '>' + to] ? '#d0021b' : '#333';
        ctx.fillRect(M.left + from * cell, M.top + to * cell, Math.max(1, cell), Math.max(1, cell));
      });
    });
    ctx.fillStyle = '#333'; ctx.font = '10px sans-serif'; ctx.textAlign = 'center';
    ticks(0, n - 1, 8).forEach(function (v) {
      var p = (v + 0.5) * cell;
      ctx.fillText(String(v), M.left + p, M.top + M.size + 12);
      ctx.textAlign = 'right'; ctx.fillText(String(v), M.left - 4, M.top + p + 3); ctx.textAlign = 'center';
    });
    ctx.fillStyle = '#555';
    ctx.fillText('waits for (tx index) →', M.left + M.size / 2, M.top + M.size + 26);
    ctx.save(); ctx.translate(10, M.top + M.size / 2); ctx.rotate(-Math.PI / 2); ctx.fillText('waiting tx (index) →', 0, 0); ctx.restore();
    var cp = b.criticalPath, cpMs = cp.reduce(function (s, i) { return s + (b.txMs[i] || 0); }, 0);
    if (cp.length === 1) note.textContent = 'The critical path is one transaction (tx ' + cp[0] + ', ' + (b.txMs[cp[0]] || 0).toFixed(3) + ' ms): this block is bounded by its longest transaction, not by its dependencies.';
    else note.textContent = 'Critical path: ' + cp.length + ' transactions (' + cp.slice(0, 12).join(' → ') + (cp.length > 12 ? ' → …' : '') + '), ' + cpMs.toFixed(2) + ' ms.';
    canvas.onmousemove = function (ev) {
      var r = canvas.getBoundingClientRect(), col = Math.floor((ev.clientX - r.left - M.left) / cell), row = Math.floor((ev.clientY - r.top - M.top) / cell);
      if (row < 0 || row >= n || col < 0 || col >= n) return hideTip();
      var dep = b.dependsOn[row].indexOf(col) >= 0;
      showTip(ev, 'tx ' + row + (dep ? ' depends on ' : ' does not depend on ') + 'tx ' + col + ' · tx ' + row + ': ' + (b.txMs[row] || 0).toFixed(3) + ' ms' + (inPath[row] ? ' · on the critical path' : ''));
    };
    canvas.onmouseleave = hideTip;
  }
  select.addEventListener('change', drawMatrix);
  drawMatrix();

  // Re-execution waves: per block, the transactions that ran more than once × their incarnations.
  (function () {
    var target = document.getElementById('waves'), sel = document.getElementById('waves-block');
    var blocks = report.blocks.filter(function (b) { return b.reexecuted && b.reexecuted.length > 0; });
    if (blocks.length === 0) { target.appendChild(el('p', { class: 'dim' }, !report.options.parallel ? 'The executor did not run (--no-parallel).' : 'No re-executions: every transaction of every block (with executor detail) ran once.')); sel.style.display = 'none'; return; }
    // The block with the most re-executed transactions first.
    blocks.sort(function (a, b) { return b.reexecuted.length - a.reexecuted.length || (a.number < b.number ? -1 : 1); });
    blocks.forEach(function (b) { sel.appendChild(el('option', { value: b.number }, b.number + ' (' + b.reexecuted.length + ' re-executed txs)')); });
    function draw() {
      var b = byBlock[sel.value];
      target.textContent = '';
      var rerun = b.reexecuted;
      if (rerun.length === 0) { target.appendChild(el('p', { class: 'dim' }, 'Every transaction ran once: no re-executions in this block.')); return; }
      var maxInc = Math.max.apply(null, rerun.map(function (r) { return r.incarnations; }));
      var cw = Math.max(18, Math.min(60, 600 / maxInc)), rh = 16, L = 70, top = 22, h = rerun.length * rh;
      var svg = sv('svg', { width: L + maxInc * cw + 220, height: top + h + 36, class: 'waves' });
      for (var i = 0; i < maxInc; i++) svg.appendChild(sv('text', { x: L + i * cw + cw / 2, y: 14, 'font-size': 10, 'text-anchor': 'middle' }, String(i + 1)));
      svg.appendChild(sv('text', { x: L + maxInc * cw + 8, y: 14, 'font-size': 10, fill: '#555' }, '← incarnation'));
      rerun.forEach(function (r, row) {
        var y = top + row * rh;
        svg.appendChild(sv('text', { x: L - 6, y: y + 12, 'font-size': 10, 'text-anchor': 'end' }, 'tx ' + r.tx));
        for (var k = 0; k < r.incarnations; k++) {
          var aborted = k < r.abortedBy.length, by = aborted ? r.abortedByTx[k] : null;
          var rect = sv('rect', { x: L + k * cw + 1, y: y + 1, width: cw - 2, height: rh - 2, fill: aborted ? '#d0021b' : '#1b7f3b', class: aborted ? 'aborted' : 'kept' });
          hover(rect, 'tx ' + r.tx + ' incarnation ' + (k + 1) + (aborted ? ' aborted by ' + shortLocation(describe(r.abortedBy[k])) + (by === null ? '' : ' (last written by tx ' + by + ')') : ' committed'));
          svg.appendChild(rect);
          if (aborted && by !== null && cw >= 24) svg.appendChild(sv('text', { x: L + k * cw + cw / 2, y: y + 12, 'font-size': 9, fill: '#fff', 'text-anchor': 'middle' }, '←' + by));
        }
      });
      target.appendChild(svg);
      target.appendChild(el('p', { class: 'dim' }, 'Red: an aborted incarnation (←k: tx k last wrote the location that aborted it); green: the incarnation that committed. Transactions that ran once are not shown; hover a cell for the location.'));
    }
    function describe(key) { var m = /^([bnecws]):(0x[0-9a-f]{40})(?::(0x[0-9a-f]+))?$/.exec(key); if (!m) return key; var kind = { b: 'balance', n: 'nonce', c: 'code', e: 'existence', w: 'storage wipe', s: 'slot' }[m[1]]; return m[1] === 's' ? m[2] + ' slot ' + m[3] : kind + ' ' + m[2]; }
    sel.addEventListener('change', draw);
    draw();
  })();

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
