// The depthwise kernel against a double-precision loop on the shapes its
// tiling makes interesting: planes wider than one 4-vector group (several
// column groups, a ragged last vector), heights that are not a multiple of
// the 4-row tile, stride-2 rows wider than 32 columns (the vector
// deinterleave with masked edges), zero and large padding, batches, bias.
// The torch goldens (test_cpu_kernels.cpp) cover the small shapes. Every
// ISA path this CPU runs is checked (each has its own tile).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "isa_paths.h"
#include "kernels/cpu/conv_depthwise.h"
#include "kernels/cpu/parallel.h"

using namespace ptscope::kernels;

namespace {

float value(uint64_t i) {
  i = (i ^ (i >> 29)) * 0xBF58476D1CE4E5B9ull;
  return float((i >> 40) % 2001) / 1000.f - 1.f;
}

double worst_error(const DepthwiseShape& s, bool with_bias) {
  std::vector<float> x(size_t(s.n * s.c * s.h * s.w)), w(size_t(s.c * s.k * s.k)), b(size_t(s.c));
  for (size_t i = 0; i < x.size(); ++i) x[i] = value(i);
  for (size_t i = 0; i < w.size(); ++i) w[i] = value(7000003 + i);
  for (size_t i = 0; i < b.size(); ++i) b[i] = value(9000011 + i);
  std::vector<float> y(size_t(s.n * s.c * s.oh * s.ow), 123.f);
  REQUIRE(conv_depthwise(x.data(), w.data(), with_bias ? b.data() : nullptr, y.data(), s));
  double worst = 0;
  for (int64_t img = 0; img < s.n; ++img)
    for (int64_t c = 0; c < s.c; ++c)
      for (int64_t oy = 0; oy < s.oh; ++oy)
        for (int64_t ox = 0; ox < s.ow; ++ox) {
          double ref = with_bias ? b[size_t(c)] : 0.0;
          for (int64_t ki = 0; ki < s.k; ++ki)
            for (int64_t kj = 0; kj < s.k; ++kj) {
              const int64_t iy = oy * s.stride - s.pad_top + ki, ix = ox * s.stride - s.pad_left + kj;
              if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
              ref += double(x[size_t(((img * s.c + c) * s.h + iy) * s.w + ix)]) * double(w[size_t((c * s.k + ki) * s.k + kj)]);
            }
          const double got = y[size_t(((img * s.c + c) * s.oh + oy) * s.ow + ox)];
          worst = std::max(worst, std::abs(got - ref));
        }
  return worst;
}

DepthwiseShape shape(int64_t n, int64_t c, int64_t h, int64_t w, int64_t k, int64_t stride, int64_t pad) {
  DepthwiseShape s;
  s.n = n, s.c = c, s.h = h, s.w = w, s.k = k, s.stride = stride, s.pad_top = s.pad_left = pad;
  s.oh = (h + 2 * pad - k) / stride + 1;
  s.ow = (w + 2 * pad - k) / stride + 1;
  return s;
}

}  // namespace

TEST_CASE("depthwise convolution matches a reference loop", "[kernels][conv]") {
  const int threads = GENERATE(1, 2);
  const ptscope::Isa isa = GENERATE(from_range(ptscope::test::isa_paths()));
  ptscope::test::IsaScope isa_scope(isa);
  set_num_threads(threads);
  force_parallel_for_testing(threads > 1);
  const std::vector<DepthwiseShape> shapes = {
      shape(1, 3, 13, 70, 3, 1, 1),   // 70 columns: a 4-vector group, then a ragged 1-vector group
      shape(2, 2, 9, 113, 3, 2, 1),   // stride 2, 57 output columns, interior and masked-edge deinterleave
      shape(1, 2, 22, 40, 5, 1, 2),   // 5x5, 40 columns (3 vectors)
      shape(1, 2, 30, 67, 5, 2, 2),   // 5x5 stride 2
      shape(1, 2, 11, 52, 7, 1, 3),   // 7x7, height not a multiple of the row tile
      shape(1, 2, 15, 99, 7, 2, 3),   // 7x7 stride 2
      shape(1, 3, 8, 8, 3, 1, 0),     // no padding
      shape(1, 1, 5, 6, 3, 2, 2),     // padding wider than the step
      shape(1, 1, 1, 1, 3, 1, 1),     // one pixel
  };
  for (const auto& s : shapes)
    for (bool bias : {false, true}) {
      INFO("n=" << s.n << " c=" << s.c << " h=" << s.h << " w=" << s.w << " k=" << s.k << " stride=" << s.stride
                << " pad=" << s.pad_top << " bias=" << bias << " threads=" << threads
                << " isa=" << ptscope::isa_name(isa));
      CHECK(worst_error(s, bias) < 1e-4);
    }
  force_parallel_for_testing(false);
  set_num_threads(1);
}

TEST_CASE("depthwise kernel declines shapes it does not cover", "[kernels][conv]") {
  std::vector<float> x(64, 1.f), w(16, 1.f), y(64, 5.f);
  DepthwiseShape s = shape(1, 1, 8, 8, 4, 1, 0);  // even kernel
  CHECK_FALSE(conv_depthwise(x.data(), w.data(), nullptr, y.data(), s));
  s = shape(1, 1, 8, 8, 3, 3, 0);  // stride 3
  CHECK_FALSE(conv_depthwise(x.data(), w.data(), nullptr, y.data(), s));
  CHECK(y[0] == 5.f);  // untouched
}
