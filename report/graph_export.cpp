#include "report/graph_export.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include "report/format.h"
#include "report/svg.h"

namespace ptscope {

using graph::Graph;
using graph::Node;
using graph::Value;

namespace {

std::string short_op(const std::string& op) {
  const size_t colons = op.find("::");
  std::string base = colons == std::string::npos ? op : op.substr(colons + 2);
  base = base.substr(0, base.find('.'));
  if (colons != std::string::npos && op.compare(0, colons, "aten") != 0) return op.substr(0, colons) + "::" + base;
  return base;
}

std::string shape_label(const graph::TensorMeta& m) {
  return format_shape_dims(m.shape, "scalar") + " " + std::string(dtype_name(m.dtype));
}

// Light yellow → dark red by log FLOPs; grey for ops without FLOPs.
std::string colour(double t) {
  static const int ramp[5][3] = {{255, 247, 236}, {253, 212, 158}, {252, 141, 89}, {215, 48, 31}, {127, 0, 0}};
  t = std::clamp(t, 0.0, 1.0) * 4;
  const int i = std::min(3, int(t));
  const double f = t - i;
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", int(ramp[i][0] + (ramp[i + 1][0] - ramp[i][0]) * f),
                int(ramp[i][1] + (ramp[i + 1][1] - ramp[i][1]) * f), int(ramp[i][2] + (ramp[i + 1][2] - ramp[i][2]) * f));
  return buf;
}

struct Shading {
  double lo = 0, hi = 0;
  explicit Shading(const Graph& g) {
    lo = INFINITY;
    for (const Node& n : g.nodes) {
      const double f = n.cost.flops + n.cost.extended_flops;
      if (f > 0) lo = std::min(lo, f), hi = std::max(hi, f);
    }
  }
  // Fraction along the ramp, or -1 when the op has no FLOPs.
  double operator()(const Node& n) const {
    const double f = n.cost.flops + n.cost.extended_flops;
    if (!(f > 0) || !(hi > 0)) return -1;
    if (hi <= lo) return 1;
    return std::log(f / lo) / std::log(hi / lo);
  }
};

// One edge per (producer, consumer, value); graph inputs are drawn as their own nodes.
struct Edge {
  int from, to;  // node index, or -(input position + 1) for a graph input
  int value;
};
std::vector<Edge> graph_edges(const Graph& g) {
  std::map<int, int> input_pos;
  for (size_t k = 0; k < g.inputs.size(); ++k) input_pos[g.inputs[k]] = int(k);
  std::vector<Edge> out;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    std::set<int> seen;
    for (int id : g.nodes[i].inputs) {
      if (id < 0 || size_t(id) >= g.values.size() || !seen.insert(id).second) continue;
      const Value& v = g.values[size_t(id)];
      if (v.producer >= 0 && size_t(v.producer) != i) out.push_back({v.producer, int(i), id});
      else if (v.kind == Value::Kind::input && input_pos.count(id)) out.push_back({-(input_pos[id] + 1), int(i), id});
    }
  }
  return out;
}

std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

}  // namespace

LayoutResult layered_layout(const LayoutInput& in, double gap) {
  const size_t n = in.width.size();
  std::vector<std::vector<int>> preds(n), succs(n);
  for (const auto& [a, b] : in.edges)
    if (a >= 0 && b >= 0 && size_t(a) < n && size_t(b) < n && a < b) preds[size_t(b)].push_back(a), succs[size_t(a)].push_back(b);
  LayoutResult r;
  r.layer.assign(n, 0);
  for (size_t v = 0; v < n; ++v)
    for (int p : preds[v]) r.layer[v] = std::max(r.layer[v], r.layer[size_t(p)] + 1);
  for (size_t v = n; v-- > 0;) {
    if (!preds[v].empty() || succs[v].empty()) continue;
    int lo = INT32_MAX;
    for (int s : succs[v]) lo = std::min(lo, r.layer[size_t(s)]);
    r.layer[v] = std::max(0, lo - 1);
  }
  for (int l : r.layer) r.layers = std::max(r.layers, l + 1);
  std::vector<std::vector<int>> layers(size_t(r.layers));
  for (size_t v = 0; v < n; ++v) layers[size_t(r.layer[v])].push_back(int(v));
  std::vector<double> pos(n);
  for (auto& L : layers)
    for (size_t k = 0; k < L.size(); ++k) pos[size_t(L[k])] = double(k);
  auto sweep = [&](std::vector<int>& L, const std::vector<std::vector<int>>& nb) {
    std::vector<std::pair<double, int>> key;
    for (size_t k = 0; k < L.size(); ++k) {
      const auto& list = nb[size_t(L[k])];
      double s = 0;
      for (int q : list) s += pos[size_t(q)];
      key.push_back({list.empty() ? pos[size_t(L[k])] : s / double(list.size()), int(k)});
    }
    std::stable_sort(key.begin(), key.end());
    std::vector<int> sorted;
    for (const auto& [kv, k] : key) sorted.push_back(L[size_t(k)]);
    L = sorted;
    for (size_t k = 0; k < L.size(); ++k) pos[size_t(L[k])] = double(k);
  };
  for (int round = 0; round < 4; ++round) {
    for (size_t d = 1; d < layers.size(); ++d) sweep(layers[d], preds);
    for (size_t d = layers.size(); d-- > 1;) sweep(layers[d - 1], succs);
  }
  r.x.assign(n, 0);
  for (auto& L : layers) {
    double cur = 0;
    for (int v : L) r.x[size_t(v)] = cur + in.width[size_t(v)] / 2, cur += in.width[size_t(v)] + gap;
  }
  auto place = [&](const std::vector<int>& L, const std::vector<std::vector<int>>& nb) {
    if (L.empty()) return;
    std::vector<double> want(L.size());
    for (size_t k = 0; k < L.size(); ++k) {
      const auto& list = nb[size_t(L[k])];
      double s = 0;
      for (int q : list) s += r.x[size_t(q)];
      want[k] = list.empty() ? r.x[size_t(L[k])] : s / double(list.size());
    }
    auto sep = [&](size_t a, size_t b) { return (in.width[size_t(L[a])] + in.width[size_t(L[b])]) / 2 + gap; };
    std::vector<double> left = want, right = want;
    for (size_t k = 1; k < L.size(); ++k) left[k] = std::max(left[k], left[k - 1] + sep(k - 1, k));
    for (size_t k = L.size() - 1; k-- > 0;) right[k] = std::min(right[k], right[k + 1] - sep(k, k + 1));
    for (size_t k = 0; k < L.size(); ++k) r.x[size_t(L[k])] = (left[k] + right[k]) / 2;
    for (size_t k = 1; k < L.size(); ++k) r.x[size_t(L[k])] = std::max(r.x[size_t(L[k])], r.x[size_t(L[k - 1])] + sep(k - 1, k));
  };
  for (int round = 0; round < 3; ++round) {
    for (size_t d = 1; d < layers.size(); ++d) place(layers[d], preds);
    for (size_t d = layers.size(); d-- > 1;) place(layers[d - 1], succs);
  }
  double lo = INFINITY, hi = -INFINITY;
  for (size_t v = 0; v < n; ++v) lo = std::min(lo, r.x[v] - in.width[v] / 2), hi = std::max(hi, r.x[v] + in.width[v] / 2);
  if (n == 0) lo = hi = 0;
  for (double& x : r.x) x -= lo;
  r.width = hi - lo;
  return r;
}

std::string graph_dot(const GraphReport& report) {
  const Graph& g = *report.graph;
  const Shading shade(g);
  std::string out = "digraph ptscope {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", "
                    "fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=8, color=\"#9ca3af\"];\n";
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    const Value& v = g.values[size_t(g.inputs[k])];
    out += "  in" + std::to_string(k) + " [shape=ellipse, fillcolor=\"#dcfce7\", label=" +
           dot_quote("input " + (v.name.empty() ? std::to_string(k) : v.name) + "\n" + shape_label(v.meta)) + "];\n";
  }
  // Module scopes as nested clusters: a tree of scope paths holding their nodes.
  struct Cluster {
    std::map<std::string, Cluster> children;
    std::vector<size_t> nodes;
  };
  Cluster top;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Cluster* c = &top;
    const std::string& scope = g.nodes[i].scope;
    size_t start = 0;
    while (!scope.empty() && start <= scope.size()) {
      size_t dot = scope.find('.', start);
      if (dot == std::string::npos) dot = scope.size();
      c = &c->children[scope.substr(0, dot)];
      start = dot + 1;
    }
    c->nodes.push_back(i);
  }
  int cluster_id = 0;
  auto emit = [&](auto&& self, const Cluster& c, const std::string& indent) -> void {
    for (size_t i : c.nodes) {
      const Node& n = g.nodes[i];
      const double t = shade(n);
      std::string label = short_op(n.op);
      if (!n.outputs.empty()) label += "\n" + shape_label(g.values[size_t(n.outputs[0])].meta);
      if (n.cost.flops + n.cost.extended_flops > 0) label += "\n" + format_count(n.cost.flops + n.cost.extended_flops) + " FLOP";
      out += indent + "n" + std::to_string(i) + " [label=" + dot_quote(label) + ", tooltip=" +
             dot_quote(n.op + " in " + (n.scope.empty() ? "(root)" : n.scope)) + ", fillcolor=\"" +
             (t < 0 ? std::string("#f3f4f6") : colour(t)) + "\"" + (t > 0.62 ? ", fontcolor=\"white\"" : "") + "];\n";
    }
    for (const auto& [path, child] : c.children) {
      out += indent + "subgraph cluster_" + std::to_string(cluster_id++) + " {\n" + indent + "  label=" +
             dot_quote(path) + "; style=\"rounded,dashed\"; color=\"#4e79a7\"; fontsize=9;\n";
      self(self, child, indent + "  ");
      out += indent + "}\n";
    }
  };
  emit(emit, top, "  ");
  for (const Edge& e : graph_edges(g))
    out += "  " + (e.from < 0 ? "in" + std::to_string(-e.from - 1) : "n" + std::to_string(e.from)) + " -> n" +
           std::to_string(e.to) + " [label=" + dot_quote(shape_label(g.values[size_t(e.value)].meta)) + "];\n";
  return out + "}\n";
}

std::string graph_svg(const GraphReport& report) {
  const Graph& g = *report.graph;
  const Shading shade(g);
  // Layout items: graph inputs first, then the nodes (topological: execution order).
  const size_t inputs = g.inputs.size(), n = inputs + g.nodes.size();
  LayoutInput in;
  std::vector<std::string> label(n), sub(n);
  for (size_t k = 0; k < inputs; ++k) {
    const Value& v = g.values[size_t(g.inputs[k])];
    label[k] = "input " + (v.name.empty() ? std::to_string(k) : v.name);
    sub[k] = shape_label(v.meta);
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    label[inputs + i] = short_op(g.nodes[i].op);
    if (!g.nodes[i].outputs.empty()) sub[inputs + i] = shape_label(g.values[size_t(g.nodes[i].outputs[0])].meta);
  }
  for (size_t k = 0; k < n; ++k)
    in.width.push_back(std::clamp(16 + std::max(7.0 * double(label[k].size()), 6.2 * double(sub[k].size())), 64.0, 280.0));
  const auto edges = graph_edges(g);
  auto item = [&](int v) { return v < 0 ? size_t(-v - 1) : inputs + size_t(v); };
  for (const Edge& e : edges) in.edges.push_back({int(item(e.from)), int(item(e.to))});
  const LayoutResult lay = layered_layout(in);
  const double row = 70, height = 36, margin = 20;
  auto y_of = [&](size_t k) { return margin + lay.layer[k] * row; };
  // Room on the right for the edge labels of the rightmost column.
  const double W = lay.width + 2 * margin + 140, H = lay.layers * row + 2 * margin;
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + svg::num(W) + " " + svg::num(H) +
                    "\" width=\"" + svg::num(W) + "\" height=\"" + svg::num(H) +
                    "\" font-family=\"Helvetica, Arial, sans-serif\">\n<rect x=\"0\" y=\"0\" width=\"" + svg::num(W) + "\" height=\"" +
                    svg::num(H) + "\" fill=\"#ffffff\"/>\n";
  out += "<g fill=\"none\" stroke=\"#9ca3af\" stroke-width=\"1.2\">\n";
  std::string labels = "<g font-size=\"9\" fill=\"#6b7280\" font-family=\"monospace\">\n";
  std::unordered_map<long, std::vector<std::array<double, 3>>> placed;  // by 12 px row: left, right, baseline
  for (const Edge& e : edges) {
    const size_t a = item(e.from), b = item(e.to);
    const double sx = margin + lay.x[a], sy = y_of(a) + height, tx = margin + lay.x[b], ty = y_of(b);
    const double my = (sy + ty) / 2;
    out += "<path d=\"M " + svg::num(sx) + " " + svg::num(sy) + " C " + svg::num(sx) + " " + svg::num(my) + " " +
           svg::num(tx) + " " + svg::num(my) + " " + svg::num(tx) + " " + svg::num(ty) + "\"/>\n";
    // On the curve, on the side the edge comes from; where it would cover an earlier label it
    // slides along the curve (as graph_view.js does), so converging edges keep theirs apart.
    const std::string text = shape_label(g.values[size_t(e.value)].meta);
    const bool from_left = sx < tx - 4;
    const double width = 5.5 * double(text.size()) + 4;
    double lx = 0, ly = 0;
    for (double u : {0.5, 0.3, 0.7, 0.18, 0.82}) {
      const double a0 = (1 - u) * (1 - u) * (1 - u), a1 = 3 * (1 - u) * (1 - u) * u, a2 = 3 * (1 - u) * u * u,
                   a3 = u * u * u;
      lx = (a0 + a1) * sx + (a2 + a3) * tx + (from_left ? -4 : 4);
      ly = a0 * sy + (a1 + a2) * my + a3 * ty + 3;
      const double left = from_left ? lx - width : lx, right = from_left ? lx : lx + width;
      bool clash = false;
      const long row = std::lround(ly / 12);
      for (long r = row - 1; r <= row + 1 && !clash; ++r)
        if (auto it = placed.find(r); it != placed.end())
          for (const auto& [l, rr, y] : it->second)
            if (left < rr && l < right && std::fabs(y - ly) < 10) { clash = true; break; }
      if (!clash || u == 0.82) {
        placed[row].push_back({left, right, ly});
        break;
      }
    }
    labels += "<text x=\"" + svg::num(lx) + "\" y=\"" + svg::num(ly) + "\"" + (from_left ? " text-anchor=\"end\"" : "") +
              ">" + svg::escape(text) + "</text>\n";
  }
  out += "</g>\n" + labels + "</g>\n<g font-size=\"11\" text-anchor=\"middle\">\n";
  for (size_t k = 0; k < n; ++k) {
    const double w = in.width[k], x = margin + lay.x[k] - w / 2, y = y_of(k);
    const double t = k < inputs ? -1 : shade(g.nodes[k - inputs]);
    const std::string fill = k < inputs ? "#dcfce7" : t < 0 ? "#f3f4f6" : colour(t);
    const std::string ink = t > 0.62 ? "#ffffff" : "#111827";
    std::string title = k < inputs ? label[k] : g.nodes[k - inputs].op + " in " +
                                                    (g.nodes[k - inputs].scope.empty() ? "(root)" : g.nodes[k - inputs].scope);
    out += "<g transform=\"translate(" + svg::num(x) + "," + svg::num(y) + ")\"><title>" + svg::escape(title) +
           "</title><rect width=\"" + svg::num(w) + "\" height=\"" + svg::num(height) + "\" rx=\"6\" fill=\"" + fill +
           "\" stroke=\"#9ca3af\"/><text x=\"" + svg::num(w / 2) + "\" y=\"15\" fill=\"" + ink + "\">" +
           svg::escape(label[k]) + "</text><text x=\"" + svg::num(w / 2) + "\" y=\"29\" font-size=\"9\" fill=\"" + ink +
           "\" font-family=\"monospace\">" + svg::escape(sub[k]) + "</text></g>\n";
  }
  return out + "</g>\n</svg>\n";
}

}  // namespace ptscope
