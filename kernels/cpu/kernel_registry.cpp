#include "kernels/cpu/kernel_registry.h"

#include <algorithm>

#include "kernels/kernel_table.h"

namespace ptscope::kernels {
namespace {

const KernelMap<CpuKernel>& table() {
  static const auto* t = [] {
    KernelTable list;
    register_gemm_kernels(list);
    register_conv_kernels(list);
    register_norm_kernels(list);
    register_softmax_kernels(list);
    register_activation_kernels(list);
    register_elementwise_kernels(list);
    register_reduction_kernels(list);
    register_pooling_kernels(list);
    register_attention_kernels(list);
    register_shape_kernels(list);
    register_index_kernels(list);
    return new KernelMap<CpuKernel>(kernel_map(list, "CPU", [](const std::string&) { return true; }));
  }();
  return *t;
}

}  // namespace

const CpuKernel* find_cpu_kernel(std::string_view full_op_name) {
  return find_kernel(table(), full_op_name);
}

OutputMode cpu_output_mode(std::string_view full_op_name) {
  const CpuKernel* k = find_cpu_kernel(full_op_name);
  return k ? k->outputs : OutputMode::preallocated;
}

std::vector<std::string> cpu_kernel_names() {
  return kernel_names(table());
}

}  // namespace ptscope::kernels
