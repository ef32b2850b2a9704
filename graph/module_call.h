// A module's forward call as the interpreter records it while building a
// graph: reports use the calls for per-module rows and output shapes. Its own
// header so that reports and the public API need not see the interpreter.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace ptscope::graph {

// One call of a module's forward (or traced forwardN): what torch forward
// hooks would see. Nodes [first_node, end_node) ran inside it.
struct ModuleCall {
  std::string path;         // "layer1.0" ("" for the root)
  std::string class_name;   // short class name
  std::string method;
  std::vector<int> outputs;  // tensor value ids among the results, in order
  size_t first_node = 0, end_node = 0;
};

}  // namespace ptscope::graph
