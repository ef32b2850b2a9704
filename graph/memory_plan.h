// Memory planning from the graph's liveness, as an executor that frees every
// buffer as early as possible would use memory:
//  - a buffer lives from the node that produces it to the last node that reads
//    it or any value sharing it; graph outputs live to the end, graph inputs
//    from the start;
//  - views (Node::is_view: a view op that did not copy) share their base's buffer and so extend its life;
//  - in-place ops allocate nothing: their output is their first input;
//  - parameters and constants are resident for the whole run;
//  - a node's workspace (scratch) is live only while the node runs.
// The executor can pass the aliasing it observed (alias-or-copy ops such as
// reshape or contiguous alias only when their input allows) to refine the plan.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace ptscope::graph {

struct MemoryPlanOptions {
  // Per value id: the value whose buffer it shares (-1: its own buffer).
  // Empty: from the graph (views and in-place outputs alias their first input).
  std::vector<int> alias_of;
  // Per node: scratch bytes the kernel needs while it runs (empty: none).
  std::vector<uint64_t> workspace_bytes;
};

struct MemoryPlan {
  uint64_t resident_bytes = 0;   // parameters and constants the nodes use
  uint64_t peak_bytes = 0;       // resident + the largest live_during
  int peak_node = -1;            // node where the peak occurs (-1: no nodes)
  // Per node, activations only (inputs, intermediates, outputs; not resident):
  std::vector<uint64_t> live_during;  // buffers live while the node runs, incl. its workspace
  std::vector<uint64_t> live_after;   // buffers still live after it finished (its workspace freed)
  // Per value id: the value owning its buffer (itself when it owns one; -1 for resident values).
  std::vector<int> buffer_of;
  // Per buffer-owning value id: first and last node it is live at (-1/-1 when never live).
  std::vector<int> alloc_node, free_after_node;
};

MemoryPlan plan_memory(const Graph& g, const MemoryPlanOptions& options = {});

}  // namespace ptscope::graph
