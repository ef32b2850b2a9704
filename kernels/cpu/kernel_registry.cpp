#include "kernels/cpu/kernel_registry.h"

#include <algorithm>

#include "kernels/kernel_table.h"

namespace ptscope::kernels {
namespace {

const KernelMap<CpuKernel>& table() {
  static const auto* t = [] {
    KernelTable list;
    for (auto* register_family :
         {&register_gemm_kernels, &register_conv_kernels, &register_norm_kernels, &register_softmax_kernels,
          &register_activation_kernels, &register_elementwise_kernels, &register_reduction_kernels,
          &register_pooling_kernels, &register_attention_kernels, &register_shape_kernels, &register_index_kernels})
      register_family(list);
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
