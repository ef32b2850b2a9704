#include "kernels/cuda/cuda_context.h"

#include <algorithm>
#include <cstdlib>

#include "core/error.h"
#include "kernels/kernel_table.h"

namespace ptscope::kernels::cuda {

void cuda_check(cudaError_t e, const std::string& what) {
  if (e != cudaSuccess) {
    cudaGetLastError();  // clear a non-sticky error so the next op starts clean
    throw Error(ErrorCode::unsupported, what + ": CUDA error " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")");
  }
}

void cublas_check(cublasStatus_t s, const std::string& what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw Error(ErrorCode::unsupported, what + ": cuBLAS error " + cublasGetStatusName(s) + " (" + cublasGetStatusString(s) + ")");
}

void cudnn_check(cudnnStatus_t s, const std::string& what) {
  if (s != CUDNN_STATUS_SUCCESS) throw Error(ErrorCode::unsupported, what + ": cuDNN error " + cudnnGetErrorString(s));
}

CudaContext::CudaContext(int device_index) : device(device_index) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    cudaGetLastError();
    throw Error(ErrorCode::unsupported, std::string("no CUDA device is available (") +
                                            (e != cudaSuccess ? cudaGetErrorString(e) : "0 devices") + "); use --device cpu");
  }
  if (device_index < 0 || device_index >= count)
    throw Error(ErrorCode::usage, "CUDA device " + std::to_string(device_index) + " does not exist (" +
                                      std::to_string(count) + " found)");
  cuda_check(cudaSetDevice(device_index), "cudaSetDevice");
  cuda_check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
  cublas_check(cublasCreate(&cublas), "cublasCreate");
  cublas_check(cublasSetStream(cublas, stream), "cublasSetStream");
  if (const char* v = std::getenv("PTSCOPE_CUDA_TF32")) allow_tf32 = std::string(v) == "1";
  // Without TF32, fp32 GEMMs keep fp32 products and sums (parity with the CPU to 1e-4).
  cublas_check(cublasSetMathMode(cublas, allow_tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
               "cublasSetMathMode");
  cudnn_check(cudnnCreate(&cudnn), "cudnnCreate");
  cudnn_check(cudnnSetStream(cudnn, stream), "cudnnSetStream");
}

CudaContext::~CudaContext() {
  if (stream) cudaStreamSynchronize(stream);
  if (workspace_) allocator.free(workspace_);
  conv_cache.reset();
  if (cudnn) cudnnDestroy(cudnn);
  if (cublas) cublasDestroy(cublas);
  if (stream) cudaStreamDestroy(stream);
}

void* CudaContext::workspace(size_t bytes) {
  if (bytes > workspace_bytes_) {
    if (workspace_) allocator.free(workspace_);
    workspace_ = nullptr;
    workspace_bytes_ = 0;
    workspace_ = allocator.allocate(bytes);
    workspace_bytes_ = bytes;
  }
  return workspace_;
}

Scratch::~Scratch() {
  for (void* p : blocks_) ctx_.allocator.free(p);
}

TensorView Scratch::tensor(const Shape& shape, DType dtype) {
  TensorView t;
  t.shape = shape;
  t.strides = contiguous_strides(shape);
  t.dtype = dtype;
  blocks_.push_back(ctx_.allocator.allocate(size_t(shape_numel(shape)) * ptscope::itemsize(dtype)));
  t.data = blocks_.back();
  return t;
}

std::optional<DT> device_dtype(DType d) {
  switch (d) {
    case DType::float32: return DT::f32;
    case DType::float64: return DT::f64;
    case DType::float16: return DT::f16;
    case DType::bfloat16: return DT::bf16;
    case DType::int64: return DT::i64;
    case DType::int32: return DT::i32;
    case DType::int16: return DT::i16;
    case DType::int8: return DT::i8;
    case DType::uint8: return DT::u8;
    case DType::bool_: return DT::b8;
    default: return std::nullopt;
  }
}

namespace {

DT need_dtype(DType d) {
  auto dt = device_dtype(d);
  if (!dt) kernel_unsupported("dtype " + std::string(dtype_name(d)) + " is not supported by the CUDA kernels");
  return *dt;
}

void to_layout(const Shape& shape, const Shape& strides, Layout& l) {
  if (shape.size() > size_t(kMaxDims)) kernel_unsupported("more than 8 dims after merging");
  l.ndim = int32_t(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    l.shape[d] = shape[d];
    l.strides[d] = strides[d];
  }
}

}  // namespace

void device_copy(CudaContext& ctx, const TensorView& src, const TensorView& dst) {
  const TensorView s = broadcast_to(src, dst.shape);
  const int64_t n = dst.numel();
  if (n == 0) return;
  if (s.dtype == dst.dtype && s.is_contiguous() && dst.is_contiguous()) {
    cuda_check(cudaMemcpyAsync(dst.data, s.data, size_t(n) * dst.itemsize(), cudaMemcpyDeviceToDevice, ctx.stream),
               "device copy");
    return;
  }
  const LoopPlan<2> p = plan_loop<2>(dst.shape, {&s.strides, &dst.strides});
  CopyArgs a;
  a.src = s.data;
  a.src_dt = need_dtype(s.dtype);
  a.dst = dst.data;
  a.dst_dt = need_dtype(dst.dtype);
  to_layout(p.shape, p.strides[0], a.space);
  for (size_t d = 0; d < p.shape.size(); ++d) a.dst_strides[d] = p.strides[1][d];
  a.n = n;
  launch_copy(a, ctx.stream);
}

void device_fill(CudaContext& ctx, const TensorView& dst, double v) {
  const LoopPlan<1> p = plan_loop<1>(dst.shape, {&dst.strides});
  Layout l;
  to_layout(p.shape, p.strides[0], l);
  launch_fill(dst.data, need_dtype(dst.dtype), l, dst.numel(), v, ctx.stream);
}

TensorView dense_f32(CudaContext& ctx, const TensorView& t, Scratch& scratch) {
  if (t.dtype == DType::float32 && t.is_contiguous()) return t;
  TensorView c = scratch.tensor(t.shape, DType::float32);
  device_copy(ctx, t, c);
  return c;
}

MapSrc MapSrc::of(const KernelCall& c, size_t i) {
  if (i < c.args.size()) {
    const KernelArg& a = c.args[i];
    if (auto* t = std::get_if<CpuTensor>(&a); t && t->defined()) return MapSrc{t, 0};
    if (auto* d = std::get_if<double>(&a)) return MapSrc{nullptr, *d};
    if (auto* v = std::get_if<int64_t>(&a)) return MapSrc{nullptr, double(*v)};
    if (auto* b = std::get_if<bool>(&a)) return MapSrc{nullptr, double(*b)};
  }
  kernel_fail("elementwise: argument " + std::to_string(i) + " is neither a tensor nor a scalar");
}

void device_map(CudaContext& ctx, MapOp op, const std::vector<MapSrc>& srcs, const TensorView& out, float p0,
                float p1, float p2) {
  if (srcs.empty() || srcs.size() > 3) kernel_fail("device_map: 1 to 3 operands");
  const int64_t n = out.numel();
  if (n == 0) return;
  std::vector<TensorView> views(srcs.size());
  const Shape zero(out.shape.size(), 0);
  std::array<const Shape*, 4> strides{&zero, &zero, &zero, &out.strides};
  for (size_t k = 0; k < srcs.size(); ++k)
    if (srcs[k].tensor) {
      views[k] = broadcast_to(*srcs[k].tensor, out.shape);
      strides[k] = &views[k].strides;
    }
  const LoopPlan<4> p = plan_loop<4>(out.shape, strides);
  MapArgs a;
  a.op = op;
  a.p0 = p0;
  a.p1 = p1;
  a.p2 = p2;
  a.nin = int32_t(srcs.size());
  a.out = out.data;
  a.out_dt = need_dtype(out.dtype);
  a.n = n;
  to_layout(p.shape, p.strides[3], a.space);
  bool dense = p.shape.size() == 1 && p.strides[3][0] == 1;
  for (size_t d = 0; d < p.shape.size(); ++d) a.out_strides[d] = p.strides[3][d];
  for (size_t k = 0; k < srcs.size(); ++k) {
    MapOperand& o = a.in[k];
    if (!srcs[k].tensor) {
      o.scalar = srcs[k].scalar;
      continue;
    }
    o.ptr = views[k].data;
    o.dt = need_dtype(views[k].dtype);
    for (size_t d = 0; d < p.shape.size(); ++d) o.strides[d] = p.strides[k][d];
    dense = dense && p.strides[k][0] == 1;
  }
  a.contiguous = dense;
  launch_map(a, ctx.stream);
}

bool all_f32(const KernelCall& c) {
  for (const KernelArg& a : c.args) {
    if (auto* t = std::get_if<CpuTensor>(&a); t && t->defined() && t->dtype != DType::float32) return false;
    if (auto* ts = std::get_if<std::vector<CpuTensor>>(&a))
      for (const CpuTensor& t : *ts)
        if (t.defined() && t.dtype != DType::float32) return false;
  }
  for (const CpuTensor& o : c.outputs)
    if (o.defined() && o.dtype != DType::float32) return false;
  return true;
}

namespace {

const KernelMap<CudaKernelFn>& table() {
  static const auto* t = [] {
    CudaKernelTable list;
    for (auto* register_family : {&register_cuda_elementwise, &register_cuda_shape, &register_cuda_gemm,
                                  &register_cuda_conv, &register_cuda_norm, &register_cuda_pool_reduce,
                                  &register_cuda_attention, &register_cuda_transformer})
      register_family(list);
    // Only ops the CPU backend has (its OutputMode is the contract).
    return new KernelMap<CudaKernelFn>(
        kernel_map(list, "CUDA", [](const std::string& name) { return find_cpu_kernel(name) != nullptr; }));
  }();
  return *t;
}

}  // namespace

const CudaKernelFn* find_cuda_kernel(std::string_view op) {
  return find_kernel(table(), op);
}

std::vector<std::string> native_kernel_names() {
  return kernel_names(table());
}

}  // namespace ptscope::kernels::cuda
