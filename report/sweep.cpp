// The sweep (pipeline/sweep.h) as JSON (`sweep --json`, the analysis' "sweep" section) and as text.
#include "report/sweep.h"

#include <algorithm>
#include <cstdio>

#include "report/format.h"

namespace ptscope {

using nlohmann::json;

namespace {

json fit_json(const PolyFit& f) {
  json j = {{"ok", f.ok}, {"r2", f.r2}, {"equation", f.equation}};
  const char* names[] = {"a", "b", "c"};
  for (size_t i = 0; i < f.coefficients.size(); ++i) j[names[i]] = f.coefficients[i];
  return j;
}

std::string sci(double v) { return fmt("%.4g", v); }

}  // namespace

json sweep_json(const SweepResult& r) {
  json axes = json::array();
  if (!r.batch.empty()) axes.push_back("batch");
  if (!r.seq.empty()) axes.push_back("seq");
  json points = json::array();
  for (const SweepPoint& p : r.points) {
    json j;
    if (p.batch > 0) j["batch"] = p.batch;
    if (p.seq > 0) j["seq"] = p.seq;
    if (!p.error.empty()) {
      j["error"] = p.error;
    } else {
      j["flops"] = p.flops;
      j["macs"] = p.macs;
      j["weights_bytes"] = p.weights_bytes;
      j["activation_peak_bytes"] = p.activation_peak_bytes;
      j["memory_bytes"] = p.memory_bytes;
      if (p.latency_us) j["latency_us"] = *p.latency_us;
    }
    points.push_back(std::move(j));
  }
  json fits = json::array();
  for (const SweepFit& f : r.fits) {
    json fixed = json::object();
    if (f.fixed_batch > 0) fixed["batch"] = f.fixed_batch;
    if (f.fixed_seq > 0) fixed["seq"] = f.fixed_seq;
    fits.push_back({{"metric", f.metric},
                    {"variable", f.variable},
                    {"fixed", fixed},
                    {"linear", fit_json(f.linear)},
                    {"quadratic", fit_json(f.quadratic)},
                    {"best", f.best},
                    {"dominant_term", f.dominant}});
  }
  return {{"available", true}, {"axes", axes},     {"batch", r.batch}, {"seq", r.seq},
          {"device", r.device}, {"points", points}, {"fits", fits}};
}

std::string render_sweep_text(const SweepResult& r) {
  std::string out = "Sweep\n";
  const bool timed = std::any_of(r.points.begin(), r.points.end(), [](const SweepPoint& p) { return p.latency_us.has_value(); });
  std::vector<std::string> header = {"batch", "seq", "FLOPs", "MACs", "activations (peak)", "memory (weights + peak)"};
  if (timed) header.push_back("latency");
  TextTable t(header, std::vector<bool>(header.size(), true));
  std::string errors;
  for (const SweepPoint& p : r.points) {
    std::vector<std::string> row = {p.batch > 0 ? std::to_string(p.batch) : "-", p.seq > 0 ? std::to_string(p.seq) : "-"};
    if (!p.error.empty()) {
      errors += "  batch " + row[0] + ", seq " + row[1] + ": " + p.error + "\n";
      while (row.size() < header.size()) row.push_back("error");
    } else {
      row.push_back(format_count(p.flops));
      row.push_back(format_count(p.macs));
      row.push_back(format_bytes(p.activation_peak_bytes));
      row.push_back(format_bytes(p.memory_bytes));
      if (timed) row.push_back(p.latency_us ? sci(*p.latency_us / 1e3) + " ms" : "-");
    }
    t.add_row(row);
  }
  out += t.render(80);
  if (!errors.empty()) out += "Points that could not be built:\n" + errors;
  out += "\n";
  if (r.fits.empty()) return out + "Fits need at least two values on an axis.\n";
  out += "Fits (least squares; x = the swept variable, the other axis at its first value)\n";
  TextTable ft({"metric", "along", "linear fit", "R2", "quadratic fit", "R2", "best", "dominant term"},
               {false, false, false, true, false, true, false, false});
  for (const SweepFit& f : r.fits)
    ft.add_row({f.metric, f.variable, f.linear.ok ? f.linear.equation : "-", f.linear.ok ? sci(f.linear.r2) : "-",
                f.quadratic.ok ? f.quadratic.equation : "(needs 3 points)", f.quadratic.ok ? sci(f.quadratic.r2) : "-",
                f.best, f.dominant});
  out += ft.render(70);
  return out;
}

}  // namespace ptscope
