// core/shape.h: the dim wrapping, broadcasting and view-size resolution every
// layer uses, with torch's rules at the edges (0-d shapes, zero sizes, a
// second -1, negative sizes).
#include <catch2/catch.hpp>

#include "core/shape.h"

using namespace ptscope;
using Problem = ResolvedShape::Problem;

TEST_CASE("wrapped_dim counts negative dims from the end, 0-d as 1-d", "[shape_utils]") {
  CHECK(wrapped_dim(0, 3) == 0);
  CHECK(wrapped_dim(2, 3) == 2);
  CHECK(wrapped_dim(-1, 3) == 2);
  CHECK(wrapped_dim(-3, 3) == 0);
  CHECK_FALSE(wrapped_dim(3, 3));
  CHECK_FALSE(wrapped_dim(-4, 3));
  CHECK(wrapped_dim(0, 0) == 0);
  CHECK(wrapped_dim(-1, 0) == 0);
  CHECK_FALSE(wrapped_dim(1, 0));
  CHECK_FALSE(wrapped_dim(-2, 0));
}

TEST_CASE("broadcast_shapes_of follows NumPy's rules", "[shape_utils]") {
  using S = std::vector<int64_t>;
  CHECK(broadcast_shapes_of(S{2, 1, 4}, S{3, 1}) == S{2, 3, 4});
  CHECK(broadcast_shapes_of(S{}, S{5}) == S{5});
  CHECK(broadcast_shapes_of(S{0, 1}, S{1, 7}) == S{0, 7});
  CHECK(broadcast_shapes_of(S{1}, S{0}) == S{0});
  CHECK_FALSE(broadcast_shapes_of(S{2, 3}, S{3, 2}));
  CHECK_FALSE(broadcast_shapes_of(S{0}, S{2}));
}

TEST_CASE("resolve_view_shape infers one -1 and reports the first problem", "[shape_utils]") {
  using S = std::vector<int64_t>;
  CHECK(resolve_view_shape(S{2, -1}, 12).shape == S{2, 6});
  CHECK(resolve_view_shape(S{-1}, 0).shape == S{0});  // empty, but the -1 is still determined
  CHECK(resolve_view_shape(S{3, 4}, 12).problem == Problem::none);
  CHECK(resolve_view_shape(S{3, 5}, 12).problem == Problem::mismatch);
  CHECK(resolve_view_shape(S{5, -1}, 12).problem == Problem::mismatch);
  CHECK(resolve_view_shape(S{0, -1}, 0).problem == Problem::mismatch);  // torch: the -1 "can be any value"
  CHECK(resolve_view_shape(S{-1, 2, -1}, 12).problem == Problem::two_inferred);
  const ResolvedShape neg = resolve_view_shape(S{2, -3}, 6);
  CHECK(neg.problem == Problem::negative_dim);
  CHECK(neg.bad_dim == -3);
  // Scanning order: the negative size comes before the second -1 here.
  CHECK(resolve_view_shape(S{-1, -2, -1}, 4).problem == Problem::negative_dim);
  CHECK(resolve_view_shape(S{}, 1).problem == Problem::none);
}
