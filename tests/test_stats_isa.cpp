// The fused statistics passes (stats/pass1_fused.cpp, pass2_fused.cpp) on
// every ISA path this CPU runs, against the portable loops of the generic
// path: counts, extremes, histogram and pruning thresholds exactly, the sums
// to their rounding, the fake-quantization SQNR to its float bound.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>

#include "core/isa.h"
#include "core/model.h"
#include "stats/pass1_fused.h"
#include "stats/pass2_fused.h"
#include "stats/tensor_stats.h"

#include "isa_paths.h"

using namespace ptscope;
using Catch::Matchers::WithinRel;

namespace {

Tensor f32_matrix(int64_t rows, int64_t cols, const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  Tensor t;
  t.dtype = DType::float32;
  t.shape = {rows, cols};
  t.strides = contiguous_strides(t.shape);
  auto st = std::make_shared<Storage>();
  st->dtype = DType::float32;
  st->declared_bytes = bytes.size();
  st->data = Blob::from_vector(std::move(bytes));
  t.storage = st;
  return t;
}

TensorStats stats_on(Isa isa, const Tensor& t) {
  test::IsaScope scope(isa);
  StatsOptions o;
  o.compression = false;
  o.spectral = false;
  o.bins = 50;
  return compute_tensor_stats(t, o);
}

}  // namespace

TEST_CASE("fused statistics passes run on the vector paths only", "[stats][isa]") {
  for (Isa isa : test::isa_paths()) {
    INFO("isa " << isa_name(isa));
    test::IsaScope scope(isa);
    const bool vector_path = PTSCOPE_HAVE_X86_PATHS && isa != Isa::generic;
    CHECK(stats::fused_pass1_available() == vector_path);
    CHECK(stats::fused_pass2_available() == vector_path);
    // A non-finite value anywhere in a run sends it back to the careful loops.
    std::vector<float> run(100, 0.5f);
    run[37] = std::nanf("");
    stats::FusedMoments m;
    m.s1 = 42;
    CHECK_FALSE(stats::fused_pass1_run(run.data(), int64_t(run.size()), 0.0, m, nullptr, stats::KeyBrackets{}));
    CHECK(m.s1 == 42);  // untouched
  }
}

TEST_CASE("every ISA path gives the generic path's statistics of a large float32 tensor", "[stats][isa]") {
  // 300 rows of 1003: groups of 128 with a partial one and a tail shorter than
  // a vector of either width; many exact ties (pruning keys), exact zeros,
  // values that flush to zero in fp16, and one row on another scale.
  const int64_t rows = 300, cols = 1003;
  std::mt19937 gen(17);
  std::normal_distribution<float> nd(0.0f, 0.02f);
  std::vector<float> w(size_t(rows * cols));
  for (auto& x : w) x = std::round(nd(gen) * 8192.0f) / 8192.0f;
  for (int64_t c = 0; c < cols; ++c) w[size_t(7 * cols + c)] *= 300.0f;
  w[11] = 1e-9f;       // flushes to zero in half
  w[6001] = -3.1e-8f;  // rounds to -2^-24 in half
  const Tensor t = f32_matrix(rows, cols, w);

  const TensorStats want = stats_on(Isa::generic, t);
  REQUIRE(want.computed);
  REQUIRE(want.quant.fp16_flush_to_zero >= 1);
  for (Isa isa : test::isa_paths()) {
    INFO("isa " << isa_name(isa));
    const TensorStats got = stats_on(isa, t);
    REQUIRE(got.computed);
    // Exact: counts and extremes.
    for (auto count : {&TensorStats::count, &TensorStats::zeros, &TensorStats::near_zero})
      CHECK(got.*count == want.*count);
    for (auto extreme : {&TensorStats::min, &TensorStats::max, &TensorStats::absmax})
      CHECK(got.*extreme == want.*extreme);
    CHECK(got.histogram.counts == want.histogram.counts);
    CHECK(got.passes == want.passes);
    // Sums in double, in another order.
    CHECK(std::fabs(got.mean - want.mean) <= 1e-12 * want.rms);
    CHECK_THAT(got.std, WithinRel(want.std, 1e-12));
    CHECK_THAT(got.l1, WithinRel(want.l1, 1e-12));
    CHECK_THAT(got.l2, WithinRel(want.l2, 1e-12));
    CHECK(std::fabs(got.skewness - want.skewness) <= 1e-9);
    CHECK_THAT(got.kurtosis, WithinRel(want.kurtosis, 1e-10));
    // Fake quantization in float (within 1e-3 dB of the double reference on
    // each side); round trips are exact differences.
    const QuantStats& q = got.quant;
    CHECK(std::fabs(q.sqnr_int8_tensor_db - want.quant.sqnr_int8_tensor_db) < 2e-3);
    CHECK(std::fabs(q.sqnr_int8_channel_db - want.quant.sqnr_int8_channel_db) < 2e-3);
    CHECK(std::fabs(q.sqnr_int4_tensor_db - want.quant.sqnr_int4_tensor_db) < 2e-3);
    CHECK(std::fabs(q.sqnr_int4_channel_db - want.quant.sqnr_int4_channel_db) < 2e-3);
    CHECK(std::fabs(q.sqnr_int4_group_db - want.quant.sqnr_int4_group_db) < 2e-3);
    CHECK_THAT(q.sqnr_fp16_db, WithinRel(want.quant.sqnr_fp16_db, 1e-6));
    CHECK_THAT(q.sqnr_bf16_db, WithinRel(want.quant.sqnr_bf16_db, 1e-6));
    CHECK(q.fp16_overflow == want.quant.fp16_overflow);
    CHECK(q.fp16_flush_to_zero == want.quant.fp16_flush_to_zero);
    for (size_t k = 0; k < 3; ++k) {
      CHECK(got.prune.below_k_sigma[k] == want.prune.below_k_sigma[k]);
      CHECK(got.prune.magnitude_threshold[k] == want.prune.magnitude_threshold[k]);
      CHECK_THAT(got.prune.energy_kept[k], WithinRel(want.prune.energy_kept[k], 1e-12));
    }
  }

  // A value that overflows in fp16 (counted, and the fp16 SQNR is -inf).
  std::vector<float> o(w.begin(), w.begin() + 4 * cols);
  o[size_t(2 * cols + 500)] = 70000.0f;
  const Tensor to = f32_matrix(4, cols, o);
  for (Isa isa : test::isa_paths()) {
    INFO("isa " << isa_name(isa));
    const TensorStats got = stats_on(isa, to);
    CHECK(got.quant.fp16_overflow == 1);
    CHECK(std::isinf(got.quant.sqnr_fp16_db));
    CHECK(got.quant.sqnr_fp16_db < 0);
  }
}
