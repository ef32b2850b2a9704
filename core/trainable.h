// Trainable vs non-trainable parameters (torchinfo's split), from the
// requires_grad flag each parameter carries in the file. This is the one
// place that decides which parameter elements train; every report that
// counts parameters takes the split from here. Which tensors are parameters,
// and which are ties of another, comes from core/weights.h.
#pragma once
#include <cstdint>
#include <vector>

#include "core/model.h"

namespace ptscope {

struct ParameterSplit {
  int64_t trainable = 0;         // elements of parameters with requires_grad=True
  int64_t frozen = 0;            // elements of parameters with requires_grad=False
  uint64_t trainable_bytes = 0;  // their bytes (numel × itemsize)
  int64_t total() const { return trainable + frozen; }
};

enum class Trains { not_a_parameter, yes, no };

// One answer per entry of model.tensors: parameters that are not a tie of an
// earlier entry (each distinct parameter once, as torch's model.parameters()
// yields it) train when the file says requires_grad. A plain state_dict
// records no requires_grad (state_dict() detaches every tensor), so there
// every parameter is taken as trainable.
std::vector<Trains> trainable_entries(const Model& model);

ParameterSplit trainable_split(const Model& model);

}  // namespace ptscope
