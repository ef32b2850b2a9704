// Summaries of a built graph: per-module totals (torchinfo-style), the
// distribution of layers and FLOPs by op category, and a guess at the
// architecture family.
#pragma once
#include <string>
#include <vector>

#include "core/model.h"
#include "graph/graph.h"
#include "graph/interpreter.h"

namespace ptscope::graph {

struct ModuleTotals {
  std::string path;        // "" for the root
  std::string class_name;  // short name ("Conv2d")
  int depth = 0;
  int64_t params = 0;      // parameter elements under this path (tensor table)
  int64_t buffers = 0;     // buffer elements under this path
  int nodes = 0;           // graph nodes whose scope is this module or below
  OpCost cost;             // summed over those nodes
  std::vector<std::vector<int64_t>> output_shapes;  // first output of each forward call
  int calls = 0;
};

// One row per module of the model's tree, in tree order (pre-order).
std::vector<ModuleTotals> module_totals(const Model& model, const Graph& graph, const std::vector<ModuleCall>& calls);

struct CategoryTotals {
  OpCategory category = OpCategory::other;
  int nodes = 0;
  OpCost cost;
};
// Every category with at least one node, most FLOPs (then nodes) first.
std::vector<CategoryTotals> category_distribution(const Graph& graph);

struct Architecture {
  std::string kind;    // "CNN", "vision transformer", "windowed vision transformer", "transformer encoder",
                       // "transformer decoder", "transformer encoder-decoder", "hybrid (CNN + transformer)",
                       // "MLP", "RNN", "other"
  std::string reason;  // the deciding evidence, one sentence
  std::vector<std::string> evidence;  // every observation the decision used, one per line
};
// Reads the op graph only (op kinds, data flow, shapes and arguments), never class
// names: graph/architecture.cpp, docs/graph.md "Architecture".
Architecture classify_architecture(const Model& model, const Graph& graph);

// Parameter elements each node reads (inputs that are nn.Parameters in the
// tensor table, each once per node; buffers such as running stats excluded).
std::vector<int64_t> node_params(const Model& model, const Graph& graph);

}  // namespace ptscope::graph
