// `ptscope graph`: the op graph as a layer table, a module tree with
// per-module totals, category and architecture summaries (text), or as
// versioned JSON (schema "ptscope.graph/1", documented in docs/graph.md).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "graph/graph.h"
#include "report/report_inputs.h"

namespace ptscope {

struct GraphTextOptions {
  size_t max_layer_rows = 0;  // 0: all
  bool show_views = true;     // list view/shape ops (they cost no FLOPs) in the layer table
  bool by_op = false;         // per-aten-op table (and the ops without a FLOP rule) instead of the layers
};

// `graph --by-op`: FLOPs, MACs, bytes, count and backward FLOPs per aten op,
// then the ops no FLOP rule counts, by name.
std::string render_op_table(const graph::Graph& graph);

std::string render_graph_text(const GraphReport& report, const GraphTextOptions& options = {});
nlohmann::json graph_json(const GraphReport& report);

}  // namespace ptscope
