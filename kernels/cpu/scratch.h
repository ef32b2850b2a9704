// Kernel scratch memory (im2col columns, packed weights, padded planes) is
// counted so that the memory plan can give each node its workspace: the CPU
// backend resets the meter before a kernel and reads the most bytes held at
// once afterwards. Scratch is heap memory owned by the kernel for the length of
// one call; the packed-GEMM panels that persist per thread across calls are
// not counted (they are a fixed, cache-sized cost of each worker thread).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ptscope::kernels {

// Process-wide, thread-safe (a kernel's worker threads allocate concurrently).
// One node runs at a time per executor; concurrent executors in one process
// would share the meter.
void scratch_reset();
uint64_t scratch_peak_bytes();
void scratch_acquire(uint64_t bytes);
void scratch_release(uint64_t bytes);

// Counts `bytes` held by some other container for as long as it lives.
class ScratchCharge {
 public:
  explicit ScratchCharge(uint64_t bytes) : bytes_(bytes) { scratch_acquire(bytes_); }
  ~ScratchCharge() { scratch_release(bytes_); }
  ScratchCharge(const ScratchCharge&) = delete;
  ScratchCharge& operator=(const ScratchCharge&) = delete;

 private:
  uint64_t bytes_;
};

// A zero-initialised float buffer counted by the meter while it lives.
class ScratchFloats {
 public:
  explicit ScratchFloats(size_t n) : data_(n, 0.f) { scratch_acquire(bytes()); }
  ~ScratchFloats() { scratch_release(bytes()); }
  ScratchFloats(const ScratchFloats&) = delete;
  ScratchFloats& operator=(const ScratchFloats&) = delete;

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  float& operator[](size_t i) { return data_[i]; }
  size_t size() const { return data_.size(); }

 private:
  uint64_t bytes() const { return uint64_t(data_.size()) * sizeof(float); }
  std::vector<float> data_;
};

}  // namespace ptscope::kernels
