// Gathers: embedding rows and index_select along one dim.
#include "kernels/cuda/grid.h"
#include "kernels/cuda/launch.h"

namespace ptscope::kernels::cuda {
namespace {

__global__ void embedding_rows(const float* table, int64_t rows, int64_t width, int64_t row_stride,
                               const int64_t* idx, int64_t n_idx, float* out) {
  const int64_t n = n_idx * width;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = idx[i / width], c = i % width;
    out[i] = (r >= 0 && r < rows) ? table[r * row_stride + c] : __int_as_float(0x7fc00000);
  }
}

template <class T>
__global__ void index_select_kernel(const T* x, int64_t outer, int64_t dim, int64_t inner, const int64_t* idx,
                                    int64_t n_idx, T* out) {
  const int64_t n = outer * n_idx * inner;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t k = i % inner, j = (i / inner) % n_idx, o = i / (inner * n_idx);
    int64_t r = idx[j];
    if (r < 0) r += dim;
    out[i] = (r >= 0 && r < dim) ? x[(o * dim + r) * inner + k] : T{};
  }
}

}  // namespace

void launch_embedding(const float* table, int64_t rows, int64_t width, int64_t row_stride, const int64_t* idx,
                      int64_t n_idx, float* out, cudaStream_t stream) {
  if (n_idx * width > 0)
    embedding_rows<<<grid_for(n_idx * width), kThreads, 0, stream>>>(table, rows, width, row_stride, idx, n_idx, out);
}

void launch_index_select(const void* x, int64_t outer, int64_t dim, int64_t inner, int64_t elem_bytes,
                         const int64_t* idx, int64_t n_idx, void* out, cudaStream_t stream) {
  const int64_t n = outer * n_idx * inner;
  if (n <= 0) return;
  switch (elem_bytes) {
    case 1: index_select_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<const uint8_t*>(x), outer, dim, inner, idx, n_idx, static_cast<uint8_t*>(out)); break;
    case 2: index_select_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<const uint16_t*>(x), outer, dim, inner, idx, n_idx, static_cast<uint16_t*>(out)); break;
    case 4: index_select_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<const uint32_t*>(x), outer, dim, inner, idx, n_idx, static_cast<uint32_t*>(out)); break;
    default: index_select_kernel<<<grid_for(n), kThreads, 0, stream>>>(static_cast<const uint64_t*>(x), outer, dim, inner, idx, n_idx, static_cast<uint64_t*>(out)); break;
  }
}

}  // namespace ptscope::kernels::cuda
