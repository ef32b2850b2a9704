#include "report/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "report/html_assets.h"  // generated from report/html/ by CMake
#include "report/json_view.h"
#include "report/plots.h"
#include "report/svg.h"

namespace ptscope::report {
namespace {

namespace jv = json_view;
using nlohmann::json;
using svg::Unit;

std::string h(std::string_view text) { return svg::escape(text); }

// A number for a table cell or card; "" when absent so that empty rows can be skipped.
std::string value(const json& v, Unit unit) {
  const double x = jv::number(v);
  if (std::isnan(x)) return v.is_string() ? std::string(v.get<std::string>()) : "";
  return svg::format_value(x, unit);
}
std::string value(const json& j, std::string_view key, Unit unit) { return value(jv::at(j, key), unit); }

std::string percent(double fraction) {
  if (!std::isfinite(fraction)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * fraction);
  return buf;
}

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

std::string unavailable(const json& section) {
  if (!section.is_object() || jv::at(section, "available") != false) return "";
  return "<p class=\"muted\">Not available: " + h(jv::text(section, "reason", "no reason given")) + "</p>";
}

std::string overview(const json& a, const std::vector<plots::Plot>& all) {
  const auto& summary = jv::object(a, "summary");
  const auto& memory = jv::object(a, "memory");
  const auto& inference = jv::object(a, "inference");
  const auto& arch = jv::object(a, "architecture");
  std::string s = "<section class=\"tab\" id=\"tab-overview\"><h2>Overview</h2><div class=\"cards\">";
  s += card("Architecture", jv::text(arch, "kind", "unknown"));
  // Buffers: their elements, and how many tensors hold them ("53.2k buffer elements in 159 tensors").
  std::string buffers = value(summary, "buffers", Unit::count);
  if (!buffers.empty()) {
    buffers += " buffer elements";
    const std::string tensors = value(summary, "buffer_tensors", Unit::count);
    if (!tensors.empty()) buffers += " in " + tensors + " tensor" + (tensors == "1" ? "" : "s");
  }
  s += card("Parameters", value(summary, "params", Unit::count), buffers);
  s += card("Weights", value(summary, "weight_bytes", Unit::bytes));
  s += card("FLOPs", value(summary, "flops", Unit::flops), value(summary, "macs", Unit::count) + " MACs");
  s += card("Activation peak", value(memory, "activation_peak_bytes", Unit::bytes));
  s += card("Peak memory", value(memory, "peak_bytes", Unit::bytes), "weights + activations");
  s += card("Graph ops", value(summary, "nodes", Unit::count));
  s += card("Latency (median)", value(jv::object(inference, "latency_us"), "median", Unit::microseconds),
            jv::text(inference, "device"));
  s += "</div>";

  std::string about = "<p>" + h(jv::text(arch, "reason", "No architecture evidence (no graph).")) + "</p>";
  std::string evidence;
  for (const auto& e : jv::array(arch, "evidence")) evidence += "<li>" + h(jv::as_text(e)) + "</li>";
  if (!evidence.empty()) about += "<ul class=\"evidence\">" + evidence + "</ul>";
  std::vector<std::pair<std::string, std::string>> io;
  for (const char* key : {"inputs", "outputs"})
    for (const auto& t : jv::array(summary, key))
      io.push_back({std::string(key == std::string("inputs") ? "input " : "output ") + jv::text(t, "name"),
                    jv::shape(jv::at(t, "shape")) + " " + jv::text(t, "dtype")});
  about += kv(io);
  std::string notes;
  for (const auto& n : jv::array(jv::object(a, "graph"), "notes")) notes += "<li>" + h(jv::as_text(n)) + "</li>";
  if (!notes.empty()) about += "<p class=\"muted\">Notes:</p><ul class=\"muted\">" + notes + "</ul>";
  about += unavailable(jv::at(a, "graph"));
  s += panel("Architecture", about);

  const auto& recs = jv::array(a, "recommendations");
  if (!recs.empty()) {
    std::string list = "<ul>";
    for (size_t i = 0; i < recs.size() && i < 5; ++i)
      list += "<li><span class=\"tag " + h(jv::text(recs[i], "kind")) + "\">" + h(jv::text(recs[i], "kind")) + "</span> " +
              h(jv::text(recs[i], "message")) + "</li>";
    list += "</ul>";
    if (recs.size() > 5) list += "<p class=\"muted\">" + std::to_string(recs.size() - 5) + " more under Recommendations.</p>";
    s += panel("Top recommendations", list);
  }
  return s + figures(all, "overview") + "</section>";
}

std::string modules_tab(const json& a) {
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
  if (jv::array(a, "modules").empty()) s += "<p class=\"muted\">No module tree in this analysis (no graph).</p>";
  return s + "</section>";
}

// The graph view: report/html/graph_view.js lays out and draws nodes[] into #graph-svg.
std::string graph_tab(const json& a) {
  std::string s = "<section class=\"tab\" id=\"tab-graph\"><h2>Graph</h2>";
  s += "<noscript><p class=\"muted\">The graph view needs JavaScript; the analysis JSON is embedded in this file.</p></noscript>";
  s += unavailable(jv::at(a, "graph"));
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

std::string compute_tab(const json& a, const std::vector<plots::Plot>& all) {
  std::string s = "<section class=\"tab\" id=\"tab-compute\"><h2>Compute</h2>";
  const auto& cats = jv::array(a, "categories");
  double total = 0;
  for (const auto& c : cats) total += jv::number_or(c, "flops", 0);
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : cats)
    rows.push_back({jv::text(c, "category"), value(c, "nodes", Unit::count), value(c, "flops", Unit::flops),
                    total > 0 ? percent(jv::number_or(c, "flops", 0) / total) : "", value(c, "macs", Unit::count),
                    value(c, "extended_flops", Unit::flops), value(c, "bytes", Unit::bytes)});
  if (!rows.empty())
    s += panel("FLOPs by category", table({{"category"}, {"ops", true}, {"FLOPs", true}, {"share", true}, {"MACs", true},
                                           {"extended FLOPs", true}, {"bytes moved", true}}, rows));
  s += figures(all, "compute");
  rows.clear();
  for (const auto& f : jv::array(a, "fusions"))
    rows.push_back({jv::text(f, "pattern"), jv::text(f, "scope"), std::to_string(jv::array(f, "nodes").size()),
                    value(f, "saved_bytes", Unit::bytes)});
  if (!rows.empty())
    s += panel("Fusion opportunities", table({{"pattern"}, {"module"}, {"ops", true}, {"traffic saved", true}}, rows));
  return s + "</section>";
}

std::string memory_tab(const json& a, const std::vector<plots::Plot>& all) {
  const auto& m = jv::object(a, "memory");
  std::string s = "<section class=\"tab\" id=\"tab-memory\"><h2>Memory (inference)</h2>" + unavailable(jv::at(a, "memory"));
  s += "<div class=\"cards\">" + card("Weights", value(m, "weights_bytes", Unit::bytes)) +
       card("Activation peak", value(m, "activation_peak_bytes", Unit::bytes),
            jv::at(m, "peak_node").is_null() ? "" : "at node " + jv::text(m, "peak_node")) +
       card("Peak", value(m, "peak_bytes", Unit::bytes)) + card("Inputs", value(m, "input_bytes", Unit::bytes)) +
       card("Outputs", value(m, "output_bytes", Unit::bytes)) + "</div>";
  return s + figures(all, "memory") + "</section>";
}

std::string training_tab(const json& a, const std::vector<plots::Plot>& all) {
  const auto& t = jv::object(a, "training_memory");
  std::string s = "<section class=\"tab\" id=\"tab-training\"><h2>Training memory (estimate)</h2>" +
                  unavailable(jv::at(a, "training_memory"));
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, o] : jv::object(t, "optimizers").items())
    rows.push_back({name, value(o, "weights", Unit::bytes), value(o, "gradients", Unit::bytes),
                    value(o, "optimizer_state", Unit::bytes), value(o, "activations", Unit::bytes),
                    value(o, "peak", Unit::bytes)});
  if (!rows.empty())
    s += panel("By optimizer", table({{"optimizer"}, {"weights", true}, {"gradients", true}, {"optimizer state", true},
                                      {"saved activations", true}, {"peak", true}}, rows));
  return s + figures(all, "training") + "</section>";
}

std::string roofline_tab(const json& a, const std::vector<plots::Plot>& all) {
  const auto& r = jv::object(a, "roofline");
  size_t memory_bound = 0, compute_bound = 0;
  for (const auto& n : jv::array(r, "nodes")) {
    const std::string bound = jv::text(n, "bound");
    memory_bound += bound == "memory";
    compute_bound += bound == "compute";
  }
  std::string s = "<section class=\"tab\" id=\"tab-roofline\"><h2>Roofline</h2>" + unavailable(jv::at(a, "roofline"));
  s += "<div class=\"cards\">" + card("Peak compute", value(r, "peak_gflops", Unit::plain), "GFLOP/s") +
       card("Peak bandwidth", value(r, "peak_bandwidth_gbs", Unit::plain), "GB/s") +
       card("Ridge point", value(r, "ridge_point", Unit::plain), "FLOP per byte") +
       card("Memory-bound ops", std::to_string(memory_bound), "below the ridge point") +
       card("Compute-bound ops", std::to_string(compute_bound)) + "</div>";
  const std::string source = jv::text(r, "source"), model = jv::text(r, "estimate_model"), device = jv::text(r, "device");
  if (!source.empty())
    s += "<p class=\"muted\">Ceilings: " + h(source) + (device.empty() ? "" : " on " + h(device)) +
         (model.empty() ? "" : " \xE2\x80\x94 " + h(model)) + "</p>";
  return s + figures(all, "roofline") + "</section>";
}

std::string parameters_tab(const json& a, const std::vector<plots::Plot>& all) {
  const auto& p = jv::object(a, "parameters");
  std::string s = "<section class=\"tab\" id=\"tab-parameters\"><h2>Parameters</h2>" + unavailable(jv::at(a, "parameters"));
  const auto& tensors = jv::array(p, "tensors");
  s += "<div class=\"cards\">" + card("Tensors", tensors.empty() ? "" : std::to_string(tensors.size())) +
       card("Elements", value(p, "numel", Unit::count)) + card("Bytes", value(p, "bytes", Unit::bytes)) +
       card("Sparsity", percent(jv::number(p, "sparsity"))) +
       card("Dead channels", value(p, "dead_channels", Unit::count), value(p, "channels", Unit::count) + " channels") +
       card("Recommended size", value(p, "recommended_bytes", Unit::bytes)) + "</div>";
  s += figures(all, "parameters");
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < tensors.size() && i < 2000; ++i) {
    const auto& t = tensors[i];
    rows.push_back({jv::text(t, "name"), jv::text(t, "dtype"), jv::shape(jv::at(t, "shape")),
                    value(t, "numel", Unit::count), value(t, "mean", Unit::plain), value(t, "std", Unit::plain),
                    value(t, "min", Unit::plain), value(t, "max", Unit::plain), percent(jv::number(t, "sparsity")),
                    value(t, "sqnr_int8_channel_db", Unit::decibels), jv::text(t, "recommended_format")});
  }
  if (!rows.empty())
    s += panel("Tensors" + std::string(tensors.size() > 2000 ? " (first 2000)" : ""),
               table({{"name"}, {"dtype"}, {"shape"}, {"elements", true}, {"mean", true}, {"std", true}, {"min", true},
                      {"max", true}, {"sparsity", true}, {"int8 SQNR", true}, {"recommended"}}, rows));
  return s + "</section>";
}

std::string sweep_tab(const json& a, const std::vector<plots::Plot>& all) {
  std::string s = "<section class=\"tab\" id=\"tab-sweep\"><h2>Batch and sequence sweep</h2>";
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : jv::array(jv::object(a, "sweep"), "fits")) {
    const std::string best = jv::text(f, "best", "linear");
    const auto& model = jv::object(f, best);
    rows.push_back({jv::text(f, "metric"), jv::text(f, "variable"), best, jv::text(model, "equation"),
                    value(model, "r2", Unit::plain), jv::text(f, "dominant_term")});
  }
  if (!rows.empty())
    s += panel("Fits", table({{"metric"}, {"variable"}, {"best fit"}, {"equation"}, {"R\xC2\xB2", true}, {"dominant term"}}, rows));
  return s + figures(all, "sweep") + "</section>";
}

std::string recommendations_tab(const json& a) {
  std::string s = "<section class=\"tab\" id=\"tab-recommendations\"><h2>Recommendations</h2>";
  const auto& recs = jv::array(a, "recommendations");
  if (recs.empty()) return s + "<p class=\"muted\">No recommendations.</p></section>";
  s += "<div class=\"panel\"><table class=\"data\"><thead><tr><th>kind</th><th>target</th><th>recommendation</th></tr></thead><tbody>";
  for (const auto& r : recs)
    s += "<tr><td><span class=\"tag " + h(jv::text(r, "kind")) + "\">" + h(jv::text(r, "kind")) + "</span></td><td class=\"mono\">" +
         h(jv::text(r, "target")) + "</td><td>" + h(jv::text(r, "message")) + "</td></tr>";
  return s + "</tbody></table></div></section>";
}

std::string system_tab(const json& a) {
  const auto& sys = jv::object(a, "system");
  const auto& cpu = jv::object(sys, "cpu");
  const auto& mem = jv::object(sys, "memory");
  const auto& io = jv::object(sys, "io");
  const auto& energy = jv::object(sys, "energy");
  std::string s = "<section class=\"tab\" id=\"tab-system\"><h2>System</h2>";
  s += panel("Machine and process",
             kv({{"CPU", jv::text(cpu, "model")}, {"cores", jv::text(cpu, "cores")}, {"threads", jv::text(cpu, "threads")},
                 {"frequency", value(cpu, "frequency_mhz", Unit::plain).empty() ? "" : value(cpu, "frequency_mhz", Unit::plain) + " MHz"},
                 {"CPU utilisation", value(cpu, "utilisation_percent", Unit::percent)},
                 {"memory", value(mem, "total_bytes", Unit::bytes)}, {"peak RSS", value(mem, "peak_rss_bytes", Unit::bytes)},
                 {"bytes read", value(io, "read_bytes", Unit::bytes)}, {"wall time", value(sys, "wall_seconds", Unit::plain).empty() ? "" : value(sys, "wall_seconds", Unit::plain) + " s"},
                 {"CPU time", value(sys, "cpu_seconds", Unit::plain).empty() ? "" : value(sys, "cpu_seconds", Unit::plain) + " s"},
                 {"energy", value(energy, "joules", Unit::plain).empty() ? "" : value(energy, "joules", Unit::plain) + " J (" + jv::text(energy, "source") + ")"},
                 {"energy model", jv::text(energy, "model")}}));
  const auto& gpu = jv::object(sys, "gpu");
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : jv::array(gpu, "devices"))
    rows.push_back({jv::text(d, "name"), value(d, "utilisation_percent", Unit::percent), value(d, "memory_used_bytes", Unit::bytes),
                    value(d, "memory_total_bytes", Unit::bytes), value(d, "temperature_c", Unit::plain), value(d, "power_w", Unit::plain)});
  if (!rows.empty())
    s += panel("GPU", table({{"device"}, {"utilisation", true}, {"memory used", true}, {"memory", true}, {"\xC2\xB0""C", true}, {"W", true}}, rows));
  else if (gpu.contains("reason"))
    s += panel("GPU", "<p class=\"muted\">" + h(jv::text(gpu, "reason")) + "</p>");
  const auto& inf = jv::object(a, "inference");
  if (!inf.empty()) {
    const auto& lat = jv::object(inf, "latency_us");
    std::string body = unavailable(jv::at(a, "inference")) +
                       kv({{"device", jv::text(inf, "device")}, {"executor", jv::text(inf, "description")},
                           {"runs", jv::text(inf, "runs")}, {"warm-up", jv::text(inf, "warmup")},
                           {"median", value(lat, "median", Unit::microseconds)}, {"mean", value(lat, "mean", Unit::microseconds)},
                           {"min", value(lat, "min", Unit::microseconds)}, {"p90", value(lat, "p90", Unit::microseconds)},
                           {"max", value(lat, "max", Unit::microseconds)},
                           {"throughput", value(inf, "throughput_per_s", Unit::plain).empty() ? "" : value(inf, "throughput_per_s", Unit::plain) + " samples/s"}});
    rows.clear();
    for (const auto& c : jv::array(inf, "by_category"))
      rows.push_back({jv::text(c, "category"), value(c, "time_us", Unit::microseconds)});
    if (!rows.empty()) body += table({{"category"}, {"time", true}}, rows);
    s += panel("Inference", body);
  }
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

std::string render_html(const json& analysis) {
  const auto plots = plots::all_plots(analysis);
  const auto& file = jv::at(analysis, "file");
  const std::string path = file.is_object() ? jv::text(file, "path") : jv::as_text(file);
  const std::string kind = jv::text(jv::object(analysis, "architecture"), "kind");
  const size_t recs = jv::array(analysis, "recommendations").size();

  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<meta name=\"generator\" content=\"" + h(jv::text(analysis, "generated_by", "ptscope")) + "\">"
                  "<title>ptscope \xE2\x80\x94 " + h(path.empty() ? "analysis" : path) + "</title><style>" +
                  assets::kViewerCss + "</style></head><body>\n";
  s += "<header class=\"top\"><div class=\"brand\">pt<span>scope</span></div><div class=\"file\">" + h(path) + "</div>";
  if (!kind.empty()) s += "<span class=\"badge\">" + h(kind) + "</span>";
  s += "<div class=\"meta\">" + h(jv::text(analysis, "generated_by")) + " \xC2\xB7 " + h(jv::text(analysis, "schema")) + "</div></header>\n";
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
  s += "</main><footer>Generated by " + h(jv::text(analysis, "generated_by", "ptscope")) +
       ". Self-contained: no network access, no external scripts or fonts.</footer>\n";
  s += "<script type=\"application/json\" id=\"ptscope-data\">" + embed_json(analysis) + "</script>\n";
  // graph_view.js first: it only defines window.ptscopeGraphView, which viewer.js calls.
  s += "<script>" + script_safe(std::string(assets::kGraphViewJs) + "\n" + assets::kViewerJs) + "</script>\n</body></html>\n";
  return s;
}

std::vector<std::string> write_plots(const json& analysis, const std::string& dir, const std::string& section) {
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

}  // namespace ptscope::report
