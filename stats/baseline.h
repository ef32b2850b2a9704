// The reference the statistics are timed against: reading the same tensor
// bytes once with the same workers and nothing else (a sum of 64-bit words).
#pragma once
#include <vector>

#include "core/tensor.h"

namespace ptscope {

struct ReadBaseline {
  double seconds = 0;
  uint64_t bytes = 0;
  uint64_t checksum = 0;  // keeps the reads from being optimised away
};

ReadBaseline read_baseline(const std::vector<const Tensor*>& tensors, unsigned threads);

}  // namespace ptscope
