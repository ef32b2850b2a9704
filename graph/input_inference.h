// Building a graph for a concrete input: explicit input specs, or inputs
// inferred from the model itself. Inference probes the method with
// placeholder tensors: the first op that consumes each one (conv weight,
// linear in_features, embedding table, norm channels ...) says what shape it
// needs; a full shape-only run then confirms the guess, falling back to other
// plausible shapes when the model rejects it. What was inferred is written
// into Graph::notes.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "graph/graph.h"
#include "graph/interpreter_limits.h"
#include "graph/module_call.h"
#include "graph/tensor_backend.h"

namespace ptscope::graph {

struct InputSpec {
  std::string name;               // forward argument name; empty: next argument in order
  std::vector<int64_t> shape;     // tensor inputs
  std::optional<DType> dtype;     // default float32
  std::optional<double> scalar;   // `n=3`: a scalar argument instead of a tensor
  bool scalar_is_int = false;
  bool scalar_is_bool = false;
};

// "1x3x224x224", "ids:1x128:int64", "x:1,3,32,32:float16", "[]" (0-d), "steps=10".
// Throws Error(usage) on malformed text.
InputSpec parse_input_spec(std::string_view text);
std::string input_spec_string(const InputSpec& spec);

// --input values matched to a program's inputs (`names`, in order): named
// values by name, the unnamed ones fill the remaining inputs in order. One
// entry per input, null where no value was given. A name that matches no
// input throws unknown_name(spec), more values than inputs throws too_many()
// (both usage errors, worded by the front end that owns the inputs).
std::vector<const InputSpec*> match_input_specs(const std::vector<InputSpec>& specs,
                                                const std::vector<std::string>& names,
                                                const std::function<std::string(const InputSpec&)>& unknown_name,
                                                const std::function<std::string()>& too_many);

struct GraphOptions {
  std::string method = "forward";
  std::vector<InputSpec> inputs;    // in argument order or by name; missing ones are inferred
  std::optional<int64_t> batch;     // overrides dim 0 of inferred inputs
  std::optional<int64_t> seq;       // overrides the sequence dim of inferred token/sequence inputs
  InterpreterLimits limits;
  int max_attempts = 12;            // full runs tried while confirming inferred shapes
  // Backend for the full runs (default: shape only). A data backend
  // (kernels/data_backend.h) computes real values so that data-dependent
  // control flow resolves; it is handed each run's fresh graph and must
  // restart its state. Probes for input shapes stay shape-only.
  std::function<TensorBackend*(Graph&)> full_run_backend;
};

// Runs `options.method` on the model's root module with shape-only tensors.
// Throws ptscope::Error with a one-line reason (file:line for model code).
// `calls` receives every module forward call (for per-module output shapes).
Graph build_graph(const Model& model, const GraphOptions& options = {}, std::vector<ModuleCall>* calls = nullptr);

}  // namespace ptscope::graph
