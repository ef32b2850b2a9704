// The graph front end for torch.export programs (.pt2): the exported aten
// graph already is a flat list of op calls with named arguments, so each node
// binds directly against the op registry's schema (no interpreter). Output
// shapes come from our shape rules and are checked against the tensor_meta
// torch recorded (a mismatch is a warning naming the node); module scopes come
// from nn_module_stack and source lines from stack_trace.
//
// Inputs: the sample input saved in the archive by default; --input specs
// (by name or position), --batch (dim 0) and --seq (dim 1) choose other sizes
// for the program's symbolic dims, each checked against its declared range.
#pragma once
#include <vector>

#include "core/model.h"
#include "graph/graph.h"
#include "graph/input_inference.h"

namespace ptscope::graph {

// Throws Error(usage) for inputs the program cannot take (a static dim
// changed, a symbolic dim outside its range), Error(unsupported) naming the
// node for ops the registry does not know, Error(corrupt) for graphs that use
// a value before defining it.
Graph build_exported_graph(const Model& model, const GraphOptions& options, std::vector<ModuleCall>* calls = nullptr);

}  // namespace ptscope::graph
