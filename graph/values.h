// Values that flow through shape-only execution and op rules: tensor metadata
// (no data) or constants (ints, floats, lists, strings, None).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/dtype.h"
#include "core/shape.h"

namespace ptscope::graph {

struct TensorMeta {
  std::vector<int64_t> shape;
  DType dtype = DType::float32;
  int value_id = -1;  // id of the graph value this tensor is, -1 for none yet
  // Strides in elements, set by view rules (graph/ops_shape.cpp); empty for
  // the dense row-major layout, which every other op's result has here (torch
  // keeps a permuted layout through pointwise ops; we do not model that).
  std::vector<int64_t> strides;
  std::vector<int64_t> layout_strides() const { return strides.empty() ? contiguous_strides(shape) : strides; }
  bool contiguous() const { return strides.empty() || is_contiguous(shape, strides); }
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
  uint64_t nbytes() const { return uint64_t(numel()) * itemsize(dtype); }
  // A None entry of a Tensor?[] list: undefined dtype, no shape.
  static TensorMeta none() {
    TensorMeta t;
    t.dtype = DType::undefined;
    return t;
  }
};

struct NoneArg {};
// Argument values as op rules see them, in schema order after binding.
using ArgValue = std::variant<NoneArg, bool, int64_t, double, std::string, std::vector<int64_t>,
                              std::vector<double>, TensorMeta, std::vector<TensorMeta>>;

// The schema type of an argument value's kind, by its index in ArgValue (and
// in kernels::KernelArg, which has the same alternatives): "None", "bool",
// "int", "float", "str", "int[]", "float[]", "Tensor", "Tensor[]".
const char* arg_kind_name(size_t variant_index);

// Readable form for messages and JSON ("[1, 3, 224, 224]:float32", "2", "None").
std::string arg_to_string(const ArgValue& v);

}  // namespace ptscope::graph
