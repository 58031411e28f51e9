/**
 * The access-list charts of the HTML report (plain browser JavaScript, spliced into the
 * page script where `report`, `el`, `showTip`, `hideTip` and `charts` are in scope): per
 * block, the list's gzip size against the block's gas, and the speedup with the access
 * list against Block-STM's. Measured speedups where the analyze run measured that
 * scheduler; otherwise the ceilings (ceiling_bal(T) and ceiling(T)), and the axis says so.
 */
export const BAL_CHARTS = String.raw`
  (function () {
    var withBal = report.blocks.filter(function (b) { return b.bal && b.dependencies; });
    if (withBal.length === 0) return;
    var T = report.options.threads, scheduler = report.options.scheduler;
    function scatter(title, xLabel, yLabel, points, diagonal) {
      var ns = 'http://www.w3.org/2000/svg', w = 320, h = 220, pad = 36;
      var box = el('div', { class: 'chart', 'data-chart': title });
      box.appendChild(el('h3', null, title));
      var svg = document.createElementNS(ns, 'svg');
      svg.setAttribute('width', w + pad); svg.setAttribute('height', h + pad);
      var xs = points.map(function (p) { return p.x; }), ys = points.map(function (p) { return p.y; });
      var xMax = Math.max.apply(null, xs.concat([diagonal ? 2 : 1])) * 1.05, yMax = Math.max.apply(null, ys.concat([diagonal ? 2 : 1])) * 1.05;
      if (diagonal) { xMax = yMax = Math.max(xMax, yMax); }
      function sx(v) { return pad + v / xMax * (w - 10); }
      function sy(v) { return h - v / yMax * (h - 10); }
      var axis = document.createElementNS(ns, 'path');
      axis.setAttribute('d', 'M' + pad + ' 0 V' + h + ' H' + (w + pad)); axis.setAttribute('stroke', '#999'); axis.setAttribute('fill', 'none');
      svg.appendChild(axis);
      if (diagonal) {
        var d = document.createElementNS(ns, 'line');
        d.setAttribute('x1', sx(0)); d.setAttribute('y1', sy(0)); d.setAttribute('x2', sx(xMax)); d.setAttribute('y2', sy(yMax));
        d.setAttribute('stroke', '#ddd'); svg.appendChild(d);
      }
      points.forEach(function (p) {
        var c = document.createElementNS(ns, 'circle');
        c.setAttribute('cx', sx(p.x)); c.setAttribute('cy', sy(p.y)); c.setAttribute('r', 3.5); c.setAttribute('fill', '#4a90d9');
        c.addEventListener('mousemove', function (ev) { showTip(ev, p.tip); });
        c.addEventListener('mouseleave', hideTip);
        svg.appendChild(c);
      });
      [[xLabel, pad, h + 28], [yLabel, 0, 12]].forEach(function (l) {
        var t = document.createElementNS(ns, 'text'); t.setAttribute('x', l[1]); t.setAttribute('y', l[2]); t.setAttribute('font-size', '11'); t.textContent = l[0]; svg.appendChild(t);
      });
      box.appendChild(svg);
      return box;
    }
    charts.appendChild(scatter('access-list size against gas', 'gas used (M)', 'BAL gzip (KiB)', withBal.map(function (b) {
      return { x: Number(b.gasUsed) / 1e6, y: b.bal.gzipBytes / 1024, tip: b.number + ': ' + (Number(b.gasUsed) / 1e6).toFixed(2) + ' Mgas, ' + (b.bal.gzipBytes / 1024).toFixed(1) + ' KiB gzip, ' + b.bal.items + ' of ' + b.bal.maxItems + ' items' };
    }), false));
    var balMeasured = scheduler === 'bal', stmMeasured = scheduler === 'blockstm';
    charts.appendChild(scatter('with the access list against Block-STM (' + T + ' threads)',
      stmMeasured ? 'Block-STM speedup (measured)' : 'ceiling(' + T + ') (Block-STM bound)',
      balMeasured ? 'bal speedup (measured)' : 'ceiling_bal(' + T + ')',
      withBal.map(function (b) {
        var x = stmMeasured && b.parallel ? b.parallel.speedup : b.dependencies.all.ceilings.byTime.threads;
        var y = balMeasured && b.parallel ? b.parallel.speedup : b.bal.ceilingT;
        return { x: x, y: y, tip: b.number + ': Block-STM ' + x.toFixed(2) + '×, with the access list ' + y.toFixed(2) + '×' };
      }), true));
  })();
`;
