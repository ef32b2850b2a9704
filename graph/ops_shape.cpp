// Shape ops: views and reshapes, squeeze/unsqueeze, permute/transpose,
// expand/repeat, cat/stack, chunk/split/unbind (Tensor[] results), slicing and
// indexing, padding, dtype conversions and size-preserving copies.
// Views move no bytes; copies read and write their tensors once.
#include <algorithm>
#include <limits>
#include <numeric>

#include "core/shape.h"
#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

const auto S = OpCategory::shape;

int64_t rank_of(const TensorMeta& t) { return int64_t(t.shape.size()); }

[[noreturn]] void data_dependent() {
  throw Error(ErrorCode::unsupported, "the output shape depends on tensor values, which shape-only analysis lacks");
}

// Resolves one -1 in a requested shape (view/reshape/unflatten).
Shape infer_size(const Shape& size, int64_t total, const Shape& from) {
  ResolvedShape r = resolve_view_shape(size, total);
  switch (r.problem) {
    case ResolvedShape::Problem::two_inferred: fail("only one dimension can be inferred in " + shape_str(size));
    case ResolvedShape::Problem::negative_dim:
      fail("invalid shape dimension " + std::to_string(r.bad_dim) + " in " + shape_str(size));
    case ResolvedShape::Problem::mismatch:
      fail("shape " + shape_str(size) + " is invalid for input " + shape_str(from) + " of size " + std::to_string(total));
    case ResolvedShape::Problem::none: break;
  }
  return std::move(r.shape);
}

// A view of x's data as `shape` with `strides`; the dense layout is left
// implicit, as every other op's result has it.
TensorMeta viewed(const TensorMeta& x, Shape shape, std::vector<int64_t> strides) {
  TensorMeta out = meta(std::move(shape), x.dtype);
  if (strides != contiguous_strides(out.shape)) out.strides = std::move(strides);
  return out;
}

// x's elements as `shape`: a view where the strides allow one, else the dense
// copy torch's reshape makes (reshape_copies says which happened).
Outs reshaped(const TensorMeta& x, Shape shape) {
  if (x.strides.empty()) return one(std::move(shape), x.dtype);
  if (auto strides = view_strides(x.shape, x.strides, shape)) return {viewed(x, std::move(shape), std::move(*strides))};
  return one(std::move(shape), x.dtype);
}

Outs view_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  return reshaped(x, infer_size(ints(a, 1), x.numel(), x.shape));
}

Outs view_as_rule(const Args& a) {
  const TensorMeta &x = tensor(a, 0), &other = tensor(a, 1);
  return reshaped(x, infer_size(other.shape, x.numel(), x.shape));
}

// The same data and layout (detach, alias).
Outs same_view(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  return {viewed(x, x.shape, x.layout_strides())};
}

Outs flatten_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  if (x.shape.empty()) return one({1}, x.dtype);
  const int64_t r = rank_of(x);
  const int64_t start = wrap_dim(int_arg(a, 1), r), end = wrap_dim(int_arg(a, 2), r);
  if (start > end) fail("flatten() has invalid args: start_dim cannot come after end_dim");
  Shape out(x.shape.begin(), x.shape.begin() + start);
  int64_t merged = 1;
  for (int64_t i = start; i <= end; ++i) merged *= x.shape[size_t(i)];
  out.push_back(merged);
  out.insert(out.end(), x.shape.begin() + end + 1, x.shape.end());
  return reshaped(x, out);
}

Outs unflatten_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const size_t d = size_t(wrap_dim(int_arg(a, 1), rank_of(x)));
  const Shape sizes = ints(a, 2);
  if (sizes.empty()) fail("unflatten: sizes must be non-empty");
  Shape inner = infer_size(sizes, x.shape[d], {x.shape[d]});
  Shape out(x.shape.begin(), x.shape.begin() + int64_t(d));
  out.insert(out.end(), inner.begin(), inner.end());
  out.insert(out.end(), x.shape.begin() + int64_t(d) + 1, x.shape.end());
  return reshaped(x, out);
}

Outs squeeze_all(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const auto from = x.layout_strides();
  Shape out;
  std::vector<int64_t> strides;
  for (size_t i = 0; i < x.shape.size(); ++i)
    if (x.shape[i] != 1) {
      out.push_back(x.shape[i]);
      strides.push_back(from[i]);
    }
  return {viewed(x, out, strides)};
}

Outs squeeze_dims(const TensorMeta& x, const std::vector<int64_t>& dims) {
  std::vector<bool> drop(x.shape.size(), false);
  for (int64_t d : dims) {
    const size_t w = size_t(wrap_dim(d, rank_of(x)));
    if (!x.shape.empty() && x.shape[w] == 1) drop[w] = true;
  }
  const auto from = x.layout_strides();
  Shape out;
  std::vector<int64_t> strides;
  for (size_t i = 0; i < x.shape.size(); ++i)
    if (!drop[i]) {
      out.push_back(x.shape[i]);
      strides.push_back(from[i]);
    }
  return {viewed(x, out, strides)};
}

Outs unsqueeze_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const int64_t d = wrap_dim(int_arg(a, 1), rank_of(x) + 1);
  Shape out = x.shape;
  std::vector<int64_t> strides = x.layout_strides();
  // ATen's choice for the new dim's stride: what the next dim would step over.
  strides.insert(strides.begin() + d, d >= rank_of(x) ? 1 : x.shape[size_t(d)] * strides[size_t(d)]);
  out.insert(out.begin() + d, 1);
  return {viewed(x, out, strides)};
}

Outs permute_shape(const TensorMeta& x, const std::vector<int64_t>& dims) {
  const int64_t r = rank_of(x);
  if (int64_t(dims.size()) != r)
    fail("number of dims " + std::to_string(dims.size()) + " doesn't match the rank of " + shape_str(x.shape));
  const auto from = x.layout_strides();
  Shape out(dims.size());
  std::vector<int64_t> strides(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    const size_t d = size_t(wrap_dim(dims[i], r));
    if (seen[d]) fail("repeated dim in permutation " + shape_str(dims));
    seen[d] = true;
    out[i] = x.shape[d];
    strides[i] = from[d];
  }
  return {viewed(x, out, strides)};
}

Outs transpose_shape(const TensorMeta& x, int64_t d0, int64_t d1) {
  Shape out = x.shape;
  std::vector<int64_t> strides = x.layout_strides();
  if (out.empty()) return {viewed(x, out, strides)};
  const size_t i = size_t(wrap_dim(d0, rank_of(x))), j = size_t(wrap_dim(d1, rank_of(x)));
  std::swap(out[i], out[j]);
  std::swap(strides[i], strides[j]);
  return {viewed(x, out, strides)};
}

Outs transpose_rule(const Args& a) { return transpose_shape(tensor(a, 0), int_arg(a, 1), int_arg(a, 2)); }

Outs t_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  if (x.shape.size() > 2) fail("t() expects a tensor with <= 2 dimensions, got " + shape_str(x.shape));
  return x.shape.size() < 2 ? one(x.shape, x.dtype) : transpose_shape(x, 0, 1);
}

Outs movedim_shape(const TensorMeta& x, std::vector<int64_t> src, std::vector<int64_t> dst) {
  const int64_t r = rank_of(x);
  if (src.size() != dst.size()) fail("movedim: source and destination must have the same length");
  std::vector<int64_t> order(size_t(r), -1);
  std::vector<bool> used(size_t(r), false);
  for (size_t i = 0; i < src.size(); ++i) {
    src[i] = wrap_dim(src[i], r);
    dst[i] = wrap_dim(dst[i], r);
    if (order[size_t(dst[i])] != -1 || used[size_t(src[i])]) fail("movedim: repeated dim");
    order[size_t(dst[i])] = src[i];
    used[size_t(src[i])] = true;
  }
  int64_t next = 0;
  for (auto& o : order) {
    if (o != -1) continue;
    while (used[size_t(next)]) ++next;
    o = next++;
  }
  return permute_shape(x, order);
}

Shape expand_shape(const Shape& from, const Shape& size) {
  if (size.size() < from.size())
    fail("the number of sizes provided (" + std::to_string(size.size()) + ") must be greater or equal to the rank of " +
         shape_str(from));
  Shape out(size.size());
  const size_t lead = size.size() - from.size();
  for (size_t i = 0; i < size.size(); ++i) {
    const int64_t want = size[i];
    if (i < lead) {
      if (want < 0) fail("the expanded size " + std::to_string(want) + " is not allowed in a leading dimension");
      out[i] = want;
      continue;
    }
    const int64_t have = from[i - lead];
    if (want == -1) out[i] = have;
    else if (have == want || have == 1) out[i] = want;
    else
      fail("the expanded size of the tensor (" + std::to_string(want) + ") must match the existing size (" +
           std::to_string(have) + ") at non-singleton dimension " + std::to_string(i) + ": target " + shape_str(size) +
           ", tensor " + shape_str(from));
  }
  return out;
}

// x broadcast to `shape` (from expand_shape): new and stretched dims step 0.
TensorMeta expanded(const TensorMeta& x, const Shape& shape) {
  return viewed(x, shape, expanded_strides(x.shape, x.layout_strides(), shape));
}

Outs repeat_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const Shape reps = ints(a, 1);
  if (reps.size() < x.shape.size())
    fail("number of repeat dims can not be smaller than the number of tensor dims");
  Shape padded(reps.size() - x.shape.size(), 1);
  padded.insert(padded.end(), x.shape.begin(), x.shape.end());
  Shape out(reps.size());
  for (size_t i = 0; i < reps.size(); ++i) {
    if (reps[i] < 0) fail("repeats can not be negative");
    out[i] = padded[i] * reps[i];
  }
  return one(out, x.dtype);
}

Outs tile_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  Shape reps = ints(a, 1);
  if (reps.size() < x.shape.size()) reps.insert(reps.begin(), x.shape.size() - reps.size(), 1);
  return repeat_rule({a[0], reps});
}

Outs cat_rule(const Args& a) {
  const auto& ts = tensors(a, 0);
  if (ts.empty()) fail("expected a non-empty list of tensors");
  // Legacy behaviour: 1-D empty tensors are skipped whatever the other shapes.
  const TensorMeta* ref = nullptr;
  DType d = DType::undefined;
  for (const auto& t : ts) {
    d = d == DType::undefined ? t.dtype : promote(d, t.dtype);
    if (!(t.shape.size() == 1 && t.shape[0] == 0) && !ref) ref = &t;
  }
  if (!ref) return one({0}, d);
  const int64_t dim = wrap_dim(int_arg(a, 1), rank_of(*ref));
  if (ref->shape.empty()) fail("zero-dimensional tensor cannot be concatenated");
  Shape out = ref->shape;
  out[size_t(dim)] = 0;
  for (size_t k = 0; k < ts.size(); ++k) {
    const auto& t = ts[k];
    if (t.shape.size() == 1 && t.shape[0] == 0) continue;
    if (t.shape.size() != ref->shape.size())
      fail("tensors must have the same number of dimensions: got " + shape_str(ref->shape) + " and " +
           shape_str(t.shape));
    for (size_t i = 0; i < out.size(); ++i)
      if (int64_t(i) != dim && t.shape[i] != ref->shape[i])
        fail("sizes of tensors must match except in dimension " + std::to_string(dim) + ": got " +
             shape_str(ref->shape) + " and " + shape_str(t.shape) + " (tensor " + std::to_string(k) + ")");
    out[size_t(dim)] += t.shape[size_t(dim)];
  }
  return one(out, d);
}

Outs stack_rule(const Args& a) {
  const auto& ts = tensors(a, 0);
  if (ts.empty()) fail("stack expects a non-empty TensorList");
  DType d = ts[0].dtype;
  for (size_t k = 1; k < ts.size(); ++k) {
    if (ts[k].shape != ts[0].shape)
      fail("stack expects each tensor to be equal size, but got " + shape_str(ts[0].shape) + " at entry 0 and " +
           shape_str(ts[k].shape) + " at entry " + std::to_string(k));
    d = promote(d, ts[k].dtype);
  }
  const int64_t dim = wrap_dim(int_arg(a, 1), rank_of(ts[0]) + 1);
  Shape out = ts[0].shape;
  out.insert(out.begin() + dim, int64_t(ts.size()));
  return one(out, d);
}

// Pieces of `x` along `dim` with the given sizes (split/chunk/unbind).
// The pieces are views with x's strides (unbind drops the dim); the unsafe_
// forms, which copy, lay them out densely (`dense`).
Outs pieces(const TensorMeta& x, size_t dim, const std::vector<int64_t>& sizes, bool keep_dim = true) {
  Outs out;
  for (int64_t s : sizes) {
    Shape p = x.shape;
    std::vector<int64_t> strides = x.layout_strides();
    if (keep_dim) {
      p[dim] = s;
    } else {
      p.erase(p.begin() + int64_t(dim));
      strides.erase(strides.begin() + int64_t(dim));
    }
    out.push_back(viewed(x, p, strides));
  }
  return out;
}

ShapeFn dense(ShapeFn rule) {
  return [rule = std::move(rule)](const Args& a) {
    Outs out = rule(a);
    for (auto& o : out) o.strides.clear();
    return out;
  };
}

size_t split_dim(const TensorMeta& x, int64_t dim) {
  if (x.shape.empty()) fail("split/chunk expects at least a 1-dimensional tensor");
  return size_t(wrap_dim(dim, rank_of(x)));
}

Outs split_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const size_t d = split_dim(x, int_arg(a, 2));
  const int64_t size = x.shape[d], step = int_arg(a, 1);
  if (step < 0 || (step == 0 && size != 0))
    fail("split_size can only be 0 if the dimension size is 0, got split_size " + std::to_string(step));
  const int64_t n = step == 0 ? 1 : std::max<int64_t>((size + step - 1) / step, 1);
  std::vector<int64_t> sizes(size_t(n), step);
  sizes.back() = size - step * (n - 1);
  return pieces(x, d, sizes);
}

Outs split_sizes_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const size_t d = split_dim(x, int_arg(a, 2));
  const Shape sizes = ints(a, 1);
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0) fail("split sizes must be non-negative, got " + shape_str(sizes));
    total += s;
  }
  if (total != x.shape[d])
    fail("split_with_sizes expects split_sizes to sum exactly to " + std::to_string(x.shape[d]) + " (input " +
         shape_str(x.shape) + ", dim " + std::to_string(d) + "), but got " + shape_str(sizes));
  return pieces(x, d, sizes);
}

Outs chunk_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const int64_t chunks = int_arg(a, 1);
  if (chunks <= 0) fail("chunk expects `chunks` to be greater than 0, got: " + std::to_string(chunks));
  const size_t d = split_dim(x, int_arg(a, 2));
  const int64_t size = x.shape[d];
  const int64_t step = (size + chunks - 1) / chunks;
  if (step == 0 && size == 0) return pieces(x, d, std::vector<int64_t>(size_t(chunks), 0));
  return split_rule({a[0], step, int64_t(d)});
}

Outs tensor_split_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const size_t d = split_dim(x, int_arg(a, 2));
  const int64_t n = int_arg(a, 1), size = x.shape[d];
  if (n <= 0) fail("number of sections must be larger than 0, got " + std::to_string(n));
  std::vector<int64_t> sizes;
  for (int64_t i = 0; i < n; ++i) sizes.push_back(size / n + (i < size % n ? 1 : 0));
  return pieces(x, d, sizes);
}

Outs tensor_split_indices_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const size_t d = split_dim(x, int_arg(a, 2));
  const int64_t size = x.shape[d];
  // Piece k is x[indices[k-1]:indices[k]] with slice semantics (wrapped, clamped, empty when reversed).
  std::vector<int64_t> sizes;
  int64_t prev = 0;
  auto clamp = [size](int64_t i) { return std::clamp(i < 0 ? i + size : i, int64_t(0), size); };
  for (int64_t i : ints(a, 1)) {
    const int64_t c = clamp(i);
    sizes.push_back(std::max<int64_t>(c - prev, 0));
    prev = c;
  }
  sizes.push_back(std::max<int64_t>(size - prev, 0));
  return pieces(x, d, sizes);
}

Outs unbind_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const size_t d = split_dim(x, int_arg(a, 1));
  return pieces(x, d, std::vector<int64_t>(size_t(x.shape[d]), 1), false);
}

// The wrapped dim argument at position 1 of select/slice/narrow, which need a dim to work on.
size_t dim_of_dimensioned(const Args& a, const char* op) {
  const TensorMeta& x = tensor(a, 0);
  if (x.shape.empty()) fail(std::string(op) + "() cannot be applied to a 0-dim tensor");
  return size_t(wrap_dim(int_arg(a, 1), rank_of(x)));
}

// x with dim d resized to n, stepping `step` elements of it at a time.
Outs resized(const TensorMeta& x, size_t d, int64_t n, int64_t step = 1) {
  Shape out = x.shape;
  std::vector<int64_t> strides = x.layout_strides();
  out[d] = n;
  strides[d] *= step;
  return {viewed(x, out, strides)};
}

Outs select_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const size_t d = dim_of_dimensioned(a, "select");
  const int64_t index = int_arg(a, 2), size = x.shape[d];
  if (index < -size || index >= size)
    fail("select(): index " + std::to_string(index) + " out of range for tensor of size " + shape_str(x.shape) +
         " at dimension " + std::to_string(d));
  Shape out = x.shape;
  std::vector<int64_t> strides = x.layout_strides();
  out.erase(out.begin() + int64_t(d));
  strides.erase(strides.begin() + int64_t(d));
  return {viewed(x, out, strides)};
}

Outs slice_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const size_t d = dim_of_dimensioned(a, "slice");
  const int64_t size = x.shape[d], step = int_arg(a, 4);
  if (step <= 0) fail("slice step must be positive");
  int64_t start = opt_int(a, 2).value_or(0);
  int64_t end = opt_int(a, 3).value_or(std::numeric_limits<int64_t>::max());
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = std::clamp<int64_t>(start, 0, size);
  end = std::clamp<int64_t>(end, 0, size);
  if (end < start) end = start;
  return resized(x, d, (end - start + step - 1) / step, step);
}

Outs narrow_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const size_t d = dim_of_dimensioned(a, "narrow");
  const int64_t size = x.shape[d], length = int_arg(a, 3);
  int64_t start = int_arg(a, 2);
  if (start < -size || start > size) fail("start (" + std::to_string(start) + ") out of range for dimension size " +
                                          std::to_string(size));
  if (start < 0) start += size;
  if (length < 0 || start + length > size)
    fail("start (" + std::to_string(start) + ") + length (" + std::to_string(length) + ") exceeds dimension size (" +
         std::to_string(size) + ")");
  return resized(x, d, length);
}

// Advanced indexing with a list of optional index tensors.
Outs index_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const auto& idx = tensors(a, 1);
  if (idx.size() > x.shape.size())
    fail("too many indices for tensor of dimension " + std::to_string(x.shape.size()) + " (got " +
         std::to_string(idx.size()) + ")");
  Shape bshape;
  bool any = false;
  int64_t first = -1, last = -1;
  for (size_t i = 0; i < idx.size(); ++i) {
    if (idx[i].dtype == DType::undefined) continue;
    if (idx[i].dtype == DType::bool_ || idx[i].dtype == DType::uint8) data_dependent();
    if (!is_integral(idx[i].dtype, false))
      fail("tensors used as indices must be long, int, byte or bool tensors, got " +
           std::string(dtype_name(idx[i].dtype)));
    bshape = any ? broadcast(bshape, idx[i].shape) : idx[i].shape;
    any = true;
    if (first < 0) first = int64_t(i);
    last = int64_t(i);
  }
  if (!any) return one(x.shape, x.dtype);
  bool adjacent = true;
  for (int64_t i = first; i <= last; ++i)
    if (idx[size_t(i)].dtype == DType::undefined) adjacent = false;
  Shape out;
  if (adjacent) {
    out.assign(x.shape.begin(), x.shape.begin() + first);
    out.insert(out.end(), bshape.begin(), bshape.end());
    out.insert(out.end(), x.shape.begin() + last + 1, x.shape.end());
  } else {
    out = bshape;
    for (size_t i = 0; i < x.shape.size(); ++i)
      if (i >= idx.size() || idx[i].dtype == DType::undefined) out.push_back(x.shape[i]);
  }
  return one(out, x.dtype);
}

Outs index_select_rule(const Args& a) {
  const TensorMeta &x = tensor(a, 0), &index = tensor(a, 2);
  if (index.shape.size() > 1) fail("index_select(): index must be 0-D or 1-D, got " + shape_str(index.shape));
  if (!is_integral(index.dtype, false)) fail("index_select(): expected an integer index");
  Shape out = x.shape;
  if (out.empty()) return one(out, x.dtype);
  out[size_t(wrap_dim(int_arg(a, 1), rank_of(x)))] = index.numel();
  return one(out, x.dtype);
}

Outs gather_rule(const Args& a) {
  const TensorMeta &x = tensor(a, 0), &index = tensor(a, 2);
  wrap_dim(int_arg(a, 1), rank_of(x));
  if (index.shape.size() != x.shape.size() && !(index.shape.empty() || x.shape.empty()))
    fail("index " + shape_str(index.shape) + " and input " + shape_str(x.shape) + " must have the same rank");
  return one(index.shape, x.dtype);
}

// Conversions return self when the dtype already matches (no bytes move).
OpCost convert_cost(const Args& a, const Outs& o) {
  if (o[0].dtype == tensor(a, 0).dtype) return OpCost{};
  return default_bytes(Args{a[0]}, o);
}

CostFn to_cost(size_t copy_pos) {
  return [copy_pos](const Args& a, const Outs& o) {
    const TensorMeta& x = tensor(a, 0);
    if (o[0].dtype == x.dtype && !bool_arg(a, copy_pos)) return OpCost{};
    return default_bytes(Args{a[0]}, o);
  };
}

ShapeFn to_dtype_at(size_t pos) {
  return [pos](const Args& a) {
    const TensorMeta& x = tensor(a, 0);
    return one(x.shape, dtype_or(a, pos, x.dtype));
  };
}

Outs pad_shape(const TensorMeta& x, const Shape& pad, const std::string& mode) {
  if (pad.size() % 2) fail("padding length must be divisible by 2, got " + shape_str(pad));
  if (mode != "constant") {
    // reflect/replicate/circular pad the last 1, 2 or 3 dims of a (batched or not) input.
    const size_t n = pad.size() / 2, rank = x.shape.size();
    if (n < 1 || n > 3 || (rank != n + 1 && rank != n + 2))
      fail("padding size " + std::to_string(pad.size()) + " is not supported for " + std::to_string(rank) +
           "D input tensor in mode '" + mode + "'");
  }
  if (pad.size() / 2 > x.shape.size())
    fail("padding length " + std::to_string(pad.size()) + " is too large for input " + shape_str(x.shape));
  Shape out = x.shape;
  for (size_t i = 0; i < pad.size() / 2; ++i) {
    const size_t d = out.size() - 1 - i;
    const int64_t l = pad[2 * i], r = pad[2 * i + 1];
    if (mode == "reflect" && (l >= x.shape[d] || r >= x.shape[d]))
      fail("padding (" + std::to_string(l) + ", " + std::to_string(r) + ") should be less than the input dimension " +
           std::to_string(x.shape[d]) + " of " + shape_str(x.shape));
    out[d] = x.shape[d] + l + r;
    if (out[d] < 0) fail("padding " + shape_str(pad) + " gives a negative size for input " + shape_str(x.shape));
  }
  return one(out, x.dtype);
}

// Whether reshape (or flatten, reshape_as) copied: the input's strides allow
// no view of the requested shape (ATen's computeStride).
bool reshape_copied(const Args& a, const Outs& o) {
  const TensorMeta& x = tensor(a, 0);
  return !x.contiguous() && !view_strides(x.shape, x.strides, o[0].shape);
}

using CopiesFn = std::function<bool(const Args&, const Outs&)>;

// A view op that copies when `copies` says so; the copy reads and writes the tensor once.
OpDef& view_or_copy(OpRegistry& r, std::string_view schema, ShapeFn shape, CopiesFn copies) {
  OpDef& d = view(r, schema, S, std::move(shape));
  d.cost = [copies](const Args& a, const Outs& o) { return copies(a, o) ? default_bytes(a, o) : OpCost{}; };
  d.copies = std::move(copies);
  return d;
}

Outs view_dtype_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const DType to = dtype_code(int_arg(a, 1));
  Shape out = x.shape;
  const size_t from_size = itemsize(x.dtype), to_size = itemsize(to);
  if (from_size != to_size) {
    if (out.empty()) fail("view.dtype: a 0-dim tensor cannot change element size");
    const int64_t bytes = out.back() * int64_t(from_size);
    if (bytes % int64_t(to_size)) fail("view.dtype: last dimension does not divide into the new element size");
    out.back() = bytes / int64_t(to_size);
  }
  // Same element size: the same strides; otherwise the dims before the last
  // scale with it, as torch requires the last dim to be dense.
  std::vector<int64_t> strides = x.layout_strides();
  if (from_size != to_size) {
    for (auto& st : strides) st = st * int64_t(from_size) / int64_t(to_size);
    if (!strides.empty()) strides.back() = 1;
  }
  TensorMeta result = viewed(x, out, x.contiguous() ? contiguous_strides(out) : strides);
  result.dtype = to;
  return {result};
}

Outs reshape_alias_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const Shape size = ints(a, 1), stride = ints(a, 2);
  if (size.size() != stride.size()) fail("_reshape_alias: size and stride differ in length");
  return Outs{viewed(x, infer_size(size, x.numel(), x.shape), stride)};
}

Outs unfold_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const int64_t size = int_arg(a, 2), step = int_arg(a, 3);
  Shape out = x.shape;
  const int64_t have = x.shape.empty() ? 1 : x.shape[size_t(wrap_dim(int_arg(a, 1), rank_of(x)))];
  if (size > have) fail("maximum size for tensor at dimension is " + std::to_string(have) + " but size is " +
                        std::to_string(size));
  if (step <= 0) fail("step must be positive");
  std::vector<int64_t> strides = x.layout_strides();
  if (!out.empty()) {
    const size_t d = size_t(wrap_dim(int_arg(a, 1), rank_of(x)));
    out[d] = (have - size) / step + 1;
    strides.push_back(strides[d]);
    strides[d] *= step;
  } else {
    strides.push_back(1);
  }
  out.push_back(size);
  return Outs{viewed(x, out, strides)};
}

Outs diagonal_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const int64_t offset = int_arg(a, 1);
  const size_t d1 = size_t(wrap_dim(int_arg(a, 2), rank_of(x))), d2 = size_t(wrap_dim(int_arg(a, 3), rank_of(x)));
  if (d1 == d2) fail("diagonal dimensions cannot be identical");
  const int64_t n = offset >= 0 ? std::min(x.shape[d1], x.shape[d2] - offset)
                                : std::min(x.shape[d1] + offset, x.shape[d2]);
  const auto from = x.layout_strides();
  Shape out;
  std::vector<int64_t> strides;
  for (size_t i = 0; i < x.shape.size(); ++i)
    if (i != d1 && i != d2) {
      out.push_back(x.shape[i]);
      strides.push_back(from[i]);
    }
  out.push_back(std::max<int64_t>(n, 0));
  strides.push_back(from[d1] + from[d2]);
  return Outs{viewed(x, out, strides)};
}

}  // namespace

void register_shape_ops(OpRegistry& r) {
  // Views of the same data.
  view(r, "aten::view(Tensor(a) self, SymInt[] size) -> Tensor(a)", S, view_rule);
  view(r, "aten::view.dtype(Tensor(a) self, ScalarType dtype) -> Tensor(a)", S, view_dtype_rule);
  // reshape and flatten view when they can and copy when they cannot; view
  // itself always views (torch raises where it cannot: our strides do not
  // model every layout torch keeps, so we do not).
  view_or_copy(r, "aten::reshape(Tensor(a) self, SymInt[] shape) -> Tensor(a)", view_rule, reshape_copied);
  view(r, "aten::_reshape_alias(Tensor(a) self, SymInt[] size, SymInt[] stride) -> Tensor(a)", S, reshape_alias_rule);
  view(r, "aten::view_as(Tensor(a) self, Tensor other) -> Tensor(a)", S, view_as_rule);
  view_or_copy(r, "aten::reshape_as(Tensor(a) self, Tensor other) -> Tensor(a)", view_as_rule, reshape_copied);
  def(r, "aten::_unsafe_view(Tensor self, SymInt[] size) -> Tensor", S, dense(view_rule),
      [](const Args&, const Outs&) { return OpCost{}; });
  view_or_copy(r, "aten::flatten.using_ints(Tensor(a) self, int start_dim=0, int end_dim=-1) -> Tensor(a)",
               flatten_rule, reshape_copied);
  view(r, "aten::unflatten.int(Tensor(a) self, int dim, SymInt[] sizes) -> Tensor(a)", S, unflatten_rule);
  view(r, "aten::squeeze(Tensor(a) self) -> Tensor(a)", S, squeeze_all);
  view(r, "aten::squeeze.dim(Tensor(a) self, int dim) -> Tensor(a)", S,
       [](const Args& a) { return squeeze_dims(tensor(a, 0), {int_arg(a, 1)}); });
  view(r, "aten::squeeze.dims(Tensor(a) self, int[] dim) -> Tensor(a)", S,
       [](const Args& a) { return squeeze_dims(tensor(a, 0), ints(a, 1)); });
  view(r, "aten::unsqueeze(Tensor(a) self, int dim) -> Tensor(a)", S, unsqueeze_rule);
  // In-place metadata changes: still no data moves.
  view(r, "aten::squeeze_(Tensor(a!) self) -> Tensor(a!)", S, squeeze_all).is_inplace = true;
  view(r, "aten::squeeze_.dim(Tensor(a!) self, int dim) -> Tensor(a!)", S, [](const Args& a) {
    return squeeze_dims(tensor(a, 0), {int_arg(a, 1)});
  }).is_inplace = true;
  view(r, "aten::unsqueeze_(Tensor(a!) self, int dim) -> Tensor(a!)", S, unsqueeze_rule).is_inplace = true;
  view(r, "aten::transpose_(Tensor(a!) self, int dim0, int dim1) -> Tensor(a!)", S, transpose_rule).is_inplace = true;
  view(r, "aten::permute(Tensor(a) self, int[] dims) -> Tensor(a)", S,
       [](const Args& a) { return permute_shape(tensor(a, 0), ints(a, 1)); });
  view(r, "aten::transpose.int(Tensor(a) self, int dim0, int dim1) -> Tensor(a)", S, transpose_rule);
  view(r, "aten::swapaxes(Tensor(a) self, int axis0, int axis1) -> Tensor(a)", S, transpose_rule);
  view(r, "aten::t(Tensor(a) self) -> Tensor(a)", S, t_rule);
  view(r, "aten::numpy_T(Tensor(a) self) -> Tensor(a)", S, [](const Args& a) {
    const TensorMeta& x = tensor(a, 0);
    const auto strides = x.layout_strides();
    return Outs{viewed(x, Shape(x.shape.rbegin(), x.shape.rend()), {strides.rbegin(), strides.rend()})};
  });
  view(r, "aten::mT(Tensor(a) self) -> Tensor(a)", S, [](const Args& a) {
    if (tensor(a, 0).shape.size() < 2) fail("tensor.mT is only supported on matrices or batches of matrices");
    return transpose_shape(tensor(a, 0), -2, -1);
  });
  view(r, "aten::movedim.int(Tensor(a) self, int source, int destination) -> Tensor(a)", S,
       [](const Args& a) { return movedim_shape(tensor(a, 0), {int_arg(a, 1)}, {int_arg(a, 2)}); });
  view(r, "aten::movedim.intlist(Tensor(a) self, int[] source, int[] destination) -> Tensor(a)", S,
       [](const Args& a) { return movedim_shape(tensor(a, 0), ints(a, 1), ints(a, 2)); });
  view(r, "aten::expand(Tensor(a) self, SymInt[] size, *, bool implicit=False) -> Tensor(a)", S, [](const Args& a) {
    return Outs{expanded(tensor(a, 0), expand_shape(tensor(a, 0).shape, ints(a, 1)))};
  });
  view(r, "aten::expand_as(Tensor(a) self, Tensor other) -> Tensor(a)", S, [](const Args& a) {
    return Outs{expanded(tensor(a, 0), expand_shape(tensor(a, 0).shape, tensor(a, 1).shape))};
  });
  view(r, "aten::select.int(Tensor(a) self, int dim, SymInt index) -> Tensor(a)", S, select_rule);
  view(r, "aten::slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) -> Tensor(a)",
       S, slice_rule);
  view(r, "aten::narrow(Tensor(a) self, int dim, SymInt start, SymInt length) -> Tensor(a)", S, narrow_rule);
  view(r, "aten::unfold(Tensor(a) self, int dimension, int size, int step) -> Tensor(a)", S, unfold_rule);
  view(r, "aten::diagonal(Tensor(a) self, int offset=0, int dim1=0, int dim2=1) -> Tensor(a)", S, diagonal_rule);
  view(r, "aten::detach(Tensor(a) self) -> Tensor(a)", S, same_view).keeps_shape = true;
  view(r, "aten::alias(Tensor(a) self) -> Tensor(a)", S, same_view);
  view(r, "aten::lift_fresh(Tensor(a) self) -> Tensor(a)", S, same_view);
  // Tensor[] results: the pieces are views.
  view(r, "aten::split(Tensor(a -> *) self, int[] split_sizes, int dim=0) -> Tensor(a)[]", S, split_sizes_rule);
  view(r, "aten::split.Tensor(Tensor(a -> *) self, SymInt split_size, int dim=0) -> Tensor(a)[]", S, split_rule);
  view(r, "aten::split.sizes(Tensor(a -> *) self, SymInt[] split_size, int dim=0) -> Tensor(a)[]", S, split_sizes_rule);
  view(r, "aten::split_with_sizes(Tensor(a -> *) self, SymInt[] split_sizes, int dim=0) -> Tensor(a)[]", S,
       split_sizes_rule);
  view(r, "aten::chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]", S, chunk_rule);
  view(r, "aten::tensor_split.sections(Tensor(a -> *) self, SymInt sections, int dim=0) -> Tensor(a)[]", S,
       tensor_split_rule);
  view(r, "aten::tensor_split.indices(Tensor(a -> *) self, SymInt[] indices, int dim=0) -> Tensor(a)[]", S,
       tensor_split_indices_rule);
  view(r, "aten::unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]", S, unbind_rule);
  // The unsafe_ forms are copies.
  def(r, "aten::unsafe_chunk(Tensor self, int chunks, int dim=0) -> Tensor[]", S, dense(chunk_rule));
  def(r, "aten::unsafe_split.Tensor(Tensor self, SymInt split_size, int dim=0) -> Tensor[]", S, dense(split_rule));

  // contiguous returns its input when that is already dense in the asked
  // format, else a dense copy (any format but the default copies: channels-last
  // layouts are not tracked).
  view_or_copy(r, "aten::contiguous(Tensor(a) self, *, MemoryFormat memory_format=0) -> Tensor(a)",
               [](const Args& a) {
                 const TensorMeta& x = tensor(a, 0);
                 return x.contiguous() ? Outs{viewed(x, x.shape, x.layout_strides())} : one(x.shape, x.dtype);
               },
               [](const Args& a, const Outs&) { return !tensor(a, 0).contiguous() || int_arg(a, 1) != 0; })
      .keeps_shape = true;

  // Copies.
  def(r, "aten::clone(Tensor self, *, MemoryFormat? memory_format=None) -> Tensor", S, same_as_first).keeps_shape = true;
  def(r, "aten::repeat(Tensor self, SymInt[] repeats) -> Tensor", S, repeat_rule);
  def(r, "aten::tile(Tensor self, SymInt[] dims) -> Tensor", S, tile_rule);
  def(r, "aten::repeat_interleave.self_int(Tensor self, SymInt repeats, int? dim=None, *, SymInt? output_size=None) -> Tensor",
      S, [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        const int64_t reps = int_arg(a, 1);
        if (reps < 0) fail("repeats can not be negative");
        if (is_none(a, 2)) return one({x.numel() * reps}, x.dtype);
        Shape out = x.shape;
        if (out.empty()) return one({reps}, x.dtype);
        out[size_t(wrap_dim(int_arg(a, 2), rank_of(x)))] *= reps;
        return one(out, x.dtype);
      });
  def(r, "aten::cat(Tensor[] tensors, int dim=0) -> Tensor", S, cat_rule);
  def(r, "aten::concat(Tensor[] tensors, int dim=0) -> Tensor", S, cat_rule);
  def(r, "aten::concatenate(Tensor[] tensors, int dim=0) -> Tensor", S, cat_rule);
  def(r, "aten::stack(Tensor[] tensors, int dim=0) -> Tensor", S, stack_rule);
  def(r, "aten::flip(Tensor self, int[] dims) -> Tensor", S, [](const Args& a) {
    for (int64_t d : ints(a, 1)) wrap_dim(d, rank_of(tensor(a, 0)));
    return same_as_first(a);
  });
  def(r, "aten::roll(Tensor self, SymInt[1] shifts, int[1] dims=[]) -> Tensor", S, [](const Args& a) {
    const auto shifts = ints(a, 1), dims = ints(a, 2);
    if (!dims.empty() && dims.size() != shifts.size()) fail("shifts and dimensions must align");
    for (int64_t d : dims) wrap_dim(d, rank_of(tensor(a, 0)));
    return same_as_first(a);
  });
  def(r, "aten::tril(Tensor self, SymInt diagonal=0) -> Tensor", S, [](const Args& a) {
    if (tensor(a, 0).shape.size() < 2) fail("tril: input tensor must have at least 2 dimensions");
    return same_as_first(a);
  });
  def(r, "aten::triu(Tensor self, SymInt diagonal=0) -> Tensor", S, [](const Args& a) {
    if (tensor(a, 0).shape.size() < 2) fail("triu: input tensor must have at least 2 dimensions");
    return same_as_first(a);
  });
  // index's backward reads the indices (index_put of the gradient).
  def(r, "aten::index.Tensor(Tensor self, Tensor?[] indices) -> Tensor", S, index_rule).saves = saves_args({1});
  def(r, "aten::index.Tensor_hacked_twin(Tensor self, Tensor[] indices) -> Tensor", S, index_rule).saves =
      saves_args({1});
  def(r, "aten::index_select(Tensor self, int dim, Tensor index) -> Tensor", S, index_select_rule)
      .saves = saves_args({2});
  def(r, "aten::gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False) -> Tensor", S, gather_rule)
      .saves = saves_args({2});
  for (const char* s : {"aten::scatter.src(Tensor self, int dim, Tensor index, Tensor src) -> Tensor",
                        "aten::scatter.value(Tensor self, int dim, Tensor index, Scalar value) -> Tensor",
                        "aten::scatter.reduce(Tensor self, int dim, Tensor index, Tensor src, *, str reduce) -> Tensor",
                        "aten::scatter.value_reduce(Tensor self, int dim, Tensor index, Scalar value, *, str reduce) -> Tensor",
                        "aten::scatter_add(Tensor self, int dim, Tensor index, Tensor src) -> Tensor",
                        "aten::index_add(Tensor self, int dim, Tensor index, Tensor source, *, Scalar alpha=1) -> Tensor",
                        "aten::index_fill.int_Scalar(Tensor self, int dim, Tensor index, Scalar value) -> Tensor",
                        "aten::index_fill.int_Tensor(Tensor self, int dim, Tensor index, Tensor value) -> Tensor"})
    def(r, s, S, [](const Args& a) {
      wrap_dim(int_arg(a, 1), rank_of(tensor(a, 0)));
      return same_as_first(a);
    });
  def(r, "aten::index_put(Tensor self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor", S,
      same_as_first);
  inplace(r, "aten::index_put_(Tensor(a!) self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor(a!)",
          S, same_as_first);
  def(r, "aten::masked_select(Tensor self, Tensor mask) -> Tensor", S,
      [](const Args&) -> Outs { data_dependent(); });
  def(r, "aten::nonzero(Tensor self) -> Tensor", S, [](const Args&) -> Outs { data_dependent(); });

  // Padding: pairs from the last dim backwards; negative pads crop.
  def(r, "aten::constant_pad_nd(Tensor self, SymInt[] pad, Scalar value=0) -> Tensor", S,
      [](const Args& a) { return pad_shape(tensor(a, 0), ints(a, 1), "constant"); });
  def(r, "aten::pad(Tensor self, SymInt[] pad, str mode=\"constant\", float? value=None) -> Tensor", S,
      [](const Args& a) { return pad_shape(tensor(a, 0), ints(a, 1), str_arg(a, 2)); });
  for (const char* s : {"aten::reflection_pad1d(Tensor self, SymInt[2] padding) -> Tensor",
                        "aten::reflection_pad2d(Tensor self, SymInt[4] padding) -> Tensor",
                        "aten::reflection_pad3d(Tensor self, SymInt[6] padding) -> Tensor"})
    def(r, s, S, [](const Args& a) { return pad_shape(tensor(a, 0), ints(a, 1), "reflect"); });
  for (const char* s : {"aten::replication_pad1d(Tensor self, SymInt[2] padding) -> Tensor",
                        "aten::replication_pad2d(Tensor self, SymInt[4] padding) -> Tensor",
                        "aten::replication_pad3d(Tensor self, SymInt[6] padding) -> Tensor"})
    def(r, s, S, [](const Args& a) { return pad_shape(tensor(a, 0), ints(a, 1), "replicate"); });
  def(r, "aten::pixel_shuffle(Tensor self, int upscale_factor) -> Tensor", S, [](const Args& a) {
    const TensorMeta& x = tensor(a, 0);
    const int64_t f = int_arg(a, 1);
    if (x.shape.size() < 3 || f <= 0 || x.shape[x.shape.size() - 3] % (f * f))
      fail("pixel_shuffle expects channels of " + shape_str(x.shape) + " divisible by upscale_factor^2");
    Shape out = x.shape;
    const size_t n = out.size();
    out[n - 3] /= f * f;
    out[n - 2] *= f;
    out[n - 1] *= f;
    return one(out, x.dtype);
  });
  def(r, "aten::pixel_unshuffle(Tensor self, int downscale_factor) -> Tensor", S, [](const Args& a) {
    const TensorMeta& x = tensor(a, 0);
    const int64_t f = int_arg(a, 1);
    const size_t n = x.shape.size();
    if (n < 3 || f <= 0 || x.shape[n - 2] % f || x.shape[n - 1] % f)
      fail("pixel_unshuffle expects height and width of " + shape_str(x.shape) + " divisible by downscale_factor");
    Shape out = x.shape;
    out[n - 3] *= f * f;
    out[n - 2] /= f;
    out[n - 1] /= f;
    return one(out, x.dtype);
  });
  for (const char* s : {"aten::channel_shuffle(Tensor self, SymInt groups) -> Tensor",
                        "aten::native_channel_shuffle(Tensor self, SymInt groups) -> Tensor"})
    def(r, s, S, [](const Args& a) {
      const TensorMeta& x = tensor(a, 0);
      const int64_t g = int_arg(a, 1);
      if (x.shape.size() < 3 || g <= 0 || x.shape[1] % g)
        fail("channel_shuffle expects channels of " + shape_str(x.shape) + " divisible by groups");
      return same_as_first(a);
    });

  // dtype conversions.
  def(r, "aten::to.dtype(Tensor(a) self, ScalarType dtype, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
      S, to_dtype_at(1), to_cost(3)).keeps_shape = true;
  def(r, "aten::to.device(Tensor(a) self, Device device, ScalarType dtype, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
      S, to_dtype_at(2), to_cost(4)).keeps_shape = true;
  def(r, "aten::to.other(Tensor(a) self, Tensor other, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
      S, [](const Args& a) { return one(tensor(a, 0).shape, tensor(a, 1).dtype); }, to_cost(3)).keeps_shape = true;
  def(r, "aten::to.dtype_layout(Tensor(a) self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
      S, to_dtype_at(1), to_cost(6)).keeps_shape = true;
  def(r, "aten::to.prim_Device(Tensor(a) self, Device? device, int? dtype=None, bool non_blocking=False, bool copy=False) -> Tensor(b|a)",
      S, to_dtype_at(2), to_cost(4)).keeps_shape = true;
  def(r, "aten::to.prim_dtype(Tensor(a) self, int? dtype=None, bool non_blocking=False, bool copy=False) -> Tensor(b|a)",
      S, to_dtype_at(1), to_cost(3)).keeps_shape = true;
  def(r, "aten::to.prim_other(Tensor(a) self, bool non_blocking=False, bool copy=False) -> Tensor(b|a)", S,
      same_as_first, to_cost(2)).keeps_shape = true;
  def(r, "aten::type_as(Tensor self, Tensor other) -> Tensor", S,
      [](const Args& a) { return one(tensor(a, 0).shape, tensor(a, 1).dtype); }, convert_cost).keeps_shape = true;
}

}  // namespace ptscope::graph::rules
