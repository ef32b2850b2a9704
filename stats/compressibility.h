// How compressible a tensor's bytes are: byte-level Shannon entropy and the
// ratios zlib and zstd actually achieve on them.
#pragma once
#include <cstdint>
#include <limits>

#include "core/tensor.h"

namespace ptscope {

struct CompressOptions {
  uint64_t sample_bytes = 4u << 20;  // 0 = all bytes; else evenly spaced 64 KiB blocks totalling this
  int zlib_level = 6;                // zlib's default
  int zstd_level = 3;                // zstd's default
};

struct CompressStats {
  uint64_t sampled_bytes = 0;  // bytes actually compressed
  uint64_t total_bytes = 0;    // bytes of the view's storage extent
  double byte_entropy_bits = std::numeric_limits<double>::quiet_NaN();  // H over byte values, 0..8
  double entropy_ratio = std::numeric_limits<double>::quiet_NaN();      // 8 / H, the order-0 bound
  double zlib_ratio = std::numeric_limits<double>::quiet_NaN();         // original / compressed
  double zstd_ratio = std::numeric_limits<double>::quiet_NaN();
};

CompressStats compressibility(const Tensor& t, const CompressOptions& options);
// The same on a plain byte range (tests, sub-ranges).
CompressStats compressibility(const uint8_t* data, uint64_t size, const CompressOptions& options);

}  // namespace ptscope
