// `ptscope graph --format dot|svg`: the op DAG for Graphviz users (DOT, module
// scopes as nested clusters) or drawn by ptscope itself (SVG, layered layout),
// with the shape and dtype on every edge and nodes coloured by FLOPs.
#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"
#include "report/graph_report.h"

namespace ptscope {

// Layered layout of a DAG given in topological order: layer = longest path from
// a source (sources sit just above their first consumer), barycentre ordering
// within layers, x pulled towards neighbours without overlap. The HTML viewer's
// graph_view.js lays out the same way in the page.
struct LayoutInput {
  std::vector<double> width;                 // per node
  std::vector<std::pair<int, int>> edges;    // (from, to); edges with from >= to are ignored
};
struct LayoutResult {
  std::vector<double> x;  // centre
  std::vector<int> layer;
  double width = 0;
  int layers = 0;
};
LayoutResult layered_layout(const LayoutInput& in, double gap = 26);

std::string graph_dot(const GraphReport& report);
std::string graph_svg(const GraphReport& report);

}  // namespace ptscope
