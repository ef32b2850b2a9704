// What the CUDA kernels share: the device, one stream, the cuBLAS and cuDNN
// handles, the caching allocator, a growable workspace, error checks that
// name the op, and device-side helpers over TensorView (copies with dtype
// conversion, fills, the elementwise map, contiguous float32 copies).
//
// Native kernels are keyed like the CPU ones (full aten name) and return
// false when a call is outside what they implement (a dtype, a layout);
// the backend then runs the CPU kernel on host copies (cuda_fallback.cpp).
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/cpu/kernel_registry.h"
#include "kernels/cuda/cuda_allocator.h"
#include "kernels/cuda/launch.h"

namespace ptscope::kernels::cuda {

using TensorView = CpuTensor;

// Throw ptscope::Error(unsupported) naming `what` (the op or the call) with the library's message.
void cuda_check(cudaError_t e, const std::string& what);
void cublas_check(cublasStatus_t s, const std::string& what);
void cudnn_check(cudnnStatus_t s, const std::string& what);

struct ConvCache;  // cuda_conv.cpp

struct CudaContext {
  int device = 0;
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  cudnnHandle_t cudnn = nullptr;
  bool allow_tf32 = false;                // PTSCOPE_CUDA_TF32=1
  size_t conv_workspace_limit = size_t(256) << 20;  // cuDNN algorithms needing more are not chosen
  CachingAllocator allocator;
  std::shared_ptr<ConvCache> conv_cache;

  // Per-op report, reset before every op: workspace bytes and the algorithm chosen.
  size_t op_workspace_bytes = 0;
  std::string op_note;

  // A workspace of at least `bytes`, valid until the next call (stream-ordered reuse).
  void* workspace(size_t bytes);

  CudaContext(int device_index);
  ~CudaContext();

 private:
  void* workspace_ = nullptr;
  size_t workspace_bytes_ = 0;
};

// Device memory freed (returned to the allocator's cache) when this goes out
// of scope: temporaries of one op. Stream order makes the early return safe.
class Scratch {
 public:
  explicit Scratch(CudaContext& ctx) : ctx_(ctx) {}
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  TensorView tensor(const Shape& shape, DType dtype);

 private:
  CudaContext& ctx_;
  std::vector<void*> blocks_;
};

std::optional<DT> device_dtype(DType d);

// dst = src (shapes equal after broadcasting src), any strides and dtypes.
void device_copy(CudaContext& ctx, const TensorView& src, const TensorView& dst);
void device_fill(CudaContext& ctx, const TensorView& dst, double v);
// t itself when contiguous float32, else a contiguous float32 copy in `scratch`.
TensorView dense_f32(CudaContext& ctx, const TensorView& t, Scratch& scratch);

// An operand of device_map: a tensor (float32 or bool) or a scalar.
struct MapSrc {
  const TensorView* tensor = nullptr;
  double scalar = 0;
  static MapSrc of(const KernelCall& c, size_t i);  // tensor or scalar argument i
};
// out = op(srcs...) elementwise with broadcasting; out float32 (or bool for comparisons), any strides.
void device_map(CudaContext& ctx, MapOp op, const std::vector<MapSrc>& srcs, const TensorView& out,
                float p0 = 0, float p1 = 0, float p2 = 0);

// Whether every tensor argument and output is float32.
bool all_f32(const KernelCall& c);
bool is_float32(const CpuTensor& t);

// A native kernel: false when the call is outside what it implements.
using CudaKernelFn = std::function<bool(CudaContext&, KernelCall&)>;
using CudaKernelTable = std::vector<std::pair<std::string, CudaKernelFn>>;
const CudaKernelFn* find_cuda_kernel(std::string_view op);
std::vector<std::string> native_kernel_names();

void register_cuda_elementwise(CudaKernelTable& t);
void register_cuda_shape(CudaKernelTable& t);
void register_cuda_gemm(CudaKernelTable& t);
void register_cuda_conv(CudaKernelTable& t);
void register_cuda_norm(CudaKernelTable& t);
void register_cuda_pool_reduce(CudaKernelTable& t);
void register_cuda_attention(CudaKernelTable& t);
void register_cuda_transformer(CudaKernelTable& t);

}  // namespace ptscope::kernels::cuda
