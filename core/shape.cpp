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

}  // namespace ptscope
