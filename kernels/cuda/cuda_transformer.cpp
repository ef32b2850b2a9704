// The fused transformer ops of PyTorch's inference fast path on the GPU:
// _native_multi_head_attention (nn.MultiheadAttention) and
// _transformer_encoder_layer_fwd (nn.TransformerEncoderLayer), composed from
// cuBLAS GEMMs and our kernels with the CPU kernels' semantics
// (kernels/cpu/attention.cpp): Q/K/V projections (one GEMM for
// self-attention), heads made contiguous as [B*H, L, d], one batched GEMM for
// the scores, the bool mask (true = excluded), softmax, one batched GEMM
// with V, heads merged back and the output projection.
#include <cmath>

#include "kernels/cuda/cuda_context.h"
#include "kernels/cuda/cuda_gemm.h"

namespace ptscope::kernels::cuda {
namespace {

CpuTensor f32_view(const float* p, const Shape& shape, const Shape& strides) {
  CpuTensor t;
  t.data = const_cast<float*>(p);
  t.shape = shape;
  t.strides = strides;
  t.dtype = DType::float32;
  return t;
}

CpuTensor dense_view(const float* p, const Shape& shape) { return f32_view(p, shape, contiguous_strides(shape)); }

// y[rows, n] = x[rows, k] (row stride ldx) · Wᵀ + b, W [n, k] with row stride ldw; y dense.
void linear_rows(CudaContext& ctx, const char* what, const float* x, int64_t ldx, int64_t rows, int64_t k, const float* w,
                 int64_t ldw, const float* b, int64_t n, float* y) {
  if (b) device_copy(ctx, dense_view(b, {n}), dense_view(y, {rows, n}));
  if (!gemm(ctx, what, MatRef{x, rows, k, ldx, 1, 0}, transposed(MatRef{w, n, k, ldw, 1, 0}), y, 1, 1.f, b ? 1.f : 0.f))
    kernel_unsupported(std::string(what) + ": sizes beyond cuBLAS's int range");
}

// Multi-head attention over dense [B, L, E] query and [B, S, E] key/value;
// mask: bool view broadcast to [B, H, L, S] (true = excluded) or undefined.
// weights (optional): the [B, H, L, S] probabilities.
void mha(CudaContext& ctx, const float* query, const float* key, const float* value, int64_t B, int64_t L, int64_t S,
         int64_t E, int64_t H, const float* qkv_w, const float* qkv_b, const float* proj_w, const float* proj_b,
         const CpuTensor& mask, float* out, float* weights) {
  const char* what = "aten::_native_multi_head_attention";
  const int64_t d = E / H;
  Scratch s(ctx);
  const bool self_attn = query == key && key == value && L == S;
  const float *qp, *kp, *vp;
  int64_t ld;
  if (self_attn) {
    const CpuTensor qkv = s.tensor({B * L, 3 * E}, DType::float32);
    linear_rows(ctx, what, query, E, B * L, E, qkv_w, E, qkv_b, 3 * E, qkv.f32());
    qp = qkv.f32(), kp = qkv.f32() + E, vp = qkv.f32() + 2 * E;
    ld = 3 * E;
  } else {
    const CpuTensor q = s.tensor({B * L, E}, DType::float32), k = s.tensor({B * S, E}, DType::float32),
                    v = s.tensor({B * S, E}, DType::float32);
    linear_rows(ctx, what, query, E, B * L, E, qkv_w, E, qkv_b, E, q.f32());
    linear_rows(ctx, what, key, E, B * S, E, qkv_w + E * E, E, qkv_b ? qkv_b + E : nullptr, E, k.f32());
    linear_rows(ctx, what, value, E, B * S, E, qkv_w + 2 * E * E, E, qkv_b ? qkv_b + 2 * E : nullptr, E, v.f32());
    qp = q.f32(), kp = k.f32(), vp = v.f32();
    ld = E;
  }
  // Heads to [B, H, rows, d]: element (b, r, h, j) of the projection is at b*rows*ld + r*ld + h*d + j.
  auto heads = [&](const float* p, int64_t rows) {
    const CpuTensor dst = s.tensor({B, H, rows, d}, DType::float32);
    device_copy(ctx, f32_view(p, {B, H, rows, d}, {rows * ld, d, ld, 1}), dst);
    return dst;
  };
  const CpuTensor qh = heads(qp, L), kh = heads(kp, S), vh = heads(vp, S);
  const CpuTensor scores = s.tensor({B, H, L, S}, DType::float32);
  const float scale = float(1.0 / std::sqrt(double(d)));
  const int64_t nb = B * H;
  if (!gemm(ctx, what, MatRef{qh.f32(), L, d, d, 1, L * d}, transposed(MatRef{kh.f32(), S, d, d, 1, S * d}),
            scores.f32(), nb, scale, 0.f))
    kernel_unsupported(std::string(what) + ": sizes beyond cuBLAS's int range");
  if (mask.defined())
    device_map(ctx, MapOp::where, {MapSrc{&mask, 0}, MapSrc{nullptr, -INFINITY}, MapSrc{&scores, 0}}, scores);
  launch_softmax(scores.f32(), scores.f32(), nb * L, S, 1, false, ctx.stream);
  if (weights) cuda_check(cudaMemcpyAsync(weights, scores.data, size_t(nb * L * S) * 4, cudaMemcpyDeviceToDevice, ctx.stream), what);
  const CpuTensor attn = s.tensor({B, H, L, d}, DType::float32);
  if (!gemm(ctx, what, MatRef{scores.f32(), L, S, S, 1, L * S}, MatRef{vh.f32(), S, d, d, 1, S * d}, attn.f32(), nb, 1.f, 0.f))
    kernel_unsupported(std::string(what) + ": sizes beyond cuBLAS's int range");
  // Merge heads: [B, H, L, d] → [B, L, H, d] = [B*L, E].
  const CpuTensor merged = s.tensor({B, L, H, d}, DType::float32);
  device_copy(ctx, f32_view(attn.f32(), {B, L, H, d}, {H * L * d, d, L * d, 1}), merged);
  linear_rows(ctx, what, merged.f32(), E, B * L, E, proj_w, E, proj_b, E, out);
}

// The fused paths' mask as bool broadcast to [B, H, L, S]: mask_type 1 is a [B, S]
// key padding mask. Undefined when absent; nullopt when not bool (the host converts it).
std::optional<CpuTensor> fused_mask(const KernelCall& c, size_t mi, size_t ti, int64_t B, int64_t H, int64_t L, int64_t S) {
  const CpuTensor* m = c.opt_tensor(mi);
  if (!m) return CpuTensor{};
  if (m->dtype != DType::bool_) return std::nullopt;
  CpuTensor mb = *m;
  if (mb.dim() == 2 && c.num_args() > ti && c.opt_int(ti) == 1)
    mb = mb.view({mb.shape[0], 1, 1, mb.shape[1]}, {mb.strides[0], 0, 0, mb.strides[1]});
  return broadcast_to(mb, {B, H, L, S});
}

bool tensors_f32(const KernelCall& c, std::initializer_list<size_t> idx) {
  for (size_t i : idx) {
    const CpuTensor* t = c.opt_tensor(i);
    if (t && t->dtype != DType::float32) return false;
  }
  return true;
}

bool native_mha(CudaContext& ctx, KernelCall& c) {
  if (!tensors_f32(c, {0, 1, 2, 5, 6, 7, 8}) || c.out(0).dtype != DType::float32 || !c.out(0).is_contiguous()) return false;
  const CpuTensor &q0 = c.tensor(0), &k0 = c.tensor(1), &v0 = c.tensor(2);
  const int64_t E = c.int_arg(3), H = c.int_arg(4);
  if (q0.dim() != 3 || k0.dim() != 3 || v0.dim() != 3 || H <= 0 || E % H) return false;
  const int64_t B = q0.shape[0], L = q0.shape[1], S = k0.shape[1];
  const auto mask = fused_mask(c, 9, 12, B, H, L, S);
  if (!mask) return false;
  const bool need_weights = c.bool_arg(10), average = c.bool_arg(11);
  if (need_weights && (c.outputs.size() < 2 || c.outputs[1].dtype != DType::float32 || !c.outputs[1].is_contiguous()))
    return false;
  Scratch s(ctx);
  const CpuTensor q = dense_f32(ctx, q0, s);
  const bool same = q0.data == k0.data && k0.data == v0.data && q0.strides == k0.strides && k0.strides == v0.strides;
  const CpuTensor k = same ? q : dense_f32(ctx, k0, s), v = same ? q : dense_f32(ctx, v0, s);
  const float* qkv_b = c.opt_tensor(6) ? dense_f32(ctx, c.tensor(6), s).f32() : nullptr;
  const float* proj_b = c.opt_tensor(8) ? dense_f32(ctx, c.tensor(8), s).f32() : nullptr;
  CpuTensor probs;
  if (need_weights) probs = s.tensor({B, H, L, S}, DType::float32);
  mha(ctx, q.f32(), k.f32(), v.f32(), B, L, S, E, H, dense_f32(ctx, c.tensor(5), s).f32(), qkv_b,
      dense_f32(ctx, c.tensor(7), s).f32(), proj_b, *mask, c.out(0).f32(), need_weights ? probs.f32() : nullptr);
  if (need_weights) {
    if (average) {
      // Mean over heads: [B, H, L*S] reduced over H.
      Layout kept, red;
      kept.ndim = 2;
      kept.shape[0] = B, kept.shape[1] = L * S;
      kept.strides[0] = H * L * S, kept.strides[1] = 1;
      red.ndim = 1;
      red.shape[0] = H;
      red.strides[0] = L * S;
      launch_reduce(probs.f32(), c.outputs[1].f32(), kept, B * L * S, red, H, ReduceOp::mean, ctx.stream);
    } else {
      device_copy(ctx, probs, c.outputs[1].view(probs.shape, contiguous_strides(probs.shape)));
    }
  }
  return true;
}

bool encoder_layer(CudaContext& ctx, KernelCall& c) {
  if (!tensors_f32(c, {0, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17}) || c.out().dtype != DType::float32 ||
      !c.out().is_contiguous())
    return false;
  const CpuTensor& src0 = c.tensor(0);
  const int64_t E = c.int_arg(1), H = c.int_arg(2);
  if ((src0.dim() != 2 && src0.dim() != 3) || H <= 0 || E % H) return false;
  const bool use_gelu = c.bool_arg(7), norm_first = c.bool_arg(8);
  const float eps = float(c.float_arg(9));
  const int64_t B = src0.dim() == 3 ? src0.shape[0] : 1, L = src0.size(-2), rows = B * L;
  const auto mask = fused_mask(c, 18, 19, B, H, L, L);
  if (!mask) return false;
  Scratch s(ctx);
  auto f32 = [&](size_t i) { return dense_f32(ctx, c.tensor(i), s).f32(); };
  const float* x = dense_f32(ctx, src0, s).f32();
  const int64_t ffn = c.tensor(14).shape[0];
  const CpuTensor normed = s.tensor({rows, E}, DType::float32), tmp = s.tensor({rows, E}, DType::float32),
                  hidden = s.tensor({rows, ffn}, DType::float32);
  float* y = c.out().f32();
  // Attention block, residual on the raw input.
  const float* attn_in = x;
  if (norm_first) {
    launch_layer_norm(x, f32(10), f32(11), normed.f32(), nullptr, nullptr, rows, E, eps, ctx.stream);
    attn_in = normed.f32();
  }
  mha(ctx, attn_in, attn_in, attn_in, B, L, L, E, H, f32(3), f32(4), f32(5), f32(6), *mask, tmp.f32(), nullptr);
  const CpuTensor xv = dense_view(x, {rows, E});
  device_map(ctx, MapOp::add, {MapSrc{&tmp, 0}, MapSrc{&xv, 0}}, tmp, 1.f);
  if (!norm_first) launch_layer_norm(tmp.f32(), f32(10), f32(11), tmp.f32(), nullptr, nullptr, rows, E, eps, ctx.stream);
  // Feed-forward block, residual on its own input.
  const float* ffn_in = tmp.f32();
  if (norm_first) {
    launch_layer_norm(tmp.f32(), f32(12), f32(13), normed.f32(), nullptr, nullptr, rows, E, eps, ctx.stream);
    ffn_in = normed.f32();
  }
  const char* what = "aten::_transformer_encoder_layer_fwd";
  linear_rows(ctx, what, ffn_in, E, rows, E, f32(14), E, f32(15), ffn, hidden.f32());
  device_map(ctx, use_gelu ? MapOp::gelu : MapOp::relu, {MapSrc{&hidden, 0}}, hidden);
  linear_rows(ctx, what, hidden.f32(), ffn, rows, ffn, f32(16), ffn, f32(17), E, y);
  const CpuTensor yv = dense_view(y, {rows, E});
  device_map(ctx, MapOp::add, {MapSrc{&yv, 0}, MapSrc{&tmp, 0}}, yv, 1.f);
  if (!norm_first) launch_layer_norm(y, f32(12), f32(13), y, nullptr, nullptr, rows, E, eps, ctx.stream);
  return true;
}

}  // namespace

void register_cuda_transformer(CudaKernelTable& t) {
  t.emplace_back("aten::_native_multi_head_attention", native_mha);
  t.emplace_back("aten::_transformer_encoder_layer_fwd", encoder_layer);
}

}  // namespace ptscope::kernels::cuda
