#include "pipeline/sweep.h"

#include <algorithm>

#include "core/weights.h"
#include "core/error.h"
#include "graph/memory_plan.h"
#include "kernels/profile.h"

namespace ptscope {

namespace {

uint64_t weight_bytes(const Model& m) { return weight_totals(m).weight_bytes(); }

double metric_of(const SweepPoint& p, const std::string& metric) {
  if (metric == "flops") return p.flops;
  if (metric == "memory_bytes") return double(p.memory_bytes);
  if (metric == "activation_peak_bytes") return double(p.activation_peak_bytes);
  return p.latency_us.value_or(0);
}

}  // namespace

std::vector<SweepFit> fit_sweep(const SweepResult& r) {
  std::vector<SweepFit> fits;
  std::vector<std::string> metrics = {"flops", "activation_peak_bytes", "memory_bytes"};
  if (std::any_of(r.points.begin(), r.points.end(), [](const SweepPoint& p) { return p.latency_us.has_value(); }))
    metrics.push_back("latency_us");
  for (const std::string variable : {"batch", "seq"}) {
    const auto& axis = variable == "batch" ? r.batch : r.seq;
    if (axis.size() < 2) continue;
    const int64_t fixed_batch = variable == "seq" && !r.batch.empty() ? r.batch[0] : 0;
    const int64_t fixed_seq = variable == "batch" && !r.seq.empty() ? r.seq[0] : 0;
    for (const auto& metric : metrics) {
      std::vector<double> x, y;
      for (const SweepPoint& p : r.points) {
        if (!p.error.empty()) continue;
        if (variable == "batch" && p.seq != fixed_seq) continue;
        if (variable == "seq" && p.batch != fixed_batch) continue;
        if (metric == "latency_us" && !p.latency_us) continue;
        x.push_back(double(variable == "batch" ? p.batch : p.seq));
        y.push_back(metric_of(p, metric));
      }
      SweepFit f;
      f.metric = metric;
      f.variable = variable;
      f.fixed_batch = fixed_batch;
      f.fixed_seq = fixed_seq;
      f.linear = fit_polynomial(x, y, 1, variable);
      f.quadratic = fit_polynomial(x, y, 2, variable);
      const bool quad = f.quadratic.ok && f.linear.ok && f.quadratic.r2 - f.linear.r2 > 1e-4;
      f.best = quad ? "quadratic" : "linear";
      const double xmax = x.empty() ? 0 : *std::max_element(x.begin(), x.end());
      f.dominant = dominant_term(quad ? f.quadratic : f.linear, xmax, variable);
      fits.push_back(std::move(f));
    }
  }
  return fits;
}

SweepResult run_sweep(const Model& model, const graph::GraphOptions& base, const SweepRequest& request,
                      const std::string& device, const SweepProgress& progress) {
  if (request.batch.empty() && request.seq.empty())
    throw Error(ErrorCode::usage, "sweep: give --batch and/or --seq values (e.g. --batch 1,2,4,8)");
  SweepResult r;
  r.batch = request.batch;
  r.seq = request.seq;
  r.device = device;
  const uint64_t weights = weight_bytes(model);
  const std::vector<int64_t> batches = r.batch.empty() ? std::vector<int64_t>{0} : r.batch;
  const std::vector<int64_t> seqs = r.seq.empty() ? std::vector<int64_t>{0} : r.seq;
  const int steps = int(batches.size() * seqs.size());
  int step = 0;
  for (int64_t b : batches)
    for (int64_t s : seqs) {
      if (progress) progress("sweep point batch " + std::to_string(b) + " seq " + std::to_string(s), step++, steps);
      SweepPoint p;
      p.batch = b;
      p.seq = s;
      graph::GraphOptions o = base;
      if (b > 0) o.batch = b;
      if (s > 0) o.seq = s;
      try {
        const graph::Graph g = graph::build_graph(model, o);
        const graph::OpCost c = g.totals();
        p.flops = c.flops;
        p.macs = c.macs;
        const graph::MemoryPlan plan = graph::plan_memory(g);
        p.weights_bytes = weights;
        p.activation_peak_bytes = plan.peak_bytes - plan.resident_bytes;
        p.memory_bytes = weights + p.activation_peak_bytes;
        if (request.measure) {
          kernels::ProfileOptions po;
          po.device = device;
          po.warmup = 1;
          po.repeat = 5;
          po.graph = o;
          const kernels::ProfileResult pr = kernels::profile_graph(g, po);
          p.latency_us = pr.latency_ms_median * 1e3;
        }
      } catch (const Error& e) {
        p.error = e.what();
      }
      r.points.push_back(std::move(p));
    }
  if (std::all_of(r.points.begin(), r.points.end(), [](const SweepPoint& p) { return !p.error.empty(); }))
    throw Error(ErrorCode::unsupported, "sweep: no point could be built; first error: " + r.points[0].error);
  r.fits = fit_sweep(r);
  return r;
}

}  // namespace ptscope
