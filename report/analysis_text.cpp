// Text and Markdown reports written from the typed Analysis (every number was
// computed by the pipeline), and the normalisation of the JSON document's
// run-dependent values for goldens.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "report/analysis.h"
#include "report/format.h"

namespace ptscope {

using nlohmann::json;

namespace {

std::string pct(double part, double whole) { return format_percent(part, whole, "-"); }
std::string count(double v) { return format_count_or_dash(v); }
std::string scope_name(const std::string& s) { return s.empty() ? "(root)" : s; }
std::string shapes(const std::vector<std::vector<int64_t>>& list) {
  std::string s;
  for (const auto& sh : list) s += (s.empty() ? "" : " ") + format_shape(sh);
  return s.empty() ? "-" : s;
}
std::string real(double v, const char* f = "%.4g") { return std::isfinite(v) ? fmt(f, v) : (std::isnan(v) ? "-" : (v > 0 ? "inf" : "-inf")); }
std::string tensor_text(const TensorInfo& t) { return format_shape(t.shape) + " " + std::string(dtype_name(t.dtype)); }

// One table, rendered as aligned text or as a Markdown pipe table.
struct Table {
  Table(std::vector<std::string> h, std::vector<bool> r) : header(std::move(h)), right(std::move(r)) {}
  std::vector<std::string> header;
  std::vector<bool> right;
  std::vector<std::vector<std::string>> rows;
  std::string render(bool md) const {
    if (!md) {
      TextTable t(header, right);
      for (const auto& r : rows) t.add_row(r);
      return t.render(60);
    }
    auto esc = [](std::string s) {
      std::string o;
      for (char c : s) o += c == '|' ? std::string("\\|") : std::string(1, c);
      return o;
    };
    std::string out = "|";
    for (const auto& h : header) out += " " + esc(h) + " |";
    out += "\n|";
    for (size_t i = 0; i < header.size(); ++i) out += i < right.size() && right[i] ? "---:|" : "---|";
    out += "\n";
    for (const auto& r : rows) {
      out += "|";
      for (const auto& c : r) out += " " + esc(c) + " |";
      out += "\n";
    }
    return out;
  }
};

class Writer {
 public:
  explicit Writer(bool md) : md_(md) {}
  void title(const std::string& t) {
    out_ += md_ ? "# " + t + "\n\n" : t + "\n" + std::string(t.size(), '=') + "\n\n";
  }
  void section(const std::string& t) {
    out_ += md_ ? "## " + t + "\n\n" : t + "\n" + std::string(t.size(), '-') + "\n";
  }
  void sub(const std::string& t) {
    if (md_) out_ += (ends_blank() ? "### " : "\n### ") + t + "\n\n";
    else out_ += "\n" + t + ":\n";
  }
  void kv(const std::string& k, const std::string& v) {
    out_ += md_ ? "- **" + k + "**: " + v + "\n" : "  " + pad(k + ":", 31) + v + "\n";
  }
  void line(const std::string& s) { out_ += (md_ ? "" : "  ") + s + "\n"; }
  void table(const Table& t) {
    if (t.rows.empty()) return;
    if (md_) out_ += (ends_blank() ? "" : "\n") + t.render(true) + "\n";
    else {
      std::string r = t.render(false), indented;
      size_t start = 0;
      while (start < r.size()) {
        size_t end = r.find('\n', start);
        indented += "  " + r.substr(start, end - start) + "\n";
        start = end + 1;
      }
      out_ += indented;
    }
  }
  void end_section() {
    if (!md_ || !ends_blank()) out_ += "\n";
  }
  bool md() const { return md_; }
  std::string str() const { return out_; }

 private:
  bool ends_blank() const { return out_.size() >= 2 && out_.compare(out_.size() - 2, 2, "\n\n") == 0; }
  static std::string pad(std::string s, size_t n) {
    if (s.size() < n) s.resize(n, ' ');
    return s;
  }
  bool md_;
  std::string out_;
};

void architecture(Writer& w, const Analysis& a) {
  const Summary& s = a.summary;
  const bool has_graph = a.graph.available;
  w.section("1. Architecture");
  w.kv("Kind", a.architecture.kind + " (" + a.architecture.reason + ")");
  if (a.architecture_has_evidence)
    for (const auto& e : a.architecture.evidence) w.kv("Evidence", e);
  if (!has_graph) w.kv("Graph", "unavailable: " + a.graph.reason);
  std::string ins;
  for (const TensorInfo& i : s.inputs) ins += (ins.empty() ? "" : ", ") + (i.name.empty() ? "" : i.name + " ") + tensor_text(i);
  if (!ins.empty()) w.kv("Inputs", ins);
  std::string outs;
  for (const TensorInfo& o : s.outputs) outs += (outs.empty() ? "" : ", ") + tensor_text(o);
  if (!outs.empty()) w.kv("Outputs", outs);
  w.kv("Parameters", format_count(double(s.params)) + " (" + std::to_string(s.params) + "); trainable " +
                         format_count(double(s.trainable_params)) + ", non-trainable " +
                         format_count(double(s.non_trainable_params)));
  w.kv("Buffers", format_count(double(s.buffers)) + " elements in " + std::to_string(s.buffer_tensors) + " tensors");
  w.kv("Weights in memory", format_bytes(s.weight_bytes));
  if (has_graph) {
    w.kv("Ops", std::to_string(s.nodes));
    w.kv("FLOPs", format_count(s.cost.flops) + " (MACs " + format_count(s.cost.macs) + ", extended " +
                      format_count(s.cost.extended_flops) + ")");
    const double moved = double(s.cost.bytes_read) + double(s.cost.bytes_written);
    w.kv("Bytes moved", format_bytes(uint64_t(moved)) + " (intensity " +
                            fmt("%.2f", moved > 0 ? (s.cost.flops + s.cost.extended_flops) / moved : 0) + " FLOP/B)");
    for (const auto& n : a.graph.notes) w.kv("Note", n);
  }
  // Module tree, two levels deep (the JSON has every module).
  Table t{{"module", "class", "output shape", "params", "FLOPs", "activations"}, {false, false, false, true, true, true}};
  const bool timed = !a.modules.empty() && a.modules[0].time_us.has_value();
  if (timed) {
    t.header.push_back("time");
    t.right.push_back(true);
  }
  for (const ModuleRow& m : a.modules) {
    const graph::ModuleTotals& mt = m.totals;
    if (mt.depth > 2) continue;
    std::string name = std::string(size_t(2 * mt.depth), ' ') + scope_name(mt.path);
    if (w.md()) name = std::string(size_t(mt.depth), '.') + scope_name(mt.path);
    // Without a graph the modules have no output shapes or FLOPs.
    std::vector<std::string> row = {name, mt.class_name, has_graph ? shapes(mt.output_shapes) : "-",
                                    count(double(mt.params)), has_graph ? count(mt.cost.flops) : "-",
                                    m.activation_bytes ? format_bytes(m.activation_bytes) : "-"};
    if (timed) row.push_back(fmt("%.1f us", m.time_us.value_or(NAN)));
    t.rows.push_back(row);
  }
  if (!t.rows.empty()) {
    w.sub("Modules (two levels; JSON has all)");
    w.table(t);
  }
  w.end_section();
}

void parameters(Writer& w, const Analysis& a) {
  const ModelSummary& p = a.parameters.stats.summary;
  w.section("2. Parameter analysis");
  w.kv("Tensors", std::to_string(p.tensors) + " (" + std::to_string(p.weight_tensors) + " floating-point weights)");
  w.kv("Weight elements", format_count(double(p.numel)));
  w.kv("Sparsity", real(100 * p.sparsity, "%.2f%%") + " exact zeros");
  w.kv("Output channels", std::to_string(p.channels) + " (" + std::to_string(p.dead_channels) + " dead, " +
                              std::to_string(p.near_dead_channels) + " near-dead)");
  w.kv("Size after recommended formats", format_bytes(p.recommended_bytes) + " (from " + format_bytes(p.weight_bytes) + ")");
  // Largest tensors.
  std::vector<const TensorStats*> ts;
  for (const TensorStats& t : a.parameters.stats.tensors) ts.push_back(&t);
  std::stable_sort(ts.begin(), ts.end(), [](const TensorStats* x, const TensorStats* y) { return x->numel > y->numel; });
  Table t{{"tensor", "shape", "numel", "mean", "std", "min", "max", "sparsity", "int8 SQNR", "format"},
          {false, false, true, true, true, true, true, true, true, false}};
  for (size_t i = 0; i < ts.size() && t.rows.size() < 10; ++i) {
    const TensorStats& x = *ts[i];
    if (!x.computed) continue;
    t.rows.push_back({x.name, format_shape(x.shape), format_count(double(x.numel)), real(x.mean), real(x.std),
                      real(x.min), real(x.max), real(100 * x.sparsity, "%.1f%%"),
                      real(x.quant.sqnr_int8_channel_db, "%.1f dB"), x.quant.recommended_format});
  }
  if (!t.rows.empty()) {
    w.sub("Largest tensors");
    w.table(t);
  }
  auto ranked = [&](const std::vector<RankedTensor>& list, const char* title) {
    Table r{{"tensor", "score", "why"}, {false, true, false}};
    for (const RankedTensor& x : list) r.rows.push_back({x.name, real(x.score), x.detail});
    if (r.rows.empty()) return;
    w.sub(title);
    w.table(r);
  };
  ranked(a.parameters.stats.most_sensitive, "Most quantization-sensitive");
  ranked(a.parameters.stats.most_prunable, "Most prunable");
  w.end_section();
}

double flops_of(const graph::OpCost& c) { return c.flops + c.extended_flops; }

void compute(Writer& w, const Analysis& a) {
  w.section("3. Computational analysis");
  if (!a.graph.available) {
    w.line("Unavailable: " + a.graph.reason);
    w.end_section();
    return;
  }
  const double total = flops_of(a.summary.cost);
  Table t{{"category", "ops", "FLOPs", "share", "MACs", "bytes"}, {false, true, true, true, true, true}};
  for (const graph::CategoryTotals& c : a.categories) {
    const double f = flops_of(c.cost);
    t.rows.push_back({graph::op_category_name(c.category), std::to_string(c.nodes), count(f), pct(f, total),
                      count(c.cost.macs), format_bytes(c.cost.bytes_read + c.cost.bytes_written)});
  }
  w.sub("FLOPs by category (counted + extended)");
  w.table(t);
  std::vector<const NodeRow*> ns;
  for (const NodeRow& n : a.nodes) ns.push_back(&n);
  std::stable_sort(ns.begin(), ns.end(),
                   [](const NodeRow* x, const NodeRow* y) { return flops_of(x->cost) > flops_of(y->cost); });
  Table top{{"#", "op", "scope", "output", "FLOPs", "share", "FLOP/B"}, {true, false, false, false, true, true, true}};
  for (size_t i = 0; i < ns.size() && i < 10; ++i) {
    const NodeRow& n = *ns[i];
    const double f = flops_of(n.cost);
    if (f <= 0) break;
    top.rows.push_back({std::to_string(n.index), n.op, scope_name(n.scope),
                        n.outputs.empty() ? "-" : format_shape(n.outputs[0].shape), count(f), pct(f, total),
                        fmt("%.1f", n.intensity)});
  }
  if (!top.rows.empty()) {
    w.sub("Heaviest ops");
    w.table(top);
  }
  const Roofline& r = a.roofline;
  w.sub("Roofline");
  w.kv("Ceilings", fmt("%.1f GFLOP/s", r.peaks.gflops) + ", " + fmt("%.1f GB/s", r.peaks.bandwidth_gbs) + " (" +
                       r.peaks.source + ": " + r.peaks.model + ")");
  const auto memory_bound = std::count_if(r.nodes.begin(), r.nodes.end(), [](const RooflineNode& n) { return n.memory_bound; });
  w.kv("Ridge point", fmt("%.1f FLOP/B", r.ridge_point) + "; " + std::to_string(memory_bound) + " of " +
                          std::to_string(r.nodes.size()) + " computing ops are memory-bound");
  w.end_section();
}

void memory(Writer& w, const Analysis& a) {
  const MemorySection& m = a.memory;
  w.section("4. Memory (inference)");
  w.kv("Weights", format_bytes(m.weights_bytes));
  if (!m.available) {
    w.line("Activations unavailable: " + m.reason);
    w.end_section();
    return;
  }
  std::string at;
  if (m.peak_node >= 0 && size_t(m.peak_node) < a.nodes.size()) {
    const NodeRow& n = a.nodes[size_t(m.peak_node)];
    at = " at op " + std::to_string(n.index) + " (" + n.op + " in " + scope_name(n.scope) + ")";
  }
  w.kv("Activation peak", format_bytes(m.activation_peak_bytes) + at);
  w.kv("Peak (weights + activations)", format_bytes(m.peak_bytes));
  w.kv("Inputs / outputs", format_bytes(m.input_bytes) + " / " + format_bytes(m.output_bytes));
  auto bytes_of = [](const LayerMemory& l) { return l.weight_bytes + l.activation_bytes; };
  std::vector<const LayerMemory*> layers;
  double total = 0;
  for (const LayerMemory& l : m.per_layer) {
    layers.push_back(&l);
    total += double(bytes_of(l));
  }
  std::stable_sort(layers.begin(), layers.end(),
                   [&](const LayerMemory* x, const LayerMemory* y) { return bytes_of(*x) > bytes_of(*y); });
  Table t{{"layer", "class", "weights", "activations", "total", "share"}, {false, false, true, true, true, true}};
  for (size_t i = 0; i < layers.size() && i < 10; ++i) {
    const LayerMemory& l = *layers[i];
    t.rows.push_back({scope_name(l.scope), l.class_name, format_bytes(l.weight_bytes), format_bytes(l.activation_bytes),
                      format_bytes(bytes_of(l)), pct(double(bytes_of(l)), total)});
  }
  w.sub("Per-layer distribution (largest 10 of " + std::to_string(layers.size()) + ")");
  w.table(t);
  w.end_section();
}

void training(Writer& w, const Analysis& a) {
  const graph::TrainingMemory& t = a.training_memory;
  w.section("5. Training memory (estimate)");
  Table tb{{"optimizer", "weights", "gradients", "optimizer state", "saved activations", "peak"},
           {false, true, true, true, true, true}};
  for (const auto& [o, name] : {std::pair{&t.sgd, "SGD"}, {&t.sgd_momentum, "SGD + momentum"}, {&t.adam, "Adam / AdamW"}})
    tb.rows.push_back({name, format_bytes(o->weights), format_bytes(o->gradients), format_bytes(o->optimizer_state),
                       format_bytes(o->activations), format_bytes(o->peak)});
  w.table(tb);
  w.line("Timeline: " + std::to_string(t.timeline.size()) + " points; forward ends at step " +
         std::to_string(t.boundary) + " where saved activations peak at " + format_bytes(t.saved_activation_bytes) +
         "; backward frees them while gradients grow.");
  if (a.training_flops) {
    const graph::TrainingFlops& f = *a.training_flops;
    w.line("Training FLOPs: forward " + format_count(f.forward) + ", backward " + format_count(f.backward.total()) +
           " (input gradients " + format_count(f.backward.input_grad) + ", weight gradients " +
           format_count(f.backward.weight_grad) + "), optimizer step SGD " + format_count(f.step.sgd) +
           " / momentum " + format_count(f.step.sgd_momentum) + " / Adam " + format_count(f.step.adam) + " / AdamW " +
           format_count(f.step.adamw) + ".");
  }
  w.end_section();
}

void fusions_and_recommendations(Writer& w, const Analysis& a) {
  w.section("6. Recommendations");
  if (a.heavy_tail) {
    const HeavyTailReport& h = *a.heavy_tail;
    double sum = 0;
    int fitted = 0;
    for (const HeavyTailLayer& l : h.layers)
      if (std::isfinite(l.alpha) && l.alpha > 0) {
        sum += l.alpha;
        ++fitted;
      }
    if (fitted)
      w.line("Heavy-tail analysis (WeightWatcher conventions): " + std::to_string(h.layers.size()) +
             " layers, mean alpha " + std::to_string(sum / fitted).substr(0, 5) + " over " + std::to_string(fitted) +
             " fitted layers (2-6 is the well-trained range).");
  }
  int i = 0;
  for (const AnalysisRecommendation& r : a.recommendations) w.line(std::to_string(++i) + ". [" + r.kind + "] " + r.message);
  if (i == 0) w.line("None: no rule fired.");
  w.end_section();
}

void inference(Writer& w, const InferenceSection& s) {
  w.section("7. Inference (" + s.device + ")");
  if (s.unavailable) {
    w.line("Unavailable: " + *s.unavailable);
    w.end_section();
    return;
  }
  const kernels::ProfileResult& r = s.result;
  w.kv("Device", r.device_description);
  w.kv("Latency", fmt("%.3f ms", r.latency_ms_median) + " median (IQR " + fmt("%.3f ms", r.latency_ms_iqr) + ", " +
                      std::to_string(r.repeat) + " runs)");
  w.kv("Throughput", fmt("%.1f samples/s", s.throughput_per_s));
  Table t{{"category", "ops", "time", "share"}, {false, true, true, true}};
  for (const kernels::GroupTotal& c : r.by_category)
    t.rows.push_back({c.name, std::to_string(c.nodes), fmt("%.1f us", c.time_us), fmt("%.1f%%", 100 * c.share)});
  w.table(t);
  w.end_section();
}

void sweep(Writer& w, const Analysis& a) {
  if (!a.sweep && !a.sweep_unavailable) return;
  w.section("8. Sweep");
  if (!a.sweep) {
    w.line("Unavailable: " + *a.sweep_unavailable);
    w.end_section();
    return;
  }
  Table t{{"batch", "seq", "FLOPs", "activation peak", "memory"}, {true, true, true, true, true}};
  for (const SweepPoint& p : a.sweep->points) {
    const bool failed = !p.error.empty();
    t.rows.push_back({p.batch > 0 ? std::to_string(p.batch) : "-", p.seq > 0 ? std::to_string(p.seq) : "-",
                      failed ? "error" : count(p.flops), failed ? "-" : format_bytes(p.activation_peak_bytes),
                      failed ? "-" : format_bytes(p.memory_bytes)});
  }
  w.table(t);
  Table f{{"metric", "along", "best fit", "R2", "dominant term"}, {false, false, false, true, false}};
  for (const SweepFit& x : a.sweep->fits) {
    const PolyFit& best = x.best == "quadratic" ? x.quadratic : x.linear;
    f.rows.push_back({x.metric, x.variable, best.equation, fmt("%.6f", best.r2), x.dominant});
  }
  w.table(f);
  w.end_section();
}

void system(Writer& w, const RunReport& s) {
  w.section("System");
  const CpuInfo& c = s.cpu;
  w.kv("CPU", c.model + ", " + std::to_string(c.cores) + " cores / " + std::to_string(c.threads) + " threads" +
                  (c.frequency_mhz > 0 ? fmt(", %.0f MHz", c.frequency_mhz) : ""));
  w.kv("CPU utilisation", fmt("%.0f%% machine", s.utilisation_percent) + ", " +
                              fmt("%.0f%% of one core by ptscope", s.process_utilisation_percent));
  w.kv("Run time", fmt("%.2f s wall", s.wall_seconds) + ", " + fmt("%.2f s CPU", s.cpu_seconds));
  w.kv("Peak RSS", format_bytes(s.peak_rss_bytes) + " of " + format_bytes(s.memory_total_bytes));
  w.kv("Bytes read", format_bytes(s.read_bytes) + " from storage, " + format_bytes(s.rchar) + " via read()");
  if (s.gpu.available) {
    for (const GpuDevice& d : s.gpu.devices)
      w.kv("GPU", d.name + fmt(", %.0f%% busy", d.utilisation_percent) + ", " + format_bytes(d.memory_used_bytes) +
                      " / " + format_bytes(d.memory_total_bytes) + fmt(", %.0f C", d.temperature_c) +
                      fmt(", %.0f W", d.power_w));
  } else {
    w.kv("GPU", "none (" + s.gpu.reason + ")");
  }
  const EnergyReading& e = s.energy;
  std::string energy = fmt("%.2f J", e.joules) + fmt(" (%.1f W average), ", e.watts);
  energy += e.source == "estimate" ? e.model : "measured (" + e.source + ")";
  w.kv("Energy of this run", energy);
  w.end_section();
}

std::string render(const Analysis& a, bool md) {
  Writer w(md);
  w.title("ptscope analysis: " + a.file.path);
  w.kv("File", std::string(file_kind_name(a.file.kind)) + ", " + format_bytes(a.file.bytes) +
                   (a.file.format_version ? ", format version " + std::to_string(*a.file.format_version) : ""));
  w.end_section();
  architecture(w, a);
  parameters(w, a);
  compute(w, a);
  memory(w, a);
  training(w, a);
  fusions_and_recommendations(w, a);
  if (a.inference) inference(w, *a.inference);
  sweep(w, a);
  // Markdown is for pull requests: the machine's numbers only when a run was asked for.
  if (!md || a.inference) system(w, a.system);
  std::string out = w.str();
  while (out.size() > 1 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  return out;
}

}  // namespace

std::string render_analysis_text(const Analysis& a) { return render(a, false); }
std::string render_analysis_markdown(const Analysis& a) { return render(a, true); }

json normalize_volatile(json a) {
  a["generated_by"] = "ptscope";
  if (a.contains("file") && a["file"].contains("path")) {
    std::string p = a["file"]["path"];
    const size_t slash = p.rfind('/');
    a["file"]["path"] = slash == std::string::npos ? p : p.substr(slash + 1);
  }
  a["system"] = "normalized";
  if (a.contains("inference")) a["inference"] = "normalized";
  if (a.contains("roofline")) {
    json& r = a["roofline"];
    for (const char* k : {"peak_gflops", "peak_bandwidth_gbs", "ridge_point", "source", "estimate_model"}) r[k] = "normalized";
    for (auto& n : r["nodes"]) {
      n.erase("gflops");
      n["attainable_gflops"] = "normalized";
      n["bound"] = "normalized";
    }
  }
  for (const char* section : {"nodes", "modules"})
    if (a.contains(section))
      for (auto& n : a[section]) n.erase("time_us");
  if (a.contains("sweep") && a["sweep"].contains("points"))
    for (auto& p : a["sweep"]["points"]) p.erase("latency_us");
  if (a.contains("heavy_tail")) a["heavy_tail"]["seconds"] = "normalized";
  return a;
}

}  // namespace ptscope
