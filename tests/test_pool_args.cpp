// graph/pool_args.h: the pooling arguments bind the same from the graph's
// ArgValues (shape rules) and from a KernelCall (every backend), and its
// window arithmetic gives what torch.nn.functional gives (values from
// PyTorch 2.x, noted next to each case).
#include <catch2/catch.hpp>

#include <numeric>
#include <vector>

#include "core/error.h"
#include "graph/op_rules.h"
#include "graph/pool_args.h"
#include "kernels/kernel_call.h"

using namespace ptscope;
using graph::PoolArgs;
using graph::PoolKind;
using Ints = std::vector<int64_t>;

namespace {

// The same arguments as the shape rule and as a kernel see them (self is not read).
struct BothSources {
  graph::rules::Args graph_args;
  kernels::KernelCall call;
};

template <class... A>
BothSources sources(A... a) {
  BothSources s;
  s.graph_args = {graph::TensorMeta{}, graph::ArgValue(a)...};
  s.call.args = {kernels::CpuTensor{}, kernels::KernelArg(a)...};
  return s;
}

// Binds from both sources, checks they agree, and returns the binding.
PoolArgs bind_both(const BothSources& s, PoolKind kind, size_t spatial) {
  const PoolArgs g = graph::bind_pool_args(graph::rules::ArgReader{s.graph_args}, kind, spatial);
  const PoolArgs k = graph::bind_pool_args(s.call, kind, spatial);
  CHECK(g.kernel == k.kernel);
  CHECK(g.stride == k.stride);
  CHECK(g.padding == k.padding);
  CHECK(g.dilation == k.dilation);
  CHECK(g.ceil_mode == k.ceil_mode);
  CHECK(g.count_include_pad == k.count_include_pad);
  CHECK(g.divisor_override == k.divisor_override);
  CHECK(g.output_size == k.output_size);
  return g;
}

// Average pooling of a [1, in] row through the shared window helpers.
std::vector<float> avg_pool_row(const std::vector<float>& x, const PoolArgs& a, int64_t out) {
  const std::optional<graph::PoolGeometry> g = graph::pool_geometry({1, int64_t(x.size())}, {1, out}, a);
  REQUIRE(g);
  std::vector<float> y;
  for (int64_t o = 0; o < out; ++o) {
    const graph::AvgWindow h = graph::avg_window(0, g->h, g->kh, g->sh, g->ph);
    const graph::AvgWindow w = graph::avg_window(o, g->w, g->kw, g->sw, g->pw);
    const float s = graph::window_sum(x.data(), g->w, h.begin, h.end, w.begin, w.end);
    y.push_back(s / float(graph::avg_divisor(*g, h, w)));
  }
  return y;
}

}  // namespace

TEST_CASE("pool args: max pooling binds alike from the graph and a kernel call", "[pool_args]") {
  // max_pool2d(x, kernel_size=3, stride=[], padding=1, dilation=[1, 2], ceil_mode=True)
  const PoolArgs a = bind_both(sources(Ints{3}, Ints{}, Ints{1}, Ints{1, 2}, true), PoolKind::max, 2);
  CHECK(a.spatial == 2);
  CHECK(a.kernel == Ints{3, 3});  // a single value repeats
  CHECK(a.stride == Ints{3, 3});  // an empty stride is the kernel
  CHECK(a.padding == Ints{1, 1});
  CHECK(a.dilation == Ints{1, 2});
  CHECK(a.ceil_mode);
  CHECK(!a.divisor_override);
}

TEST_CASE("pool args: average pooling reads count_include_pad and divisor_override", "[pool_args]") {
  // avg_pool2d(x, [2, 2], [1, 2], 0, ceil_mode=False, count_include_pad=False, divisor_override=3)
  const PoolArgs a2 =
      bind_both(sources(Ints{2, 2}, Ints{1, 2}, Ints{0}, false, false, int64_t(3)), PoolKind::avg, 2);
  CHECK(a2.stride == Ints{1, 2});
  CHECK(a2.dilation == Ints{1, 1});  // average pooling has none
  CHECK(!a2.count_include_pad);
  CHECK(a2.divisor_override == 3);
  // avg_pool1d has no divisor_override argument; avg_pool2d's may be None.
  const PoolArgs a1 = bind_both(sources(Ints{3}, Ints{2}, Ints{1}, false, true), PoolKind::avg, 1);
  CHECK(a1.count_include_pad);
  CHECK(!a1.divisor_override);
  const PoolArgs none =
      bind_both(sources(Ints{2}, Ints{}, Ints{0}, false, true, graph::NoneArg{}), PoolKind::avg, 2);
  CHECK(!none.divisor_override);
}

TEST_CASE("pool args: adaptive pooling binds its output size only", "[pool_args]") {
  const PoolArgs a = bind_both(sources(Ints{7}), PoolKind::adaptive, 2);
  CHECK(a.output_size == Ints{7, 7});
  CHECK(a.kernel.empty());
}

TEST_CASE("pool args: a list of the wrong length is an error from either source", "[pool_args]") {
  const BothSources s = sources(Ints{2, 2, 2}, Ints{}, Ints{0}, Ints{1}, false);
  CHECK_THROWS_WITH(graph::bind_pool_args(graph::rules::ArgReader{s.graph_args}, PoolKind::max, 2),
                    Catch::Contains("kernel_size must have 2 entries"));
  CHECK_THROWS_AS(graph::bind_pool_args(s.call, PoolKind::max, 2), Error);
}

TEST_CASE("pool geometry: planes and windows from the shapes, or nothing when they do not fit", "[pool_args]") {
  const PoolArgs a = bind_both(sources(Ints{3, 2}, Ints{2, 1}, Ints{1, 0}, Ints{1}, false), PoolKind::max, 2);
  const auto g = graph::pool_geometry({2, 3, 5, 7}, {2, 3, 3, 6}, a);
  REQUIRE(g);
  CHECK(g->planes == 6);
  CHECK((g->h == 5 && g->w == 7 && g->oh == 3 && g->ow == 6));
  CHECK((g->kh == 3 && g->kw == 2 && g->sh == 2 && g->sw == 1 && g->ph == 1 && g->pw == 0));
  // The output must hold planes * oh * ow elements and have the input's rank.
  CHECK(!graph::pool_geometry({2, 3, 5, 7}, {2, 4, 3, 6}, a));
  CHECK(!graph::pool_geometry({2, 3, 5, 7}, {6, 3, 6}, a));
  CHECK(!graph::pool_geometry({7}, {6}, a));  // no plane dim
  // 1-D pooling runs as H = 1.
  const PoolArgs a1 = bind_both(sources(Ints{2}, Ints{}, Ints{0}, Ints{1}, false), PoolKind::max, 1);
  const auto g1 = graph::pool_geometry({4, 10}, {4, 5}, a1);
  REQUIRE(g1);
  CHECK((g1->planes == 4 && g1->h == 1 && g1->oh == 1 && g1->kh == 1 && g1->kw == 2 && g1->sw == 2));
}

TEST_CASE("pool windows: average and adaptive windows as torch computes them", "[pool_args]") {
  const std::vector<float> ones(5, 1.0f);
  // F.avg_pool1d(ones(1, 1, 5), 3, 2, padding=1, count_include_pad=True) = [2/3, 1, 2/3]
  const PoolArgs with_pad = bind_both(sources(Ints{3}, Ints{2}, Ints{1}, false, true), PoolKind::avg, 1);
  const std::vector<float> y = avg_pool_row(ones, with_pad, 3);
  CHECK_THAT(y[0], Catch::Matchers::WithinRel(2.0f / 3.0f, 1e-6f));
  CHECK(y[1] == 1.0f);
  CHECK_THAT(y[2], Catch::Matchers::WithinRel(2.0f / 3.0f, 1e-6f));
  // ... count_include_pad=False = [1, 1, 1]
  const PoolArgs no_pad = bind_both(sources(Ints{3}, Ints{2}, Ints{1}, false, false), PoolKind::avg, 1);
  CHECK(avg_pool_row(ones, no_pad, 3) == std::vector<float>{1, 1, 1});
  // F.avg_pool2d(arange(35).view(1, 1, 5, 7), 3, 2, padding=1, divisor_override=2)[0, 0, 0, 0] = 8
  std::vector<float> plane(35);
  std::iota(plane.begin(), plane.end(), 0.0f);
  const PoolArgs a2 = bind_both(sources(Ints{3}, Ints{2}, Ints{1}, false, true, int64_t(2)), PoolKind::avg, 2);
  const auto g2 = graph::pool_geometry({1, 1, 5, 7}, {1, 1, 3, 4}, a2);
  REQUIRE(g2);
  const graph::AvgWindow h = graph::avg_window(0, g2->h, g2->kh, g2->sh, g2->ph);
  const graph::AvgWindow w = graph::avg_window(0, g2->w, g2->kw, g2->sw, g2->pw);
  CHECK(graph::window_sum(plane.data(), g2->w, h.begin, h.end, w.begin, w.end) / float(graph::avg_divisor(*g2, h, w)) ==
        8.0f);
  // F.adaptive_avg_pool1d(arange(5.), 3) = [0.5, 2, 3.5]: windows [0, 2), [1, 4), [3, 5).
  const int64_t begins[] = {0, 1, 3}, ends[] = {2, 4, 5};
  for (int64_t o = 0; o < 3; ++o) {
    CHECK(graph::adaptive_begin(o, 5, 3) == begins[o]);
    CHECK(graph::adaptive_end(o, 5, 3) == ends[o]);
  }
}
