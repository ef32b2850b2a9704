// Which tensors of a model are its weights, and how much they are, with tied
// tensors counted once. The one home of this rule: info, stats, analyze,
// graph totals, sweeps and the training-memory estimate all ask here, so that
// every command gives the same parameter count for the same file.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/model.h"

namespace ptscope {

enum class WeightRole { parameter, buffer, none };

// One role per entry of model.tensors. Roles the file declares (a module tree,
// TorchScript __parameters__/__buffers__, pickled nn.Parameter objects) are
// used as they are. A plain state_dict declares none, so there: a floating or
// complex tensor is a parameter unless its last name component is one PyTorch
// modules register as a buffer (running_mean, running_var, num_batches_tracked,
// ...); every other dtype is a buffer; optimizer and scheduler state is neither.
std::vector<WeightRole> weight_roles(const Model& model);

// Whether the file says which tensors are parameters and buffers (and so also
// carries their requires_grad); false for a plain state_dict.
bool roles_declared(const Model& model);

// For each entry, the index of the earlier entry it is tied to (the same
// storage region: same bytes, offset, shape, strides and dtype), or -1. As
// `model.parameters()` does, the first name in file order is the one kept.
std::vector<int> tied_to(const Model& model);

struct WeightTotals {
  int64_t parameter_elements = 0;  // distinct parameters' elements (torch: sum(p.numel() for p in m.parameters()))
  int64_t parameter_tensors = 0;
  int64_t buffer_elements = 0;
  int64_t buffer_tensors = 0;
  uint64_t parameter_bytes = 0;
  uint64_t buffer_bytes = 0;
  std::vector<std::pair<std::string, std::string>> ties;  // (name, name it is tied to), file order
  bool roles_declared = false;  // false: the state_dict rule above decided

  uint64_t weight_bytes() const { return parameter_bytes + buffer_bytes; }
};
WeightTotals weight_totals(const Model& model);

}  // namespace ptscope
