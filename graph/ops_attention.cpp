// Attention: scaled_dot_product_attention and the fused nn.MultiheadAttention /
// nn.TransformerEncoderLayer fast paths. FLOPs count the internal matmuls the
// way FlopCounterMode counts SDPA: QKᵀ and AV at 2 per multiply-add, causal
// masks not discounted. Softmax and scaling go to extended FLOPs.
#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

const auto At = OpCategory::attention;

struct AttentionShape {
  Shape batch;  // broadcast leading dims (batch, heads)
  int64_t l = 0, s = 0, e = 0, ev = 0;
};

// q [*, L, E], k [*, S, E], v [*, S, Ev]; with GQA the key/value head dim
// (-3) divides the query's.
AttentionShape attention_shape(const TensorMeta& q, const TensorMeta& k, const TensorMeta& v, bool gqa) {
  if (q.shape.size() < 2 || k.shape.size() < 2 || v.shape.size() < 2)
    fail("query, key and value must be at least 2-D, got " + shape_str(q.shape) + ", " + shape_str(k.shape) + ", " +
         shape_str(v.shape));
  if (q.dtype != k.dtype || q.dtype != v.dtype)
    fail("expected query, key, and value to have the same dtype, got " + std::string(dtype_name(q.dtype)) + ", " +
         std::string(dtype_name(k.dtype)) + ", " + std::string(dtype_name(v.dtype)));
  AttentionShape a;
  a.l = q.shape[q.shape.size() - 2];
  a.e = q.shape.back();
  a.s = k.shape[k.shape.size() - 2];
  a.ev = v.shape.back();
  if (k.shape.back() != a.e)
    fail("query " + shape_str(q.shape) + " and key " + shape_str(k.shape) + " must share the embedding dim");
  if (v.shape[v.shape.size() - 2] != a.s)
    fail("key " + shape_str(k.shape) + " and value " + shape_str(v.shape) + " must share the sequence length");
  Shape qb(q.shape.begin(), q.shape.end() - 2), kb(k.shape.begin(), k.shape.end() - 2),
      vb(v.shape.begin(), v.shape.end() - 2);
  if (gqa && !qb.empty() && !kb.empty() && !vb.empty()) {
    const int64_t hq = qb.back();
    for (Shape* b : {&kb, &vb}) {
      if (b->back() == 0 || hq % b->back())
        fail("number of heads in key/value " + shape_str(*b) + " must divide the query heads " + std::to_string(hq));
      b->back() = hq;
    }
  }
  a.batch = broadcast(broadcast(qb, kb), vb);
  return a;
}

Outs sdpa_rule(const Args& a, bool gqa, bool causal, size_t mask_pos) {
  const TensorMeta &q = tensor(a, 0), &k = tensor(a, 1), &v = tensor(a, 2);
  AttentionShape s = attention_shape(q, k, v, gqa);
  if (const TensorMeta* mask = opt_tensor(a, mask_pos)) {
    if (causal) fail("explicit attn_mask should not be set when is_causal=True");
    Shape scores = s.batch;
    scores.push_back(s.l);
    scores.push_back(s.s);
    if (broadcast(mask->shape, scores) != scores)
      fail("attn_mask " + shape_str(mask->shape) + " does not broadcast to the scores " + shape_str(scores));
    if (mask->dtype != DType::bool_ && mask->dtype != q.dtype)
      fail("attn_mask dtype " + std::string(dtype_name(mask->dtype)) + " must be bool or match the query dtype");
  }
  Shape out = s.batch;
  out.push_back(s.l);
  out.push_back(s.ev);
  return one(out, q.dtype);
}

// 2·B·H·L·S·(E + Ev) for QKᵀ and AV; scale + softmax (6 per score, 7 with a mask) extended.
OpCost sdpa_cost(const Args& a, const Outs& o, bool gqa, bool masked) {
  OpCost c = default_bytes(a, o);
  AttentionShape s = attention_shape(tensor(a, 0), tensor(a, 1), tensor(a, 2), gqa);
  const double bh = double(numel(s.batch));
  const double scores = bh * double(s.l) * double(s.s);
  c.macs = scores * double(s.e + s.ev);
  c.flops = 2 * c.macs;
  c.extended_flops = scores * (masked ? 7 : 6);
  return c;
}

// FlopCounterMode's SDPA backward (the flash / efficient / CPU kernels): the
// scores are recomputed (QKᵀ), then dScores = dO·Vᵀ, dV = Pᵀ·dO, dQ = dS·K and
// dK = dSᵀ·Q: 2·B·H·L·S·(3E + 2Ev), all of it whichever input needs a gradient.
BackwardCost sdpa_backward(const Args& a, const NeedsGrad& needs, bool gqa) {
  BackwardCost b;
  b.grads.assign(needs.size(), 0.0);
  if (!needs[0] && !needs[1] && !needs[2]) return b;
  AttentionShape s = attention_shape(tensor(a, 0), tensor(a, 1), tensor(a, 2), gqa);
  b.shared = 2 * double(numel(s.batch)) * double(s.l) * double(s.s) * double(3 * s.e + 2 * s.ev);
  return b;
}

// Fused multi-head attention: Q/K/V and output projections plus QKᵀ and AV.
struct MhaDims {
  double batch, l, s, e, heads;
};

OpCost mha_cost(const Args& a, const Outs& o, const MhaDims& d, bool masked) {
  OpCost c = default_bytes(a, o);
  const double proj = d.batch * (2 * d.l + 2 * d.s) * d.e * d.e;  // Q and output over L, K and V over S
  const double attn = 2 * d.batch * d.l * d.s * d.e;            // QKᵀ and AV over all heads
  c.macs = proj + attn;
  c.flops = 2 * c.macs;
  const double scores = d.batch * d.heads * d.l * d.s;
  // biases on q/k/v/out, query scaling, softmax (and mask) per score
  c.extended_flops = d.batch * (3 * d.l + 2 * d.s) * d.e + scores * (masked ? 6 : 5);
  return c;
}

Outs mha_rule(const Args& a) {
  const TensorMeta &q = tensor(a, 0), &k = tensor(a, 1), &v = tensor(a, 2);
  const int64_t embed = int_arg(a, 3), heads = int_arg(a, 4);
  if (q.shape.size() != 3 || k.shape.size() != 3 || v.shape.size() != 3)
    fail("expected batched 3-D query, key and value, got " + shape_str(q.shape));
  if (q.shape[2] != embed || k.shape[2] != embed || v.shape[2] != embed)
    fail("embedding dims of " + shape_str(q.shape) + " must equal embed_dim " + std::to_string(embed));
  if (heads <= 0 || embed % heads) fail("embed_dim must be divisible by num_heads");
  if (k.shape != v.shape || k.shape[0] != q.shape[0]) fail("key and value shapes must match the query batch");
  if (tensor(a, 5).shape != Shape{3 * embed, embed})
    fail("qkv_weight " + shape_str(tensor(a, 5).shape) + " must be [3*embed_dim, embed_dim]");
  Outs out = one(q.shape, q.dtype);
  if (bool_arg(a, 10)) {
    Shape w = bool_arg(a, 11) ? Shape{q.shape[0], q.shape[1], k.shape[1]}
                              : Shape{q.shape[0], heads, q.shape[1], k.shape[1]};
    out.push_back(meta(w, q.dtype));
  } else {
    out.push_back(meta({0}, q.dtype));  // ATen returns an undefined tensor here
  }
  return out;
}

Outs encoder_layer_rule(const Args& a) {
  const TensorMeta& src = tensor(a, 0);
  const int64_t embed = int_arg(a, 1), heads = int_arg(a, 2);
  if (src.shape.size() != 3 && src.shape.size() != 2) fail("expected a 2-D or 3-D src, got " + shape_str(src.shape));
  if (src.shape.back() != embed)
    fail("src " + shape_str(src.shape) + " must end in embed_dim " + std::to_string(embed));
  if (heads <= 0 || embed % heads) fail("embed_dim must be divisible by num_heads");
  const TensorMeta &w1 = tensor(a, 14), &w2 = tensor(a, 16);
  if (w1.shape.size() != 2 || w1.shape[1] != embed || w2.shape != Shape{embed, w1.shape[0]})
    fail("feed-forward weights " + shape_str(w1.shape) + " and " + shape_str(w2.shape) + " do not fit embed_dim " +
         std::to_string(embed));
  return one(src.shape, src.dtype);
}

OpCost encoder_layer_cost(const Args& a, const Outs& o) {
  const TensorMeta& src = tensor(a, 0);
  const double e = double(int_arg(a, 1)), heads = double(int_arg(a, 2));
  const double l = src.shape.size() == 3 ? double(src.shape[1]) : double(src.shape[0]);
  const double batch = src.shape.size() == 3 ? double(src.shape[0]) : 1.0;
  const double f = double(tensor(a, 14).shape[0]);
  const bool masked = opt_tensor(a, 18) != nullptr;
  OpCost c = mha_cost(a, o, {batch, l, l, e, heads}, masked);
  const double tokens = batch * l;
  const double ffn = 2 * tokens * e * f;  // two linears, E→F→E
  c.macs += ffn;
  c.flops = 2 * c.macs;
  // two layer norms (5/elem), two residual adds, FFN biases, activation on the hidden layer
  const double activation = bool_arg(a, 7) ? 8 : 1;
  c.extended_flops += tokens * e * (10 + 2 + 1) + tokens * f * (1 + activation);
  return c;
}

}  // namespace

void register_attention_ops(OpRegistry& r) {
  OpDef& sdpa = def(r, "aten::scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask=None, float dropout_p=0., bool is_causal=False, *, float? scale=None, bool enable_gqa=False) -> Tensor",
      At, [](const Args& a) { return sdpa_rule(a, bool_arg(a, 7), bool_arg(a, 5), 3); },
      [](const Args& a, const Outs& o) { return sdpa_cost(a, o, bool_arg(a, 7), opt_tensor(a, 3) || bool_arg(a, 5)); });
  sdpa.backward = [](const Args& a, const Outs&, const NeedsGrad& n) { return sdpa_backward(a, n, bool_arg(a, 7)); };
  // The CPU flash kernel's backward reads q, k, v, the mask, the output and the
  // float log-sum-exp of every query row.
  sdpa.saves = [](const Args& a, const Outs&, const NeedsGrad&) {
    const TensorMeta& q = tensor(a, 0);
    const uint64_t rows = q.shape.empty() ? 0 : uint64_t(q.numel() / q.shape.back());
    return SavedTensors{{0, 1, 2, 3}, {0}, rows * 4};
  };
  def(r, "aten::_scaled_dot_product_attention_math(Tensor query, Tensor key, Tensor value, Tensor? attn_mask=None, float dropout_p=0., bool is_causal=False, Tensor? dropout_mask=None, *, float? scale=None, bool enable_gqa=False) -> (Tensor, Tensor)",
      At,
      [](const Args& a) {
        Outs out = sdpa_rule(a, bool_arg(a, 8), bool_arg(a, 5), 3);
        AttentionShape s = attention_shape(tensor(a, 0), tensor(a, 1), tensor(a, 2), bool_arg(a, 8));
        Shape w = s.batch;
        w.push_back(s.l);
        w.push_back(s.s);
        out.push_back(meta(w, tensor(a, 0).dtype));
        return out;
      },
      [](const Args& a, const Outs& o) { return sdpa_cost(a, o, bool_arg(a, 8), opt_tensor(a, 3) || bool_arg(a, 5)); });
  def(r, "aten::_native_multi_head_attention(Tensor query, Tensor key, Tensor value, int embed_dim, int num_head, Tensor qkv_weight, Tensor qkv_bias, Tensor proj_weight, Tensor proj_bias, Tensor? mask=None, bool need_weights=True, bool average_attn_weights=True, int? mask_type=None) -> (Tensor, Tensor)",
      At, mha_rule, [](const Args& a, const Outs& o) {
        const TensorMeta &q = tensor(a, 0), &k = tensor(a, 1);
        MhaDims d{double(q.shape[0]), double(q.shape[1]), double(k.shape[1]), double(int_arg(a, 3)),
                  double(int_arg(a, 4))};
        return mha_cost(a, o, d, opt_tensor(a, 9) != nullptr);
      });
  def(r, "aten::_transformer_encoder_layer_fwd(Tensor src, int embed_dim, int num_heads, Tensor qkv_weight, Tensor qkv_bias, Tensor proj_weight, Tensor proj_bias, bool use_gelu, bool norm_first, float eps, Tensor norm_weight_1, Tensor norm_bias_1, Tensor norm_weight_2, Tensor norm_bias_2, Tensor ffn_weight_1, Tensor ffn_bias_1, Tensor ffn_weight_2, Tensor ffn_bias_2, Tensor? mask=None, int? mask_type=None) -> Tensor",
      At, encoder_layer_rule, encoder_layer_cost);
  // Masked softmax from the fused attention path: softmax plus one select per element.
  def(r, "aten::_masked_softmax(Tensor self, Tensor mask, int? dim=None, int? mask_type=None) -> Tensor",
      OpCategory::activation, same_as_first, per_out(6));
}

}  // namespace ptscope::graph::rules
