// CPU kernels keyed by the op registry's full names ("aten::conv2d",
// "aten::add.Tensor"). The executor binds a node's arguments with the op's
// schema (graph::OpRegistry::bind), swaps every TensorMeta for the tensor's
// data, and calls the kernel:
//
//   KernelCall call;
//   call.args = ...;                       // schema order, defaults filled
//   call.outputs = ...;                    // one per output: shape and dtype from the shape rule
//   const CpuKernel* k = find_cpu_kernel(node.op);
//   if (k->outputs == OutputMode::preallocated) allocate each outputs[i] (contiguous)
//   k->fn(call);                           // by_kernel: the kernel sets outputs[i].data/strides
//
// OutputMode::by_kernel is used by views (the output aliases an input: the
// executor must keep the base alive), in-place ops (the output is `self`),
// and ops that alias when they can and copy otherwise (reshape, contiguous,
// to, dropout): those allocate through call.allocate. List outputs
// (split, chunk, unbind) are by_kernel and appended by the kernel.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
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

struct CpuKernel {
  std::function<void(KernelCall&)> fn;
  OutputMode outputs = OutputMode::preallocated;
};

// nullptr when no CPU kernel implements the op.
const CpuKernel* find_cpu_kernel(std::string_view full_op_name);
// How the op's CPU kernel returns its outputs (preallocated when there is none): the
// contract every backend follows, since the CUDA one falls back to the CPU kernel.
OutputMode cpu_output_mode(std::string_view full_op_name);
std::vector<std::string> cpu_kernel_names();  // sorted

// Registration (kernels/cpu/*.cpp, one function per family; called once when
// the table is built).
using KernelTable = std::vector<std::pair<std::string, CpuKernel>>;
void register_gemm_kernels(KernelTable& t);
void register_conv_kernels(KernelTable& t);
void register_norm_kernels(KernelTable& t);
void register_softmax_kernels(KernelTable& t);
void register_activation_kernels(KernelTable& t);
void register_elementwise_kernels(KernelTable& t);
void register_reduction_kernels(KernelTable& t);
void register_pooling_kernels(KernelTable& t);
void register_attention_kernels(KernelTable& t);
void register_shape_kernels(KernelTable& t);
void register_index_kernels(KernelTable& t);

inline void add_kernel(KernelTable& t, std::string name, std::function<void(KernelCall&)> fn,
                       OutputMode mode = OutputMode::preallocated) {
  t.emplace_back(std::move(name), CpuKernel{std::move(fn), mode});
}

}  // namespace ptscope::kernels
