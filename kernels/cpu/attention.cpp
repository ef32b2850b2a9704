// Attention: scaled_dot_product_attention (bool or additive masks, causal,
// scale, grouped-query heads), its _math variant that also returns the
// weights, and the fused nn.MultiheadAttention / nn.TransformerEncoderLayer
// fast paths (_native_multi_head_attention, _transformer_encoder_layer_fwd)
// composed from sgemm, softmax and layer norm. Each (batch, head) runs
// scores = scale · Q Kᵀ, mask, softmax, · V on its own thread when there
// are enough of them; otherwise the GEMMs split instead.
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/ops_common.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/scratch.h"

namespace ptscope::kernels {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Element offsets of one operand's matrices for every index of a broadcast batch.
std::vector<int64_t> batch_offsets(const CpuTensor& t, int64_t keep_trailing, const Shape& batch, int64_t gqa_dim = -1,
                                   int64_t gqa_group = 1) {
  const int64_t tb = t.dim() - keep_trailing;  // batch dims of t
  const int64_t count = shape_numel(batch);
  std::vector<int64_t> off(static_cast<size_t>(count), 0);
  std::vector<int64_t> idx(batch.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t o = 0;
    for (int64_t d = 0; d < tb; ++d) {
      const size_t bd = batch.size() - size_t(tb) + size_t(d);
      const int64_t size = t.shape[size_t(d)];
      int64_t j = idx[bd];
      if (int64_t(bd) == gqa_dim) j /= gqa_group;  // key/value head shared by a group of query heads
      if (size != 1) o += j * t.strides[size_t(d)];
    }
    off[size_t(i)] = o;
    for (size_t d = batch.size(); d-- > 0;)
      if (++idx[d] < batch[d]) break;
      else idx[d] = 0;
  }
  return off;
}

// How a mask enters the scores: additive floats, or bools where `masked_value` marks exclusion.
struct MaskRef {
  const CpuTensor* t = nullptr;  // broadcast to [batch..., L, S], dtype float32 or bool
  std::vector<int64_t> offsets;  // per batch item
  bool keep_when_true = true;    // sdpa: true = attend; _masked_softmax: true = excluded
};

// One attention item: out[L, Ev] (row stride ldo) from q[L, E], k[S, E], v[S, Ev].
void attend(int64_t l, int64_t s, int64_t e, int64_t ev, float scale, MatRef q, const float* k, int64_t ldk,
            const float* v, int64_t ldv, const MaskRef& mask, int64_t item, bool causal, bool zero_masked_rows,
            float* out, int64_t ldo, float* weights, float* scratch) {
  float* sc = weights ? weights : scratch;
  sgemm(l, s, e, scale, q, MatRef{k, ldk, true}, 0.f, sc, s);
  if (mask.t) {
    const CpuTensor& m = *mask.t;
    const int64_t ms_l = m.strides[m.shape.size() - 2], ms_s = m.strides.back();
    const int64_t base = mask.offsets[size_t(item)];
    if (m.dtype == DType::bool_) {
      const bool* mb = m.ptr<bool>() + base;
      for (int64_t i = 0; i < l; ++i)
        for (int64_t j = 0; j < s; ++j)
          if (mb[i * ms_l + j * ms_s] != mask.keep_when_true) sc[i * s + j] = kNegInf;
    } else {
      const float* mf = m.f32() + base;
      for (int64_t i = 0; i < l; ++i)
        for (int64_t j = 0; j < s; ++j) sc[i * s + j] += mf[i * ms_l + j * ms_s];
    }
  }
  if (causal)
    for (int64_t i = 0; i < l; ++i)
      for (int64_t j = i + 1; j < s; ++j) sc[i * s + j] = kNegInf;
  for (int64_t i = 0; i < l; ++i) softmax_row(sc + i * s, sc + i * s, s, zero_masked_rows);
  sgemm(l, ev, s, 1.f, MatRef{sc, s, false}, MatRef{v, ldv, false}, 0.f, out, ldo);
}

// Runs fn(item, scratch) for every item, one thread per item when there are
// enough items (the GEMMs inside then run serially); each thread has its own
// scratch of `scratch_floats` floats (one item's attention scores).
void for_items(int64_t count, double work_per_item, int64_t scratch_floats,
               const std::function<void(int64_t, float*)>& fn) {
  if (count >= num_threads() && threads_for(double(count) * work_per_item, 1 << 18) > 1) {
    parallel_for(count, 1, [&](int64_t b, int64_t e) {
      ScratchFloats scratch(static_cast<size_t>(scratch_floats));
      for (int64_t i = b; i < e; ++i) fn(i, scratch.data());
    });
  } else {
    ScratchFloats scratch(static_cast<size_t>(scratch_floats));
    for (int64_t i = 0; i < count; ++i) fn(i, scratch.data());
  }
}

// scaled_dot_product_attention and _scaled_dot_product_attention_math.
void sdpa(KernelCall& c, bool math) {
  TensorBuffer qs, ks, vs, ms;
  TensorBuffer qc;
  CpuTensor q = to_dtype(c.tensor(0), DType::float32, qs);
  // Q may be any view with a unit stride in its matrix (e.g. a transposed
  // projection); copy only when it has none.
  if (!as_matrix(q.f32(), q.size(-2), q.size(-1), q.stride(-2), q.stride(-1))) q = contiguous(q, qc);
  const CpuTensor k = dense_f32(c.tensor(1), ks);
  const CpuTensor v = dense_f32(c.tensor(2), vs);
  const CpuTensor* mask_in = c.opt_tensor(3);
  const bool causal = c.bool_arg(5);
  const size_t scale_pos = math ? 7 : 6;
  const bool gqa = c.num_args() > scale_pos + 1 && c.bool_arg(scale_pos + 1);
  const int64_t l = q.size(-2), e = q.size(-1), s = k.size(-2), ev = v.size(-1);
  const float scale = float(c.opt_float(scale_pos).value_or(1.0 / std::sqrt(double(e))));
  if (k.size(-1) != e || v.size(-2) != s) kernel_fail("scaled_dot_product_attention: query/key/value shapes do not fit");
  const CpuTensor& out = c.out(0);
  const Shape batch(out.shape.begin(), out.shape.end() - 2);
  int64_t gqa_dim = -1, group = 1;
  if (gqa && q.dim() >= 3 && k.dim() >= 3) {
    gqa_dim = int64_t(batch.size()) - 1;
    group = q.size(-3) / k.size(-3);
  }
  const std::vector<int64_t> qo = batch_offsets(q, 2, batch), ko = batch_offsets(k, 2, batch, gqa_dim, group),
                             vo = batch_offsets(v, 2, batch, gqa_dim, group);
  MaskRef mask;
  CpuTensor mask_view;
  if (mask_in) {
    Shape full = batch;
    full.push_back(l);
    full.push_back(s);
    // The _math op adds a bool mask as 0/1 (ATen converts bool masks to
    // -inf/0 only in scaled_dot_product_attention, before dispatching).
    const bool as_bool = mask_in->dtype == DType::bool_ && !math;
    const CpuTensor m = as_bool ? *mask_in : to_dtype(*mask_in, DType::float32, ms);
    mask_view = broadcast_to(m, full);
    mask.t = &mask_view;
    mask.offsets = batch_offsets(mask_view, 2, batch);
  }
  float* o = dense_out(out);
  float* w = math && c.outputs.size() > 1 ? dense_out(c.outputs[1]) : nullptr;
  for_items(shape_numel(batch), double(l) * double(s) * double(e + ev), l * s, [&](int64_t i, float* scratch) {
    const MatRef qi = *as_matrix(q.f32() + qo[size_t(i)], l, e, q.stride(-2), q.stride(-1));
    attend(l, s, e, ev, scale, qi, k.f32() + ko[size_t(i)], e, v.f32() + vo[size_t(i)], ev, mask, i, causal,
           /*zero_masked_rows=*/!math, o + i * l * ev, ev, w ? w + i * l * s : nullptr, scratch);
  });
}

// y[rows, n] = x[rows, k] · Wᵀ + b, W [n, k] row-major (row stride ldw), x row stride ldx.
void linear_rows(const float* x, int64_t ldx, int64_t rows, int64_t k, const float* w, int64_t ldw, const float* b,
                 int64_t n, float* y, int64_t ldy) {
  if (b)
    for (int64_t r = 0; r < rows; ++r) std::copy(b, b + n, y + r * ldy);
  sgemm(rows, n, k, 1.f, MatRef{x, ldx, false}, MatRef{w, ldw, true}, b ? 1.f : 0.f, y, ldy);
}

struct MhaWeights {
  const float *qkv_w, *qkv_b, *proj_w, *proj_b;
};

// The fused multi-head attention on contiguous [B, L, E] / [B, S, E] inputs.
// mask: bool, true = excluded, broadcast to [B, H, L, S]. weights (optional):
// [B, H, L, S] attention probabilities.
void mha(const float* query, const float* key, const float* value, int64_t b, int64_t l, int64_t s, int64_t e,
         int64_t heads, const MhaWeights& w, const CpuTensor* mask, float* out, float* weights) {
  const int64_t d = e / heads;
  const bool self_attn = query == key && key == value && l == s;
  std::vector<float> qkv;
  const float *qp, *kp, *vp;
  int64_t ldq, ldk;
  if (self_attn) {
    // One GEMM for Q, K and V: [B*L, 3E], Q/K/V are column blocks.
    qkv.resize(static_cast<size_t>(b * l * 3 * e));
    linear_rows(query, e, b * l, e, w.qkv_w, e, w.qkv_b, 3 * e, qkv.data(), 3 * e);
    qp = qkv.data(), kp = qkv.data() + e, vp = qkv.data() + 2 * e;
    ldq = ldk = 3 * e;
  } else {
    qkv.resize(static_cast<size_t>(b * l * e + 2 * b * s * e));
    float* q = qkv.data();
    float* k = q + b * l * e;
    float* v = k + b * s * e;
    linear_rows(query, e, b * l, e, w.qkv_w, e, w.qkv_b, e, q, e);
    linear_rows(key, e, b * s, e, w.qkv_w + e * e, e, w.qkv_b + e, e, k, e);
    linear_rows(value, e, b * s, e, w.qkv_w + 2 * e * e, e, w.qkv_b + 2 * e, e, v, e);
    qp = q, kp = k, vp = v;
    ldq = ldk = e;
  }
  MaskRef mr;
  if (mask) {
    mr.t = mask;
    mr.keep_when_true = false;
    mr.offsets = batch_offsets(*mask, 2, {b, heads});
  }
  std::vector<float> attn(static_cast<size_t>(b * l * e));
  const ScratchCharge charge((qkv.size() + attn.size()) * sizeof(float));
  const float scale = float(1.0 / std::sqrt(double(d)));
  for_items(b * heads, double(l) * double(s) * double(2 * d), l * s, [&](int64_t i, float* scratch) {
    const int64_t bi = i / heads, h = i % heads;
    attend(l, s, d, d, scale, MatRef{qp + bi * l * ldq + h * d, ldq, false}, kp + bi * s * ldk + h * d, ldk,
           vp + bi * s * ldk + h * d, ldk, mr, i, false, false, attn.data() + bi * l * e + h * d, e,
           weights ? weights + i * l * s : nullptr, scratch);
  });
  linear_rows(attn.data(), e, b * l, e, w.proj_w, e, w.proj_b, e, out, e);
}

// The mask of the fused paths as bool [.., L, S] broadcast to [B, H, L, S]:
// mask_type 1 is a [B, S] key padding mask, a 2-D mask otherwise is [L, S].
CpuTensor fused_mask(const CpuTensor& m, std::optional<int64_t> mask_type, int64_t b, int64_t heads, int64_t l, int64_t s,
                     TensorBuffer& storage) {
  CpuTensor mb = to_dtype(m, DType::bool_, storage);
  if (mb.dim() == 2 && mask_type == 1) mb = mb.view({mb.shape[0], 1, 1, mb.shape[1]}, {mb.strides[0], 0, 0, mb.strides[1]});
  return broadcast_to(mb, {b, heads, l, s});
}

void native_mha(KernelCall& c) {
  TensorBuffer qs, ks, vs, w1, b1, w2, b2, ms;
  const CpuTensor q = dense_f32(c.tensor(0), qs), k = dense_f32(c.tensor(1), ks), v = dense_f32(c.tensor(2), vs);
  const int64_t e = c.int_arg(3), heads = c.int_arg(4);
  if (q.dim() != 3) kernel_fail("_native_multi_head_attention: expected a 3-D query, got " + shape_string(q.shape));
  const int64_t b = q.shape[0], l = q.shape[1], s = k.shape[1];
  const MhaWeights w{dense_f32(c.tensor(5), w1).f32(), dense_f32(c.tensor(6), b1).f32(), dense_f32(c.tensor(7), w2).f32(),
                     dense_f32(c.tensor(8), b2).f32()};
  CpuTensor mask;
  if (const CpuTensor* m = c.opt_tensor(9)) mask = fused_mask(*m, c.opt_int(12), b, heads, l, s, ms);
  const bool need_weights = c.bool_arg(10), average = c.bool_arg(11);
  std::vector<float> weights;
  if (need_weights) weights.resize(static_cast<size_t>(b * heads * l * s));
  const ScratchCharge charge(weights.size() * sizeof(float));
  const bool same = c.tensor(0).data == c.tensor(1).data && c.tensor(1).data == c.tensor(2).data;
  mha(q.f32(), same ? q.f32() : k.f32(), same ? q.f32() : v.f32(), b, l, s, e, heads, w, mask.defined() ? &mask : nullptr,
      dense_out(c.out(0)), need_weights ? weights.data() : nullptr);
  if (!need_weights) return;
  float* wo = dense_out(c.out(1));
  if (!average) {
    std::copy(weights.begin(), weights.end(), wo);
    return;
  }
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t j = 0; j < l * s; ++j) {
      float acc = 0;
      for (int64_t h = 0; h < heads; ++h) acc += weights[size_t((bi * heads + h) * l * s + j)];
      wo[bi * l * s + j] = acc / float(heads);
    }
}

void encoder_layer(KernelCall& c) {
  std::vector<TensorBuffer> keep(16);
  size_t kept = 0;
  auto f32 = [&](size_t i) { return dense_f32(c.tensor(i), keep[kept++]).f32(); };
  TensorBuffer srcs;
  const CpuTensor src = dense_f32(c.tensor(0), srcs);
  const int64_t e = c.int_arg(1), heads = c.int_arg(2);
  const bool use_gelu = c.bool_arg(7), norm_first = c.bool_arg(8);
  const float eps = float(c.float_arg(9));
  const MhaWeights w{f32(3), f32(4), f32(5), f32(6)};
  const float *n1w = f32(10), *n1b = f32(11), *n2w = f32(12), *n2b = f32(13);
  const float *f1w = f32(14), *f1b = f32(15), *f2w = f32(16), *f2b = f32(17);
  const int64_t ffn = c.tensor(14).shape[0];
  const int64_t b = src.dim() == 3 ? src.shape[0] : 1, l = src.size(-2), rows = b * l;
  TensorBuffer ms;
  CpuTensor mask;
  if (const CpuTensor* m = c.opt_tensor(18)) mask = fused_mask(*m, c.opt_int(19), b, heads, l, l, ms);
  float* y = dense_out(c.out());
  const float* x = src.f32();
  const int64_t n = rows * e;
  std::vector<float> normed(norm_first ? static_cast<size_t>(n) : 0), hidden(static_cast<size_t>(rows * ffn)),
      tmp(static_cast<size_t>(n));
  const ScratchCharge charge((normed.size() + hidden.size() + tmp.size()) * sizeof(float));
  // Attention block (residual on the raw input).
  const float* attn_in = x;
  if (norm_first) {
    layer_norm_rows(x, normed.data(), rows, e, n1w, n1b, eps);
    attn_in = normed.data();
  }
  mha(attn_in, attn_in, attn_in, b, l, l, e, heads, w, mask.defined() ? &mask : nullptr, tmp.data(), nullptr);
  for (int64_t i = 0; i < n; ++i) tmp[size_t(i)] += x[i];
  if (!norm_first) layer_norm_rows(tmp.data(), tmp.data(), rows, e, n1w, n1b, eps);
  // Feed-forward block (residual on its own input).
  const float* ffn_in = tmp.data();
  if (norm_first) {
    layer_norm_rows(tmp.data(), normed.data(), rows, e, n2w, n2b, eps);
    ffn_in = normed.data();
  }
  linear_rows(ffn_in, e, rows, e, f1w, e, f1b, ffn, hidden.data(), ffn);
  if (use_gelu) gelu_inplace(hidden.data(), rows * ffn, false);
  else relu_inplace(hidden.data(), rows * ffn);
  linear_rows(hidden.data(), ffn, rows, ffn, f2w, ffn, f2b, e, y, e);
  for (int64_t i = 0; i < n; ++i) y[i] += tmp[size_t(i)];
  if (!norm_first) layer_norm_rows(y, y, rows, e, n2w, n2b, eps);
}

}  // namespace

void register_attention_kernels(KernelTable& t) {
  add_kernel(t, "aten::scaled_dot_product_attention", [](KernelCall& c) { sdpa(c, false); });
  add_kernel(t, "aten::_scaled_dot_product_attention_math", [](KernelCall& c) { sdpa(c, true); });
  add_kernel(t, "aten::_native_multi_head_attention", native_mha);
  add_kernel(t, "aten::_transformer_encoder_layer_fwd", encoder_layer);
}

}  // namespace ptscope::kernels
