#include "report/plots.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "report/charts.h"
#include "report/json_view.h"

namespace ptscope::plots {
namespace {

using charts::Unit;
using nlohmann::json;
namespace jv = json_view;

bool finite(double v) { return std::isfinite(v); }

// Op categories in a fixed order, so a category keeps its colour across plots.
size_t category_index(const std::string& category) {
  static const std::vector<std::string> order = {"conv", "matmul", "attention", "norm", "activation", "pooling",
                                                 "elementwise", "reduction", "shape", "embedding", "other"};
  const auto it = std::find(order.begin(), order.end(), category);
  return it == order.end() ? order.size() - 1 : size_t(it - order.begin());
}
std::vector<std::string> category_names() {
  return {"conv", "matmul", "attention", "norm", "activation", "pooling", "elementwise", "reduction", "shape",
          "embedding", "other"};
}

// Modules without children (pre-order: the next module is not deeper).
std::vector<const json*> leaf_modules(const json& analysis) {
  const auto& modules = jv::array(analysis, "modules");
  std::vector<const json*> leaves;
  for (size_t i = 0; i < modules.size(); ++i) {
    if (!modules[i].is_object()) continue;
    const double depth = jv::number_or(modules[i], "depth", 0);
    const bool has_child = i + 1 < modules.size() && jv::number_or(modules[i + 1], "depth", 0) > depth;
    if (!has_child && modules.size() > 1 && depth > 0) leaves.push_back(&modules[i]);
  }
  return leaves;
}

std::string module_label(const json& m) {
  const std::string path = jv::text(m, "path");
  return path.empty() ? "(model)" : path;
}

// The sweep points along one axis: those where the other axis has the fit's fixed value.
struct Curve {
  std::vector<double> x, y;
  const json* fit = nullptr;
  std::string fixed_note;
};

Curve sweep_curve(const json& analysis, const std::string& variable, const std::string& metric) {
  Curve c;
  const auto& sweep = jv::object(analysis, "sweep");
  const std::string other = variable == "batch" ? "seq" : "batch";
  for (const auto& f : jv::array(sweep, "fits"))
    if (jv::text(f, "variable") == variable && jv::text(f, "metric") == metric) { c.fit = &f; break; }
  double fixed = NAN;
  if (c.fit) fixed = jv::number(jv::object(*c.fit, "fixed"), other);
  const auto& points = jv::array(sweep, "points");
  if (!finite(fixed))  // no fit to say which: the first value the other axis takes
    for (const auto& p : points)
      if (finite(jv::number(p, other))) { fixed = jv::number(p, other); break; }
  if (finite(fixed)) c.fixed_note = other + " = " + svg::format_value(fixed, Unit::plain);
  for (const auto& p : points) {
    const double o = jv::number(p, other);
    if (finite(fixed) && finite(o) && o != fixed) continue;
    const double x = jv::number(p, variable), y = jv::number(p, metric);
    if (finite(x) && finite(y)) c.x.push_back(x), c.y.push_back(y);
  }
  return c;
}

std::string curve_plot(const json& analysis, const std::string& variable, const std::string& title,
                       const std::string& x_label) {
  if (!jv::at(analysis, "sweep").is_object())
    return charts::no_data(title, "no sweep in this analysis (ptscope sweep, or analyze --sweep-batch/--sweep-seq)");
  // Memory is always swept; latency only with --measure.
  charts::LineChart chart{.title = title, .x_label = x_label, .y_label = "memory (weights + activation peak)",
                          .y_unit = Unit::bytes};
  Curve c = sweep_curve(analysis, variable, "memory_bytes");
  chart.series.push_back({.name = "memory", .x = c.x, .y = c.y, .colour = svg::colour(0), .line = false, .markers = true});
  if (c.fit && !c.x.empty()) {
    const std::string best = jv::text(*c.fit, "best", "linear");
    const auto& model = jv::object(*c.fit, best == "quadratic" ? "quadratic" : "linear");
    const double a = jv::number_or(model, "a", NAN), b = jv::number_or(model, "b", NAN), q = jv::number_or(model, "c", 0);
    if (finite(a) && finite(b)) {
      const auto [lo, hi] = std::minmax_element(c.x.begin(), c.x.end());
      charts::LineSeries fit{.name = best + " fit: " + jv::text(model, "equation") + "  (R\xC2\xB2 = " +
                                     svg::format_value(jv::number(model, "r2"), Unit::plain) + ")",
                             .colour = svg::colour(3), .dashed = true};
      for (int i = 0; i <= 60; ++i) {
        const double x = *lo + (*hi - *lo) * i / 60.0;
        fit.x.push_back(x);
        fit.y.push_back(a + b * x + q * x * x);
      }
      chart.series.push_back(std::move(fit));
    }
    chart.note = jv::text(*c.fit, "dominant_term");
  }
  if (!c.fixed_note.empty()) chart.note += (chart.note.empty() ? "" : "; ") + c.fixed_note;
  return charts::render(chart);
}

}  // namespace

std::string layer_distribution(const json& analysis) {
  std::map<std::string, std::pair<double, double>> by_class;  // class → (layers, params)
  for (const json* m : leaf_modules(analysis)) {
    auto& e = by_class[jv::text(*m, "class", "?")];
    e.first += 1;
    e.second += jv::number_or(*m, "params", 0);
  }
  std::vector<std::pair<std::string, std::pair<double, double>>> rows(by_class.begin(), by_class.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  if (rows.size() > 25) rows.resize(25);
  charts::BarChart chart{.title = "Layer distribution (leaf modules by type)", .value_label = "layers", .unit = Unit::count};
  charts::BarSeries s{.name = "layers"};
  for (const auto& [cls, v] : rows) {
    chart.labels.push_back(cls + (v.second > 0 ? "  (" + svg::format_value(v.second, Unit::count) + " params)" : ""));
    s.values.push_back(v.first);
  }
  chart.series.push_back(std::move(s));
  if (rows.empty()) return charts::no_data(chart.title, "no module tree (no graph was built for this file)");
  return charts::render(chart);
}

std::string flop_distribution(const json& analysis) {
  charts::PieChart chart{.title = "FLOPs by operator category", .unit = Unit::flops, .centre_label = "total"};
  const auto& cats = jv::array(analysis, "categories");
  double total = 0;
  for (const auto& c : cats) total += jv::number_or(c, "flops", 0);
  // Without conv/matmul FLOPs (e.g. an elementwise-only model) fall back to the extended count.
  const char* key = total > 0 ? "flops" : "extended_flops";
  for (const auto& c : cats) {
    chart.labels.push_back(jv::text(c, "category", "?"));
    chart.values.push_back(jv::number(c, key));
  }
  return charts::render(chart);
}

std::string flops_per_layer(const json& analysis) {
  std::vector<std::pair<double, std::string>> rows;
  for (const json* m : leaf_modules(analysis)) {
    const double f = jv::number_or(*m, "flops", 0) + jv::number_or(*m, "extended_flops", 0);
    if (f > 0) rows.push_back({f, module_label(*m) + " (" + jv::text(*m, "class") + ")"});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (rows.size() > 20) rows.resize(20);
  charts::BarChart chart{.title = "FLOPs per layer (top " + std::to_string(rows.size()) + ")",
                         .value_label = "FLOPs (incl. elementwise)", .unit = Unit::flops};
  charts::BarSeries s{.name = "FLOPs"};
  for (const auto& [f, label] : rows) chart.labels.push_back(label), s.values.push_back(f);
  chart.series.push_back(std::move(s));
  return charts::render(chart);
}

std::string memory_per_layer_bar(const json& analysis) {
  const auto& per_layer = jv::array(jv::object(analysis, "memory"), "per_layer");
  std::vector<const json*> rows;
  for (const auto& r : per_layer)
    if (r.is_object() && jv::number_or(r, "bytes", 0) > 0) rows.push_back(&r);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const json* a, const json* b) { return jv::number(*a, "bytes") > jv::number(*b, "bytes"); });
  if (rows.size() > 20) rows.resize(20);
  charts::BarChart chart{.title = "Memory per layer (top " + std::to_string(rows.size()) + ")", .value_label = "bytes",
                         .unit = Unit::bytes};
  charts::BarSeries weights{.name = "weights"}, activations{.name = "activations"}, other{.name = "other"};
  for (const json* r : rows) {
    const std::string scope = jv::text(*r, "scope");
    chart.labels.push_back(scope.empty() ? "(model)" : scope);
    const double w = jv::number_or(*r, "weight_bytes", 0), a = jv::number_or(*r, "activation_bytes", 0);
    weights.values.push_back(w);
    activations.values.push_back(a);
    other.values.push_back(std::max(0.0, jv::number_or(*r, "bytes", 0) - w - a));
  }
  chart.series = {weights, activations};
  if (std::any_of(other.values.begin(), other.values.end(), [](double v) { return v > 0; })) chart.series.push_back(other);
  if (rows.empty()) return charts::no_data(chart.title, "no per-layer memory (memory.per_layer is empty)");
  return charts::render(chart);
}

std::string memory_per_layer_pie(const json& analysis) {
  charts::PieChart chart{.title = "Share of memory per layer", .unit = Unit::bytes, .centre_label = "weights + activations",
                         .max_slices = 9};
  for (const auto& r : jv::array(jv::object(analysis, "memory"), "per_layer")) {
    const std::string scope = jv::text(r, "scope");
    chart.labels.push_back(scope.empty() ? "(model)" : scope);
    chart.values.push_back(jv::number(r, "bytes"));
  }
  return charts::render(chart);
}

std::string memory_timeline(const json& analysis) {
  const auto& memory = jv::object(analysis, "memory");
  charts::LineChart chart{.title = "Activation memory over the forward pass", .x_label = "node (execution order)",
                          .y_label = "live activations", .y_unit = Unit::bytes, .area = true};
  charts::LineSeries s{.name = "live activations", .colour = svg::colour(0)};
  for (const auto& p : jv::array(memory, "timeline")) {
    s.x.push_back(jv::number(p, "node"));
    s.y.push_back(jv::number(p, "live_bytes"));
  }
  chart.series.push_back(std::move(s));
  const double peak = jv::number(memory, "activation_peak_bytes");
  if (finite(peak) && peak > 0) chart.y_markers.push_back({peak, "peak " + svg::format_value(peak, Unit::bytes)});
  const double weights = jv::number(memory, "weights_bytes");
  if (finite(weights)) chart.note = "weights (" + svg::format_value(weights, Unit::bytes) + ") are resident in addition";
  return charts::render(chart);
}

std::string training_memory(const json& analysis) {
  const auto& tm = jv::object(analysis, "training_memory");
  charts::LineChart chart{.title = "Training memory: weights, gradients, optimizer state, feature maps",
                          .x_label = "step (forward nodes, then backward nodes)", .y_label = "memory",
                          .y_unit = Unit::bytes, .stacked = true};
  const std::vector<std::pair<std::string, std::string>> layers = {{"weights", "weights"},
                                                                   {"gradients", "gradients"},
                                                                   {"optimizer_state", "optimizer state (Adam)"},
                                                                   {"activations", "feature maps (saved activations)"}};
  for (size_t k = 0; k < layers.size(); ++k) {
    charts::LineSeries s{.name = layers[k].second, .colour = svg::colour(k)};
    for (const auto& p : jv::array(tm, "timeline")) {
      s.x.push_back(jv::number(p, "step"));
      s.y.push_back(jv::number(p, layers[k].first));
    }
    chart.series.push_back(std::move(s));
  }
  const double boundary = jv::number(tm, "boundary");
  if (finite(boundary)) chart.x_markers.push_back({boundary, "forward | backward"});
  const double peak = jv::number(jv::object(jv::object(tm, "optimizers"), "adam"), "peak");
  if (finite(peak)) chart.note = "Adam peak " + svg::format_value(peak, Unit::bytes);
  return charts::render(chart);
}

std::string roofline(const json& analysis) {
  const auto& r = jv::object(analysis, "roofline");
  charts::RooflineChart chart{.title = "Roofline", .peak_gflops = jv::number(r, "peak_gflops"),
                              .bandwidth_gbs = jv::number(r, "peak_bandwidth_gbs"), .groups = category_names()};
  const std::string source = jv::text(r, "source");
  const std::string device = jv::text(r, "device");
  if (!source.empty()) chart.note = "ceilings: " + source + (device.empty() ? "" : " (" + device + ")");
  const auto& nodes = jv::array(analysis, "nodes");
  bool any_measured = false;
  for (const auto& p : jv::array(r, "nodes")) {
    const double index = jv::number(p, "index");
    const json& node = finite(index) && index >= 0 && index < double(nodes.size()) ? nodes[size_t(index)] : jv::empty_object();
    double gflops = jv::number(p, "gflops");
    if (finite(gflops)) any_measured = true;
    else gflops = jv::number(p, "attainable_gflops");
    chart.points.push_back({.intensity = jv::number(p, "intensity"), .gflops = gflops,
                            .group = category_index(jv::text(node, "category", "other")),
                            .label = "#" + jv::text(p, "index") + " " + jv::text(p, "op") + " " + jv::text(node, "scope")});
  }
  chart.note += std::string(chart.note.empty() ? "" : "; ") +
                (any_measured ? "points: measured GFLOP/s" : "points: attainable GFLOP/s (not timed)");
  return charts::render(chart);
}

std::string batch_curve(const json& analysis) {
  return curve_plot(analysis, "batch", "Memory vs batch size", "batch size");
}

std::string sequence_curve(const json& analysis) {
  return curve_plot(analysis, "seq", "Memory vs sequence length", "sequence length");
}

std::string batch_sequence_heatmap(const json& analysis) {
  const std::string title = "Memory over batch \xC3\x97 sequence length";
  const auto& sweep = jv::object(analysis, "sweep");
  const auto& batches = jv::array(sweep, "batch");
  const auto& seqs = jv::array(sweep, "seq");
  if (batches.empty() || seqs.empty())
    return charts::no_data(title, "needs a sweep over both batch and sequence length");
  charts::HeatMap map{.title = title, .x_label = "sequence length", .y_label = "batch", .unit = Unit::bytes};
  for (const auto& s : seqs) map.x_labels.push_back(jv::as_text(s, "?"));
  for (const auto& b : batches) map.y_labels.push_back(jv::as_text(b, "?"));
  map.values.assign(batches.size() * seqs.size(), NAN);
  for (const auto& p : jv::array(sweep, "points")) {
    const double b = jv::number(p, "batch"), s = jv::number(p, "seq");
    for (size_t y = 0; y < batches.size(); ++y)
      for (size_t x = 0; x < seqs.size(); ++x)
        if (jv::number(batches[y]) == b && jv::number(seqs[x]) == s) map.values[y * seqs.size() + x] = jv::number(p, "memory_bytes");
  }
  return charts::render(map);
}

std::string params_vs_memory(const json& analysis) {
  charts::ScatterChart chart{.title = "Parameters vs activation memory per layer", .x_label = "parameters",
                             .y_label = "activation bytes", .x_unit = Unit::count, .y_unit = Unit::bytes,
                             .log_x = true, .log_y = true};
  std::map<std::string, size_t> groups;
  for (const json* m : leaf_modules(analysis)) {
    const std::string cls = jv::text(*m, "class", "?");
    if (!groups.count(cls)) {
      groups[cls] = chart.groups.size();
      chart.groups.push_back(cls);
    }
    chart.points.push_back({.x = jv::number(*m, "params"), .y = jv::number(*m, "activation_bytes"),
                            .group = groups[cls], .label = module_label(*m) + " (" + cls + ")"});
  }
  return charts::render(chart);
}

std::string weight_histograms(const json& analysis) {
  std::vector<const json*> tensors;
  for (const auto& t : jv::array(jv::object(analysis, "parameters"), "tensors"))
    if (!jv::array(jv::object(t, "histogram"), "counts").empty()) tensors.push_back(&t);
  std::stable_sort(tensors.begin(), tensors.end(), [](const json* a, const json* b) {
    return jv::number_or(*a, "numel", 0) > jv::number_or(*b, "numel", 0);
  });
  if (tensors.size() > 12) tensors.resize(12);
  charts::HistogramGrid grid{.title = "Weight histograms (largest " + std::to_string(tensors.size()) + " tensors)"};
  for (const json* t : tensors) {
    const auto& h = jv::object(*t, "histogram");
    charts::HistogramPanel p{.title = jv::text(*t, "name"),
                             .subtitle = "mean " + svg::format_value(jv::number(*t, "mean"), Unit::plain) + ", std " +
                                         svg::format_value(jv::number(*t, "std"), Unit::plain) + ", " +
                                         svg::format_value(jv::number(*t, "numel"), Unit::count) + " values",
                             .lo = jv::number(h, "min"), .hi = jv::number(h, "max")};
    for (const auto& c : jv::array(h, "counts")) p.counts.push_back(jv::number(c));
    grid.panels.push_back(std::move(p));
  }
  return charts::render(grid);
}

std::vector<Plot> all_plots(const json& analysis) {
  struct Entry {
    const char* id;
    const char* title;
    const char* section;
    std::string (*draw)(const json&);
  };
  static const Entry entries[] = {
      {"layer_distribution", "Layer distribution", "overview", layer_distribution},
      {"flop_distribution", "FLOPs by category", "overview", flop_distribution},
      {"flops_per_layer", "FLOPs per layer", "compute", flops_per_layer},
      {"memory_per_layer", "Memory per layer", "memory", memory_per_layer_bar},
      {"memory_share", "Share of memory per layer", "memory", memory_per_layer_pie},
      {"memory_timeline", "Activation memory timeline", "memory", memory_timeline},
      {"params_vs_memory", "Parameters vs memory", "memory", params_vs_memory},
      {"training_memory", "Training memory timeline", "training", training_memory},
      {"roofline", "Roofline", "roofline", roofline},
      {"batch_curve", "Memory vs batch size", "sweep", batch_curve},
      {"sequence_curve", "Memory vs sequence length", "sweep", sequence_curve},
      {"batch_sequence_heatmap", "Batch \xC3\x97 sequence heat map", "sweep", batch_sequence_heatmap},
      {"weight_histograms", "Weight histograms", "parameters", weight_histograms},
  };
  std::vector<Plot> out;
  for (const auto& e : entries) out.push_back({e.id, e.title, e.section, e.draw(analysis)});
  return out;
}

}  // namespace ptscope::plots
