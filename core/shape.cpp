#include "core/shape.h"

#include <algorithm>

namespace ptscope {

std::optional<int64_t> wrapped_dim(int64_t dim, int64_t rank) {
  const int64_t r = std::max<int64_t>(rank, 1);  // a 0-d tensor accepts dims 0 and -1
  if (dim < -r || dim >= r) return std::nullopt;
  return dim < 0 ? dim + r : dim;
}

std::optional<std::vector<int64_t>> broadcast_shapes_of(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  const size_t n = std::max(a.size(), b.size());
  std::vector<int64_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t x = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t y = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (x != y && x != 1 && y != 1) return std::nullopt;
    out[i] = x == 1 ? y : x;
  }
  return out;
}

ResolvedShape resolve_view_shape(const std::vector<int64_t>& requested, int64_t numel) {
  ResolvedShape r;
  r.shape = requested;
  int64_t known = 1;
  std::optional<size_t> infer;
  for (size_t i = 0; i < requested.size(); ++i) {
    if (requested[i] == -1) {
      if (infer) {
        r.problem = ResolvedShape::Problem::two_inferred;
        return r;
      }
      infer = i;
    } else if (requested[i] < 0) {
      r.problem = ResolvedShape::Problem::negative_dim;
      r.bad_dim = requested[i];
      return r;
    } else {
      known *= requested[i];
    }
  }
  if (infer) {
    r.shape[*infer] = known ? numel / known : 0;
    if (known == 0 || numel % known) r.problem = ResolvedShape::Problem::mismatch;
  } else if (known != numel) {
    r.problem = ResolvedShape::Problem::mismatch;
  }
  return r;
}

std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t step = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = step;
    step *= std::max<int64_t>(shape[i], 1);
  }
  return strides;
}

bool is_contiguous(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  if (strides.size() != shape.size()) return false;
  for (int64_t d : shape)
    if (d == 0) return true;
  int64_t expected = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 1) continue;
    if (strides[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

std::vector<int64_t> expanded_strides(const std::vector<int64_t>& from_shape, const std::vector<int64_t>& from_strides,
                                      const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size(), 0);
  if (shape.size() < from_shape.size() || from_strides.size() != from_shape.size()) return strides;
  const size_t lead = shape.size() - from_shape.size();
  for (size_t i = lead; i < shape.size(); ++i)
    strides[i] = from_shape[i - lead] == shape[i] ? from_strides[i - lead] : 0;
  return strides;
}

std::optional<std::vector<int64_t>> view_strides(const std::vector<int64_t>& from_shape,
                                                 const std::vector<int64_t>& from_strides,
                                                 const std::vector<int64_t>& shape) {
  if (from_strides.size() != from_shape.size()) return std::nullopt;
  if (from_shape.empty()) return std::vector<int64_t>(shape.size(), 1);
  int64_t numel = 1;
  for (int64_t d : from_shape) numel *= d;
  if (numel == 0) {
    if (from_shape == shape) return from_strides;
    return contiguous_strides(shape);
  }
  std::vector<int64_t> out(shape.size());
  // Walk both shapes from the innermost dim. A "chunk" is a run of input dims
  // laid out contiguously with each other; the output dims that cover exactly
  // that many elements take strides inside the chunk.
  int64_t out_dim = int64_t(shape.size()) - 1;
  int64_t chunk_stride = from_strides.back();
  int64_t chunk_numel = 1, covered = 1;
  for (int64_t d = int64_t(from_shape.size()) - 1; d >= 0; --d) {
    chunk_numel *= from_shape[size_t(d)];
    const bool chunk_ends = d == 0 || (from_shape[size_t(d - 1)] != 1 &&
                                       from_strides[size_t(d - 1)] != chunk_numel * chunk_stride);
    if (!chunk_ends) continue;
    while (out_dim >= 0 && (covered < chunk_numel || shape[size_t(out_dim)] == 1)) {
      out[size_t(out_dim)] = covered * chunk_stride;
      covered *= shape[size_t(out_dim)];
      --out_dim;
    }
    if (covered != chunk_numel) return std::nullopt;
    if (d > 0) {
      chunk_stride = from_strides[size_t(d - 1)];
      chunk_numel = 1;
      covered = 1;
    }
  }
  if (out_dim != -1) return std::nullopt;
  return out;
}

}  // namespace ptscope
