// Convolution through cuDNN (legacy API): 1-d and 2-d, grouped, depthwise,
// dilated, strided, float32 NCHW. The algorithm is chosen once per shape by
// cudnnFindConvolutionForwardAlgorithmEx (measured, with a workspace limit)
// on the first call, which the runner's warm-up keeps outside the timed
// region; later calls reuse the plan. Without TF32 only FMA-math algorithms
// are accepted, so fp32 results keep fp32 precision.
#include <map>
#include <memory>

#include "graph/conv_args.h"
#include "kernels/cuda/cuda_context.h"

namespace ptscope::kernels::cuda {

struct ConvPlan {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, b = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnConvolutionFwdAlgo_t algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  cudnnMathType_t math = CUDNN_FMA_MATH;
  size_t workspace = 0;
  ~ConvPlan() {
    if (x) cudnnDestroyTensorDescriptor(x);
    if (y) cudnnDestroyTensorDescriptor(y);
    if (b) cudnnDestroyTensorDescriptor(b);
    if (w) cudnnDestroyFilterDescriptor(w);
    if (conv) cudnnDestroyConvolutionDescriptor(conv);
  }
};

struct ConvCache {
  std::map<std::vector<int64_t>, std::unique_ptr<ConvPlan>> plans;
};

namespace {

const char* algo_name(cudnnConvolutionFwdAlgo_t a) {
  switch (a) {
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM: return "implicit_gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM: return "implicit_precomp_gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_GEMM: return "gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_DIRECT: return "direct";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT: return "fft";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING: return "fft_tiling";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD: return "winograd";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED: return "winograd_nonfused";
    default: return "unknown";
  }
}

int as_int(int64_t v, const char* what) {
  if (v < 0 || v > INT32_MAX) kernel_unsupported(std::string("convolution: ") + what + " exceeds cuDNN's int range");
  return int(v);
}

// Picks the plan for this shape (building and measuring it on first use).
ConvPlan& plan_for(CudaContext& ctx, const std::vector<int64_t>& key, const CpuTensor& x, const CpuTensor& w,
                   float* y, const int64_t (&dims)[12]) {
  if (!ctx.conv_cache) ctx.conv_cache = std::make_shared<ConvCache>();
  auto& slot = ctx.conv_cache->plans[key];
  if (slot) return *slot;
  auto p = std::make_unique<ConvPlan>();
  const std::string what = "aten::conv (cuDNN)";
  const auto [N, C, H, W, K, Cg, R, S, ph, pw, sh, sw] = std::tuple{dims[0], dims[1], dims[2], dims[3], dims[4], dims[5],
                                                                   dims[6], dims[7], dims[8], dims[9], dims[10], dims[11]};
  (void)Cg;
  const int64_t dh = key[12], dw = key[13], groups = key[14];
  cudnn_check(cudnnCreateTensorDescriptor(&p->x), what);
  cudnn_check(cudnnCreateTensorDescriptor(&p->y), what);
  cudnn_check(cudnnCreateTensorDescriptor(&p->b), what);
  cudnn_check(cudnnCreateFilterDescriptor(&p->w), what);
  cudnn_check(cudnnCreateConvolutionDescriptor(&p->conv), what);
  cudnn_check(cudnnSetTensor4dDescriptor(p->x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, as_int(N, "N"), as_int(C, "C"),
                                         as_int(H, "H"), as_int(W, "W")), what);
  cudnn_check(cudnnSetFilter4dDescriptor(p->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, as_int(K, "K"),
                                         as_int(C / groups, "C/groups"), as_int(R, "kh"), as_int(S, "kw")), what);
  cudnn_check(cudnnSetConvolution2dDescriptor(p->conv, as_int(ph, "pad"), as_int(pw, "pad"), as_int(sh, "stride"),
                                              as_int(sw, "stride"), as_int(dh, "dilation"), as_int(dw, "dilation"),
                                              CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), what);
  cudnn_check(cudnnSetConvolutionGroupCount(p->conv, as_int(groups, "groups")), what);
  cudnn_check(cudnnSetConvolutionMathType(p->conv, ctx.allow_tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH), what);
  int on = 0, oc = 0, oh = 0, ow = 0;
  cudnn_check(cudnnGetConvolution2dForwardOutputDim(p->conv, p->x, p->w, &on, &oc, &oh, &ow), what);
  cudnn_check(cudnnSetTensor4dDescriptor(p->y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, on, oc, oh, ow), what);
  cudnn_check(cudnnSetTensor4dDescriptor(p->b, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, oc, 1, 1), what);

  // Measure every algorithm within the workspace limit; keep the fastest allowed one.
  size_t free_bytes = 0, total_bytes = 0;
  cudaMemGetInfo(&free_bytes, &total_bytes);
  const size_t limit = std::min(ctx.conv_workspace_limit, free_bytes / 2);
  void* ws = limit ? ctx.workspace(limit) : nullptr;
  cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  int returned = 0;
  cudnn_check(cudnnFindConvolutionForwardAlgorithmEx(ctx.cudnn, p->x, x.data, p->w, w.data, p->conv, p->y, y,
                                                     CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &returned, perf, ws, limit),
              what + " algorithm search");
  bool chosen = false;
  for (int i = 0; i < returned && !chosen; ++i) {
    if (perf[i].status != CUDNN_STATUS_SUCCESS || perf[i].memory > limit) continue;
    if (!ctx.allow_tf32 && perf[i].mathType != CUDNN_FMA_MATH) continue;
    p->algo = perf[i].algo;
    p->math = perf[i].mathType;
    p->workspace = perf[i].memory;
    chosen = true;
  }
  if (!chosen) {
    p->algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
    p->math = CUDNN_FMA_MATH;
  }
  cudnn_check(cudnnSetConvolutionMathType(p->conv, p->math), what);
  if (!chosen)
    cudnn_check(cudnnGetConvolutionForwardWorkspaceSize(ctx.cudnn, p->x, p->w, p->conv, p->y, p->algo, &p->workspace), what);
  slot = std::move(p);
  return *slot;
}

bool run_conv(CudaContext& ctx, KernelCall& c, const graph::ConvArgs& a) {
  if (a.transposed || !all_f32(c)) return false;
  const CpuTensor& xin = c.tensor(0);
  const CpuTensor& win = c.tensor(1);
  const CpuTensor* bias = c.opt_tensor(2);
  const CpuTensor& out = c.out();
  const int64_t spatial = win.dim() - 2;
  if ((spatial != 1 && spatial != 2) || xin.dim() != spatial + 2 || out.dim() != spatial + 2) return false;
  auto pick = [&](const std::vector<int64_t>& v, size_t i, int64_t dflt) {
    if (v.empty()) return dflt;
    return v.size() == 1 ? v[0] : v.at(i);
  };
  // 1-d is 2-d with height 1.
  const int64_t N = xin.shape[0], C = xin.shape[1];
  const int64_t H = spatial == 2 ? xin.shape[2] : 1, W = xin.shape.back();
  const int64_t K = win.shape[0], R = spatial == 2 ? win.shape[2] : 1, S = win.shape.back();
  const int64_t sh = spatial == 2 ? pick(a.stride, 0, 1) : 1, sw = pick(a.stride, size_t(spatial - 1), 1);
  const int64_t dh = spatial == 2 ? pick(a.dilation, 0, 1) : 1, dw = pick(a.dilation, size_t(spatial - 1), 1);
  int64_t ph = 0, pw = 0;
  if (a.padding_mode == "same") {
    // Symmetric only; an odd total (asymmetric in ATen) runs on the host.
    const int64_t th = dh * (R - 1), tw = dw * (S - 1);
    if (th % 2 || tw % 2) return false;
    ph = th / 2;
    pw = tw / 2;
  } else if (a.padding_mode.empty()) {
    ph = spatial == 2 ? pick(a.padding, 0, 0) : 0;
    pw = pick(a.padding, size_t(spatial - 1), 0);
  } else if (a.padding_mode != "valid") {
    return false;
  }
  if (a.groups <= 0 || C % a.groups || K % a.groups || win.shape[1] * a.groups != C) return false;
  Scratch scratch(ctx);
  const CpuTensor x = dense_f32(ctx, xin, scratch), w = dense_f32(ctx, win, scratch);
  const std::vector<int64_t> key = {N, C, H, W, K, R, S, ph, pw, sh, sw, 0, dh, dw, a.groups};
  const int64_t dims[12] = {N, C, H, W, K, C / a.groups, R, S, ph, pw, sh, sw};
  if (!out.is_contiguous()) return false;
  ConvPlan& p = plan_for(ctx, key, x, w, out.f32(), dims);
  int on = 0, oc = 0, oh = 0, ow = 0, ns = 0, cs = 0, hs = 0, wsd = 0;
  cudnnDataType_t dt;
  cudnn_check(cudnnGetTensor4dDescriptor(p.y, &dt, &on, &oc, &oh, &ow, &ns, &cs, &hs, &wsd), "aten::conv");
  if (int64_t(on) * oc * oh * ow != out.numel())
    kernel_fail("convolution: cuDNN output " + std::to_string(on) + "x" + std::to_string(oc) + "x" + std::to_string(oh) +
                "x" + std::to_string(ow) + " does not match the shape rule's " + shape_string(out.shape));
  void* ws = p.workspace ? ctx.workspace(p.workspace) : nullptr;
  const float one = 1.f, zero = 0.f;
  cudnn_check(cudnnConvolutionForward(ctx.cudnn, &one, p.x, x.data, p.w, w.data, p.conv, p.algo, ws, p.workspace, &zero,
                                      p.y, out.data),
              "aten::conv (cudnnConvolutionForward)");
  if (bias) {
    Scratch bs(ctx);
    const CpuTensor b = dense_f32(ctx, *bias, bs);
    cudnn_check(cudnnAddTensor(ctx.cudnn, &one, p.b, b.data, &one, p.y, out.data), "aten::conv (bias)");
  }
  ctx.op_workspace_bytes = p.workspace;
  ctx.op_note = std::string("cuDNN ") + algo_name(p.algo) + (p.math == CUDNN_FMA_MATH ? " fp32" : " tf32") +
                ", workspace " + std::to_string(p.workspace) + " B";
  return true;
}

}  // namespace

void register_cuda_conv(CudaKernelTable& t) {
  for (const char* name : {"aten::conv1d", "aten::conv2d", "aten::conv1d.padding", "aten::conv2d.padding",
                           "aten::convolution", "aten::_convolution", "aten::_convolution.deprecated"})
    t.emplace_back(name, [form = graph::conv_form(name)](CudaContext& ctx, KernelCall& c) {
      return run_conv(ctx, c, graph::bind_conv_args(c, form));
    });
}

}  // namespace ptscope::kernels::cuda
