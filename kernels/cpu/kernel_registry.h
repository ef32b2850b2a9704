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

#include "kernels/cpu/cpu_tensor.h"
#include "kernels/kernel_call.h"

namespace ptscope::kernels {

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
