#include "kernels/profile.h"

#include <algorithm>
#include <optional>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <sys/resource.h>

#include "core/format.h"
#include "graph/memory_plan.h"
#include "kernels/data_backend.h"
#include "kernels/executor.h"
#include "kernels/graph_runner.h"
#include "kernels/tensor_io.h"
#include "parser/exported_program.h"

namespace ptscope::kernels {
namespace {

double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * double(v.size() - 1);
  const size_t lo = size_t(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - double(lo));
}

bool is_data_dependent(const Error& e) { return e.condition() == ErrorCondition::data_dependent; }

std::vector<GroupTotal> group(const std::vector<NodeProfile>& nodes, double total_us,
                              const std::function<std::string(const NodeProfile&)>& key) {
  std::map<std::string, GroupTotal> m;
  for (const auto& n : nodes) {
    GroupTotal& t = m[key(n)];
    t.name = key(n);
    ++t.nodes;
    t.time_us += n.time_us_median;
    t.flops += n.flops + n.extended_flops;
  }
  std::vector<GroupTotal> out;
  for (auto& [k, t] : m) {
    t.share = total_us > 0 ? t.time_us / total_us : 0;
    out.push_back(t);
  }
  std::stable_sort(out.begin(), out.end(), [](const GroupTotal& a, const GroupTotal& b) { return a.time_us > b.time_us; });
  return out;
}

}  // namespace

double median_of(std::vector<double> v) { return quantile(v, 0.5); }
double iqr_of(std::vector<double> v) { return quantile(v, 0.75) - quantile(v, 0.25); }

uint64_t peak_rss_bytes() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmHWM:", 0) == 0) return uint64_t(std::stoull(line.substr(6))) * 1024;  // "VmHWM:  1234 kB"
  struct rusage ru {};
  if (getrusage(RUSAGE_SELF, &ru) == 0) return uint64_t(ru.ru_maxrss) * 1024;
  return 0;
}

ProfileResult profile_graph(const graph::Graph& g, const ProfileOptions& options, std::vector<TensorBuffer> inputs,
                            const std::string& inputs_from) {
  if (options.repeat < 1) throw Error(ErrorCode::usage, "--repeat must be at least 1");
  if (options.warmup < 0) throw Error(ErrorCode::usage, "--warmup must not be negative");
  BackendOptions bo;
  bo.threads = options.threads;
  std::unique_ptr<Backend> backend = make_backend(options.device, bo);
  const auto missing = unsupported_ops(g, *backend);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw Error(ErrorCode::unsupported, "the " + backend->name() + " executor has no kernel for: " + list);
  }

  ProfileResult r;
  r.device = backend->name();
  r.device_description = backend->description();
  r.threads = options.threads;
  r.warmup = options.warmup;
  r.repeat = options.repeat;
  r.notes = g.notes;
  const bool random = inputs.empty();
  if (random) inputs = options.input_files.empty() ? random_inputs(g, options.seed) : read_inputs(g, options.input_files);
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    const auto& v = g.values[size_t(g.inputs[k])];
    std::string from = !inputs_from.empty() ? inputs_from
                       : !options.input_files.empty()
                           ? "from " + options.input_files[std::min(k, options.input_files.size() - 1)]
                           : "random, seed " + std::to_string(options.seed + k);
    r.inputs.push_back(v.name + ": " + format_shape_dims(v.meta.shape, "[]") + " " + std::string(dtype_name(v.meta.dtype)) + " (" +
                       from + ")");
  }

  GraphRunner runner(g, *backend);
  runner.set_inputs(std::move(inputs));
  for (int w = 0; w < options.warmup; ++w) runner.run();
  // Per-node timing (every node synchronised), then whole-graph runs without per-node overhead.
  std::vector<std::vector<double>> samples(g.nodes.size());
  std::vector<double> node_us;
  for (int k = 0; k < options.repeat; ++k) {
    runner.run(&node_us);
    for (size_t i = 0; i < node_us.size(); ++i) samples[i].push_back(node_us[i]);
  }
  std::vector<double> whole;
  for (int k = 0; k < options.repeat; ++k) {
    runner.run();
    whole.push_back(runner.last_run_us());
  }
  std::vector<TensorBuffer> outputs = runner.outputs();
  for (const auto& o : outputs) r.output_shapes.push_back(o.tensor().shape);
  if (!options.output_file.empty()) write_outputs(options.output_file, outputs);

  graph::MemoryPlanOptions mo;
  mo.alias_of = runner.observed_alias();
  mo.workspace_bytes = runner.workspace_bytes();
  const graph::MemoryPlan plan = graph::plan_memory(g, mo);
  r.peak_bytes_planned = plan.peak_bytes;
  r.resident_bytes = plan.resident_bytes;
  r.peak_bytes_allocated = runner.peak_allocated_bytes();

  double sum = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const graph::Node& n = g.nodes[i];
    NodeProfile p;
    p.index = int(i);
    p.op = n.op;
    p.scope = n.scope;
    p.scope_class = n.scope_class;
    p.category = graph::op_category_name(n.category);
    p.source = n.source;
    for (int o : n.outputs) p.output_shapes.push_back(g.values[size_t(o)].meta.shape);
    p.time_us_median = median_of(samples[i]);
    p.time_us_iqr = iqr_of(samples[i]);
    p.noisy = p.time_us_median > 0 && p.time_us_iqr / p.time_us_median > options.noisy_threshold;
    p.flops = n.cost.flops;
    p.extended_flops = n.cost.extended_flops;
    const double work = p.flops + p.extended_flops;
    p.gflops_achieved = p.time_us_median > 0 ? work / (p.time_us_median * 1e3) : 0;
    p.bytes = n.cost.bytes_read + n.cost.bytes_written;
    p.arithmetic_intensity = p.bytes ? work / double(p.bytes) : 0;
    p.live_bytes = plan.live_after[i];
    p.workspace_bytes = runner.workspace_bytes()[i];
    sum += p.time_us_median;
    r.total_flops += work;
    r.nodes.push_back(std::move(p));
  }
  for (auto& p : r.nodes) p.share = sum > 0 ? p.time_us_median / sum : 0;
  r.node_sum_ms = sum / 1e3;
  r.latency_ms_median = median_of(whole) / 1e3;
  r.latency_ms_iqr = iqr_of(whole) / 1e3;
  r.by_scope = group(r.nodes, sum, [](const NodeProfile& n) { return n.scope.empty() ? std::string("(root)") : n.scope; });
  r.by_category = group(r.nodes, sum, [](const NodeProfile& n) { return n.category; });
  r.peak_rss_bytes = peak_rss_bytes();
  for (auto& n : backend->report_notes()) r.notes.push_back(std::move(n));
  return r;
}

// The sample input a torch.export archive carries, when it fits the graph's inputs.
static std::vector<TensorBuffer> exported_sample_inputs(const Model& model, const graph::Graph& g) {
  if (!model.exported || model.exported->sample_inputs.size() != g.inputs.size()) return {};
  std::vector<TensorBuffer> out;
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    const Tensor& t = *model.exported->sample_inputs[k];
    const auto& meta = g.values[size_t(g.inputs[k])].meta;
    const auto& info = dtype_info(t.dtype);
    if (t.shape != meta.shape || t.dtype != meta.dtype || !t.data() || info.is_quantized || info.is_complex ||
        t.layout != Layout::strided)
      return {};
    TensorView file_view;
    file_view.data = const_cast<uint8_t*>(t.data());
    file_view.shape = t.shape;
    file_view.strides = t.strides;
    file_view.dtype = t.dtype;
    TensorBuffer host(t.shape, exec_dtype(t.dtype));
    convert(file_view, host.tensor());
    out.push_back(std::move(host));
  }
  return out;
}

ProfileResult profile(const Model& model, const ProfileOptions& options, const graph::Graph* built) {
  try {
    std::optional<graph::Graph> own;
    if (!built) built = &own.emplace(graph::build_graph(model, options.graph));
    const graph::Graph& g = *built;
    if (options.input_files.empty()) {
      auto sample = exported_sample_inputs(model, g);
      if (!sample.empty()) return profile_graph(g, options, std::move(sample), "the archive's sample input");
    }
    return profile_graph(g, options);
  } catch (const Error& e) {
    if (!is_data_dependent(e)) throw;
  }
  // Control flow depends on tensor values: run the interpreter on real data
  // (the same inputs the profile then uses) and profile the branch it took.
  BackendOptions bo;
  bo.threads = options.threads;
  std::unique_ptr<Backend> backend = make_backend(options.device, bo);
  DataBackend data(*backend, [&](const graph::Graph& g, int value_id, int64_t id_bound) {
    size_t k = 0;
    while (k < g.inputs.size() && g.inputs[k] != value_id) ++k;
    if (k == g.inputs.size()) throw Error(ErrorCode::corrupt, "data run: unknown input");
    if (!options.input_files.empty()) return read_inputs(g, options.input_files).at(k);
    const auto& m = g.values[size_t(value_id)].meta;
    return random_input(m.shape, m.dtype, options.seed + k, id_bound);
  });
  graph::Graph g = build_graph_with_data(model, options.graph, data);
  std::vector<TensorBuffer> inputs;
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    auto it = std::find_if(data.inputs_used().begin(), data.inputs_used().end(),
                           [&](const auto& p) { return p.first == g.inputs[k]; });
    if (it != data.inputs_used().end()) {
      inputs.push_back(it->second);
    } else {
      const auto& m = g.values[size_t(g.inputs[k])].meta;
      inputs.push_back(random_input(m.shape, m.dtype, options.seed + k));
    }
  }
  data.release();
  ProfileResult r = profile_graph(g, options, std::move(inputs));
  r.data_dependent = true;
  r.notes.push_back("control flow depends on tensor values: the graph is the branch this input takes "
                    "(recorded by running the interpreter on real data)");
  return r;
}

nlohmann::json profile_json(const ProfileResult& r) {
  using nlohmann::json;
  json j;
  j["schema"] = "ptscope.profile/1";
  j["device"] = r.device;
  j["device_description"] = r.device_description;
  j["threads"] = r.threads;
  j["warmup"] = r.warmup;
  j["repeat"] = r.repeat;
  j["data_dependent"] = r.data_dependent;
  j["notes"] = r.notes;
  j["inputs"] = r.inputs;
  j["output_shapes"] = r.output_shapes;
  json totals;
  totals["latency_ms_median"] = r.latency_ms_median;
  totals["latency_ms_iqr"] = r.latency_ms_iqr;
  totals["node_sum_ms"] = r.node_sum_ms;
  totals["flops"] = r.total_flops;
  totals["gflops_achieved"] = r.latency_ms_median > 0 ? r.total_flops / (r.latency_ms_median * 1e6) : 0;
  totals["peak_bytes_planned"] = r.peak_bytes_planned;
  totals["resident_bytes"] = r.resident_bytes;
  totals["peak_bytes_allocated"] = r.peak_bytes_allocated;
  totals["peak_rss_bytes"] = r.peak_rss_bytes;
  totals["nodes"] = r.nodes.size();
  j["totals"] = totals;
  json nodes = json::array();
  for (const auto& n : r.nodes) {
    nodes.push_back({{"index", n.index},
                     {"op", n.op},
                     {"scope", n.scope},
                     {"scope_class", n.scope_class},
                     {"category", n.category},
                     {"source", n.source},
                     {"output_shapes", n.output_shapes},
                     {"time_us_median", n.time_us_median},
                     {"time_us_iqr", n.time_us_iqr},
                     {"share", n.share},
                     {"noisy", n.noisy},
                     {"flops", n.flops},
                     {"extended_flops", n.extended_flops},
                     {"gflops_achieved", n.gflops_achieved},
                     {"bytes", n.bytes},
                     {"arithmetic_intensity", n.arithmetic_intensity},
                     {"live_bytes", n.live_bytes},
                     {"workspace_bytes", n.workspace_bytes}});
  }
  j["nodes"] = nodes;
  auto groups = [](const std::vector<GroupTotal>& gs) {
    json a = json::array();
    for (const auto& g : gs)
      a.push_back({{"name", g.name}, {"nodes", g.nodes}, {"time_us", g.time_us}, {"share", g.share}, {"flops", g.flops}});
    return a;
  };
  j["by_scope"] = groups(r.by_scope);
  j["by_category"] = groups(r.by_category);
  return j;
}

std::string render_profile_text(const ProfileResult& r, size_t max_nodes) {
  std::ostringstream o;
  o << "device: " << r.device_description << "\n";
  for (const auto& i : r.inputs) o << "input " << i << "\n";
  for (const auto& n : r.notes) o << "note: " << n << "\n";
  o << "runs: " << r.warmup << " warmup, " << r.repeat << " timed\n\n";
  o << "latency (end to end, median of " << r.repeat << "): " << fmt("%.3f", r.latency_ms_median) << " ms (IQR "
    << fmt("%.3f", r.latency_ms_iqr) << " ms); sum of node medians " << fmt("%.3f", r.node_sum_ms) << " ms\n";
  o << "work: " << fmt("%.3f", r.total_flops / 1e9) << " GFLOP, "
    << fmt("%.1f", r.latency_ms_median > 0 ? r.total_flops / (r.latency_ms_median * 1e6) : 0) << " GFLOP/s\n";
  o << "memory: planned peak " << format_bytes(r.peak_bytes_planned) << " (resident "
    << format_bytes(r.resident_bytes) << "), allocator peak " << format_bytes(r.peak_bytes_allocated)
    << ", peak RSS " << format_bytes(r.peak_rss_bytes) << "\n\n";

  std::vector<const NodeProfile*> order;
  for (const auto& n : r.nodes) order.push_back(&n);
  std::stable_sort(order.begin(), order.end(),
                   [](const NodeProfile* a, const NodeProfile* b) { return a->time_us_median > b->time_us_median; });
  const size_t shown = max_nodes ? std::min(max_nodes, order.size()) : order.size();
  o << "nodes by time (" << shown << " of " << order.size() << "; * = noisy, IQR/median > 0.1)\n";
  char line[512];
  std::snprintf(line, sizeof line, "%5s %-34s %-28s %10s %8s %6s %10s %8s %7s %10s\n", "#", "op", "scope", "median us",
                "IQR us", "share", "MFLOP", "GFLOP/s", "AI", "live");
  o << line;
  for (size_t k = 0; k < shown; ++k) {
    const NodeProfile& n = *order[k];
    std::string scope = n.scope.size() > 28 ? "…" + n.scope.substr(n.scope.size() - 27) : n.scope;
    std::snprintf(line, sizeof line, "%5d %-34s %-28s %10.1f %7.1f%s %5.1f%% %10.2f %8.2f %7.2f %10s\n", n.index,
                  n.op.substr(0, 34).c_str(), scope.c_str(), n.time_us_median, n.time_us_iqr, n.noisy ? "*" : " ",
                  n.share * 100, (n.flops + n.extended_flops) / 1e6, n.gflops_achieved, n.arithmetic_intensity,
                  format_bytes(n.live_bytes).c_str());
    o << line;
  }
  auto groups = [&](const char* title, const std::vector<GroupTotal>& gs, size_t limit) {
    o << "\n" << title << "\n";
    std::snprintf(line, sizeof line, "%-40s %6s %12s %7s %10s\n", "name", "nodes", "time us", "share", "GFLOP/s");
    o << line;
    for (size_t k = 0; k < gs.size() && k < limit; ++k) {
      const auto& g = gs[k];
      std::snprintf(line, sizeof line, "%-40s %6d %12.1f %6.1f%% %10.2f\n", g.name.substr(0, 40).c_str(), g.nodes,
                    g.time_us, g.share * 100, g.time_us > 0 ? g.flops / (g.time_us * 1e3) : 0);
      o << line;
    }
  };
  groups("by category", r.by_category, 100);
  groups("by module scope (top 20)", r.by_scope, 20);
  return o.str();
}

}  // namespace ptscope::kernels
