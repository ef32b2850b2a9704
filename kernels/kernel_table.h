// A backend's kernels by op name, built once from the list its register_*
// functions fill (kernels/cpu/kernel_registry.cpp, kernels/cuda/cuda_context.cpp).
#pragma once
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ptscope::kernels {

template <class Kernel>
using KernelMap = std::map<std::string, Kernel, std::less<>>;

// Moves the entries that `keep(name)` accepts into a map; a name registered
// twice is a bug of the backend, reported with its name ("CPU", "CUDA").
template <class Kernel, class Keep>
KernelMap<Kernel> kernel_map(std::vector<std::pair<std::string, Kernel>>& list, const char* backend, Keep keep) {
  KernelMap<Kernel> m;
  for (auto& [name, kernel] : list) {
    if (!keep(name)) continue;
    if (!m.emplace(name, std::move(kernel)).second)
      throw Error(ErrorCode::corrupt, std::string(backend) + " kernel registered twice: " + name);
  }
  return m;
}

template <class Kernel>
const Kernel* find_kernel(const KernelMap<Kernel>& m, std::string_view op) {
  auto it = m.find(op);
  return it == m.end() ? nullptr : &it->second;
}

template <class Kernel>
std::vector<std::string> kernel_names(const KernelMap<Kernel>& m) {
  std::vector<std::string> names;
  for (const auto& entry : m) names.push_back(entry.first);
  return names;
}

}  // namespace ptscope::kernels
