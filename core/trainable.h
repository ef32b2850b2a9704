// Trainable vs non-trainable parameters (torchinfo's split), from the
// requires_grad flag each parameter carries in the file. This is the one
// place that decides which parameter elements train; every report that
// counts parameters takes the split from here.
#pragma once
#include <cstdint>

#include "core/model.h"

namespace ptscope {

struct ParameterSplit {
  int64_t trainable = 0;         // elements of parameters with requires_grad=True
  int64_t frozen = 0;            // elements of parameters with requires_grad=False
  uint64_t trainable_bytes = 0;  // their bytes (numel × itemsize)
  int64_t total() const { return trainable + frozen; }
};

// Over the tensor table's parameters, each distinct parameter once (tied weights
// counted once, as torch's model.parameters() does).
ParameterSplit trainable_split(const Model& model);

}  // namespace ptscope
