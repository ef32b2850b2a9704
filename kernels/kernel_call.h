// How every backend's kernels are called (kernels/executor.h): the node's
// arguments bound in schema order with defaults filled (graph::ArgValue with
// each TensorMeta swapped for its tensor's data), the outputs, and who
// allocates them (OutputMode). The CPU kernel table is
// kernels/cpu/kernel_registry.h; the CUDA one is kernels/cuda/cuda_context.h.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "graph/values.h"
#include "kernels/cpu/cpu_tensor.h"

namespace ptscope::kernels {

// graph::ArgValue with data: TensorMeta becomes CpuTensor. A None entry of a
// Tensor?[] list is an undefined CpuTensor.
using KernelArg = std::variant<graph::NoneArg, bool, int64_t, double, std::string, std::vector<int64_t>,
                               std::vector<double>, CpuTensor, std::vector<CpuTensor>>;

struct KernelCall {
  std::vector<KernelArg> args;     // bound arguments in schema order
  std::vector<CpuTensor> outputs;  // see OutputMode
  // New contiguous storage for by_kernel outputs that cannot alias (kept alive by the caller).
  std::function<CpuTensor(const Shape& shape, DType dtype)> allocate;

  // Typed access by schema position; Error(usage) when the argument has another type.
  const CpuTensor& tensor(size_t i) const;
  const CpuTensor* opt_tensor(size_t i) const;  // nullptr for None (or an undefined tensor)
  const std::vector<CpuTensor>& tensors(size_t i) const;
  bool is_none(size_t i) const;
  int64_t int_arg(size_t i) const;  // int, SymInt, ScalarType, bool
  std::optional<int64_t> opt_int(size_t i) const;
  double float_arg(size_t i) const;  // float or Scalar (int and bool accepted)
  std::optional<double> opt_float(size_t i) const;
  bool bool_arg(size_t i) const;
  std::string str_arg(size_t i) const;
  std::vector<int64_t> ints(size_t i) const;  // int[]; a bare int becomes {n}
  // int[N] arguments: a single value repeats (`stride=2` → {2, 2}); empty gives `fallback`.
  std::vector<int64_t> ints_n(size_t i, size_t n, const std::vector<int64_t>& fallback = {}) const;
  bool scalar_is_float(size_t i) const;  // the Scalar argument holds a double
  size_t num_args() const { return args.size(); }

  // Output i, checked to have been given (shape and dtype at least).
  const CpuTensor& out(size_t i = 0) const;
  // Sets output i (growing the list for Tensor[] results).
  void set_output(size_t i, CpuTensor t);
  // A fresh output for by_kernel ops that cannot alias: shape and dtype of outputs[i] when given.
  CpuTensor allocate_output(size_t i, const Shape& shape, DType dtype);
};

enum class OutputMode : uint8_t {
  preallocated,  // the executor allocates every output before the call
  by_kernel,     // the kernel sets the outputs (views, in-place, alias-or-copy, lists)
};

}  // namespace ptscope::kernels
