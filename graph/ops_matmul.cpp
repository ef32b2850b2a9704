// Matrix products: mm, bmm, addmm, baddbmm, linear, matmul (with its 1-D and
// batched broadcasting rules). FLOPs follow FlopCounterMode: 2 per multiply-add.
#include <array>

#include "core/shape.h"
#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

[[noreturn]] void cannot_multiply(const Shape& a, const Shape& b) {
  fail("shapes " + shape_str(a) + " and " + shape_str(b) + " cannot be multiplied");
}

void need_rank(const TensorMeta& t, size_t rank, const char* what) {
  if (t.shape.size() != rank)
    fail(std::string(what) + " must be " + std::to_string(rank) + "-D, got " + shape_str(t.shape));
}

// Cost of `batch` products of [n,k]·[k,m]; `bias` adds one per output element (extended).
OpCost product_cost(const Args& a, const Outs& o, double batch, double n, double k, double m, bool bias) {
  OpCost c = default_bytes(a, o);
  c.macs = batch * n * k * m;
  c.flops = 2 * c.macs;
  if (bias) c.extended_flops = double(o[0].numel());
  return c;
}

Outs mm_rule(const Args& a) {
  const auto &x = tensor(a, 0), &y = tensor(a, 1);
  need_rank(x, 2, "self");
  need_rank(y, 2, "mat2");
  if (x.shape[1] != y.shape[0]) cannot_multiply(x.shape, y.shape);
  return one({x.shape[0], y.shape[1]}, promote(x.dtype, y.dtype));
}

OpCost mm_cost(const Args& a, const Outs& o) {
  const auto &x = tensor(a, 0), &y = tensor(a, 1);
  return product_cost(a, o, 1, double(x.shape[0]), double(x.shape[1]), double(y.shape[1]), false);
}

Outs bmm_rule(const Args& a, size_t first) {
  const auto &x = tensor(a, first), &y = tensor(a, first + 1);
  need_rank(x, 3, "batch1");
  need_rank(y, 3, "batch2");
  if (x.shape[0] != y.shape[0] || x.shape[2] != y.shape[1]) cannot_multiply(x.shape, y.shape);
  return one({x.shape[0], x.shape[1], y.shape[2]}, promote(x.dtype, y.dtype));
}

OpCost bmm_cost(const Args& a, const Outs& o, size_t first, bool bias) {
  const auto &x = tensor(a, first), &y = tensor(a, first + 1);
  return product_cost(a, o, double(x.shape[0]), double(x.shape[1]), double(x.shape[2]), double(y.shape[2]), bias);
}

Outs addmm_rule(const Args& a) {
  const auto& self = tensor(a, 0);
  Outs out = mm_rule({a[1], a[2]});
  if (broadcast(self.shape, out[0].shape) != out[0].shape)
    fail("input " + shape_str(self.shape) + " does not broadcast to the product " + shape_str(out[0].shape));
  out[0].dtype = promote(out[0].dtype, self.dtype);
  return out;
}

OpCost addmm_cost(const Args& a, const Outs& o) {
  const auto &x = tensor(a, 1), &y = tensor(a, 2);
  return product_cost(a, o, 1, double(x.shape[0]), double(x.shape[1]), double(y.shape[1]), true);
}

Outs linear_rule(const Args& a) {
  const auto &x = tensor(a, 0), &w = tensor(a, 1);
  if (x.shape.empty()) fail("input must have at least one dim");
  if (w.shape.size() != 1 && w.shape.size() != 2) fail("weight must be 1-D or 2-D, got " + shape_str(w.shape));
  const int64_t in_features = w.shape.back();
  if (x.shape.back() != in_features) cannot_multiply(x.shape, w.shape);
  Shape out(x.shape.begin(), x.shape.end() - 1);
  if (w.shape.size() == 2) out.push_back(w.shape[0]);
  if (const TensorMeta* b = opt_tensor(a, 2)) {
    if (broadcast(b->shape, out) != out)
      fail("bias " + shape_str(b->shape) + " does not broadcast to " + shape_str(out));
  }
  return one(out, promote(x.dtype, w.dtype));
}

OpCost linear_cost(const Args& a, const Outs& o) {
  const auto &x = tensor(a, 0), &w = tensor(a, 1);
  const double rows = double(numel(x.shape)) / double(x.shape.back());
  const double out_features = w.shape.size() == 2 ? double(w.shape[0]) : 1.0;
  return product_cost(a, o, 1, rows, double(x.shape.back()), out_features, opt_tensor(a, 2) != nullptr);
}

// torch.matmul's shape: 1-D operands gain a dim that is dropped afterwards,
// batch dims broadcast.
Shape matmul_shape(const Shape& a, const Shape& b) {
  if (a.empty() || b.empty()) fail("both arguments to matmul need at least 1 dimension, got " + shape_str(a) +
                                   " and " + shape_str(b));
  Shape x = a, y = b;
  if (x.size() == 1) x.insert(x.begin(), 1);
  if (y.size() == 1) y.push_back(1);
  const int64_t k = x.back();
  if (y[y.size() - 2] != k) cannot_multiply(a, b);
  Shape batch = broadcast(Shape(x.begin(), x.end() - 2), Shape(y.begin(), y.end() - 2));
  Shape out = batch;
  if (a.size() > 1) out.push_back(x[x.size() - 2]);
  if (b.size() > 1) out.push_back(y.back());
  return out;
}

// Bytes of the copy torch makes of a tensor laid out as `shape`/`strides` to
// reshape it to `to`; 0 when the strides allow a view.
uint64_t reshape_copy_bytes(const Shape& shape, const std::vector<int64_t>& strides, const Shape& to, DType dtype) {
  if (view_strides(shape, strides, to)) return 0;
  return uint64_t(numel(to)) * itemsize(dtype);
}

// Per operand, the bytes of the copy torch's matmul makes of it to run as mm
// or bmm (0: it runs on a view), following LinearAlgebra.cpp's _matmul_impl:
// 1-D and 2-D operands run as dot/mv/mm on views; a >=3-D operand against a
// <=2-D one is folded into a matrix when the smaller one needs a gradient or
// the fold is a view; otherwise both are expanded to the broadcast batch and
// reshaped to 3-D for bmm. A reshape the strides cannot view copies, and
// mm/bmm keep the copy for backward, not the operand.
std::array<uint64_t, 2> matmul_operand_copies(const TensorMeta& a, const TensorMeta& b, bool a_grad, bool b_grad) {
  const size_t da = a.shape.size(), db = b.shape.size();
  if (da == 0 || db == 0 || (da <= 2 && db <= 2)) return {0, 0};
  const bool a_larger = da >= db;
  const size_t big = std::max(da, db), small = std::min(da, db);
  if (big >= 3 && small <= 2) {
    // The folded operand: a, or b transposed in its last two dims.
    Shape shape = a_larger ? a.shape : b.shape;
    std::vector<int64_t> strides = a_larger ? a.layout_strides() : b.layout_strides();
    if (!a_larger) {
      std::swap(shape[big - 1], shape[big - 2]);
      std::swap(strides[big - 1], strides[big - 2]);
    }
    bool fold = a_larger ? b_grad : a_grad;
    if (!fold && da != 2) {  // no fold for a 2-D first operand: the result would need a transposing copy
      bool dense_batch = true;
      for (size_t i = 0; i + 2 < big; ++i) dense_batch = dense_batch && strides[i] == strides[i + 1] * shape[i + 1];
      fold = dense_batch || numel(shape) == 0;
    }
    if (fold) {
      const int64_t rows = numel(Shape(shape.begin(), shape.end() - 1));
      const uint64_t bytes = reshape_copy_bytes(shape, strides, {rows, shape.back()}, a_larger ? a.dtype : b.dtype);
      return a_larger ? std::array<uint64_t, 2>{bytes, 0} : std::array<uint64_t, 2>{0, bytes};
    }
  }
  // A batch of 1 that needs a gradient is squeezed rather than broadcast.
  if (da == 3 && db == 3 && a.shape[0] != b.shape[0]) {
    const auto squeezed = [](const TensorMeta& t) {
      TensorMeta s = t;
      const auto strides = t.layout_strides();
      s.shape.erase(s.shape.begin());
      s.strides.assign(strides.begin() + 1, strides.end());
      return s;
    };
    if (a.shape[0] == 1 && a_grad) return matmul_operand_copies(squeezed(a), b, a_grad, b_grad);
    if (b.shape[0] == 1 && b_grad) return matmul_operand_copies(a, squeezed(b), a_grad, b_grad);
  }
  const Shape batch_a(a.shape.begin(), a.shape.begin() + int64_t(da >= 2 ? da - 2 : 0));
  const Shape batch_b(b.shape.begin(), b.shape.begin() + int64_t(db >= 2 ? db - 2 : 0));
  const Shape batch = broadcast(batch_a, batch_b);
  const int64_t count = numel(batch);
  const int64_t n = da > 1 ? a.shape[da - 2] : 1, m1 = a.shape.back();
  const int64_t m2 = db > 1 ? b.shape[db - 2] : b.shape[0], p = db > 1 ? b.shape.back() : 1;
  Shape a_to = batch, b_to = batch;
  a_to.insert(a_to.end(), {n, m1});
  if (db == 1) b_to.push_back(m2);
  else b_to.insert(b_to.end(), {m2, p});
  const auto a_strides = expanded_strides(a.shape, a.layout_strides(), a_to);
  const auto b_strides = expanded_strides(b.shape, b.layout_strides(), b_to);
  return {reshape_copy_bytes(a_to, a_strides, {count, n, m1}, a.dtype),
          reshape_copy_bytes(b_to, b_strides, db == 1 ? Shape{count, m2} : Shape{count, m2, p}, b.dtype)};
}

// What mm/bmm keep for a matmul-like op over arguments 0 and 1 (`operand_b`
// turns argument 1 into matmul's second operand: linear transposes its weight).
SavesFn saves_matmul_operands(TensorMeta (*operand_b)(const TensorMeta&)) {
  return [operand_b](const Args& a, const Outs&, const NeedsGrad& needs) {
    SavedTensors s;
    const TensorMeta &x = tensor(a, 0), &y = tensor(a, 1);
    const bool gx = needs.size() > 0 && needs[0], gy = needs.size() > 1 && needs[1];
    const auto copies = matmul_operand_copies(x, operand_b(y), gx, gy);
    const auto keep = [&](size_t i) {
      if (copies[i]) s.extra_bytes += copies[i];
      else s.args.push_back(i);
    };
    if (gy) keep(0);
    if (gx) keep(1);
    return s;
  };
}

TensorMeta as_is(const TensorMeta& t) { return t; }

// weight.t() as linear hands it to matmul (a 1-D weight stays a vector).
TensorMeta transposed_weight(const TensorMeta& w) {
  if (w.shape.size() != 2) return w;
  TensorMeta t = w;
  const auto strides = w.layout_strides();
  t.shape = {w.shape[1], w.shape[0]};
  t.strides = {strides[1], strides[0]};
  return t;
}

// Multiply-adds of a matmul: prod(broadcast batch) · n · k · m.
double matmul_macs(const Shape& a, const Shape& b) {
  Shape x = a, y = b;
  if (x.size() == 1) x.insert(x.begin(), 1);
  if (y.size() == 1) y.push_back(1);
  Shape batch = broadcast(Shape(x.begin(), x.end() - 2), Shape(y.begin(), y.end() - 2));
  return double(numel(batch)) * double(x[x.size() - 2]) * double(x.back()) * double(y.back());
}

}  // namespace

void register_matmul_ops(OpRegistry& r) {
  const auto M = OpCategory::matmul;
  // Backward of every product: dA = dC·Bᵀ and dB = Aᵀ·dC, each the forward's
  // size (autograd runs them as mm/bmm); a bias gradient is a sum (uncounted).
  const SavesFn keeps_other_operand = saves_other_operand(0, 1), keeps_other_matrix = saves_other_operand(1, 2);
  OpDef* d = &def(r, "aten::mm(Tensor self, Tensor mat2) -> Tensor", M, mm_rule, mm_cost);
  d->backward = grads_like_forward(mm_cost, {0, 1});
  d->saves = keeps_other_operand;
  const CostFn bmm_plain = [](const Args& a, const Outs& o) { return bmm_cost(a, o, 0, false); };
  d = &def(r, "aten::bmm(Tensor self, Tensor mat2) -> Tensor", M, [](const Args& a) { return bmm_rule(a, 0); },
           bmm_plain);
  d->backward = grads_like_forward(bmm_plain, {0, 1});
  d->saves = keeps_other_operand;
  d = &def(r, "aten::addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1) -> Tensor", M,
           addmm_rule, addmm_cost);
  d->backward = grads_like_forward(addmm_cost, {1, 2});
  d->saves = keeps_other_matrix;
  d = &inplace(r, "aten::addmm_(Tensor(a!) self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1) -> Tensor(a!)",
          M,
          [](const Args& a) {
            Outs out = addmm_rule(a);
            if (out[0].shape != tensor(a, 0).shape)
              fail("bad in-place call: input tensor size " + shape_str(tensor(a, 0).shape) +
                   " and output tensor size " + shape_str(out[0].shape) + " should match");
            return out;
          },
          addmm_cost);
  d->backward = grads_like_forward(addmm_cost, {1, 2});
  d->saves = keeps_other_matrix;
  const CostFn baddbmm_cost = [](const Args& a, const Outs& o) { return bmm_cost(a, o, 1, true); };
  d = &def(r, "aten::baddbmm(Tensor self, Tensor batch1, Tensor batch2, *, Scalar beta=1, Scalar alpha=1) -> Tensor", M,
      [](const Args& a) {
        Outs out = bmm_rule(a, 1);
        const auto& self = tensor(a, 0);
        if (broadcast(self.shape, out[0].shape) != out[0].shape)
          fail("input " + shape_str(self.shape) + " does not broadcast to " + shape_str(out[0].shape));
        out[0].dtype = promote(out[0].dtype, self.dtype);
        return out;
      },
      baddbmm_cost);
  d->backward = grads_like_forward(baddbmm_cost, {1, 2});
  d->saves = keeps_other_matrix;
  // Vector products. FlopCounterMode has no entry for dot/mv (it counts 0);
  // we count their multiply-adds like any other product.
  def(r, "aten::dot(Tensor self, Tensor tensor) -> Tensor", M,
      [](const Args& a) {
        const auto &x = tensor(a, 0), &y = tensor(a, 1);
        need_rank(x, 1, "self");
        need_rank(y, 1, "tensor");
        if (x.shape != y.shape) cannot_multiply(x.shape, y.shape);
        return one({}, promote(x.dtype, y.dtype));
      },
      [](const Args& a, const Outs& o) { return product_cost(a, o, 1, 1, double(tensor(a, 0).shape[0]), 1, false); });
  def(r, "aten::mv(Tensor self, Tensor vec) -> Tensor", M,
      [](const Args& a) {
        const auto &x = tensor(a, 0), &y = tensor(a, 1);
        need_rank(x, 2, "self");
        need_rank(y, 1, "vec");
        if (x.shape[1] != y.shape[0]) cannot_multiply(x.shape, y.shape);
        return one({x.shape[0]}, promote(x.dtype, y.dtype));
      },
      [](const Args& a, const Outs& o) {
        const auto& x = tensor(a, 0);
        return product_cost(a, o, 1, double(x.shape[0]), double(x.shape[1]), 1, false);
      });
  // outer is a broadcast multiply: no accumulation, one extended FLOP per output.
  def(r, "aten::outer(Tensor self, Tensor vec2) -> Tensor", OpCategory::elementwise,
      [](const Args& a) {
        const auto &x = tensor(a, 0), &y = tensor(a, 1);
        need_rank(x, 1, "self");
        need_rank(y, 1, "vec2");
        return one({x.shape[0], y.shape[0]}, promote(x.dtype, y.dtype));
      },
      per_out(1))
      .keeps_shape = false;
  // linear runs as addmm/mm on (a view of) the input and weight.t(): the input
  // is kept when the weight needs a gradient, the weight when the input does.
  d = &def(r, "aten::linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor", M, linear_rule, linear_cost);
  d->backward = grads_like_forward(linear_cost, {0, 1});
  d->saves = saves_matmul_operands(transposed_weight);
  // matmul runs as mm (folded batch dims) or bmm (broadcast batch, expanded
  // first): either way each gradient is a product over the broadcast batch.
  const CostFn matmul_cost = [](const Args& a, const Outs& o) {
    OpCost c = default_bytes(a, o);
    c.macs = matmul_macs(tensor(a, 0).shape, tensor(a, 1).shape);
    c.flops = 2 * c.macs;
    return c;
  };
  d = &def(r, "aten::matmul(Tensor self, Tensor other) -> Tensor", M,
      [](const Args& a) {
        const auto &x = tensor(a, 0), &y = tensor(a, 1);
        return one(matmul_shape(x.shape, y.shape), promote(x.dtype, y.dtype));
      },
      matmul_cost);
  d->backward = grads_like_forward(matmul_cost, {0, 1});
  d->saves = saves_matmul_operands(as_is);
}

}  // namespace ptscope::graph::rules
