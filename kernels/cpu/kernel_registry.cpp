#include "kernels/cpu/kernel_registry.h"

#include <algorithm>
#include <map>

namespace ptscope::kernels {
namespace {

const std::map<std::string, CpuKernel, std::less<>>& table() {
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
    auto* m = new std::map<std::string, CpuKernel, std::less<>>();
    for (auto& [name, k] : list)
      if (!m->emplace(name, std::move(k)).second) throw Error(ErrorCode::corrupt, "CPU kernel registered twice: " + name);
    return m;
  }();
  return *t;
}

}  // namespace

const CpuKernel* find_cpu_kernel(std::string_view full_op_name) {
  const auto& t = table();
  auto it = t.find(full_op_name);
  return it == t.end() ? nullptr : &it->second;
}

OutputMode cpu_output_mode(std::string_view full_op_name) {
  const CpuKernel* k = find_cpu_kernel(full_op_name);
  return k ? k->outputs : OutputMode::preallocated;
}

std::vector<std::string> cpu_kernel_names() {
  std::vector<std::string> names;
  for (const auto& [name, k] : table()) names.push_back(name);
  return names;
}

}  // namespace ptscope::kernels
