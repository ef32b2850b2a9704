#include "parser/packed_params.h"

#include <unordered_set>

#include "core/tensor.h"

namespace ptscope {
namespace {

constexpr int kMaxDepth = 8;  // packed states nest a tuple, a list and a tensor: far less than this

// Tensors of a state in pickle order, bounded in depth and visiting each value once.
void collect(const PyRef& v, int depth, std::unordered_set<const PyValue*>& seen, std::vector<std::shared_ptr<Tensor>>& out) {
  if (!v || depth > kMaxDepth || !seen.insert(v.get()).second) return;
  if (v->kind == PyKind::tensor) {
    if (v->tensor) out.push_back(v->tensor);
    return;
  }
  for (const auto& item : v->items) collect(item, depth + 1, seen, out);
  for (const auto& [k, val] : v->entries) collect(val, depth + 1, seen, out);
  if (v->kind == PyKind::object && v->state) collect(v->state, depth + 1, seen, out);
}

bool weight_like(const Tensor& t) {
  const auto& info = dtype_info(t.dtype);
  return (info.is_floating || info.is_quantized) && t.shape.size() >= 2;
}

}  // namespace

bool is_packed_weight_class(const PyValue& object) {
  if (object.kind != PyKind::object) return false;
  const std::string q = object.qualname();
  return q.rfind("__torch__.torch.classes.quantized.", 0) == 0 || q.rfind("__torch__.torch.classes.xnnpack.", 0) == 0;
}

std::optional<PackedWeights> find_packed_weights(const PyRef& state) {
  std::unordered_set<const PyValue*> seen;
  std::vector<std::shared_ptr<Tensor>> tensors;
  collect(state, 0, seen, tensors);
  PackedWeights w;
  size_t at = 0;
  for (; at < tensors.size(); ++at)
    if (weight_like(*tensors[at])) {
      w.weight = tensors[at];
      break;
    }
  if (!w.weight) return std::nullopt;
  // Convolutions: out = shape[0]; transposed ones: shape[1] × groups (any multiple of shape[1]).
  const int64_t out0 = w.weight->shape[0], out1 = w.weight->shape[1];
  for (size_t k = at + 1; k < tensors.size(); ++k) {
    const Tensor& t = *tensors[k];
    if (!dtype_info(t.dtype).is_floating || t.shape.size() != 1) continue;
    if (t.shape[0] == out0 || (out1 > 0 && t.shape[0] % out1 == 0)) {
      w.bias = tensors[k];
      break;
    }
  }
  return w;
}

std::string packed_owner_path(const std::string& path) {
  static const std::string kHoisted = "_jit_pass_hoist_conv_packed_params.";
  std::string p = path.rfind(kHoisted, 0) == 0 ? path.substr(kHoisted.size()) : path;
  static const std::string kPacked = "_packed_params";
  while (true) {
    // The hoisting pass numbers its attributes: "features.0.0._packed_params.1".
    const size_t dot = p.rfind('.');
    if (dot != std::string::npos && dot + 1 < p.size() &&
        p.find_first_not_of("0123456789", dot + 1) == std::string::npos &&
        dot >= kPacked.size() &&
        p.compare(dot - kPacked.size(), kPacked.size(), kPacked) == 0) {
      p.resize(dot);
      continue;
    }
    if (p == kPacked) return "";
    if (p.size() > kPacked.size() && p.compare(p.size() - kPacked.size(), kPacked.size(), kPacked) == 0 &&
        p[p.size() - kPacked.size() - 1] == '.') {
      p.resize(p.size() - kPacked.size() - 1);
      continue;
    }
    return p;
  }
}

}  // namespace ptscope
