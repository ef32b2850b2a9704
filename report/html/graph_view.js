// ptscope HTML report: the graph view. The op DAG of nodes[] (edges from
// nodes[].inputs[].from, each labelled with its value's shape and dtype), laid
// out here in layers (longest path from the inputs, barycentre ordering, then
// x positions pulled towards each node's neighbours), drawn as one SVG string.
// Module scopes are groups: a collapsed group is one box summing its ops; above
// kCollapseAbove ops the view starts collapsed at the deepest module level that
// keeps at most kCollapseAbove boxes. Nodes are coloured by a chosen cost.
// viewer.js calls window.ptscopeGraphView(api) with its helpers; the returned
// object runs the graph part of #selftest. Plain ES2017, no dependencies.
window.ptscopeGraphView = function (api) {
  'use strict';
  var root = document.getElementById('graph-view');
  if (!root) return null;
  var num = api.num, arr = api.arr, obj = api.obj, str = api.str, el = api.el;
  var kCollapseAbove = 300;
  var nodes = arr(api.data.nodes).map(obj);
  var N = nodes.length;
  var svg = document.getElementById('graph-svg');
  var viewport = document.getElementById('graph-viewport');
  var details = document.getElementById('graph-details');
  var info = document.getElementById('graph-info');
  var legend = document.getElementById('graph-legend');
  var metricSelect = document.getElementById('graph-metric');
  var search = document.getElementById('graph-search');
  if (!N || !svg || !viewport) {
    if (info) info.textContent = 'No graph in this analysis.';
    return { selftest: function (expect) { expect('graph_empty_ok', true, 0); } };
  }

  // ---------- text ----------
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'; });
  }
  var dtypeShort = { float32: 'f32', float16: 'f16', bfloat16: 'bf16', float64: 'f64', int64: 'i64', int32: 'i32',
    int8: 'i8', uint8: 'u8', bool: 'bool', qint8: 'qi8', quint8: 'qu8', qint32: 'qi32' };
  function shapeLabel(t) {
    t = obj(t);
    var s = Array.isArray(t.shape) ? api.compactShape(t.shape) : '?';  // "1x3x224x224", as the text reports write it
    var d = str(t.dtype);
    return s + (d ? ' ' + (dtypeShort[d] || d) : '');
  }
  function opLabel(op) {
    op = str(op);
    var i = op.indexOf('::');
    var base = i >= 0 ? op.slice(i + 2) : op;
    return (i >= 0 && op.slice(0, i) !== 'aten' ? op.slice(0, i) + '::' : '') + base.split('.')[0];
  }

  // ---------- module groups ----------
  var groupOps = Object.create(null), groupMembers = Object.create(null), groupDepth = Object.create(null);
  var prefixes = new Array(N);
  nodes.forEach(function (nd, i) {
    var scope = str(nd.scope), list = [];
    if (scope) {
      var parts = scope.split('.'), p = '';
      for (var k = 0; k < parts.length; k++) {
        p = k ? p + '.' + parts[k] : parts[k];
        list.push(p);
        groupOps[p] = (groupOps[p] || 0) + 1;
        (groupMembers[p] = groupMembers[p] || []).push(i);
        groupDepth[p] = k + 1;
      }
    }
    prefixes[i] = list;
  });
  // A group of one op is never collapsed: the op itself is clearer.
  function collapsible(p) { return (groupOps[p] || 0) >= 2; }
  var expanded = Object.create(null);
  var maxDepth = 0;
  Object.keys(groupDepth).forEach(function (p) { if (groupDepth[p] > maxDepth) maxDepth = groupDepth[p]; });
  function visibleCountAt(depth) {
    var seen = Object.create(null), count = 0;
    for (var i = 0; i < N; i++) {
      var key = 'n' + i, list = prefixes[i];
      for (var k = 0; k < list.length; k++)
        if (groupDepth[list[k]] > depth && collapsible(list[k])) { key = 'g' + list[k]; break; }
      if (!seen[key]) { seen[key] = true; count++; }
    }
    return count;
  }
  function setDepth(depth) { Object.keys(groupDepth).forEach(function (p) { expanded[p] = groupDepth[p] <= depth; }); }
  var initialDepth = maxDepth;
  if (N > kCollapseAbove) {
    initialDepth = 0;
    for (var dd = maxDepth; dd >= 0; dd--) if (visibleCountAt(dd) <= kCollapseAbove) { initialDepth = dd; break; }
  }
  setDepth(initialDepth);

  // The visible item a node belongs to: its outermost collapsed group, else itself.
  function repOf(i) {
    var list = prefixes[i];
    for (var k = 0; k < list.length; k++) if (!expanded[list[k]] && collapsible(list[k])) return 'g' + list[k];
    return 'n' + i;
  }

  // ---------- metrics ----------
  var metrics = {
    flops: { label: 'FLOPs', get: function (nd) { return (num(nd.flops) || 0) + (num(nd.extended_flops) || 0); }, fmt: api.fmtFlops, sum: true },
    bytes: { label: 'bytes moved', get: function (nd) { return (num(nd.bytes_read) || 0) + (num(nd.bytes_written) || 0); }, fmt: api.fmtBytes, sum: true },
    time: { label: 'measured time', get: function (nd) { return num(nd.time_us); }, fmt: api.fmtTime, sum: true },
    live: { label: 'live memory', get: function (nd) { return num(nd.live_bytes); }, fmt: api.fmtBytes, sum: false },
    params: { label: 'parameters', get: function (nd) { return num(nd.params); }, fmt: api.fmtCount, sum: true }
  };
  var hasTime = nodes.some(function (nd) { return isFinite(num(nd.time_us)); });
  if (metricSelect && !hasTime) {
    var opt = metricSelect.querySelector('option[value=time]');
    if (opt) { opt.disabled = true; opt.textContent += ' (not profiled)'; }
  }
  function metricName() { return metricSelect && metrics[metricSelect.value] ? metricSelect.value : 'flops'; }
  // Light yellow → dark red; text turns white on the dark end.
  var ramp = [[255, 247, 236], [253, 212, 158], [252, 141, 89], [215, 48, 31], [127, 0, 0]];
  function colour(t) {
    t = Math.max(0, Math.min(1, t)) * (ramp.length - 1);
    var i = Math.min(ramp.length - 2, Math.floor(t)), f = t - i, a = ramp[i], b = ramp[i + 1];
    return 'rgb(' + [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * f); }).join(',') + ')';
  }

  // ---------- building the visible graph ----------
  var items = [], itemIndex = Object.create(null), edges = [], layout = null;
  function build() {
    items = [];
    itemIndex = Object.create(null);
    edges = [];
    function item(key, make) {
      if (itemIndex[key] === undefined) { itemIndex[key] = items.length; items.push(make()); }
      return itemIndex[key];
    }
    var reps = new Array(N);
    for (var i = 0; i < N; i++) reps[i] = repOf(i);
    var edgeSeen = Object.create(null);
    var metric = metrics[metricName()];
    for (var j = 0; j < N; j++) {
      var nd = nodes[j], key = reps[j];
      var ins = arr(nd.inputs);
      // Graph inputs first so that they are laid out above their consumers.
      for (var k = 0; k < ins.length; k++) {
        var src = obj(ins[k]);
        if (str(src.kind) !== 'input') continue;
        var ik = 'i' + str(src.name);
        item(ik, function () { return { key: ik, type: 'input', label: str(src.name) || 'input', sub: shapeLabel(src), members: [] }; });
      }
      var t = item(key, function () {
        if (key.charAt(0) === 'g') {
          var path = key.slice(1);
          return { key: key, type: 'group', path: path, label: path, sub: groupOps[path] + ' ops', members: [] };
        }
        return { key: key, type: 'op', index: j, label: opLabel(nd.op), sub: arr(nd.outputs).length ? shapeLabel(arr(nd.outputs)[0]) : '', members: [] };
      });
      var it = items[t];
      it.members.push(j);
      var v = metric.get(nd);
      if (isFinite(v)) it.metric = it.metric === undefined ? v : (metric.sum ? it.metric + v : Math.max(it.metric, v));
      for (var m = 0; m < ins.length; m++) {
        var s = obj(ins[m]), from = num(s.from), srcKey;
        if (isFinite(from) && from >= 0 && from < N && from !== j) srcKey = reps[from];
        else if (str(s.kind) === 'input') srcKey = 'i' + str(s.name);
        else continue;
        if (srcKey === key) continue;
        // Between two ops: one edge per value; into or out of a group: one edge per pair.
        var ek = srcKey + '>' + key + (srcKey.charAt(0) === 'n' && key.charAt(0) === 'n' ? '#' + str(s.value) : '');
        if (edgeSeen[ek]) continue;
        edgeSeen[ek] = true;
        edges.push({ from: srcKey, to: key, label: shapeLabel(s) });
      }
    }
    edges.forEach(function (e) { e.a = itemIndex[e.from]; e.b = itemIndex[e.to]; });
  }

  // ---------- layout ----------
  var kRow = 70, kGap = 26, kHeight = 36;
  function itemWidth(it) {
    return Math.max(64, Math.min(280, 16 + Math.max(it.label.length * 7, it.sub.length * 6.2)));
  }
  function computeLayout() {
    var n = items.length, preds = [], succs = [];
    for (var i = 0; i < n; i++) { preds.push([]); succs.push([]); }
    edges.forEach(function (e) {
      if (e.a === undefined || e.b === undefined) return;
      // Items are numbered in execution order of their first op: an edge to an earlier item
      // (a group entered twice) is a back edge and does not constrain the layers.
      if (e.a < e.b) { preds[e.b].push(e.a); succs[e.a].push(e.b); }
    });
    var layer = new Array(n);
    for (var a = 0; a < n; a++) {
      var l = 0;
      for (var p = 0; p < preds[a].length; p++) l = Math.max(l, layer[preds[a][p]] + 1);
      layer[a] = l;
    }
    // Sources (constants, aranges, inputs) sit just above their first consumer.
    for (var b = n - 1; b >= 0; b--) {
      if (preds[b].length || !succs[b].length) continue;
      var lo = Infinity;
      succs[b].forEach(function (s) { lo = Math.min(lo, layer[s]); });
      layer[b] = Math.max(0, lo - 1);
    }
    var layers = [];
    for (var c = 0; c < n; c++) (layers[layer[c]] = layers[layer[c]] || []).push(c);
    for (var li = 0; li < layers.length; li++) layers[li] = layers[li] || [];
    var pos = new Array(n);
    layers.forEach(function (L) { L.forEach(function (x, k) { pos[x] = k; }); });
    function sweep(L, neighbours) {
      var key = new Array(L.length);
      L.forEach(function (x, k) {
        var nb = neighbours[x], s = 0;
        for (var q = 0; q < nb.length; q++) s += pos[nb[q]];
        key[k] = nb.length ? s / nb.length : pos[x];
      });
      var order = L.map(function (x, k) { return k; });
      order.sort(function (u, v) { return key[u] - key[v] || u - v; });
      var sorted = order.map(function (k) { return L[k]; });
      sorted.forEach(function (x, k) { pos[x] = k; L[k] = x; });
    }
    for (var round = 0; round < 4; round++) {
      for (var d = 1; d < layers.length; d++) sweep(layers[d], preds);
      for (var u = layers.length - 2; u >= 0; u--) sweep(layers[u], succs);
    }
    var w = items.map(itemWidth), x = new Array(n);
    layers.forEach(function (L) {
      var cur = 0;
      L.forEach(function (v) { x[v] = cur + w[v] / 2; cur += w[v] + kGap; });
    });
    // Pull each node towards the mean of its neighbours, keeping the layer's order and gaps.
    function place(L, neighbours) {
      if (!L.length) return;
      var want = L.map(function (v) {
        var nb = neighbours[v];
        if (!nb.length) return x[v];
        var s = 0;
        for (var q = 0; q < nb.length; q++) s += x[nb[q]];
        return s / nb.length;
      });
      var left = want.slice(), right = want.slice();
      for (var k = 1; k < L.length; k++) left[k] = Math.max(left[k], left[k - 1] + (w[L[k - 1]] + w[L[k]]) / 2 + kGap);
      for (var r = L.length - 2; r >= 0; r--) right[r] = Math.min(right[r], right[r + 1] - (w[L[r + 1]] + w[L[r]]) / 2 - kGap);
      for (var z = 0; z < L.length; z++) x[L[z]] = (left[z] + right[z]) / 2;
      // The average of two feasible placements can still overlap by rounding: enforce the gaps.
      for (var y = 1; y < L.length; y++) x[L[y]] = Math.max(x[L[y]], x[L[y - 1]] + (w[L[y - 1]] + w[L[y]]) / 2 + kGap);
    }
    for (var it2 = 0; it2 < 3; it2++) {
      for (var d2 = 1; d2 < layers.length; d2++) place(layers[d2], preds);
      for (var u2 = layers.length - 2; u2 >= 0; u2--) place(layers[u2], succs);
    }
    var minX = Infinity, maxX = -Infinity;
    for (var v2 = 0; v2 < n; v2++) { minX = Math.min(minX, x[v2] - w[v2] / 2); maxX = Math.max(maxX, x[v2] + w[v2] / 2); }
    for (var v3 = 0; v3 < n; v3++) x[v3] -= minX - 20;
    return { x: x, y: layer.map(function (l) { return 20 + l * kRow; }), w: w, width: maxX - minX + 40, height: layers.length * kRow + 40 };
  }

  // ---------- drawing ----------
  var view = { k: 1, tx: 0, ty: 0 }, selected = null, matches = [], matchCursor = -1;
  function applyView() {
    var g = svg.querySelector('#graph-root');
    if (g) g.setAttribute('transform', 'translate(' + view.tx.toFixed(1) + ',' + view.ty.toFixed(1) + ') scale(' + view.k.toFixed(4) + ')');
    svg.classList.toggle('far', view.k < 0.45);
  }
  function render() {
    var t0 = performance.now();
    build();
    layout = computeLayout();
    var metric = metrics[metricName()], lo = Infinity, hi = 0;
    items.forEach(function (it) { if (it.metric > 0) { lo = Math.min(lo, it.metric); hi = Math.max(hi, it.metric); } });
    var logScale = hi > 0 && hi / lo > 20;
    function shade(v) {
      if (!(v > 0) || !(hi > 0)) return null;
      if (hi === lo) return 1;
      return logScale ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo);
    }
    var q = search ? search.value.trim().toLowerCase() : '';
    matches = [];
    // Placed labels by 12 px row: [left, right] spans, for the overlap test.
    var rows = Object.create(null);
    function span(x, w, anchor) { return anchor === 'end' ? [x - w, x] : [x, x + w]; }
    function labelClash(x, y, w, anchor) {
      var sp = span(x, w, anchor), r = Math.round(y / 12);
      for (var dr = -1; dr <= 1; dr++) {
        var list = rows[r + dr];
        if (!list) continue;
        for (var q = 0; q < list.length; q++)
          if (sp[0] < list[q][1] && list[q][0] < sp[1] && Math.abs(list[q][2] - y) < 11) return true;
      }
      return false;
    }
    function labelPlace(x, y, w, anchor) {
      var sp = span(x, w, anchor), r = Math.round(y / 12);
      (rows[r] = rows[r] || []).push([sp[0], sp[1], y]);
    }
    var out = ['<g id="graph-root">', '<g class="edges">'];
    var labels = ['<g class="elabels">'];
    edges.forEach(function (e, k) {
      if (e.a === undefined || e.b === undefined) return;
      var sx = layout.x[e.a], sy = layout.y[e.a] + kHeight, tx = layout.x[e.b], ty = layout.y[e.b];
      var d, back = ty <= sy;
      if (!back) {
        var my = (sy + ty) / 2;
        d = 'M' + sx.toFixed(1) + ',' + sy + ' C' + sx.toFixed(1) + ',' + my + ' ' + tx.toFixed(1) + ',' + my + ' ' + tx.toFixed(1) + ',' + ty;
      } else {  // back edge: loop out to the right
        var bx = Math.max(sx, tx) + 80;
        d = 'M' + sx.toFixed(1) + ',' + sy + ' C' + bx + ',' + (sy + 40) + ' ' + bx + ',' + (ty - 40) + ' ' + tx.toFixed(1) + ',' + ty;
      }
      out.push('<path class="edge' + (back ? ' back' : '') + '" data-edge="' + k + '" d="' + d + '"/>');
      // The label sits on the curve, on the side the edge comes from; where it would cover an
      // earlier label it slides along the curve (converging and fanning edges keep apart).
      var lx, ly, anchor = 'start';
      if (back) { lx = Math.max(sx, tx) + 64; ly = (sy + ty) / 2; }
      else {
        var lw = e.label.length * 6.1 + 4, my2 = (sy + ty) / 2, tries = [0.5, 0.3, 0.7, 0.18, 0.82];
        if (sx < tx - 4) anchor = 'end';
        for (var ti = 0; ti < tries.length; ti++) {
          var u = tries[ti], a0 = (1 - u) * (1 - u) * (1 - u), a1 = 3 * (1 - u) * (1 - u) * u, a2 = 3 * (1 - u) * u * u, a3 = u * u * u;
          lx = (a0 + a1) * sx + (a2 + a3) * tx + (anchor === 'end' ? -4 : 4);
          ly = a0 * sy + (a1 + a2) * my2 + a3 * ty + 3;
          if (!labelClash(lx, ly, lw, anchor) || ti === tries.length - 1) break;
        }
        labelPlace(lx, ly, lw, anchor);
      }
      labels.push('<text class="elabel" x="' + lx.toFixed(1) + '" y="' + ly.toFixed(1) + '"' +
        (anchor === 'end' ? ' text-anchor="end"' : '') + '>' + esc(e.label) + '</text>');
    });
    out.push('</g>');
    labels.push('</g>');
    out.push(labels.join(''));
    out.push('<g class="gnodes">');
    items.forEach(function (it, k) {
      var w = layout.w[k], x = layout.x[k] - w / 2, y = layout.y[k];
      var s = shade(it.metric), fill = s === null ? '#f3f4f6' : colour(s), ink = s !== null && s > 0.62 ? '#ffffff' : '#111827';
      var hit = false;
      if (q) {
        if (it.type === 'group') hit = it.path.toLowerCase().indexOf(q) >= 0 || it.members.some(function (m) { return memberMatches(m, q); });
        else if (it.type === 'op') hit = memberMatches(it.index, q);
        else hit = it.label.toLowerCase().indexOf(q) >= 0;
        if (hit) matches.push(k);
      }
      var cls = 'gnode ' + it.type + (hit ? ' match' : '') + (selected === it.key ? ' selected' : '');
      var attrs = it.type === 'op' ? ' data-node="' + it.index + '"' : it.type === 'group' ? ' data-group="' + esc(it.path) + '"' : ' data-input="' + esc(it.label) + '"';
      var title = it.type === 'op' ? str(nodes[it.index].op) + ' \u2014 ' + (str(nodes[it.index].scope) || '(root)') : it.type === 'group' ? it.path + ' (' + it.members.length + ' ops, click to expand)' : 'input ' + it.label;
      title += it.metric !== undefined ? '\n' + metric.label + ': ' + metric.fmt(it.metric) : '';
      out.push('<g class="' + cls + '" data-key="' + esc(it.key) + '"' + attrs + ' transform="translate(' + x.toFixed(1) + ',' + y + ')">' +
        '<title>' + esc(title) + '</title>' +
        '<rect width="' + w.toFixed(1) + '" height="' + kHeight + '" rx="' + (it.type === 'group' ? 2 : it.type === 'input' ? 18 : 6) + '" fill="' + fill + '"/>' +
        '<text x="' + (w / 2).toFixed(1) + '" y="15" fill="' + ink + '">' + esc((it.type === 'group' ? '\u25b8 ' : '') + truncate(it.label, w)) + '</text>' +
        '<text class="sub" x="' + (w / 2).toFixed(1) + '" y="29" fill="' + ink + '">' + esc(truncate(it.sub, w)) + '</text></g>');
    });
    out.push('</g></g>');
    svg.innerHTML = out.join('');
    applyView();
    drawLegend(metric, lo, hi, logScale);
    var ops = items.filter(function (it) { return it.type === 'op'; }).length;
    var groups = items.length - ops - items.filter(function (it) { return it.type === 'input'; }).length;
    if (info) info.textContent = N + ' ops \u00b7 showing ' + ops + ' ops, ' + groups + ' collapsed groups, ' + edges.length + ' edges' +
      (q ? ' \u00b7 ' + matches.length + ' match' + (matches.length === 1 ? '' : 'es') : '');
    lastRenderMs = performance.now() - t0;
  }
  var lastRenderMs = 0;
  function truncate(s, w) {
    var max = Math.max(4, Math.floor((w - 8) / 6.1));
    return s.length > max ? s.slice(0, max - 1) + '\u2026' : s;
  }
  function memberMatches(i, q) {
    var nd = nodes[i];
    return (str(nd.op) + ' ' + str(nd.scope) + ' ' + str(nd.scope_class)).toLowerCase().indexOf(q) >= 0;
  }
  function drawLegend(metric, lo, hi, logScale) {
    if (!legend) return;
    legend.innerHTML = '';
    if (!(hi > 0)) { legend.appendChild(el('span', { cls: 'muted', text: 'no ' + metric.label + ' in this graph' })); return; }
    var stops = [];
    for (var k = 0; k <= 8; k++) stops.push(colour(k / 8) + ' ' + (k * 12.5) + '%');
    var bar = el('span', { cls: 'ramp' });
    bar.style.background = 'linear-gradient(to right, ' + stops.join(', ') + ')';
    legend.appendChild(el('span', { text: metric.label + (metric.sum ? '' : ' (group: max)') + ': ' }));
    legend.appendChild(el('span', { cls: 'lo', text: metric.fmt(lo) }));
    legend.appendChild(bar);
    legend.appendChild(el('span', { cls: 'hi', text: metric.fmt(hi) + (logScale ? ' (log scale)' : '') }));
    var none = el('span', { cls: 'none-swatch' });
    legend.appendChild(none);
    legend.appendChild(el('span', { cls: 'muted', text: 'none' }));
  }

  // ---------- details ----------
  function kvList(pairs) {
    var dl = el('dl', { cls: 'kv' });
    pairs.forEach(function (p) {
      if (p[1] === '' || p[1] === undefined || p[1] === 'n/a') return;
      dl.appendChild(el('dt', { text: p[0] }));
      dl.appendChild(el('dd', { text: p[1] }));
    });
    return dl;
  }
  function showDetails(it) {
    if (!details) return;
    details.innerHTML = '';
    if (it.type === 'input') {
      details.appendChild(el('h3', { text: 'input ' + it.label }));
      details.appendChild(kvList([['shape', it.sub]]));
      return;
    }
    if (it.type === 'group') {
      var sum = function (f) { var s = 0; it.members.forEach(function (m) { s += num(nodes[m][f]) || 0; }); return s; };
      details.appendChild(el('h3', { text: it.path }));
      details.appendChild(el('p', { cls: 'muted', text: 'module group (collapsed)' }));
      details.appendChild(kvList([['ops', String(it.members.length)], ['FLOPs', api.fmtFlops(sum('flops') + sum('extended_flops'))],
        ['MACs', api.fmtCount(sum('macs'))], ['bytes moved', api.fmtBytes(sum('bytes_read') + sum('bytes_written'))],
        ['parameters read', api.fmtCount(sum('params'))], ['time', hasTime ? api.fmtTime(sum('time_us')) : '']]));
      details.appendChild(button('Expand', function () { expand(it.path); }));
      return;
    }
    var nd = nodes[it.index];
    details.appendChild(el('h3', { text: str(nd.op) }));
    details.appendChild(el('p', { cls: 'muted', text: (str(nd.scope) || '(root)') + (nd.scope_class ? ' \u00b7 ' + str(nd.scope_class) : '') + ' \u00b7 node ' + it.index }));
    details.appendChild(kvList([
      ['category', str(nd.category)], ['FLOPs', api.fmtFlops(nd.flops)], ['MACs', api.fmtCount(nd.macs)],
      ['extended FLOPs', api.fmtFlops(nd.extended_flops)],
      ['bytes moved', api.fmtBytes((num(nd.bytes_read) || 0) + (num(nd.bytes_written) || 0))],
      ['intensity', isFinite(num(nd.intensity)) ? api.fmtNum(nd.intensity) + ' FLOP/B' : ''],
      ['live memory', api.fmtBytes(nd.live_bytes)], ['parameters', api.fmtCount(nd.params)],
      ['time', api.fmtTime(nd.time_us)], ['source', str(nd.source)]]));
    var args = obj(nd.args), argPairs = Object.keys(args).map(function (k) { return [k, str(args[k])]; });
    if (argPairs.length) { details.appendChild(el('h4', { text: 'Arguments' })); details.appendChild(kvList(argPairs)); }
    var ins = arr(nd.inputs).map(obj), weights = ins.filter(function (s) { return str(s.kind) === 'parameter'; });
    details.appendChild(el('h4', { text: 'Inputs' }));
    details.appendChild(kvList(ins.map(function (s, k) {
      var from = num(s.from);
      var whence = isFinite(from) ? 'from node ' + from + ' (' + opLabel(obj(nodes[from]).op) + ')' : str(s.kind) + (s.name ? ' ' + str(s.name) : '');
      return ['#' + k, shapeLabel(s) + ' \u2190 ' + whence];
    })));
    if (weights.length) {
      details.appendChild(el('h4', { text: 'Weights' }));
      details.appendChild(kvList(weights.map(function (s) { return [str(s.name), shapeLabel(s)]; })));
    }
    details.appendChild(el('h4', { text: 'Outputs' }));
    details.appendChild(kvList(arr(nd.outputs).map(function (o, k) { return ['#' + k, shapeLabel(o)]; })));
    var owner = null;
    prefixes[it.index].forEach(function (p) { if (collapsible(p) && expanded[p]) owner = p; });
    if (owner) details.appendChild(button('Collapse ' + owner, function () { collapse(owner); }));
  }
  function button(text, onClick) {
    var b = el('button', { type: 'button', text: text });
    b.addEventListener('click', onClick);
    return b;
  }

  // ---------- interaction ----------
  function expand(path) {
    expanded[path] = true;
    // Its sub-groups open too when they are small enough to read at once.
    Object.keys(groupDepth).forEach(function (p) { if (p.indexOf(path + '.') === 0 && groupOps[p] <= 12) expanded[p] = true; });
    render();
  }
  function collapse(path) {
    expanded[path] = false;
    selected = 'g' + path;
    render();
    var k = itemIndex[selected];
    if (k !== undefined) showDetails(items[k]);
  }
  function itemAt(target) {
    var g = target && target.closest ? target.closest('g.gnode') : null;
    if (!g) return null;
    var k = itemIndex[g.getAttribute('data-key')];
    return k === undefined ? null : items[k];
  }
  function select(it) {
    selected = it.key;
    svg.querySelectorAll('g.gnode.selected').forEach(function (g) { g.classList.remove('selected'); });
    var g = svg.querySelector('g.gnode[data-key="' + cssEscape(it.key) + '"]');
    if (g) g.classList.add('selected');
    showDetails(it);
  }
  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&'); }
  svg.addEventListener('click', function (ev) {
    if (dragged) return;
    var it = itemAt(ev.target);
    if (!it) return;
    if (it.type === 'group') { selected = it.key; expand(it.path); var first = 'n' + it.members[0]; var k = itemIndex[first];
      showDetails(k !== undefined ? items[k] : it); return; }
    select(it);
  });
  function centreOn(k) {
    var r = viewport.getBoundingClientRect();
    view.tx = r.width / 2 - layout.x[k] * view.k;
    view.ty = r.height / 2 - (layout.y[k] + kHeight / 2) * view.k;
    applyView();
  }
  function fit() {
    var r = viewport.getBoundingClientRect();
    if (!layout || !r.width) return;
    // Fit the width (never above 1:1); a tall graph starts at its top and scrolls by dragging.
    view.k = Math.max(0.15, Math.min(1, (r.width - 20) / layout.width));
    view.tx = Math.max(10, (r.width - layout.width * view.k) / 2);
    view.ty = 10;
    applyView();
  }
  var dragging = null, dragged = false;
  viewport.addEventListener('mousedown', function (ev) { dragging = { x: ev.clientX, y: ev.clientY, tx: view.tx, ty: view.ty }; dragged = false; });
  window.addEventListener('mousemove', function (ev) {
    if (!dragging) return;
    var dx = ev.clientX - dragging.x, dy = ev.clientY - dragging.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) dragged = true;
    view.tx = dragging.tx + dx;
    view.ty = dragging.ty + dy;
    applyView();
  });
  window.addEventListener('mouseup', function () { dragging = null; setTimeout(function () { dragged = false; }, 0); });
  viewport.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var r = viewport.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
    var k = Math.max(0.05, Math.min(4, view.k * Math.exp(-ev.deltaY * 0.0015)));
    view.tx = mx - (mx - view.tx) * k / view.k;
    view.ty = my - (my - view.ty) * k / view.k;
    view.k = k;
    applyView();
  }, { passive: false });
  function nextMatch() {
    if (!search) return;
    var q = search.value.trim().toLowerCase();
    if (!q) return;
    // The first op (in execution order) after the current one that matches, opening its groups.
    var start = selected && selected.charAt(0) === 'n' ? +selected.slice(1) + 1 : 0;
    for (var s = 0; s < N; s++) {
      var i = (start + s) % N;
      if (!memberMatches(i, q)) continue;
      prefixes[i].forEach(function (p) { expanded[p] = true; });
      selected = 'n' + i;
      render();
      var k = itemIndex[selected];
      if (k !== undefined) { centreOn(k); showDetails(items[k]); }
      return;
    }
  }
  if (search) {
    search.addEventListener('input', render);
    search.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') nextMatch(); });
  }
  if (metricSelect) metricSelect.addEventListener('change', render);
  function on(id, f) { var b = document.getElementById(id); if (b) b.addEventListener('click', f); }
  on('graph-expand', function () { setDepth(maxDepth); render(); fit(); });
  on('graph-collapse', function () { setDepth(initialDepth === maxDepth ? 0 : initialDepth); render(); fit(); });
  on('graph-fit', fit);
  on('graph-next', nextMatch);

  render();
  var fitted = false;
  api.onShow('graph', function () { if (!fitted) { fitted = true; fit(); } });

  return {
    selftest: function (expect, checks) {
      var t0 = performance.now();
      fit();
      var drawnOps = function () { return svg.querySelectorAll('g.gnode.op').length; };
      var drawnGroups = function () { return svg.querySelectorAll('g.gnode.group').length; };
      checks.graph_initial = { ops: drawnOps(), groups: drawnGroups(), collapsed_default: N > kCollapseAbove };
      if (N > kCollapseAbove) expect('graph_collapsed_by_default', drawnGroups() > 0 && drawnOps() + drawnGroups() <= kCollapseAbove + 4,
        drawnOps() + ' ops + ' + drawnGroups() + ' groups');
      // Expand one group by clicking it.
      var g = svg.querySelector('g.gnode.group');
      if (g) {
        var path = g.getAttribute('data-group'), before = drawnOps();
        g.dispatchEvent(new MouseEvent('click', { bubbles: true }));
        var still = svg.querySelector('g.gnode.group[data-group="' + cssEscape(path) + '"]');
        expect('graph_group_expands', !still && drawnOps() > before, path + ': ' + before + ' -> ' + drawnOps() + ' ops');
      }
      // Everything open: one box per op and one edge per value consumed.
      var tExpand = performance.now();
      setDepth(maxDepth);
      render();
      checks.graph_expand_all_ms = Math.round(performance.now() - tExpand);
      var paths = svg.querySelectorAll('path.edge').length, labels = svg.querySelectorAll('text.elabel').length;
      checks.graph_nodes_drawn = drawnOps();
      checks.graph_inputs_drawn = svg.querySelectorAll('g.gnode.input').length;
      checks.graph_edges_drawn = paths;
      expect('graph_all_ops_drawn', drawnOps() === N, drawnOps() + '/' + N);
      expect('graph_edge_labels', labels === paths && paths > 0, labels + '/' + paths);
      var emptyLabel = Array.prototype.some.call(svg.querySelectorAll('text.elabel'), function (t) { return !/\d|scalar/.test(t.textContent); });
      expect('graph_labels_have_shapes', !emptyLabel, !emptyLabel);
      // No two boxes of a layer overlap.
      var overlap = 0, byRow = {};
      items.forEach(function (it, k) { (byRow[layout.y[k]] = byRow[layout.y[k]] || []).push(k); });
      Object.keys(byRow).forEach(function (row) {
        var L = byRow[row].slice().sort(function (a, b) { return layout.x[a] - layout.x[b]; });
        for (var k = 1; k < L.length; k++)
          if (layout.x[L[k]] - layout.w[L[k]] / 2 < layout.x[L[k - 1]] + layout.w[L[k - 1]] / 2 - 0.5) overlap++;
      });
      expect('graph_no_overlap', overlap === 0, overlap);
      // Click the op with the most FLOPs and read its details.
      var best = 0;
      for (var i = 1; i < N; i++) if ((num(nodes[i].flops) || 0) > (num(nodes[best].flops) || 0)) best = i;
      var box = svg.querySelector('g.gnode.op[data-node="' + best + '"]');
      if (box) box.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      var h = details ? details.querySelector('h3') : null;
      var text = details ? details.textContent : '';
      expect('graph_details', !!h && h.textContent === str(nodes[best].op) && text.indexOf('FLOPs') >= 0 && text.indexOf('Inputs') >= 0,
        h ? h.textContent : 'none');
      checks.graph_details_node = best;
      checks.graph_details_text = text.slice(0, 400);
      // Search marks matches.
      if (search) {
        search.value = opLabel(nodes[best].op);
        render();
        expect('graph_search', matches.length > 0, matches.length);
        search.value = '';
        render();
      }
      // The drawing has a size on screen.
      var bb = svg.querySelector('#graph-root').getBBox();
      expect('graph_drawn', bb.width > 0 && bb.height > 0, Math.round(bb.width) + 'x' + Math.round(bb.height));
      checks.graph_selftest_ms = Math.round(performance.now() - t0);
      checks.graph_render_ms = Math.round(lastRenderMs);
      // Leave the screenshot a readable start: the default collapse, fitted.
      setDepth(initialDepth);
      render();
      fit();
    }
  };
};
