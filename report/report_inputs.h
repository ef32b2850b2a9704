// What the info and graph reports take, and the schema ids of their JSON
// documents: the part of report/info_report.h and report/graph_report.h that
// the public API (include/ptscope/ptscope.h) exposes, without nlohmann/json.
#pragma once
#include <string>
#include <vector>

#include "core/model.h"
#include "graph/graph.h"
#include "graph/module_call.h"

namespace ptscope {

constexpr const char* kInfoSchema = "ptscope.info/1";
constexpr const char* kGraphSchema = "ptscope.graph/1";

struct GraphReport {
  const Model* model = nullptr;
  const graph::Graph* graph = nullptr;
  const std::vector<graph::ModuleCall>* calls = nullptr;
  std::string method = "forward";
};

}  // namespace ptscope
