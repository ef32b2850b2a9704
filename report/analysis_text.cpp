// Text and Markdown reports written from the analysis document, and the
// normalisation of its run-dependent values for goldens.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "report/analysis.h"
#include "report/format.h"

namespace ptscope {

using nlohmann::json;

namespace {

// Numbers in the document may be the strings "nan"/"inf"/"-inf".
double num(const json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "inf") return INFINITY;
    if (s == "-inf") return -INFINITY;
  }
  return NAN;
}
uint64_t bytes_of(const json& j) { return j.is_number() ? uint64_t(std::max(0.0, j.get<double>())) : 0; }
std::string str(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

std::string pct(double part, double whole) { return format_percent(part, whole, "-"); }
std::string count(double v) { return format_count_or_dash(v); }
std::string bytes(const json& j) { return format_bytes(bytes_of(j)); }
std::string scope_name(const json& s) { return s.get<std::string>().empty() ? "(root)" : s.get<std::string>(); }
std::string shapes(const json& list) {
  std::string s;
  for (const auto& sh : list) s += (s.empty() ? "" : " ") + format_shape(sh.get<std::vector<int64_t>>());
  return s.empty() ? "-" : s;
}
std::string real(double v, const char* f = "%.4g") { return std::isfinite(v) ? fmt(f, v) : (std::isnan(v) ? "-" : (v > 0 ? "inf" : "-inf")); }

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

void architecture(Writer& w, const json& a) {
  const json& s = a["summary"];
  w.section("1. Architecture");
  w.kv("Kind", str(a["architecture"]["kind"]) + " (" + str(a["architecture"]["reason"]) + ")");
  if (a["architecture"].contains("evidence"))
    for (const auto& e : a["architecture"]["evidence"]) w.kv("Evidence", str(e));
  if (!a["graph"]["available"].get<bool>()) w.kv("Graph", "unavailable: " + str(a["graph"]["reason"]));
  std::string ins;
  for (const auto& i : s["inputs"])
    ins += (ins.empty() ? "" : ", ") + (i.contains("name") ? str(i["name"]) + " " : "") +
           format_shape(i["shape"].get<std::vector<int64_t>>()) + " " + str(i["dtype"]);
  if (!ins.empty()) w.kv("Inputs", ins);
  std::string outs;
  for (const auto& o : s["outputs"])
    outs += (outs.empty() ? "" : ", ") + format_shape(o["shape"].get<std::vector<int64_t>>()) + " " + str(o["dtype"]);
  if (!outs.empty()) w.kv("Outputs", outs);
  w.kv("Parameters", format_count(num(s["params"])) + " (" + std::to_string(s["params"].get<int64_t>()) + ")" +
                         (s.contains("trainable_params")
                              ? "; trainable " + format_count(num(s["trainable_params"])) + ", non-trainable " +
                                    format_count(num(s["non_trainable_params"]))
                              : ""));
  w.kv("Buffers", format_count(num(s["buffers"])) + " elements" +
                      (s.contains("buffer_tensors") ? " in " + str(s["buffer_tensors"]) + " tensors" : ""));
  w.kv("Weights in memory", bytes(s["weight_bytes"]));
  if (a["graph"]["available"].get<bool>()) {
    w.kv("Ops", std::to_string(s["nodes"].get<int64_t>()));
    w.kv("FLOPs", format_count(num(s["flops"])) + " (MACs " + format_count(num(s["macs"])) + ", extended " +
                      format_count(num(s["extended_flops"])) + ")");
    const double moved = num(s["bytes_read"]) + num(s["bytes_written"]);
    w.kv("Bytes moved", format_bytes(uint64_t(moved)) + " (intensity " +
                            fmt("%.2f", moved > 0 ? (num(s["flops"]) + num(s["extended_flops"])) / moved : 0) +
                            " FLOP/B)");
  }
  for (const auto& n : a["graph"].value("notes", json::array())) w.kv("Note", str(n));
  // Module tree, two levels deep (the JSON has every module).
  Table t{{"module", "class", "output shape", "params", "FLOPs", "activations"}, {false, false, false, true, true, true}};
  const bool timed = !a["modules"].empty() && a["modules"][0].contains("time_us");
  if (timed) {
    t.header.push_back("time");
    t.right.push_back(true);
  }
  for (const auto& m : a["modules"]) {
    if (m["depth"].get<int>() > 2) continue;
    std::string name = std::string(size_t(2 * m["depth"].get<int>()), ' ') + scope_name(m["path"]);
    if (w.md()) name = std::string(size_t(m["depth"].get<int>()), '.') + scope_name(m["path"]);
    std::vector<std::string> row = {name, str(m["class"]), shapes(m["output_shapes"]), count(num(m["params"])),
                                    count(num(m["flops"])), m["activation_bytes"].get<uint64_t>() ? bytes(m["activation_bytes"]) : "-"};
    if (timed) row.push_back(fmt("%.1f us", num(m["time_us"])));
    t.rows.push_back(row);
  }
  if (!t.rows.empty()) {
    w.sub("Modules (two levels; JSON has all)");
    w.table(t);
  }
  w.end_section();
}

void parameters(Writer& w, const json& a) {
  const json& p = a["parameters"];
  w.section("2. Parameter analysis");
  w.kv("Tensors", std::to_string(p["tensor_count"].get<int64_t>()) + " (" + std::to_string(p["weight_tensors"].get<int64_t>()) +
                      " floating-point weights)");
  w.kv("Weight elements", format_count(num(p["numel"])));
  w.kv("Sparsity", real(100 * num(p["sparsity"]), "%.2f%%") + " exact zeros");
  w.kv("Output channels", std::to_string(p["channels"].get<int64_t>()) + " (" +
                              std::to_string(p["dead_channels"].get<int64_t>()) + " dead, " +
                              std::to_string(p["near_dead_channels"].get<int64_t>()) + " near-dead)");
  w.kv("Size after recommended formats", bytes(p["recommended_bytes"]) + " (from " + bytes(p["weight_bytes"]) + ")");
  // Largest tensors.
  std::vector<const json*> ts;
  for (const auto& t : p["tensors"]) ts.push_back(&t);
  std::stable_sort(ts.begin(), ts.end(), [](const json* x, const json* y) {
    return (*x)["numel"].get<int64_t>() > (*y)["numel"].get<int64_t>();
  });
  Table t{{"tensor", "shape", "numel", "mean", "std", "min", "max", "sparsity", "int8 SQNR", "format"},
          {false, false, true, true, true, true, true, true, true, false}};
  for (size_t i = 0; i < ts.size() && t.rows.size() < 10; ++i) {
    const json& x = *ts[i];
    if (!x["computed"].get<bool>()) continue;
    t.rows.push_back({str(x["name"]), format_shape(x["shape"].get<std::vector<int64_t>>()), format_count(num(x["numel"])),
                      real(num(x["mean"])), real(num(x["std"])), real(num(x["min"])), real(num(x["max"])),
                      real(100 * num(x["sparsity"]), "%.1f%%"), real(num(x["sqnr_int8_channel_db"]), "%.1f dB"),
                      str(x["recommended_format"])});
  }
  if (!t.rows.empty()) {
    w.sub("Largest tensors");
    w.table(t);
  }
  auto ranked = [&](const char* key, const char* title) {
    Table r{{"tensor", "score", "why"}, {false, true, false}};
    for (const auto& x : p[key]) r.rows.push_back({str(x["name"]), real(num(x["score"])), str(x["detail"])});
    if (r.rows.empty()) return;
    w.sub(title);
    w.table(r);
  };
  ranked("most_sensitive", "Most quantization-sensitive");
  ranked("most_prunable", "Most prunable");
  w.end_section();
}

void compute(Writer& w, const json& a) {
  w.section("3. Computational analysis");
  if (!a["graph"]["available"].get<bool>()) {
    w.line("Unavailable: " + str(a["graph"]["reason"]));
    w.end_section();
    return;
  }
  const double total = num(a["summary"]["flops"]) + num(a["summary"]["extended_flops"]);
  Table t{{"category", "ops", "FLOPs", "share", "MACs", "bytes"}, {false, true, true, true, true, true}};
  for (const auto& c : a["categories"]) {
    const double f = num(c["flops"]) + num(c["extended_flops"]);
    t.rows.push_back({str(c["category"]), std::to_string(c["nodes"].get<int>()), count(f), pct(f, total),
                      count(num(c["macs"])), bytes(c["bytes"])});
  }
  w.sub("FLOPs by category (counted + extended)");
  w.table(t);
  std::vector<const json*> ns;
  for (const auto& n : a["nodes"]) ns.push_back(&n);
  std::stable_sort(ns.begin(), ns.end(), [](const json* x, const json* y) {
    return num((*x)["flops"]) + num((*x)["extended_flops"]) > num((*y)["flops"]) + num((*y)["extended_flops"]);
  });
  Table top{{"#", "op", "scope", "output", "FLOPs", "share", "FLOP/B"}, {true, false, false, false, true, true, true}};
  for (size_t i = 0; i < ns.size() && i < 10; ++i) {
    const json& n = *ns[i];
    const double f = num(n["flops"]) + num(n["extended_flops"]);
    if (f <= 0) break;
    top.rows.push_back({std::to_string(n["index"].get<int>()), str(n["op"]), scope_name(n["scope"]),
                        n["outputs"].empty() ? "-" : format_shape(n["outputs"][0]["shape"].get<std::vector<int64_t>>()),
                        count(f), pct(f, total), fmt("%.1f", num(n["intensity"]))});
  }
  if (!top.rows.empty()) {
    w.sub("Heaviest ops");
    w.table(top);
  }
  const json& r = a["roofline"];
  w.sub("Roofline");
  w.kv("Ceilings", fmt("%.1f GFLOP/s", num(r["peak_gflops"])) + ", " + fmt("%.1f GB/s", num(r["peak_bandwidth_gbs"])) +
                       " (" + str(r["source"]) + ": " + str(r["estimate_model"]) + ")");
  int memory_bound = 0;
  for (const auto& n : r["nodes"]) memory_bound += n["bound"] == "memory";
  w.kv("Ridge point", fmt("%.1f FLOP/B", num(r["ridge_point"])) + "; " + std::to_string(memory_bound) + " of " +
                          std::to_string(r["nodes"].size()) + " computing ops are memory-bound");
  w.end_section();
}

void memory(Writer& w, const json& a) {
  const json& m = a["memory"];
  w.section("4. Memory (inference)");
  w.kv("Weights", bytes(m["weights_bytes"]));
  if (!m["available"].get<bool>()) {
    w.line("Activations unavailable: " + str(m["reason"]));
    w.end_section();
    return;
  }
  std::string at;
  if (m["peak_node"].get<int>() >= 0 && size_t(m["peak_node"].get<int>()) < a["nodes"].size()) {
    const json& n = a["nodes"][size_t(m["peak_node"].get<int>())];
    at = " at op " + std::to_string(n["index"].get<int>()) + " (" + str(n["op"]) + " in " + scope_name(n["scope"]) + ")";
  }
  w.kv("Activation peak", bytes(m["activation_peak_bytes"]) + at);
  w.kv("Peak (weights + activations)", bytes(m["peak_bytes"]));
  w.kv("Inputs / outputs", bytes(m["input_bytes"]) + " / " + bytes(m["output_bytes"]));
  std::vector<const json*> layers;
  double total = 0;
  for (const auto& l : m["per_layer"]) {
    layers.push_back(&l);
    total += num(l["bytes"]);
  }
  std::stable_sort(layers.begin(), layers.end(), [](const json* x, const json* y) { return num((*x)["bytes"]) > num((*y)["bytes"]); });
  Table t{{"layer", "class", "weights", "activations", "total", "share"}, {false, false, true, true, true, true}};
  for (size_t i = 0; i < layers.size() && i < 10; ++i) {
    const json& l = *layers[i];
    t.rows.push_back({scope_name(l["scope"]), str(l["class"]), bytes(l["weight_bytes"]), bytes(l["activation_bytes"]),
                      bytes(l["bytes"]), pct(num(l["bytes"]), total)});
  }
  w.sub("Per-layer distribution (largest 10 of " + std::to_string(layers.size()) + ")");
  w.table(t);
  w.end_section();
}

void training(Writer& w, const json& a) {
  const json& t = a["training_memory"];
  w.section("5. Training memory (estimate)");
  Table tb{{"optimizer", "weights", "gradients", "optimizer state", "saved activations", "peak"},
           {false, true, true, true, true, true}};
  for (const auto& [key, name] : {std::pair{"sgd", "SGD"}, {"sgd_momentum", "SGD + momentum"}, {"adam", "Adam / AdamW"}}) {
    const json& o = t["optimizers"][key];
    tb.rows.push_back({name, bytes(o["weights"]), bytes(o["gradients"]), bytes(o["optimizer_state"]),
                       bytes(o["activations"]), bytes(o["peak"])});
  }
  w.table(tb);
  w.line("Timeline: " + std::to_string(t["timeline"].size()) + " points; forward ends at step " +
         std::to_string(t["boundary"].get<int>()) + " where saved activations peak at " +
         bytes(t["saved_activation_bytes"]) + "; backward frees them while gradients grow.");
  if (a.contains("training_flops") && a["training_flops"].contains("backward_flops")) {
    const json& f = a["training_flops"];
    w.line("Training FLOPs: forward " + format_count(num(f["forward_flops"])) + ", backward " +
           format_count(num(f["backward_flops"])) + " (input gradients " +
           format_count(num(f["backward_input_grad_flops"])) + ", weight gradients " +
           format_count(num(f["backward_weight_grad_flops"])) + "), optimizer step SGD " +
           format_count(num(f["optimizer_step_flops"]["sgd"])) + " / momentum " +
           format_count(num(f["optimizer_step_flops"]["sgd_momentum"])) + " / Adam " +
           format_count(num(f["optimizer_step_flops"]["adam"])) + " / AdamW " +
           format_count(num(f["optimizer_step_flops"]["adamw"])) + ".");
  }
  w.end_section();
}

void fusions_and_recommendations(Writer& w, const json& a) {
  w.section("6. Recommendations");
  if (a.contains("heavy_tail")) {
    const json& h = a["heavy_tail"];
    double sum = 0;
    int fitted = 0;
    for (const auto& l : h["layers"])
      if (l["alpha"].is_number() && l["alpha"].get<double>() > 0) {
        sum += l["alpha"].get<double>();
        ++fitted;
      }
    if (fitted)
      w.line("Heavy-tail analysis (WeightWatcher conventions): " + std::to_string(h["layers"].size()) +
             " layers, mean alpha " + std::to_string(sum / fitted).substr(0, 5) + " over " + std::to_string(fitted) +
             " fitted layers (2-6 is the well-trained range).");
  }
  int i = 0;
  for (const auto& r : a["recommendations"])
    w.line(std::to_string(++i) + ". [" + str(r["kind"]) + "] " + str(r["message"]));
  if (i == 0) w.line("None: no rule fired.");
  w.end_section();
}

void inference(Writer& w, const json& a) {
  if (!a.contains("inference")) return;
  const json& s = a["inference"];
  w.section("7. Inference (" + str(s["device"]) + ")");
  if (!s.value("available", false)) {
    w.line("Unavailable: " + str(s["reason"]));
    w.end_section();
    return;
  }
  w.kv("Device", str(s["description"]));
  w.kv("Latency", fmt("%.3f ms", num(s["latency_us"]["median"]) / 1e3) + " median (IQR " +
                      fmt("%.3f ms", num(s["latency_us"]["iqr"]) / 1e3) + ", " + std::to_string(s["runs"].get<int>()) +
                      " runs)");
  w.kv("Throughput", fmt("%.1f samples/s", num(s["throughput_per_s"])));
  Table t{{"category", "ops", "time", "share"}, {false, true, true, true}};
  for (const auto& c : s["by_category"])
    t.rows.push_back({str(c["category"]), std::to_string(c["nodes"].get<int>()), fmt("%.1f us", num(c["time_us"])),
                      fmt("%.1f%%", 100 * num(c["share"]))});
  w.table(t);
  w.end_section();
}

void sweep(Writer& w, const json& a) {
  if (!a.contains("sweep")) return;
  const json& s = a["sweep"];
  w.section("8. Sweep");
  if (!s.value("available", false)) {
    w.line("Unavailable: " + str(s["reason"]));
    w.end_section();
    return;
  }
  Table t{{"batch", "seq", "FLOPs", "activation peak", "memory"}, {true, true, true, true, true}};
  for (const auto& p : s["points"])
    t.rows.push_back({p.contains("batch") ? std::to_string(p["batch"].get<int64_t>()) : "-",
                      p.contains("seq") ? std::to_string(p["seq"].get<int64_t>()) : "-",
                      p.contains("error") ? "error" : count(num(p["flops"])),
                      p.contains("error") ? "-" : bytes(p["activation_peak_bytes"]),
                      p.contains("error") ? "-" : bytes(p["memory_bytes"])});
  w.table(t);
  Table f{{"metric", "along", "best fit", "R2", "dominant term"}, {false, false, false, true, false}};
  for (const auto& x : s["fits"]) {
    const json& best = x[x["best"].get<std::string>()];
    f.rows.push_back({str(x["metric"]), str(x["variable"]), str(best["equation"]), fmt("%.6f", num(best["r2"])),
                      str(x["dominant_term"])});
  }
  w.table(f);
  w.end_section();
}

void system(Writer& w, const json& a) {
  const json& s = a["system"];
  w.section("System");
  const json& c = s["cpu"];
  w.kv("CPU", str(c["model"]) + ", " + std::to_string(c["cores"].get<int>()) + " cores / " +
                  std::to_string(c["threads"].get<int>()) + " threads" +
                  (num(c["frequency_mhz"]) > 0 ? fmt(", %.0f MHz", num(c["frequency_mhz"])) : ""));
  w.kv("CPU utilisation", fmt("%.0f%% machine", num(c["utilisation_percent"])) + ", " +
                              fmt("%.0f%% of one core by ptscope", num(c["process_utilisation_percent"])));
  w.kv("Run time", fmt("%.2f s wall", num(s["wall_seconds"])) + ", " + fmt("%.2f s CPU", num(s["cpu_seconds"])));
  w.kv("Peak RSS", bytes(s["memory"]["peak_rss_bytes"]) + " of " + bytes(s["memory"]["total_bytes"]));
  w.kv("Bytes read", bytes(s["io"]["read_bytes"]) + " from storage, " + bytes(s["io"]["rchar"]) + " via read()");
  if (s["gpu"]["available"].get<bool>()) {
    for (const auto& d : s["gpu"]["devices"])
      w.kv("GPU", str(d["name"]) + fmt(", %.0f%% busy", num(d["utilisation_percent"])) + ", " +
                      bytes(d["memory_used_bytes"]) + " / " + bytes(d["memory_total_bytes"]) +
                      fmt(", %.0f C", num(d["temperature_c"])) + fmt(", %.0f W", num(d["power_w"])));
  } else {
    w.kv("GPU", "none (" + str(s["gpu"]["reason"]) + ")");
  }
  const json& e = s["energy"];
  std::string energy = fmt("%.2f J", num(e["joules"])) + fmt(" (%.1f W average), ", num(e["watts"]));
  energy += e["source"] == "estimate" ? str(e["model"]) : "measured (" + str(e["source"]) + ")";
  w.kv("Energy of this run", energy);
  w.end_section();
}

std::string render(const json& a, bool md) {
  Writer w(md);
  w.title("ptscope analysis: " + str(a["file"]["path"]));
  w.kv("File", std::string(a["file"]["kind"]) + ", " + format_bytes(bytes_of(a["file"]["bytes"])) +
                   (a["file"]["format_version"].is_null() ? "" : ", format version " + a["file"]["format_version"].dump()));
  w.end_section();
  architecture(w, a);
  parameters(w, a);
  compute(w, a);
  memory(w, a);
  training(w, a);
  fusions_and_recommendations(w, a);
  inference(w, a);
  sweep(w, a);
  // Markdown is for pull requests: the machine's numbers only when a run was asked for.
  if (!md || a.contains("inference")) system(w, a);
  std::string out = w.str();
  while (out.size() > 1 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  return out;
}

}  // namespace

std::string render_analysis_text(const json& a) { return render(a, false); }
std::string render_analysis_markdown(const json& a) { return render(a, true); }

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
