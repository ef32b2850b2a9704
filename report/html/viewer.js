// ptscope HTML report: tabs, the collapsible module tree with search, the
// details panel, the graph view (graph_view.js), and a self-test (open the file with #selftest) that the
// browser test in tests/ reads back. Plain ES2017, no dependencies; the
// analysis JSON is embedded in the script element with id "ptscope-data".

// Bytes, counts, percentages and shapes by the rules of core/format.h, string for string
// (format_bytes, format_count, format_count_or_dash, format_percent, format_shape,
// format_shape_dims): the text report and the viewer print a number the same way.
// tests/test_html_browser.cpp renders a table of values with both and compares them.
window.ptscopeFormat = (function () {
  'use strict';
  // printf("%.<digits>f") as glibc writes it: the double's exact value correctly rounded, an exact
  // half to even. Number.prototype.toFixed rounds alike except that it takes an exact half up
  // (1.25 -> "1.3" where printf writes "1.2"), so exact halves are found from 30 more digits.
  function printfFixed(v, digits) {
    if (isNaN(v)) return 'nan';
    if (!isFinite(v)) return v > 0 ? 'inf' : '-inf';
    if (v === 0) return (1 / v < 0 ? '-' : '') + (0).toFixed(digits);
    var rounded = v.toFixed(digits);
    if (Math.abs(v) >= 1e21) return rounded;  // exponent notation; no formatter below reaches it
    var exact = Math.abs(v).toFixed(digits + 30);
    if (!/^50*$/.test(exact.slice(-30))) return rounded;
    var down = exact.slice(0, -30).replace(/\.$/, '');
    return (down.charCodeAt(down.length - 1) - 48) % 2 === 0 ? (v < 0 ? '-' : '') + down : rounded;
  }
  // printf("%.<digits>e"): correctly rounded as printfFixed, an exact half to even; the exponent
  // signed and at least two digits ("1.235e+04") where toExponential writes "1.235e+4".
  function printfExp(v, digits) {
    if (isNaN(v)) return 'nan';
    if (!isFinite(v)) return v > 0 ? 'inf' : '-inf';
    var sign = v < 0 || 1 / v < 0 ? '-' : '', a = Math.abs(v), s = a.toExponential(digits);
    var exact = a.toExponential(digits + 30).split('e');
    if (/^50*$/.test(exact[0].slice(-30))) {
      var down = exact[0].slice(0, -30).replace(/\.$/, '');
      if ((down.charCodeAt(down.length - 1) - 48) % 2 === 0) s = down + 'e' + exact[1];
    }
    var parts = s.split('e'), x = Number(parts[1]);
    return sign + parts[0] + 'e' + (x < 0 ? '-' : '+') + (Math.abs(x) < 10 ? '0' : '') + Math.abs(x);
  }
  // printf("%.4g"): four significant digits, fixed where the exponent is in [-4, 4), trailing zeros dropped.
  function number(v) {
    if (isNaN(v)) return 'nan';
    if (!isFinite(v)) return v > 0 ? 'inf' : '-inf';
    var e = printfExp(v, 3), x = Number(e.slice(e.indexOf('e') + 1));
    var out = x >= -4 && x < 4 ? printfFixed(v, 3 - x) : e;
    var at = out.indexOf('e'), mantissa = at < 0 ? out : out.slice(0, at), rest = at < 0 ? '' : out.slice(at);
    if (mantissa.indexOf('.') >= 0) mantissa = mantissa.replace(/0+$/, '').replace(/\.$/, '');
    return mantissa + rest;
  }
  // "12.5 µs" below 1 ms, "1.50 ms" below 1 s, then "2.00 s".
  function durationUs(us) {
    if (isNaN(us)) return 'nan';
    var a = Math.abs(us);
    if (a < 1e3) return printfFixed(us, 1) + ' \u00b5s';
    if (a < 1e6) return printfFixed(us / 1e3, 2) + ' ms';
    return printfFixed(us / 1e6, 2) + ' s';
  }
  // "1.5 MiB"; below 1 KiB exact: "512 B".
  function bytes(n) {
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], v = n, u = 0;
    while (v >= 1024 && u < 4) { v /= 1024; ++u; }
    return u === 0 ? String(n) + ' B' : printfFixed(v, 1) + ' ' + units[u];
  }
  // "11.70 M"; below 1000 a whole number.
  function count(n) {
    var units = ['', ' K', ' M', ' G', ' T', ' P'], u = 0;
    while (n >= 1000 && u < 5) { n /= 1000; ++u; }
    return u === 0 ? printfFixed(n, 0) : printfFixed(n, 2) + units[u];
  }
  function countOrDash(n) { return n > 0 ? count(n) : '-'; }
  // "12.5%" of part in whole; whenWholeIsZero where whole is not positive.
  function percent(part, whole, whenWholeIsZero) {
    return whole > 0 ? printfFixed(100 * part / whole, 1) + '%' : whenWholeIsZero;
  }
  function shape(dims) { return '[' + dims.join(', ') + ']'; }
  function shapeDims(dims, whenScalar) { return dims.length ? dims.join('x') : whenScalar; }
  return { printfFixed: printfFixed, printfExp: printfExp, number: number, durationUs: durationUs, bytes: bytes,
           count: count, countOrDash: countOrDash, percent: percent, shape: shape, shapeDims: shapeDims };
})();

(function () {
  'use strict';
  var selftest = location.hash === '#selftest';
  var errors = [];
  window.addEventListener('error', function (e) {
    errors.push(String(e.message || e.error || 'script error') + (e.lineno ? ' (line ' + e.lineno + ')' : ''));
  });

  // ---------- reading the analysis ----------
  function num(v) {
    if (typeof v === 'number') return v;
    if (v === 'inf') return Infinity;
    if (v === '-inf') return -Infinity;
    return NaN;
  }
  function arr(v) { return Array.isArray(v) ? v : []; }
  function obj(v) { return v && typeof v === 'object' && !Array.isArray(v) ? v : {}; }
  function str(v) { return typeof v === 'string' ? v : (v === undefined || v === null ? '' : String(v)); }

  // ---------- formatting (window.ptscopeFormat above); "" where the analysis has no number ----------
  var format = window.ptscopeFormat;
  function fmtCount(v) { v = num(v); return isFinite(v) ? format.count(v) : ''; }
  function fmtFlops(v) { return fmtCount(v); }  // FLOPs are counts, as in the text report
  function fmtBytes(v) { v = num(v); return isFinite(v) && v >= 0 ? format.bytes(v) : ''; }
  function fmtPercent(fraction) { fraction = num(fraction); return isFinite(fraction) ? format.percent(fraction, 1, '') : ''; }
  function fmtTime(v) { v = num(v); return isFinite(v) ? format.durationUs(v) : ''; }
  // As the plots' labels (svg::format_value): "n/a" and "\u221e" where there is no finite number.
  function fmtNum(v) {
    v = num(v);
    if (isNaN(v)) return 'n/a';
    if (!isFinite(v)) return v > 0 ? '\u221e' : '-\u221e';
    return format.number(v);
  }
  function fmtShape(s) { return Array.isArray(s) ? format.shape(s) : ''; }
  function compactShape(s) { return Array.isArray(s) ? format.shapeDims(s, 'scalar') : ''; }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'cls') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }

  var dataNode = document.getElementById('ptscope-data');
  var data = {};
  try { data = obj(JSON.parse(dataNode ? dataNode.textContent : '{}')); } catch (e) { errors.push('analysis JSON: ' + e.message); }

  // ---------- tabs ----------
  var buttons = Array.prototype.slice.call(document.querySelectorAll('nav.tabs button'));
  var showHooks = {};
  function showTab(name) {
    buttons.forEach(function (b) { b.classList.toggle('active', b.getAttribute('data-tab') === name); });
    document.querySelectorAll('section.tab').forEach(function (s) { s.classList.toggle('active', s.id === 'tab-' + name); });
    if (!selftest && history.replaceState) history.replaceState(null, '', '#' + name);
    (showHooks[name] || []).forEach(function (f) { f(); });
  }
  buttons.forEach(function (b) { b.addEventListener('click', function () { showTab(b.getAttribute('data-tab')); }); });
  document.body.classList.add('js');
  var initial = location.hash.slice(1);

  // ---------- graph view (report/html/graph_view.js, in the same script element) ----------
  var graphView = null;
  if (typeof window.ptscopeGraphView === 'function') {
    try {
      graphView = window.ptscopeGraphView({
        data: data, num: num, arr: arr, obj: obj, str: str, el: el, fmtCount: fmtCount, fmtFlops: fmtFlops,
        fmtBytes: fmtBytes, fmtTime: fmtTime, fmtNum: fmtNum, compactShape: compactShape,
        onShow: function (tab, f) { (showHooks[tab] = showHooks[tab] || []).push(f); }
      });
    } catch (e) { errors.push('graph view: ' + e.message); }
  }
  showTab(buttons.some(function (b) { return b.getAttribute('data-tab') === initial; }) ? initial : 'overview');

  // ---------- module tree ----------
  var modules = arr(data.modules).filter(function (m) { return m && typeof m === 'object'; });
  var nodes = arr(data.nodes);
  var tensors = arr(obj(data.parameters).tensors);
  var n = modules.length;
  var parent = new Array(n), hasChildren = new Array(n), expanded = new Array(n), depth = new Array(n);
  var stack = [];
  for (var i = 0; i < n; i++) {
    depth[i] = isFinite(num(modules[i].depth)) ? num(modules[i].depth) : 0;
    while (stack.length && depth[stack[stack.length - 1]] >= depth[i]) stack.pop();
    parent[i] = stack.length ? stack[stack.length - 1] : -1;
    if (parent[i] >= 0) hasChildren[parent[i]] = true;
    expanded[i] = depth[i] < 1;
    stack.push(i);
  }
  var hasTime = modules.some(function (m) { return isFinite(num(m.time_us)); });
  var rootFlops = 0;
  modules.forEach(function (m) { rootFlops = Math.max(rootFlops, num(m.flops) || 0); });

  var tbody = document.getElementById('tree-body');
  var rows = [];
  if (tbody) {
    if (!hasTime) document.querySelectorAll('table.tree .time').forEach(function (c) { c.style.display = 'none'; });
    modules.forEach(function (m, i) {
      var path = str(m.path);
      var label = path === '' ? '(model)' : path.split('.').pop();
      var toggle = el('span', { cls: 'toggle', text: hasChildren[i] ? '\u25b8' : '' });
      var name = el('td', { cls: 'name', title: path || '(model)' }, [toggle, el('span', { cls: 'label', text: label })]);
      name.style.paddingLeft = (8 + depth[i] * 16) + 'px';
      var flops = num(m.flops) || 0;
      var fill = el('div', { cls: 'fill' });
      fill.style.width = (rootFlops > 0 ? Math.max(0, Math.min(100, 100 * flops / rootFlops)) : 0) + '%';
      // One entry per distinct shape (a module called twice usually repeats its shape).
      var shapes = arr(m.output_shapes).map(compactShape).filter(function (v, k, all) { return all.indexOf(v) === k; }).join(', ');
      var cells = [
        name,
        el('td', { cls: 'cls', text: str(m['class']) }),
        el('td', { cls: 'shape', text: shapes }),
        el('td', { cls: 'num', text: fmtCount(m.params) }),
        el('td', { cls: 'num bar-cell' }, [fill, el('span', { text: fmtFlops(flops) })]),
        el('td', { cls: 'num', text: fmtBytes(m.activation_bytes) }),
        el('td', { cls: 'num', text: fmtBytes(m.bytes) })
      ];
      if (hasTime) cells.push(el('td', { cls: 'num time', text: fmtTime(m.time_us) }));
      var tr = el('tr', { 'data-index': String(i) }, cells);
      tr.addEventListener('click', function (ev) {
        if (ev.target === toggle && hasChildren[i]) { expanded[i] = !expanded[i]; updateTree(); return; }
        select(i);
      });
      tr.addEventListener('dblclick', function () { if (hasChildren[i]) { expanded[i] = !expanded[i]; updateTree(); } });
      rows.push({ tr: tr, toggle: toggle });
      tbody.appendChild(tr);
    });
  }

  var search = document.getElementById('tree-search');
  var matchInfo = document.getElementById('tree-matches');
  function updateTree() {
    var q = search ? search.value.trim().toLowerCase() : '';
    var show = new Array(n), match = new Array(n), count = 0;
    if (q) {
      for (var i = n - 1; i >= 0; i--) {
        match[i] = (str(modules[i].path) + ' ' + str(modules[i]['class'])).toLowerCase().indexOf(q) >= 0;
        if (match[i]) count++;
        show[i] = show[i] || match[i];
        if (show[i] && parent[i] >= 0) show[parent[i]] = true;
      }
    } else {
      for (var k = 0; k < n; k++) show[k] = parent[k] < 0 || (show[parent[k]] && expanded[parent[k]]);
    }
    rows.forEach(function (r, i) {
      r.tr.classList.toggle('hidden', !show[i]);
      r.tr.classList.toggle('match', !!match[i]);
      if (hasChildren[i]) r.toggle.textContent = (q || expanded[i]) ? '\u25be' : '\u25b8';
    });
    if (matchInfo) matchInfo.textContent = q ? count + ' match' + (count === 1 ? '' : 'es') : n + ' modules';
  }
  // Collapsing keeps the root open so that its children stay visible.
  function setAll(value) { for (var i = 0; i < n; i++) expanded[i] = value || depth[i] < 1; updateTree(); }
  if (search) search.addEventListener('input', updateTree);
  var expandAll = document.getElementById('tree-expand');
  var collapseAll = document.getElementById('tree-collapse');
  if (expandAll) expandAll.addEventListener('click', function () { setAll(true); });
  if (collapseAll) collapseAll.addEventListener('click', function () { setAll(false); });
  updateTree();

  // ---------- details ----------
  var details = document.getElementById('details');
  function kv(pairs) {
    var dl = el('dl', { cls: 'kv' });
    pairs.forEach(function (p) {
      if (p[1] === '' || p[1] === undefined) return;
      dl.appendChild(el('dt', { text: p[0] }));
      dl.appendChild(el('dd', { text: p[1] }));
    });
    return dl;
  }
  function within(name, path) { return path === '' || name === path || name.indexOf(path + '.') === 0; }
  var SVG = 'http://www.w3.org/2000/svg';
  function histogram(h) {
    var counts = arr(h.counts).map(num), max = 0;
    counts.forEach(function (c) { if (c > max) max = c; });
    if (!counts.length || !(max > 0)) return null;
    var w = 360, hgt = 64, svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + (hgt + 14));
    svg.setAttribute('width', String(w));
    svg.setAttribute('height', String(hgt + 14));
    var bw = w / counts.length;
    counts.forEach(function (c, k) {
      if (!(c > 0)) return;
      var r = document.createElementNS(SVG, 'rect'), bh = hgt * c / max;
      r.setAttribute('x', (k * bw).toFixed(2)); r.setAttribute('y', (hgt - bh).toFixed(2));
      r.setAttribute('width', Math.max(0.5, bw - 0.5).toFixed(2)); r.setAttribute('height', bh.toFixed(2));
      r.setAttribute('fill', '#4e79a7');
      svg.appendChild(r);
    });
    [[0, 'start', fmtNum(h.min)], [w, 'end', fmtNum(h.max)]].forEach(function (t) {
      var tx = document.createElementNS(SVG, 'text');
      tx.setAttribute('x', String(t[0])); tx.setAttribute('y', String(hgt + 12));
      tx.setAttribute('text-anchor', t[1]); tx.setAttribute('font-size', '10'); tx.setAttribute('fill', '#6b7280');
      tx.textContent = t[2];
      svg.appendChild(tx);
    });
    return svg;
  }
  function select(i) {
    if (!details) return;
    rows.forEach(function (r, k) { r.tr.classList.toggle('selected', k === i); });
    var m = modules[i], path = str(m.path);
    details.innerHTML = '';
    details.appendChild(el('h3', { text: path === '' ? '(model)' : path }));
    details.appendChild(el('p', { cls: 'muted', text: str(m['class']) }));
    details.appendChild(kv([
      ['parameters', fmtCount(m.params)], ['buffers', fmtCount(m.buffers)], ['weights', fmtBytes(m.bytes)],
      ['FLOPs', fmtFlops(m.flops)], ['MACs', fmtCount(m.macs)], ['extended FLOPs', fmtFlops(m.extended_flops)],
      ['activations', fmtBytes(m.activation_bytes)], ['ops', fmtCount(m.nodes)], ['calls', fmtCount(m.calls)],
      ['output shapes', arr(m.output_shapes).map(fmtShape).join(' ')], ['time', fmtTime(m.time_us)]
    ]));
    var ops = nodes.filter(function (nd) { return nd && within(str(nd.scope), path); });
    details.appendChild(el('h4', { text: 'Operations (' + ops.length + ')' }));
    if (ops.length) {
      var t = el('table', { cls: 'data' }, [el('thead', null, [el('tr', null, [
        el('th', { cls: 'num', text: '#' }), el('th', { text: 'op' }), el('th', { text: 'output' }),
        el('th', { cls: 'num', text: 'FLOPs' }), el('th', { cls: 'num', text: 'live' })])])]);
      var body = el('tbody');
      ops.slice(0, 80).forEach(function (nd) {
        var out = arr(nd.outputs).map(function (o) { return compactShape(obj(o).shape); }).join(' ');
        body.appendChild(el('tr', null, [
          el('td', { cls: 'num', text: str(nd.index) }), el('td', { cls: 'mono op', text: str(nd.op).replace(/^aten::/, ''), title: str(nd.op) }),
          el('td', { cls: 'mono', text: out }), el('td', { cls: 'num', text: fmtFlops(nd.flops) }),
          el('td', { cls: 'num', text: fmtBytes(nd.live_bytes) })]));
      });
      t.appendChild(body);
      details.appendChild(el('div', { cls: 'ops-scroll' }, [t]));
      if (ops.length > 80) details.appendChild(el('p', { cls: 'muted', text: '\u2026 and ' + (ops.length - 80) + ' more' }));
    }
    var own = tensors.filter(function (t) { return t && within(str(t.name), path) && str(t.name) !== path; });
    own.sort(function (a, b) { return (num(b.numel) || 0) - (num(a.numel) || 0); });
    details.appendChild(el('h4', { text: 'Tensors (' + own.length + ')' }));
    own.slice(0, 24).forEach(function (t) {
      var box = el('div', { cls: 'tensor' }, [
        el('div', { cls: 'name', text: str(t.name) }),
        el('div', { cls: 'muted', text: [str(t.dtype), fmtShape(t.shape), str(t.role)].filter(Boolean).join(' \u00b7 ') })]);
      box.appendChild(kv([
        ['elements', fmtCount(t.numel)], ['mean', fmtNum(t.mean)], ['std', fmtNum(t.std)],
        ['min', fmtNum(t.min)], ['max', fmtNum(t.max)],
        ['sparsity', fmtPercent(t.sparsity)],
        ['int8/channel SQNR', isFinite(num(t.sqnr_int8_channel_db)) ? format.printfFixed(num(t.sqnr_int8_channel_db), 1) + ' dB' : ''],
        ['int4/g128 SQNR', isFinite(num(t.sqnr_int4_group_db)) ? format.printfFixed(num(t.sqnr_int4_group_db), 1) + ' dB' : ''],
        ['recommended', str(t.recommended_format)]]));
      var h = histogram(obj(t.histogram));
      if (h) box.appendChild(h);
      details.appendChild(box);
    });
    if (own.length > 24) details.appendChild(el('p', { cls: 'muted', text: '\u2026 and ' + (own.length - 24) + ' more' }));
  }
  if (n) select(0);

  // ---------- self-test (#selftest): the browser test reads the verdict ----------
  function runSelftest() {
    var checks = {}, failures = [];
    function expect(name, ok, detail) { checks[name] = detail === undefined ? ok : detail; if (!ok) failures.push(name); }
    try {
      document.body.classList.add('show-all');
      setAll(true);
      var visible = rows.filter(function (r) { return !r.tr.classList.contains('hidden'); }).length;
      expect('tree_expanded', visible === n, visible + '/' + n);
      expect('tree_has_rows', n > 0 || arr(data.modules).length === 0, n);
      if (n > 1) {
        var leaf = -1;
        for (var i = n - 1; i >= 0; i--) if (!hasChildren[i]) { leaf = i; break; }
        rows[leaf].tr.click();
        var title = details ? details.querySelector('h3') : null;
        expect('details_open', !!title && title.textContent === str(modules[leaf].path), title ? title.textContent : 'none');
        search.value = str(modules[leaf].path);
        updateTree();
        var shown = rows.filter(function (r) { return !r.tr.classList.contains('hidden'); }).length;
        expect('search_filters', shown >= 1 && shown <= n, shown + '/' + n);
        search.value = '';
        updateTree();
        var withTensors = -1;
        for (var k = 0; k < n && withTensors < 0; k++)
          if (!hasChildren[k] && tensors.some(function (t) { return t && within(str(t.name), str(modules[k].path)) && modules[k].path; })) withTensors = k;
        if (withTensors >= 0) {
          rows[withTensors].tr.click();
          expect('tensor_stats', details.querySelectorAll('.tensor').length > 0, details.querySelectorAll('.tensor').length);
        }
      }
      var figures = Array.prototype.slice.call(document.querySelectorAll('figure.plot'));
      var rendered = 0, broken = [];
      figures.forEach(function (f) {
        var svg = f.querySelector('svg');
        var box = svg ? svg.getBoundingClientRect() : null, content = null;
        try { content = svg ? svg.getBBox() : null; } catch (e) { content = null; }
        if (box && box.width > 0 && box.height > 0 && content && content.width > 0 && content.height > 0 &&
            svg.querySelectorAll('rect,path,circle,polyline,polygon,line,text').length > 3) rendered++;
        else broken.push(f.getAttribute('data-plot'));
      });
      expect('plots_rendered', figures.length > 0 && broken.length === 0, rendered + '/' + figures.length);
      if (broken.length) checks.broken_plots = broken;
      buttons.forEach(function (b) {
        var section = document.getElementById('tab-' + b.getAttribute('data-tab'));
        if (!section) failures.push('tab ' + b.getAttribute('data-tab'));
      });
      checks.tabs = buttons.length;
      if (graphView) graphView.selftest(expect, checks);
      else expect('graph_view_loaded', !document.getElementById('graph-view'), 'missing');
      // Op names in the module details must not wrap letter by letter (a 1400 px window).
      var narrow = 0;
      document.querySelectorAll('#details td.op').forEach(function (td) { if (td.getBoundingClientRect().width < 40) narrow++; });
      expect('op_column_readable', narrow === 0, narrow);
    } catch (e) {
      errors.push('selftest: ' + e.message);
    }
    var verdict = { ok: failures.length === 0 && errors.length === 0, failures: failures, errors: errors, checks: checks };
    var pre = document.createElement('pre');
    pre.id = 'selftest-verdict';
    pre.textContent = JSON.stringify(verdict);
    document.body.appendChild(pre);
    document.title = 'selftest:' + (verdict.ok ? 'ok' : 'failed');
  }
  if (selftest) runSelftest();
})();
