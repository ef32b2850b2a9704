// A caching allocator for device memory: freed blocks go back to a pool and
// are reused by later requests of about the same size instead of returning
// to cudaFree (which synchronises the device). Every kernel runs on one
// stream, so a block freed after an op was enqueued can be handed to the next
// op without waiting: stream order keeps the two apart.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <unordered_map>

namespace ptscope::kernels::cuda {

struct AllocatorStats {
  uint64_t allocated = 0;       // bytes in blocks handed out now
  uint64_t reserved = 0;        // bytes obtained from cudaMalloc (handed out + cached)
  uint64_t peak_allocated = 0;
  uint64_t peak_reserved = 0;
  uint64_t device_mallocs = 0;  // cudaMalloc calls (cache misses)
  uint64_t requests = 0;
};

class CachingAllocator {
 public:
  CachingAllocator() = default;
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;
  ~CachingAllocator();

  // At least `bytes` (512-byte granules; 2 MiB granules from 1 MiB up), 256-byte
  // aligned, never null. Throws Error(limit_exceeded) when the device is full
  // even after the cache was released.
  void* allocate(size_t bytes);
  void free(void* ptr);
  // Returns every cached (unused) block to the device.
  void release_cached();
  const AllocatorStats& stats() const { return stats_; }
  void reset_peaks() {
    stats_.peak_allocated = stats_.allocated;
    stats_.peak_reserved = stats_.reserved;
  }

 private:
  std::multimap<size_t, void*> cached_;          // free blocks by size
  std::unordered_map<void*, size_t> in_use_;     // handed-out blocks and their sizes
  AllocatorStats stats_;
};

}  // namespace ptscope::kernels::cuda
