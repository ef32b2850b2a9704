// The input-shape search behind build_graph (graph/input_inference.h): for
// each tensor argument the method takes, plausible shapes, most likely first.
// Probe runs feed the method placeholder tensors and stop at the first op that
// consumes one (its weights say what it needs); the model's tensor table and
// generic guesses are the fallbacks. graph/build_graph.cpp plans the
// arguments, asks for candidates here and confirms them with full runs.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "graph/input_inference.h"
#include "graph/interpreter.h"

namespace ptscope::graph::inference {

// A plausible input for one tensor argument.
struct Candidate {
  std::vector<int64_t> shape;
  DType dtype = DType::float32;
  int seq_dim = -1;    // which dim --seq sets
  int batch_dim = 0;   // which dim --batch sets
  std::vector<int> free_dims;  // dims a size search may change together (spatial dims)
  std::string why;     // "aten::conv2d in conv1 (Conv2d) at code/...py:23"
};

// "1x3x224x224", "[]" for a 0-d shape.
std::string shape_text(const std::vector<int64_t>& s);

// One forward argument to fill.
struct Slot {
  std::string name;            // "x", or "xs[0]" for list elements
  std::optional<Candidate> fixed;
  std::vector<Candidate> candidates;
  size_t chosen = 0;
  bool probed = false;
};

// How each parameter of the method is passed.
struct ParamPlan {
  std::string name;
  enum Kind { tensor, tensor_list, tensor_tuple, scalar, omit, none } kind = tensor;
  std::vector<size_t> slots;  // indexes into the slot list
  Val scalar_value;
};

class Probe;

// The method's keyword arguments for one run: each slot's chosen candidate as
// an input tensor; slots without one get a placeholder from `probe`.
Kwargs make_args(Interpreter& in, const std::vector<ParamPlan>& plan, const std::vector<Slot>& slots,
                 const std::vector<Candidate*>& chosen, Probe* probe);

// Fills the candidates of every slot not fixed by --input (adjusted for
// --batch and --seq): what probing found first, then the fallbacks.
void find_candidates(const Model& model, const GraphOptions& options, const std::shared_ptr<SourceCache>& cache,
                     const std::vector<ParamPlan>& plan, std::vector<Slot>& slots);

TensorMeta to_meta(const Candidate& c);

// Whether the input's free dims should grow (+1) or shrink (-1) for the op
// that failed; 0 when the failure says nothing about size.
int size_direction(const Interpreter::FailedOp& f);

// Whether another input shape could get past this failure (not for
// data-dependent control flow, unknown ops or resource limits).
bool is_retryable(const Error& e);

}  // namespace ptscope::graph::inference
