#include "core/weights.h"

#include <map>
#include <string_view>
#include <tuple>

namespace ptscope {
namespace {

// Names that torch.nn modules register with register_buffer (persistent ones
// appear in state_dicts): batch/instance norm statistics, and the position
// tables Hugging Face models keep as buffers.
constexpr std::string_view kBufferLeafNames[] = {
    "running_mean", "running_var", "num_batches_tracked", "position_ids", "token_type_ids",
    "inv_freq", "masked_bias", "freqs_cis",
};
// Top-level keys of training checkpoints whose tensors are not the model's.
constexpr std::string_view kNotWeightsRoots[] = {
    "optimizer", "optimizer_state_dict", "optim", "optimizer_states", "lr_scheduler", "scheduler", "scaler",
};

std::string_view leaf(std::string_view name) {
  const size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}
std::string_view root(std::string_view name) {
  const size_t dot = name.find('.');
  return dot == std::string_view::npos ? name : name.substr(0, dot);
}
template <size_t N> bool one_of(std::string_view s, const std::string_view (&list)[N]) {
  for (auto x : list)
    if (s == x) return true;
  return false;
}

WeightRole state_dict_role(const NamedTensor& nt) {
  if (!nt.tensor || nt.role == TensorRole::constant) return WeightRole::none;
  if (one_of(root(nt.name), kNotWeightsRoots)) return WeightRole::none;
  const DTypeInfo& info = dtype_info(nt.tensor->dtype);
  if (one_of(leaf(nt.name), kBufferLeafNames)) return WeightRole::buffer;
  if (info.is_floating || info.is_complex || info.is_quantized) return WeightRole::parameter;
  return WeightRole::buffer;
}

}  // namespace

bool roles_declared(const Model& model) {
  for (const auto& nt : model.tensors)
    if (nt.is_parameter() || nt.is_buffer()) return true;
  return false;
}

std::vector<WeightRole> weight_roles(const Model& model) {
  const bool declared = roles_declared(model);
  std::vector<WeightRole> roles;
  roles.reserve(model.tensors.size());
  for (const auto& nt : model.tensors) {
    if (!declared) roles.push_back(state_dict_role(nt));
    else if (nt.tensor && nt.is_parameter()) roles.push_back(WeightRole::parameter);
    else if (nt.tensor && nt.is_buffer()) roles.push_back(WeightRole::buffer);
    else roles.push_back(WeightRole::none);
  }
  return roles;
}

std::vector<int> tied_to(const Model& model) {
  // Identity of a storage region: where its bytes are (the storage object
  // when it has none, e.g. meta tensors), then the view on them.
  using Key = std::tuple<const void*, int64_t, std::vector<int64_t>, std::vector<int64_t>, DType>;
  std::map<Key, int> first;
  std::vector<int> out(model.tensors.size(), -1);
  for (size_t i = 0; i < model.tensors.size(); ++i) {
    const auto& t = model.tensors[i].tensor;
    if (!t || !t->storage || t->layout != Layout::strided || t->numel() == 0) continue;
    const void* where = t->storage->data.size() ? static_cast<const void*>(t->storage->data.data())
                                                : static_cast<const void*>(t->storage.get());
    auto [it, inserted] = first.emplace(Key{where, t->storage_offset, t->shape, t->strides, t->dtype}, int(i));
    if (!inserted) out[i] = it->second;
  }
  return out;
}

WeightTotals weight_totals(const Model& model) {
  WeightTotals w;
  w.roles_declared = roles_declared(model);
  const auto roles = weight_roles(model);
  const auto ties = tied_to(model);
  for (size_t i = 0; i < model.tensors.size(); ++i) {
    const NamedTensor& nt = model.tensors[i];
    if (roles[i] == WeightRole::none) continue;
    if (ties[i] >= 0) {
      w.ties.emplace_back(nt.name, model.tensors[size_t(ties[i])].name);
      continue;
    }
    if (roles[i] == WeightRole::parameter) {
      w.parameter_elements += nt.tensor->numel();
      w.parameter_bytes += nt.tensor->nbytes();
      ++w.parameter_tensors;
    } else {
      w.buffer_elements += nt.tensor->numel();
      w.buffer_bytes += nt.tensor->nbytes();
      ++w.buffer_tensors;
    }
  }
  return w;
}

}  // namespace ptscope
