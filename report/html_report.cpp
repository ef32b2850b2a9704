#include "report/html_report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "report/html_assets.h"  // generated from report/html/ by CMake
#include "core/format.h"
#include "report/analysis.h"
#include "report/plots.h"
#include "report/svg.h"

namespace ptscope::report {
namespace {

using nlohmann::json;
using svg::Unit;

std::string h(std::string_view text) { return svg::escape(text); }

// A number for a table cell or card; "" when it is not a number (NaN), so that empty cells are left out.
std::string value(double v, Unit unit) { return std::isnan(v) ? "" : svg::format_value(v, unit); }
// A weight statistic: the JSON writes a NaN one as "nan" (stats/stats_json.h), and so does the viewer's table.
std::string statistic(double v, Unit unit) { return std::isnan(v) ? "nan" : svg::format_value(v, unit); }

std::string percent(double fraction) { return std::isfinite(fraction) ? format_percent(fraction, 1, "") : ""; }

std::string card(std::string_view label, std::string_view val, std::string_view sub = "") {
  if (val.empty()) return "";
  std::string s = "<div class=\"card\"><div class=\"label\">" + h(label) + "</div><div class=\"value\">" + h(val) + "</div>";
  if (!sub.empty()) s += "<div class=\"sub\">" + h(sub) + "</div>";
  return s + "</div>";
}

// A definition list; pairs with an empty value are left out.
std::string kv(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string s = "<dl class=\"kv\">";
  for (const auto& [k, v] : pairs)
    if (!v.empty()) s += "<dt>" + h(k) + "</dt><dd>" + h(v) + "</dd>";
  return s + "</dl>";
}

struct Column {
  std::string title;
  bool numeric = false;
};

std::string table(const std::vector<Column>& columns, const std::vector<std::vector<std::string>>& rows,
                  std::string_view css = "data") {
  std::string s = "<table class=\"" + h(css) + "\"><thead><tr>";
  for (const auto& c : columns) s += std::string("<th") + (c.numeric ? " class=\"num\"" : "") + ">" + h(c.title) + "</th>";
  s += "</tr></thead><tbody>";
  for (const auto& r : rows) {
    s += "<tr>";
    for (size_t i = 0; i < columns.size(); ++i)
      s += std::string("<td") + (columns[i].numeric ? " class=\"num\"" : "") + ">" + h(i < r.size() ? r[i] : "") + "</td>";
    s += "</tr>";
  }
  return s + "</tbody></table>";
}

std::string panel(std::string_view title, const std::string& body) {
  return "<div class=\"panel\"><h3>" + h(title) + "</h3>" + body + "</div>";
}

std::string figures(const std::vector<plots::Plot>& all, std::string_view section) {
  std::string s = "<div class=\"plots\">";
  for (const auto& p : all)
    if (p.section == section) s += "<figure class=\"plot\" data-plot=\"" + h(p.id) + "\">" + p.svg + "</figure>";
  return s + "</div>";
}

std::string unavailable(bool available, const std::string& reason) {
  if (available) return "";
  return "<p class=\"muted\">Not available: " + h(reason) + "</p>";
}

// The inference run's results, when the executor ran (null otherwise, or when it failed).
const kernels::ProfileResult* inference_result(const Analysis& a) {
  return a.inference && a.inference->executor_ran && !a.inference->unavailable ? &a.inference->result : nullptr;
}

std::string overview(const Analysis& a, const std::vector<plots::Plot>& all) {
  const Summary& summary = a.summary;
  const bool has_graph = a.graph.available;
  std::string s = "<section class=\"tab\" id=\"tab-overview\"><h2>Overview</h2><div class=\"cards\">";
  s += card("Architecture", a.architecture.kind);
  // Buffers: their elements, and how many tensors hold them ("53.2k buffer elements in 159 tensors").
  const std::string tensors = value(double(summary.buffer_tensors), Unit::count);
  const std::string buffers = value(double(summary.buffers), Unit::count) + " buffer elements in " + tensors +
                              " tensor" + (tensors == "1" ? "" : "s");
  s += card("Parameters", value(double(summary.params), Unit::count), buffers);
  s += card("Weights", value(double(summary.weight_bytes), Unit::bytes));
  s += card("FLOPs", value(has_graph ? summary.cost.flops : 0, Unit::count),
            value(has_graph ? summary.cost.macs : 0, Unit::count) + " MACs");
  s += card("Activation peak", value(double(a.memory.activation_peak_bytes), Unit::bytes));
  s += card("Peak memory", value(double(a.memory.peak_bytes), Unit::bytes), "weights + activations");
  s += card("Graph ops", value(double(has_graph ? summary.nodes : 0), Unit::count));
  if (const kernels::ProfileResult* r = inference_result(a))
    s += card("Latency (median)", value(r->latency_ms_median * 1e3, Unit::microseconds), a.inference->device);
  s += "</div>";

  std::string about = "<p>" + h(a.architecture.reason) + "</p>";
  std::string evidence;
  if (a.architecture_has_evidence)
    for (const auto& e : a.architecture.evidence) evidence += "<li>" + h(e) + "</li>";
  if (!evidence.empty()) about += "<ul class=\"evidence\">" + evidence + "</ul>";
  std::vector<std::pair<std::string, std::string>> io;
  for (const TensorInfo& t : summary.inputs)
    io.push_back({"input " + t.name, format_shape(t.shape) + " " + std::string(dtype_name(t.dtype))});
  for (const TensorInfo& t : summary.outputs)
    io.push_back({"output ", format_shape(t.shape) + " " + std::string(dtype_name(t.dtype))});
  about += kv(io);
  std::string notes;
  if (has_graph)
    for (const auto& n : a.graph.notes) notes += "<li>" + h(n) + "</li>";
  if (!notes.empty()) about += "<p class=\"muted\">Notes:</p><ul class=\"muted\">" + notes + "</ul>";
  about += unavailable(has_graph, a.graph.reason);
  s += panel("Architecture", about);

  const auto& recs = a.recommendations;
  if (!recs.empty()) {
    std::string list = "<ul>";
    for (size_t i = 0; i < recs.size() && i < 5; ++i)
      list += "<li><span class=\"tag " + h(recs[i].kind) + "\">" + h(recs[i].kind) + "</span> " + h(recs[i].message) +
              "</li>";
    list += "</ul>";
    if (recs.size() > 5) list += "<p class=\"muted\">" + std::to_string(recs.size() - 5) + " more under Recommendations.</p>";
    s += panel("Top recommendations", list);
  }
  return s + figures(all, "overview") + "</section>";
}

std::string modules_tab(const Analysis& a) {
  std::string s = "<section class=\"tab\" id=\"tab-modules\"><h2>Module tree</h2>";
  s += "<noscript><p class=\"muted\">The module tree needs JavaScript; the analysis JSON is embedded in this file.</p></noscript>";
  s += "<div class=\"tree-layout\"><div class=\"panel\"><div class=\"toolbar\">"
       "<input type=\"search\" id=\"tree-search\" placeholder=\"Search modules by name or type\" aria-label=\"Search modules\">"
       "<button type=\"button\" id=\"tree-expand\">Expand all</button>"
       "<button type=\"button\" id=\"tree-collapse\">Collapse</button>"
       "<span class=\"muted\" id=\"tree-matches\"></span></div>"
       "<div class=\"tree-scroll\"><table class=\"data tree\"><thead><tr><th>Module</th><th>Type</th><th>Output shape</th>"
       "<th class=\"num\">Params</th><th class=\"num\">FLOPs</th><th class=\"num\">Activations</th>"
       "<th class=\"num\">Weights</th><th class=\"num time\">Time</th></tr></thead><tbody id=\"tree-body\"></tbody></table></div></div>"
       "<aside class=\"panel\" id=\"details\"><p class=\"muted\">Select a module to see its operations and tensors.</p></aside></div>";
  if (a.modules.empty()) s += "<p class=\"muted\">No module tree in this analysis (no graph).</p>";
  return s + "</section>";
}

// The graph view: report/html/graph_view.js lays out and draws nodes[] into #graph-svg.
std::string graph_tab(const Analysis& a) {
  std::string s = "<section class=\"tab\" id=\"tab-graph\"><h2>Graph</h2>";
  s += "<noscript><p class=\"muted\">The graph view needs JavaScript; the analysis JSON is embedded in this file.</p></noscript>";
  s += unavailable(a.graph.available, a.graph.reason);
  s += "<div class=\"graph-layout\" id=\"graph-view\"><div class=\"panel\"><div class=\"graph-toolbar\">"
       "<input type=\"search\" id=\"graph-search\" placeholder=\"Search ops and modules (Enter: next)\" aria-label=\"Search the graph\">"
       "<button type=\"button\" id=\"graph-next\">Next</button>"
       "<label>Colour by <select id=\"graph-metric\">"
       "<option value=\"flops\">FLOPs</option><option value=\"bytes\">bytes moved</option>"
       "<option value=\"time\">measured time</option><option value=\"live\">live memory</option>"
       "<option value=\"params\">parameters</option></select></label>"
       "<button type=\"button\" id=\"graph-expand\">Expand all</button>"
       "<button type=\"button\" id=\"graph-collapse\">Collapse</button>"
       "<button type=\"button\" id=\"graph-fit\">Fit</button></div>"
       "<div class=\"graph-legend\" id=\"graph-legend\"></div>"
       "<div id=\"graph-viewport\"><svg id=\"graph-svg\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
       "aria-label=\"Op graph\"></svg></div><p class=\"muted\" id=\"graph-info\"></p></div>"
       "<aside class=\"panel\" id=\"graph-details\"><p class=\"muted\">Click an op for its arguments, weights, costs and "
       "source line; click a module group to expand it. Drag to pan, wheel to zoom.</p></aside></div>";
  return s + "</section>";
}

std::string compute_tab(const Analysis& a, const std::vector<plots::Plot>& all) {
  std::string s = "<section class=\"tab\" id=\"tab-compute\"><h2>Compute</h2>";
  double total = 0;
  for (const graph::CategoryTotals& c : a.categories) total += std::isfinite(c.cost.flops) ? c.cost.flops : 0;
  std::vector<std::vector<std::string>> rows;
  for (const graph::CategoryTotals& c : a.categories)
    rows.push_back({graph::op_category_name(c.category), value(double(c.nodes), Unit::count),
                    value(c.cost.flops, Unit::count), total > 0 ? percent(c.cost.flops / total) : "",
                    value(c.cost.macs, Unit::count), value(c.cost.extended_flops, Unit::count),
                    value(double(c.cost.bytes_read + c.cost.bytes_written), Unit::bytes)});
  if (!rows.empty())
    s += panel("FLOPs by category", table({{"category"}, {"ops", true}, {"FLOPs", true}, {"share", true}, {"MACs", true},
                                           {"extended FLOPs", true}, {"bytes moved", true}}, rows));
  s += figures(all, "compute");
  rows.clear();
  for (const FusionRow& f : a.fusions)
    rows.push_back({f.fusion.pattern, f.fusion.scope, std::to_string(f.fusion.nodes.size()),
                    value(double(f.fusion.saved_bytes), Unit::bytes)});
  if (!rows.empty())
    s += panel("Fusion opportunities", table({{"pattern"}, {"module"}, {"ops", true}, {"traffic saved", true}}, rows));
  return s + "</section>";
}

std::string memory_tab(const Analysis& a, const std::vector<plots::Plot>& all) {
  const MemorySection& m = a.memory;
  std::string s = "<section class=\"tab\" id=\"tab-memory\"><h2>Memory (inference)</h2>" + unavailable(m.available, m.reason);
  // Without the graph only the weights (and the peak they make alone) are known.
  s += "<div class=\"cards\">" + card("Weights", value(double(m.weights_bytes), Unit::bytes)) +
       card("Activation peak", value(double(m.activation_peak_bytes), Unit::bytes),
            m.available ? "at node " + std::to_string(m.peak_node) : "") +
       card("Peak", value(double(m.peak_bytes), Unit::bytes)) +
       (m.available ? card("Inputs", value(double(m.input_bytes), Unit::bytes)) +
                          card("Outputs", value(double(m.output_bytes), Unit::bytes))
                    : "") +
       "</div>";
  return s + figures(all, "memory") + "</section>";
}

std::string training_tab(const Analysis& a, const std::vector<plots::Plot>& all) {
  const graph::TrainingMemory& t = a.training_memory;
  std::string s = "<section class=\"tab\" id=\"tab-training\"><h2>Training memory (estimate)</h2>";
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, o] : {std::pair{"adam", &t.adam}, {"sgd", &t.sgd}, {"sgd_momentum", &t.sgd_momentum}})
    rows.push_back({name, value(double(o->weights), Unit::bytes), value(double(o->gradients), Unit::bytes),
                    value(double(o->optimizer_state), Unit::bytes), value(double(o->activations), Unit::bytes),
                    value(double(o->peak), Unit::bytes)});
  s += panel("By optimizer", table({{"optimizer"}, {"weights", true}, {"gradients", true}, {"optimizer state", true},
                                    {"saved activations", true}, {"peak", true}}, rows));
  return s + figures(all, "training") + "</section>";
}

std::string roofline_tab(const Analysis& a, const std::vector<plots::Plot>& all) {
  const Roofline& r = a.roofline;
  const auto memory_bound =
      size_t(std::count_if(r.nodes.begin(), r.nodes.end(), [](const RooflineNode& n) { return n.memory_bound; }));
  const size_t compute_bound = r.nodes.size() - memory_bound;
  std::string s = "<section class=\"tab\" id=\"tab-roofline\"><h2>Roofline</h2>";
  s += "<div class=\"cards\">" + card("Peak compute", value(r.peaks.gflops, Unit::plain), "GFLOP/s") +
       card("Peak bandwidth", value(r.peaks.bandwidth_gbs, Unit::plain), "GB/s") +
       card("Ridge point", value(r.ridge_point, Unit::plain), "FLOP per byte") +
       card("Memory-bound ops", std::to_string(memory_bound), "below the ridge point") +
       card("Compute-bound ops", std::to_string(compute_bound)) + "</div>";
  const std::string& source = r.peaks.source;
  const std::string& model = r.peaks.model;
  if (!source.empty())
    s += "<p class=\"muted\">Ceilings: " + h(source) + (r.device.empty() ? "" : " on " + h(r.device)) +
         (model.empty() ? "" : " \xE2\x80\x94 " + h(model)) + "</p>";
  return s + figures(all, "roofline") + "</section>";
}

std::string parameters_tab(const Analysis& a, const std::vector<plots::Plot>& all) {
  const ModelSummary& p = a.parameters.stats.summary;
  const auto& tensors = a.parameters.stats.tensors;
  std::string s = "<section class=\"tab\" id=\"tab-parameters\"><h2>Parameters</h2>";
  s += "<div class=\"cards\">" + card("Tensors", tensors.empty() ? "" : std::to_string(tensors.size())) +
       card("Elements", value(double(p.numel), Unit::count)) + card("Bytes", value(double(p.bytes), Unit::bytes)) +
       card("Sparsity", percent(p.sparsity)) +
       card("Dead channels", value(double(p.dead_channels), Unit::count), value(double(p.channels), Unit::count) + " channels") +
       card("Recommended size", value(double(p.recommended_bytes), Unit::bytes)) + "</div>";
  s += figures(all, "parameters");
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < tensors.size() && i < 2000; ++i) {
    const TensorStats& t = tensors[i];
    std::vector<std::string> row = {t.name, t.dtype, format_shape(t.shape), value(double(t.numel), Unit::count)};
    if (t.computed) {  // the others have no statistics: empty cells
      for (double v : {t.mean, t.std, t.min, t.max}) row.push_back(statistic(v, Unit::plain));
      row.push_back(percent(t.sparsity));
      row.push_back(statistic(t.quant.sqnr_int8_channel_db, Unit::decibels));
      row.push_back(t.quant.recommended_format);
    }
    rows.push_back(std::move(row));
  }
  if (!rows.empty())
    s += panel("Tensors" + std::string(tensors.size() > 2000 ? " (first 2000)" : ""),
               table({{"name"}, {"dtype"}, {"shape"}, {"elements", true}, {"mean", true}, {"std", true}, {"min", true},
                      {"max", true}, {"sparsity", true}, {"int8 SQNR", true}, {"recommended"}}, rows));
  return s + "</section>";
}

std::string sweep_tab(const Analysis& a, const std::vector<plots::Plot>& all) {
  std::string s = "<section class=\"tab\" id=\"tab-sweep\"><h2>Batch and sequence sweep</h2>";
  std::vector<std::vector<std::string>> rows;
  if (a.sweep)
    for (const SweepFit& f : a.sweep->fits) {
      const PolyFit& model = f.best == "quadratic" ? f.quadratic : f.linear;
      rows.push_back({f.metric, f.variable, f.best, model.equation, value(model.r2, Unit::plain), f.dominant});
    }
  if (!rows.empty())
    s += panel("Fits", table({{"metric"}, {"variable"}, {"best fit"}, {"equation"}, {"R\xC2\xB2", true}, {"dominant term"}}, rows));
  return s + figures(all, "sweep") + "</section>";
}

std::string recommendations_tab(const Analysis& a) {
  std::string s = "<section class=\"tab\" id=\"tab-recommendations\"><h2>Recommendations</h2>";
  const auto& recs = a.recommendations;
  if (recs.empty()) return s + "<p class=\"muted\">No recommendations.</p></section>";
  s += "<div class=\"panel\"><table class=\"data\"><thead><tr><th>kind</th><th>target</th><th>recommendation</th></tr></thead><tbody>";
  for (const AnalysisRecommendation& r : recs)
    s += "<tr><td><span class=\"tag " + h(r.kind) + "\">" + h(r.kind) + "</span></td><td class=\"mono\">" + h(r.target) +
         "</td><td>" + h(r.message) + "</td></tr>";
  return s + "</tbody></table></div></section>";
}

// "12.3 s" and the like: a value with its unit after it, or "" when there is none.
std::string with_unit(double v, const std::string& unit) {
  const std::string text = value(v, Unit::plain);
  return text.empty() ? "" : text + unit;
}

std::string inference_panel(const InferenceSection& inf) {
  const kernels::ProfileResult* r = inf.executor_ran && !inf.unavailable ? &inf.result : nullptr;
  std::string body = unavailable(!inf.unavailable, inf.unavailable.value_or(""));
  if (!r)
    return panel("Inference", body + kv({{"device", inf.executor_ran ? inf.device : ""}}));
  body += kv({{"device", inf.device}, {"executor", r->device_description}, {"runs", std::to_string(r->repeat)},
              {"warm-up", std::to_string(r->warmup)}, {"median", value(r->latency_ms_median * 1e3, Unit::microseconds)},
              {"throughput", with_unit(inf.throughput_per_s, " samples/s")}});
  std::vector<std::vector<std::string>> rows;
  for (const kernels::GroupTotal& c : r->by_category) rows.push_back({c.name, value(c.time_us, Unit::microseconds)});
  if (!rows.empty()) body += table({{"category"}, {"time", true}}, rows);
  return panel("Inference", body);
}

std::string system_tab(const Analysis& a) {
  const RunReport& sys = a.system;
  const CpuInfo& cpu = sys.cpu;
  std::string s = "<section class=\"tab\" id=\"tab-system\"><h2>System</h2>";
  s += panel("Machine and process",
             kv({{"CPU", cpu.model}, {"cores", std::to_string(cpu.cores)}, {"threads", std::to_string(cpu.threads)},
                 {"frequency", with_unit(cpu.frequency_mhz, " MHz")},
                 {"CPU utilisation", value(sys.utilisation_percent, Unit::percent)},
                 {"memory", value(double(sys.memory_total_bytes), Unit::bytes)},
                 {"peak RSS", value(double(sys.peak_rss_bytes), Unit::bytes)},
                 {"bytes read", value(double(sys.read_bytes), Unit::bytes)},
                 {"wall time", with_unit(sys.wall_seconds, " s")},
                 {"CPU time", with_unit(sys.cpu_seconds, " s")},
                 {"energy", with_unit(sys.energy.joules, " J (" + sys.energy.source + ")")},
                 {"energy model", sys.energy.source == "estimate" ? sys.energy.model : ""}}));
  std::vector<std::vector<std::string>> rows;
  for (const GpuDevice& d : sys.gpu.devices)
    rows.push_back({d.name, value(d.utilisation_percent, Unit::percent), value(double(d.memory_used_bytes), Unit::bytes),
                    value(double(d.memory_total_bytes), Unit::bytes), value(d.temperature_c, Unit::plain),
                    value(d.power_w, Unit::plain)});
  if (!rows.empty())
    s += panel("GPU", table({{"device"}, {"utilisation", true}, {"memory used", true}, {"memory", true}, {"\xC2\xB0""C", true}, {"W", true}}, rows));
  else if (!sys.gpu.available)
    s += panel("GPU", "<p class=\"muted\">" + h(sys.gpu.reason) + "</p>");
  if (a.inference) s += inference_panel(*a.inference);
  return s + "</section>";
}

// The script must not contain "</script"; a literal one would end the element early.
std::string script_safe(std::string js) {
  for (size_t p = 0; (p = js.find("</script", p)) != std::string::npos; p += 2) js.replace(p, 2, "<\\/");
  return js;
}

}  // namespace

std::string embed_json(const json& analysis) {
  const std::string raw = analysis.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size() + raw.size() / 50);
  for (char c : raw) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

std::string render_html(const Analysis& analysis) {
  const auto plots = plots::all_plots(analysis);
  const json document = analysis_json(analysis);  // the viewer's scripts read it
  const std::string& path = analysis.file.path;
  const std::string& kind = analysis.architecture.kind;
  const size_t recs = analysis.recommendations.size();
  const std::string generated_by = document["generated_by"].get<std::string>();

  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<meta name=\"generator\" content=\"" + h(generated_by) + "\">"
                  "<title>ptscope \xE2\x80\x94 " + h(path.empty() ? "analysis" : path) + "</title><style>" +
                  assets::kViewerCss + "</style></head><body>\n";
  s += "<header class=\"top\"><div class=\"brand\">pt<span>scope</span></div><div class=\"file\">" + h(path) + "</div>";
  if (!kind.empty()) s += "<span class=\"badge\">" + h(kind) + "</span>";
  s += "<div class=\"meta\">" + h(generated_by) + " \xC2\xB7 " + h(kAnalysisSchema) + "</div></header>\n";
  const std::vector<std::pair<std::string, std::string>> tabs = {
      {"overview", "Overview"}, {"graph", "Graph"}, {"modules", "Modules"}, {"compute", "Compute"}, {"memory", "Memory"},
      {"training", "Training"}, {"roofline", "Roofline"}, {"parameters", "Parameters"}, {"sweep", "Sweep"},
      {"recommendations", "Recommendations" + (recs ? " (" + std::to_string(recs) + ")" : "")}, {"system", "System"}};
  s += "<nav class=\"tabs\">";
  for (const auto& [id, label] : tabs) s += "<button type=\"button\" data-tab=\"" + id + "\">" + h(label) + "</button>";
  s += "</nav>\n<main>\n";
  s += overview(analysis, plots) + "\n" + graph_tab(analysis) + "\n" + modules_tab(analysis) + "\n" + compute_tab(analysis, plots) + "\n" +
       memory_tab(analysis, plots) + "\n" + training_tab(analysis, plots) + "\n" + roofline_tab(analysis, plots) + "\n" +
       parameters_tab(analysis, plots) + "\n" + sweep_tab(analysis, plots) + "\n" + recommendations_tab(analysis) + "\n" +
       system_tab(analysis) + "\n";
  s += "</main><footer>Generated by " + h(generated_by) +
       ". Self-contained: no network access, no external scripts or fonts.</footer>\n";
  s += "<script type=\"application/json\" id=\"ptscope-data\">" + embed_json(document) + "</script>\n";
  // graph_view.js first: it only defines window.ptscopeGraphView, which viewer.js calls.
  s += "<script>" + script_safe(std::string(assets::kGraphViewJs) + "\n" + assets::kViewerJs) + "</script>\n</body></html>\n";
  return s;
}

std::vector<std::string> write_plots(const Analysis& analysis, const std::string& dir, const std::string& section) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create plot directory " + dir + ": " + ec.message());
  std::vector<std::string> written;
  for (const auto& p : plots::all_plots(analysis)) {
    if (!section.empty() && p.section != section) continue;
    const std::string path = (std::filesystem::path(dir) / (p.id + ".svg")).string();
    std::ofstream out(path, std::ios::binary);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" << p.svg << "\n";
    if (!out) throw std::runtime_error("cannot write " + path);
    written.push_back(path);
  }
  return written;
}

std::vector<std::string> write_sweep_plots(const SweepResult& sweep, const std::string& dir) {
  Analysis alone;  // every other section empty
  alone.sweep = sweep;
  return write_plots(alone, dir, "sweep");
}

}  // namespace ptscope::report
