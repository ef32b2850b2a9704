#include "graph/memory_plan.h"

#include <algorithm>

#include "core/error.h"

namespace ptscope::graph {

MemoryPlan plan_memory(const Graph& g, const MemoryPlanOptions& options) {
  const int nv = int(g.values.size());
  const int nn = int(g.nodes.size());
  MemoryPlan plan;
  plan.live_during.assign(size_t(nn), 0);
  plan.live_after.assign(size_t(nn), 0);
  plan.buffer_of.assign(size_t(nv), -1);
  plan.alloc_node.assign(size_t(nv), -1);
  plan.free_after_node.assign(size_t(nv), -1);

  // Direct aliasing: an explicit map, or views and in-place outputs onto their first input.
  std::vector<int> alias(size_t(nv), -1);
  if (!options.alias_of.empty()) {
    if (int(options.alias_of.size()) != nv) throw Error(ErrorCode::usage, "memory plan: alias_of has the wrong size");
    alias = options.alias_of;
  } else {
    for (const Node& n : g.nodes) {
      if (!n.def || n.inputs.empty()) continue;
      if (n.is_view || n.def->is_inplace)
        for (int o : n.outputs) alias[size_t(o)] = n.inputs[0];
    }
  }
  auto is_resident = [&](int v) {
    auto k = g.values[size_t(v)].kind;
    return k == Value::Kind::parameter || k == Value::Kind::constant;
  };
  // Buffer owner: follow the alias chain (values only alias earlier values).
  for (int v = 0; v < nv; ++v) {
    int r = v;
    for (int steps = 0; alias[size_t(r)] >= 0 && steps <= nv; ++steps) r = alias[size_t(r)];
    plan.buffer_of[size_t(v)] = is_resident(r) ? -1 : r;
  }

  // Resident bytes: parameters and constants that some node reads.
  std::vector<char> used(size_t(nv), 0);
  for (const Node& n : g.nodes)
    for (int i : n.inputs) used[size_t(i)] = 1;
  for (int v = 0; v < nv; ++v)
    if (used[size_t(v)] && is_resident(v)) plan.resident_bytes += g.values[size_t(v)].meta.nbytes();

  // Live ranges of each buffer: from its producer (inputs: the start) to the
  // last node touching any value in it (graph outputs: the end).
  auto touch = [&](int v, int node) {
    int b = plan.buffer_of[size_t(v)];
    if (b < 0) return;
    if (plan.alloc_node[size_t(b)] < 0) {
      const int p = g.values[size_t(b)].producer;
      plan.alloc_node[size_t(b)] = p >= 0 ? p : 0;
    }
    plan.free_after_node[size_t(b)] = std::max(plan.free_after_node[size_t(b)], node);
  };
  for (int i = 0; i < nn; ++i) {
    for (int v : g.nodes[size_t(i)].inputs) touch(v, i);
    for (int v : g.nodes[size_t(i)].outputs) touch(v, i);
  }
  for (int v : g.outputs) touch(v, nn);  // past the last node: kept for the caller

  // Sweep: add each buffer at its first node, drop it after its last.
  std::vector<int64_t> added(size_t(nn) + 1, 0), freed(size_t(nn) + 1, 0);
  for (int b = 0; b < nv; ++b) {
    if (plan.buffer_of[size_t(b)] != b || plan.alloc_node[size_t(b)] < 0) continue;
    const int64_t bytes = int64_t(g.values[size_t(b)].meta.nbytes());
    added[size_t(plan.alloc_node[size_t(b)])] += bytes;
    freed[size_t(std::min(plan.free_after_node[size_t(b)], nn))] += bytes;
  }
  int64_t live = 0;
  for (int i = 0; i < nn; ++i) {
    live += added[size_t(i)];
    const uint64_t ws = size_t(i) < options.workspace_bytes.size() ? options.workspace_bytes[size_t(i)] : 0;
    plan.live_during[size_t(i)] = uint64_t(live) + ws;
    live -= freed[size_t(i)];
    plan.live_after[size_t(i)] = uint64_t(live);
  }
  plan.peak_bytes = plan.resident_bytes;
  uint64_t best = 0;
  for (int i = 0; i < nn; ++i)
    if (plan.peak_node < 0 || plan.live_during[size_t(i)] > best) {
      best = plan.live_during[size_t(i)];
      plan.peak_node = i;
    }
  if (nn == 0)
    for (int v : g.inputs) best += g.values[size_t(v)].meta.nbytes();
  plan.peak_bytes += best;
  return plan;
}

}  // namespace ptscope::graph
