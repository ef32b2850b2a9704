#include "kernels/cuda/cuda_allocator.h"

#include <cuda_runtime.h>

#include <string>

#include "core/error.h"

namespace ptscope::kernels::cuda {
namespace {

constexpr size_t kSmallGranule = 512;
constexpr size_t kLargeGranule = size_t(2) << 20;
constexpr size_t kLargeFrom = size_t(1) << 20;

size_t round_size(size_t bytes) {
  if (bytes == 0) bytes = 1;
  const size_t g = bytes < kLargeFrom ? kSmallGranule : kLargeGranule;
  return (bytes + g - 1) / g * g;
}

// A cached block serves a request when it wastes little: up to twice the size
// for small blocks, a quarter more for large ones.
bool fits(size_t block, size_t want) { return want < kLargeFrom ? block <= 2 * want : block <= want + want / 4; }

}  // namespace

CachingAllocator::~CachingAllocator() {
  release_cached();
  // Blocks still handed out belong to tensors that outlive the backend: free them too.
  for (auto& [p, size] : in_use_) cudaFree(p);
}

void* CachingAllocator::allocate(size_t bytes) {
  const size_t size = round_size(bytes);
  ++stats_.requests;
  void* p = nullptr;
  auto it = cached_.lower_bound(size);
  if (it != cached_.end() && fits(it->first, size)) {
    p = it->second;
    in_use_[p] = it->first;
    stats_.allocated += it->first;
    cached_.erase(it);
  } else {
    cudaError_t e = cudaMalloc(&p, size);
    if (e != cudaSuccess) {
      cudaGetLastError();  // clear the sticky-free error state before retrying
      release_cached();
      e = cudaMalloc(&p, size);
    }
    if (e != cudaSuccess) {
      cudaGetLastError();
      throw Error(ErrorCode::limit_exceeded,
                  "CUDA out of memory allocating " + std::to_string(bytes) + " bytes (" +
                      std::to_string(stats_.allocated) + " bytes allocated, " + std::to_string(stats_.reserved) +
                      " reserved by ptscope): " + cudaGetErrorString(e));
    }
    ++stats_.device_mallocs;
    in_use_[p] = size;
    stats_.allocated += size;
    stats_.reserved += size;
  }
  if (stats_.allocated > stats_.peak_allocated) stats_.peak_allocated = stats_.allocated;
  if (stats_.reserved > stats_.peak_reserved) stats_.peak_reserved = stats_.reserved;
  return p;
}

void CachingAllocator::free(void* ptr) {
  if (!ptr) return;
  auto it = in_use_.find(ptr);
  if (it == in_use_.end()) throw Error(ErrorCode::corrupt, "CUDA allocator: freeing a block it did not allocate");
  stats_.allocated -= it->second;
  cached_.emplace(it->second, ptr);
  in_use_.erase(it);
}

void CachingAllocator::release_cached() {
  for (auto& [size, p] : cached_) {
    cudaFree(p);
    stats_.reserved -= size;
  }
  cached_.clear();
}

}  // namespace ptscope::kernels::cuda
