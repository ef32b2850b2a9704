// Reading the torch-written goldens beside graph fixtures: the JSON itself,
// and the graph options (input shapes and dtypes) the golden was made with.
#pragma once
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/dtype.h"
#include "graph/input_inference.h"

namespace ptscope::test {

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

// The golden's "inputs" ([{shape, dtype}, ...]) as the options that build the same graph.
inline graph::GraphOptions golden_graph_options(const nlohmann::json& golden) {
  graph::GraphOptions o;
  for (const auto& in : golden["inputs"]) {
    graph::InputSpec s;
    s.shape = in["shape"].get<std::vector<int64_t>>();
    s.dtype = dtype_from_name(in["dtype"].get<std::string>());
    o.inputs.push_back(s);
  }
  return o;
}

}  // namespace ptscope::test
