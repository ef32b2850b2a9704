#include "report/plots.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <functional>

#include "report/charts.h"

namespace ptscope::plots {
namespace {

using charts::Unit;

bool finite(double v) { return std::isfinite(v); }
constexpr double kMissing = NAN;

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
std::vector<const ModuleRow*> leaf_modules(const Analysis& analysis) {
  const auto& modules = analysis.modules;
  std::vector<const ModuleRow*> leaves;
  for (size_t i = 0; i < modules.size(); ++i) {
    const int depth = modules[i].totals.depth;
    const bool has_child = i + 1 < modules.size() && modules[i + 1].totals.depth > depth;
    if (!has_child && modules.size() > 1 && depth > 0) leaves.push_back(&modules[i]);
  }
  return leaves;
}

std::string module_label(const ModuleRow& m) { return m.totals.path.empty() ? "(model)" : m.totals.path; }

// A module's FLOPs (counted + extended); none without a graph.
double module_flops(const Analysis& a, const ModuleRow& m) {
  return a.graph.available ? m.totals.cost.flops + m.totals.cost.extended_flops : 0;
}

double layer_bytes(const LayerMemory& l) { return double(l.weight_bytes + l.activation_bytes); }

// A swept axis' value at a point; missing where that axis was not swept.
double axis_value(const SweepPoint& p, const std::string& axis) {
  const int64_t v = axis == "batch" ? p.batch : p.seq;
  return v > 0 ? double(v) : kMissing;
}

// The sweep the plots draw: the analysis' own, an empty one when the sweep was asked for but had
// no graph, none when no sweep was asked for.
const SweepResult* sweep_of(const Analysis& a) {
  static const SweepResult empty;
  return a.sweep ? &*a.sweep : a.sweep_unavailable ? &empty : nullptr;
}

// The sweep points along one axis: those where the other axis has the fit's fixed value.
struct Curve {
  std::vector<double> x, y;
  const SweepFit* fit = nullptr;
  std::string fixed_note;
};

Curve sweep_curve(const SweepResult& sweep, const std::string& variable, const std::string& metric) {
  Curve c;
  const std::string other = variable == "batch" ? "seq" : "batch";
  for (const SweepFit& f : sweep.fits)
    if (f.variable == variable && f.metric == metric) { c.fit = &f; break; }
  double fixed = kMissing;
  if (c.fit) {
    const int64_t v = other == "batch" ? c.fit->fixed_batch : c.fit->fixed_seq;
    if (v > 0) fixed = double(v);
  }
  if (!finite(fixed))  // no fit to say which: the first value the other axis takes
    for (const SweepPoint& p : sweep.points)
      if (finite(axis_value(p, other))) { fixed = axis_value(p, other); break; }
  if (finite(fixed)) c.fixed_note = other + " = " + svg::format_value(fixed, Unit::plain);
  for (const SweepPoint& p : sweep.points) {
    if (!p.error.empty()) continue;  // a point whose graph failed has no memory
    const double o = axis_value(p, other);
    if (finite(fixed) && finite(o) && o != fixed) continue;
    const double x = axis_value(p, variable), y = double(p.memory_bytes);
    if (finite(x)) c.x.push_back(x), c.y.push_back(y);
  }
  return c;
}

// A fit's coefficient, or `fallback` where there is none or it is not finite.
double coefficient(const PolyFit& f, size_t i, double fallback) {
  return i < f.coefficients.size() && finite(f.coefficients[i]) ? f.coefficients[i] : fallback;
}

std::string curve_plot(const Analysis& analysis, const std::string& variable, const std::string& title,
                       const std::string& x_label) {
  const SweepResult* sweep = sweep_of(analysis);
  if (!sweep)
    return charts::no_data(title, "no sweep in this analysis (ptscope sweep, or analyze --sweep-batch/--sweep-seq)");
  // Memory is always swept; latency only with --measure.
  charts::LineChart chart{.title = title, .x_label = x_label, .y_label = "memory (weights + activation peak)",
                          .y_unit = Unit::bytes};
  Curve c = sweep_curve(*sweep, variable, "memory_bytes");
  chart.series.push_back({.name = "memory", .x = c.x, .y = c.y, .colour = svg::colour(0), .line = false, .markers = true});
  if (c.fit && !c.x.empty()) {
    const bool quadratic = c.fit->best == "quadratic";
    const PolyFit& model = quadratic ? c.fit->quadratic : c.fit->linear;
    const double a = coefficient(model, 0, NAN), b = coefficient(model, 1, NAN), q = coefficient(model, 2, 0);
    if (finite(a) && finite(b)) {
      const auto [lo, hi] = std::minmax_element(c.x.begin(), c.x.end());
      charts::LineSeries fit{.name = c.fit->best + " fit: " + model.equation +
                                     "  (R\xC2\xB2 = " + svg::format_value(model.r2, Unit::plain) + ")",
                             .colour = svg::colour(3), .dashed = true};
      for (int i = 0; i <= 60; ++i) {
        const double x = *lo + (*hi - *lo) * i / 60.0;
        fit.x.push_back(x);
        fit.y.push_back(a + b * x + q * x * x);
      }
      chart.series.push_back(std::move(fit));
    }
    chart.note = c.fit->dominant;
  }
  if (!c.fixed_note.empty()) chart.note += (chart.note.empty() ? "" : "; ") + c.fixed_note;
  return charts::render(chart);
}

}  // namespace

std::string layer_distribution(const Analysis& analysis) {
  std::map<std::string, std::pair<double, double>> by_class;  // class → (layers, params)
  for (const ModuleRow* m : leaf_modules(analysis)) {
    auto& e = by_class[m->totals.class_name];
    e.first += 1;
    e.second += double(m->totals.params);
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

std::string flop_distribution(const Analysis& analysis) {
  charts::PieChart chart{.title = "FLOPs by operator category", .unit = Unit::count, .centre_label = "total"};
  double total = 0;
  for (const graph::CategoryTotals& c : analysis.categories) total += finite(c.cost.flops) ? c.cost.flops : 0;
  // Without conv/matmul FLOPs (e.g. an elementwise-only model) fall back to the extended count.
  for (const graph::CategoryTotals& c : analysis.categories) {
    chart.labels.push_back(graph::op_category_name(c.category));
    chart.values.push_back(total > 0 ? c.cost.flops : c.cost.extended_flops);
  }
  return charts::render(chart);
}

std::string flops_per_layer(const Analysis& analysis) {
  std::vector<std::pair<double, std::string>> rows;
  for (const ModuleRow* m : leaf_modules(analysis)) {
    const double f = module_flops(analysis, *m);
    if (f > 0) rows.push_back({f, module_label(*m) + " (" + m->totals.class_name + ")"});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (rows.size() > 20) rows.resize(20);
  charts::BarChart chart{.title = "FLOPs per layer (top " + std::to_string(rows.size()) + ")",
                         .value_label = "FLOPs (incl. elementwise)", .unit = Unit::count};
  charts::BarSeries s{.name = "FLOPs"};
  for (const auto& [f, label] : rows) chart.labels.push_back(label), s.values.push_back(f);
  chart.series.push_back(std::move(s));
  return charts::render(chart);
}

std::string memory_per_layer_bar(const Analysis& analysis) {
  std::vector<const LayerMemory*> rows;
  for (const LayerMemory& l : analysis.memory.per_layer)
    if (layer_bytes(l) > 0) rows.push_back(&l);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const LayerMemory* a, const LayerMemory* b) { return layer_bytes(*a) > layer_bytes(*b); });
  if (rows.size() > 20) rows.resize(20);
  charts::BarChart chart{.title = "Memory per layer (top " + std::to_string(rows.size()) + ")", .value_label = "bytes",
                         .unit = Unit::bytes};
  charts::BarSeries weights{.name = "weights"}, activations{.name = "activations"};
  for (const LayerMemory* l : rows) {
    chart.labels.push_back(l->scope.empty() ? "(model)" : l->scope);
    weights.values.push_back(double(l->weight_bytes));
    activations.values.push_back(double(l->activation_bytes));
  }
  chart.series = {weights, activations};
  if (rows.empty()) return charts::no_data(chart.title, "no per-layer memory (memory.per_layer is empty)");
  return charts::render(chart);
}

std::string memory_per_layer_pie(const Analysis& analysis) {
  charts::PieChart chart{.title = "Share of memory per layer", .unit = Unit::bytes, .centre_label = "weights + activations",
                         .max_slices = 9};
  for (const LayerMemory& l : analysis.memory.per_layer) {
    chart.labels.push_back(l.scope.empty() ? "(model)" : l.scope);
    chart.values.push_back(layer_bytes(l));
  }
  return charts::render(chart);
}

std::string memory_timeline(const Analysis& analysis) {
  const MemorySection& memory = analysis.memory;
  charts::LineChart chart{.title = "Activation memory over the forward pass", .x_label = "node (execution order)",
                          .y_label = "live activations", .y_unit = Unit::bytes, .area = true};
  charts::LineSeries s{.name = "live activations", .colour = svg::colour(0)};
  for (size_t i = 0; i < memory.timeline.size(); ++i) {
    s.x.push_back(double(i));
    s.y.push_back(double(memory.timeline[i]));
  }
  chart.series.push_back(std::move(s));
  const double peak = memory.available ? double(memory.activation_peak_bytes) : 0;
  if (peak > 0) chart.y_markers.push_back({peak, "peak " + svg::format_value(peak, Unit::bytes)});
  chart.note = "weights (" + svg::format_value(double(memory.weights_bytes), Unit::bytes) + ") are resident in addition";
  return charts::render(chart);
}

std::string training_memory(const Analysis& analysis) {
  const graph::TrainingMemory& tm = analysis.training_memory;
  charts::LineChart chart{.title = "Training memory: weights, gradients, optimizer state, feature maps",
                          .x_label = "step (forward nodes, then backward nodes)", .y_label = "memory",
                          .y_unit = Unit::bytes, .stacked = true};
  const std::pair<std::string, std::function<double(const graph::TrainingPoint&)>> layers[] = {
      {"weights", [&](const graph::TrainingPoint&) { return double(tm.weight_bytes); }},
      {"gradients", [](const graph::TrainingPoint& p) { return double(p.gradients); }},
      {"optimizer state (Adam)", [&](const graph::TrainingPoint&) { return double(tm.adam.optimizer_state); }},
      {"feature maps (saved activations)", [](const graph::TrainingPoint& p) { return double(p.activations); }}};
  for (size_t k = 0; k < std::size(layers); ++k) {
    charts::LineSeries s{.name = layers[k].first, .colour = svg::colour(k)};
    for (const graph::TrainingPoint& p : tm.timeline) {
      s.x.push_back(double(p.step));
      s.y.push_back(layers[k].second(p));
    }
    chart.series.push_back(std::move(s));
  }
  chart.x_markers.push_back({double(tm.boundary), "forward | backward"});
  chart.note = "Adam peak " + svg::format_value(double(tm.adam.peak), Unit::bytes);
  return charts::render(chart);
}

std::string roofline(const Analysis& analysis) {
  const Roofline& r = analysis.roofline;
  charts::RooflineChart chart{.title = "Roofline", .peak_gflops = r.peaks.gflops,
                              .bandwidth_gbs = r.peaks.bandwidth_gbs, .groups = category_names()};
  if (!r.peaks.source.empty()) chart.note = "ceilings: " + r.peaks.source + (r.device.empty() ? "" : " (" + r.device + ")");
  const auto& nodes = analysis.nodes;
  bool any_measured = false;
  for (const RooflineNode& p : r.nodes) {
    const NodeRow* node = p.index < nodes.size() ? &nodes[p.index] : nullptr;
    const bool measured = p.gflops && finite(*p.gflops);
    const double gflops = measured ? *p.gflops : p.attainable_gflops;
    any_measured = any_measured || measured;
    chart.points.push_back({.intensity = p.intensity, .gflops = gflops,
                            .group = category_index(node ? graph::op_category_name(node->category) : "other"),
                            .label = "#" + std::to_string(p.index) + " " + p.op + " " + (node ? node->scope : "")});
  }
  chart.note += std::string(chart.note.empty() ? "" : "; ") +
                (any_measured ? "points: measured GFLOP/s" : "points: attainable GFLOP/s (not timed)");
  return charts::render(chart);
}

std::string batch_curve(const Analysis& analysis) {
  return curve_plot(analysis, "batch", "Memory vs batch size", "batch size");
}

std::string sequence_curve(const Analysis& analysis) {
  return curve_plot(analysis, "seq", "Memory vs sequence length", "sequence length");
}

std::string batch_sequence_heatmap(const Analysis& analysis) {
  const std::string title = "Memory over batch \xC3\x97 sequence length";
  const SweepResult* sweep = sweep_of(analysis);
  if (!sweep || sweep->batch.empty() || sweep->seq.empty())
    return charts::no_data(title, "needs a sweep over both batch and sequence length");
  const auto& batches = sweep->batch;
  const auto& seqs = sweep->seq;
  charts::HeatMap map{.title = title, .x_label = "sequence length", .y_label = "batch", .unit = Unit::bytes};
  for (int64_t s : seqs) map.x_labels.push_back(std::to_string(s));
  for (int64_t b : batches) map.y_labels.push_back(std::to_string(b));
  map.values.assign(batches.size() * seqs.size(), NAN);
  for (const SweepPoint& p : sweep->points)
    for (size_t y = 0; y < batches.size(); ++y)
      for (size_t x = 0; x < seqs.size(); ++x)
        if (batches[y] == p.batch && seqs[x] == p.seq)
          map.values[y * seqs.size() + x] = p.error.empty() ? double(p.memory_bytes) : NAN;
  return charts::render(map);
}

std::string params_vs_memory(const Analysis& analysis) {
  charts::ScatterChart chart{.title = "Parameters vs activation memory per layer", .x_label = "parameters",
                             .y_label = "activation bytes", .x_unit = Unit::count, .y_unit = Unit::bytes,
                             .log_x = true, .log_y = true};
  std::map<std::string, size_t> groups;
  for (const ModuleRow* m : leaf_modules(analysis)) {
    const std::string& cls = m->totals.class_name;
    if (!groups.count(cls)) {
      groups[cls] = chart.groups.size();
      chart.groups.push_back(cls);
    }
    chart.points.push_back({.x = double(m->totals.params), .y = double(m->activation_bytes),
                            .group = groups[cls], .label = module_label(*m) + " (" + cls + ")"});
  }
  return charts::render(chart);
}

std::string weight_histograms(const Analysis& analysis) {
  std::vector<const TensorStats*> tensors;
  for (const TensorStats& t : analysis.parameters.stats.tensors)
    if (t.computed && !t.histogram.counts.empty()) tensors.push_back(&t);
  std::stable_sort(tensors.begin(), tensors.end(),
                   [](const TensorStats* a, const TensorStats* b) { return a->numel > b->numel; });
  if (tensors.size() > 12) tensors.resize(12);
  charts::HistogramGrid grid{.title = "Weight histograms (largest " + std::to_string(tensors.size()) + " tensors)"};
  for (const TensorStats* t : tensors) {
    charts::HistogramPanel p{.title = t->name,
                             .subtitle = "mean " + svg::format_value(t->mean, Unit::plain) + ", std " +
                                         svg::format_value(t->std, Unit::plain) + ", " +
                                         svg::format_value(double(t->numel), Unit::count) + " values",
                             .lo = t->histogram.lo, .hi = t->histogram.hi};
    for (auto c : t->histogram.counts) p.counts.push_back(double(c));
    grid.panels.push_back(std::move(p));
  }
  return charts::render(grid);
}

std::vector<Plot> all_plots(const Analysis& analysis) {
  struct Entry {
    const char* id;
    const char* title;
    const char* section;
    std::string (*draw)(const Analysis&);
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
