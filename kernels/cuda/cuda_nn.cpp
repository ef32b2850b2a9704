// Native network ops on float32: softmax / log_softmax, layer / eval batch /
// group norm, max / avg / adaptive pooling (1-d and 2-d), sum / mean / amax /
// amin reductions, embedding and index_select, and scaled dot-product
// attention as two cuBLAS batched GEMMs around our mask and softmax kernels.
#include <cmath>

#include "kernels/cuda/cuda_context.h"
#include "kernels/cuda/cuda_gemm.h"

namespace ptscope::kernels::cuda {
namespace {

const float* opt_dense(CudaContext& ctx, const CpuTensor* t, Scratch& s) {
  return t ? dense_f32(ctx, *t, s).f32() : nullptr;
}

// A dtype= argument is honoured through the output's dtype (the shape rule applies it).
bool dtype_arg_ok(const KernelCall& c, size_t) { return !c.outputs.empty() && c.outputs[0].dtype == DType::float32; }

bool softmax(CudaContext& ctx, KernelCall& c, bool log) {
  if (!is_float32(c.tensor(0)) || c.out().dtype != DType::float32 || !c.out().is_contiguous()) return false;
  Scratch s(ctx);
  const CpuTensor x = dense_f32(ctx, c.tensor(0), s);
  const int64_t rank = x.dim(), d = rank ? wrap_dim(c.int_arg(1), rank) : 0;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.shape[size_t(i)];
  for (int64_t i = d + 1; i < rank; ++i) inner *= x.shape[size_t(i)];
  const int64_t dim = rank ? x.shape[size_t(d)] : 1;
  launch_softmax(x.f32(), c.out().f32(), outer, dim, inner, log, ctx.stream);
  return true;
}

bool layer_norm(CudaContext& ctx, KernelCall& c, bool native) {
  if (!all_f32(c)) return false;
  for (const CpuTensor& o : c.outputs)
    if (!o.is_contiguous()) return false;
  Scratch s(ctx);
  const CpuTensor x = dense_f32(ctx, c.tensor(0), s);
  const int64_t n = shape_numel(c.ints(1));
  if (n == 0 || x.numel() % n) return false;
  launch_layer_norm(x.f32(), opt_dense(ctx, c.opt_tensor(2), s), opt_dense(ctx, c.opt_tensor(3), s), c.out().f32(),
                    native && c.outputs.size() > 1 ? c.outputs[1].f32() : nullptr,
                    native && c.outputs.size() > 2 ? c.outputs[2].f32() : nullptr, x.numel() / n, n,
                    float(c.float_arg(4)), ctx.stream);
  return true;
}

bool batch_norm(CudaContext& ctx, KernelCall& c) {
  if (!all_f32(c) || c.bool_arg(5)) return false;  // training statistics: host
  const CpuTensor* mean = c.opt_tensor(3);
  const CpuTensor* var = c.opt_tensor(4);
  const CpuTensor& xin = c.tensor(0);
  if (!mean || !var || xin.dim() < 2 || !c.out().is_contiguous()) return false;
  Scratch s(ctx);
  const CpuTensor x = dense_f32(ctx, xin, s);
  const int64_t N = x.shape[0], C = x.shape[1];
  launch_batch_norm(x.f32(), dense_f32(ctx, *mean, s).f32(), dense_f32(ctx, *var, s).f32(),
                    opt_dense(ctx, c.opt_tensor(1), s), opt_dense(ctx, c.opt_tensor(2), s), c.out().f32(), N, C,
                    (N * C != 0 ? x.numel() / (N * C) : 0), float(c.float_arg(7)), ctx.stream);
  return true;
}

bool group_norm(CudaContext& ctx, KernelCall& c) {
  if (!all_f32(c) || !c.out().is_contiguous()) return false;
  const CpuTensor& xin = c.tensor(0);
  const int64_t groups = c.int_arg(1);
  if (xin.dim() < 2 || groups <= 0 || xin.shape[1] % groups) return false;
  Scratch s(ctx);
  const CpuTensor x = dense_f32(ctx, xin, s);
  const int64_t N = x.shape[0], C = x.shape[1];
  launch_group_norm(x.f32(), opt_dense(ctx, c.opt_tensor(2), s), opt_dense(ctx, c.opt_tensor(3), s), c.out().f32(),
                    N, C, (N * C != 0 ? x.numel() / (N * C) : 0), groups, float(c.float_arg(4)), ctx.stream);
  return true;
}

int64_t* indices_out(const KernelCall& c, bool want) {
  if (!want || c.outputs.size() < 2) return nullptr;
  return c.outputs[1].ptr<int64_t>();
}

bool pool_outputs_ok(const KernelCall& c, bool with_indices) {
  if (!is_float32(c.tensor(0)) || c.out().dtype != DType::float32 || !c.out().is_contiguous()) return false;
  if (with_indices && (c.outputs.size() < 2 || c.outputs[1].dtype != DType::int64 || !c.outputs[1].is_contiguous()))
    return false;
  return true;
}

// Every pooling op, with the arguments bound as the shape rule binds them
// (graph/pool_args.h); false (the CPU kernel runs) when dtypes or shapes do
// not fit, or for a zero divisor (the CPU kernel reports it).
bool pool(CudaContext& ctx, KernelCall& c, const graph::PoolOp& op) {
  const graph::PoolKind kind = op.kind;
  const bool with_indices = op.with_indices;
  if (!pool_outputs_ok(c, with_indices)) return false;
  const std::optional<PoolGeometry> g =
      graph::pool_geometry(c.tensor(0).shape, c.out().shape, graph::bind_pool_args(c, kind, size_t(op.spatial)));
  if (!g || (kind == graph::PoolKind::avg && c.num_args() > 6 && c.opt_int(6) == 0)) return false;
  Scratch s(ctx);
  const CpuTensor x = dense_f32(ctx, c.tensor(0), s);
  int64_t* indices = indices_out(c, with_indices);
  switch (kind) {
    case graph::PoolKind::max: launch_max_pool(x.f32(), c.out().f32(), indices, *g, ctx.stream); break;
    case graph::PoolKind::avg: launch_avg_pool(x.f32(), c.out().f32(), *g, ctx.stream); break;
    case graph::PoolKind::adaptive:
      launch_adaptive_pool(x.f32(), c.out().f32(), indices, *g, with_indices, ctx.stream);
      break;
  }
  return true;
}

bool reduce(CudaContext& ctx, KernelCall& c, ReduceOp op, int dim_arg) {
  const CpuTensor& x = c.tensor(0);
  if (!is_float32(x) || c.out().dtype != DType::float32 || !c.out().is_contiguous()) return false;
  std::vector<bool> reduced(size_t(x.dim()), dim_arg < 0);
  if (dim_arg >= 0) {
    const std::vector<int64_t> dims = c.is_none(size_t(dim_arg)) ? std::vector<int64_t>{} : c.ints(size_t(dim_arg));
    if (dims.empty()) reduced.assign(reduced.size(), true);
    for (int64_t d : dims) reduced[size_t(wrap_dim(d, x.dim()))] = true;
  }
  Layout kept, red;
  int64_t n_out = 1, n_red = 1;
  for (int64_t d = 0; d < x.dim(); ++d) {
    const int64_t n = x.shape[size_t(d)];
    if (n == 1) continue;
    Layout& l = reduced[size_t(d)] ? red : kept;
    if (l.ndim == kMaxDims) return false;
    l.shape[l.ndim] = n;
    l.strides[l.ndim] = x.strides[size_t(d)];
    ++l.ndim;
    (reduced[size_t(d)] ? n_red : n_out) *= n;
  }
  if (x.numel() == 0 || n_out != c.out().numel()) return false;  // empty reductions: host semantics
  launch_reduce(x.f32(), c.out().f32(), kept, n_out, red, n_red, op, ctx.stream);
  return true;
}

bool embedding(CudaContext& ctx, KernelCall& c) {
  const CpuTensor& w = c.tensor(0);
  const CpuTensor& idx = c.tensor(1);
  if (!is_float32(w) || w.dim() != 2 || w.strides[1] != 1 || idx.dtype != DType::int64) return false;
  if (c.out().dtype != DType::float32 || !c.out().is_contiguous()) return false;
  Scratch s(ctx);
  CpuTensor ids = idx;
  if (!idx.is_contiguous()) {
    ids = s.tensor(idx.shape, DType::int64);
    device_copy(ctx, idx, ids);
  }
  launch_embedding(w.f32(), w.shape[0], w.shape[1], w.strides[0], ids.ptr<int64_t>(), ids.numel(), c.out().f32(),
                   ctx.stream);
  return true;
}

bool index_select(CudaContext& ctx, KernelCall& c) {
  const CpuTensor& xin = c.tensor(0);
  const CpuTensor& idx = c.tensor(2);
  const CpuTensor& out = c.out();
  if (idx.dtype != DType::int64 || idx.dim() > 1 || out.dtype != xin.dtype || !out.is_contiguous() || !device_dtype(xin.dtype))
    return false;
  if (xin.dim() == 0) return false;
  const int64_t d = wrap_dim(c.int_arg(1), xin.dim());
  Scratch s(ctx);
  CpuTensor x = xin, ids = idx;
  if (!x.is_contiguous()) {
    x = s.tensor(xin.shape, xin.dtype);
    device_copy(ctx, xin, x);
  }
  if (!idx.is_contiguous()) {
    ids = s.tensor(idx.shape, DType::int64);
    device_copy(ctx, idx, ids);
  }
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.shape[size_t(i)];
  for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.shape[size_t(i)];
  launch_index_select(x.data, outer, x.shape[size_t(d)], inner, int64_t(x.itemsize()), ids.ptr<int64_t>(), ids.numel(),
                      out.data, ctx.stream);
  return true;
}

// softmax(q kᵀ · scale + mask) v over the batch dims of the output.
bool sdpa(CudaContext& ctx, KernelCall& c) {
  const CpuTensor& q = c.tensor(0);
  const CpuTensor& k = c.tensor(1);
  const CpuTensor& v = c.tensor(2);
  const CpuTensor* mask = c.opt_tensor(3);
  const CpuTensor& out = c.out();
  if (!is_float32(q) || !is_float32(k) || !is_float32(v) || out.dtype != DType::float32 || !out.is_contiguous()) return false;
  if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2 || c.float_arg(4) != 0.0) return false;  // dropout: host
  if (c.num_args() > 7 && c.bool_arg(7)) return false;                                 // grouped-query: host
  if (mask && mask->dtype != DType::bool_ && mask->dtype != DType::float32) return false;
  const int64_t L = q.size(-2), E = q.size(-1), S = k.size(-2);
  if (k.size(-1) != E || v.size(-2) != S) return false;
  const float scale = float(c.opt_float(6).value_or(1.0 / std::sqrt(double(E))));
  const Shape batch(out.shape.begin(), out.shape.end() - 2);
  const int64_t nb = shape_numel(batch);
  Scratch s(ctx);
  Shape score_shape = batch;
  score_shape.push_back(L);
  score_shape.push_back(S);
  const CpuTensor scores = s.tensor(score_shape, DType::float32);
  const MatRef qm = batched_mat(ctx, q, batch, s), km = batched_mat(ctx, k, batch, s), vm = batched_mat(ctx, v, batch, s);
  if (!gemm(ctx, "aten::scaled_dot_product_attention", qm, transposed(km), scores.f32(), nb, scale, 0.f)) return false;
  if (c.bool_arg(5)) launch_causal_mask(scores.f32(), nb, L, S, ctx.stream);
  if (mask) {
    if (mask->dtype == DType::bool_)
      device_map(ctx, MapOp::where, {MapSrc{mask, 0}, MapSrc{&scores, 0}, MapSrc{nullptr, -INFINITY}}, scores);
    else
      device_map(ctx, MapOp::add, {MapSrc{&scores, 0}, MapSrc{mask, 0}}, scores, 1.f);
  }
  launch_softmax(scores.f32(), scores.f32(), nb * L, S, 1, false, ctx.stream);
  const MatRef pm{scores.f32(), L, S, S, 1, L * S};
  return gemm(ctx, "aten::scaled_dot_product_attention", pm, vm, out.f32(), nb, 1.f, 0.f);
}

}  // namespace

bool is_float32(const CpuTensor& t) { return t.dtype == DType::float32; }

void register_cuda_norm(CudaKernelTable& t) {
  t.emplace_back("aten::softmax.int", [](CudaContext& ctx, KernelCall& c) { return dtype_arg_ok(c, 2) && softmax(ctx, c, false); });
  t.emplace_back("aten::_softmax", [](CudaContext& ctx, KernelCall& c) { return softmax(ctx, c, false); });
  t.emplace_back("aten::log_softmax.int", [](CudaContext& ctx, KernelCall& c) { return dtype_arg_ok(c, 2) && softmax(ctx, c, true); });
  t.emplace_back("aten::layer_norm", [](CudaContext& ctx, KernelCall& c) { return layer_norm(ctx, c, false); });
  t.emplace_back("aten::native_layer_norm", [](CudaContext& ctx, KernelCall& c) { return layer_norm(ctx, c, true); });
  t.emplace_back("aten::batch_norm", batch_norm);
  t.emplace_back("aten::group_norm", group_norm);
}

void register_cuda_pool_reduce(CudaKernelTable& t) {
  for (const graph::PoolOp& op : graph::kPoolKernelOps)
    t.emplace_back(op.name, [op](CudaContext& ctx, KernelCall& c) { return pool(ctx, c, op); });

  t.emplace_back("aten::sum", [](CudaContext& ctx, KernelCall& c) { return dtype_arg_ok(c, 1) && reduce(ctx, c, ReduceOp::sum, -1); });
  t.emplace_back("aten::sum.dim_IntList", [](CudaContext& ctx, KernelCall& c) { return dtype_arg_ok(c, 3) && reduce(ctx, c, ReduceOp::sum, 1); });
  t.emplace_back("aten::mean", [](CudaContext& ctx, KernelCall& c) { return dtype_arg_ok(c, 1) && reduce(ctx, c, ReduceOp::mean, -1); });
  t.emplace_back("aten::mean.dim", [](CudaContext& ctx, KernelCall& c) { return dtype_arg_ok(c, 3) && reduce(ctx, c, ReduceOp::mean, 1); });
  t.emplace_back("aten::amax", [](CudaContext& ctx, KernelCall& c) { return reduce(ctx, c, ReduceOp::amax, 1); });
  t.emplace_back("aten::amin", [](CudaContext& ctx, KernelCall& c) { return reduce(ctx, c, ReduceOp::amin, 1); });

  t.emplace_back("aten::embedding", embedding);
  t.emplace_back("aten::index_select", index_select);
}

void register_cuda_attention(CudaKernelTable& t) { t.emplace_back("aten::scaled_dot_product_attention", sdpa); }

}  // namespace ptscope::kernels::cuda
