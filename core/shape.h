// Shape arithmetic shared by the op rules (graph/), the interpreter's
// builtins and the CPU kernels: one definition each of a wrapped dim, a
// broadcast and a view's -1 resolved. They report failure as a value; each
// caller raises the error its layer words (a shape rule names the op, the
// interpreter the source line, a kernel the node).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace ptscope {

// `dim` as an index into a shape of `rank` dims, counted from the end when
// negative (-1: the last). A 0-d shape accepts 0 and -1, as torch's wrap_dim
// does. nullopt when out of range.
std::optional<int64_t> wrapped_dim(int64_t dim, int64_t rank);

// NumPy broadcasting of two shapes (trailing dims aligned, 1 stretches);
// nullopt when a pair of dims differs and neither is 1.
std::optional<std::vector<int64_t>> broadcast_shapes_of(const std::vector<int64_t>& a, const std::vector<int64_t>& b);

// A view/reshape request with its one -1 resolved against `numel` elements.
struct ResolvedShape {
  enum class Problem { none, two_inferred, negative_dim, mismatch };
  std::vector<int64_t> shape;  // the request, its -1 replaced (numel / the known product, 0 when that is 0)
  Problem problem = Problem::none;
  int64_t bad_dim = 0;         // the offending size for negative_dim
};
// Problems are reported in the order torch finds them: a second -1 or a
// negative size while scanning the dims, then a product that does not fit.
ResolvedShape resolve_view_shape(const std::vector<int64_t>& requested, int64_t numel);

// Strides, in elements, as torch lays tensors out. Shape analysis tracks them
// through views so that it knows, as torch does at run time, when a reshape
// (or a matmul's folding of batch dims) can alias its input and when it must
// copy it.

// The row-major strides of a dense tensor of `shape` (the last dim 1).
std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape);

// torch's is_contiguous(): every dim of size other than 1 has the dense
// row-major stride; a tensor with no elements is contiguous.
bool is_contiguous(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides);

// The strides of a tensor of `from_shape`/`from_strides` broadcast to `shape`
// (expand): new leading dims and stretched size-1 dims step 0.
std::vector<int64_t> expanded_strides(const std::vector<int64_t>& from_shape, const std::vector<int64_t>& from_strides,
                                      const std::vector<int64_t>& shape);

// The strides of `shape` as a view of a tensor of `from_shape` and
// `from_strides` (same element count), or nullopt when no view can express it
// and torch's reshape copies (its `view` raises). The rule of ATen's
// computeStride: each run of dims that are contiguous with each other may be
// split or merged freely; dims of different runs may not be merged.
std::optional<std::vector<int64_t>> view_strides(const std::vector<int64_t>& from_shape,
                                                 const std::vector<int64_t>& from_strides,
                                                 const std::vector<int64_t>& shape);

}  // namespace ptscope
