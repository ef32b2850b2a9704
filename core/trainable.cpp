#include "core/trainable.h"

#include "core/weights.h"

namespace ptscope {

std::vector<Trains> trainable_entries(const Model& model) {
  const auto roles = weight_roles(model);
  const auto ties = tied_to(model);
  const bool declared = roles_declared(model);
  std::vector<Trains> out(model.tensors.size(), Trains::not_a_parameter);
  for (size_t i = 0; i < model.tensors.size(); ++i) {
    const NamedTensor& nt = model.tensors[i];
    if (!nt.tensor || roles[i] != WeightRole::parameter || ties[i] >= 0) continue;
    out[i] = !declared || nt.tensor->requires_grad ? Trains::yes : Trains::no;
  }
  return out;
}

ParameterSplit trainable_split(const Model& model) {
  ParameterSplit s;
  const auto trains = trainable_entries(model);
  for (size_t i = 0; i < model.tensors.size(); ++i) {
    const Tensor& x = *model.tensors[i].tensor;
    if (trains[i] == Trains::yes) {
      s.trainable += x.numel();
      s.trainable_bytes += x.nbytes();
    } else if (trains[i] == Trains::no) {
      s.frozen += x.numel();
    }
  }
  return s;
}

}  // namespace ptscope
