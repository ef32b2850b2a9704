#include "core/trainable.h"

#include <set>
#include <tuple>
#include <vector>

namespace ptscope {

ParameterSplit trainable_split(const Model& model) {
  ParameterSplit s;
  // Tied weights (GPT-2's lm_head and wte) are one parameter under two names:
  // torch's model.parameters() yields it once, and so do we. The same storage
  // viewed the same way is the same parameter.
  using Key = std::tuple<const void*, int64_t, std::vector<int64_t>, std::vector<int64_t>>;
  std::set<Key> seen;
  for (const auto& t : model.tensors) {
    if (!t.is_parameter() || !t.tensor) continue;
    const Tensor& x = *t.tensor;
    const void* base = x.storage ? static_cast<const void*>(x.storage.get()) : static_cast<const void*>(&x);
    if (!seen.emplace(base, x.storage_offset, x.shape, x.strides).second) continue;
    if (x.requires_grad) {
      s.trainable += x.numel();
      s.trainable_bytes += x.nbytes();
    } else {
      s.frozen += x.numel();
    }
  }
  return s;
}

}  // namespace ptscope
