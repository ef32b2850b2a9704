// Statistics on hand-made tensors whose answers are known in closed form.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/model.h"
#include "stats/compressibility.h"
#include "stats/model_stats.h"
#include "stats/quant_sensitivity.h"
#include "stats/spectral.h"
#include "stats/stats_json.h"
#include "stats/tensor_stats.h"

using namespace ptscope;
using Catch::Matchers::WithinRel;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

template <class S> Tensor make_tensor(DType dtype, std::vector<int64_t> shape, const std::vector<S>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(S));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());  // never memcpy from null
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.strides = contiguous_strides(t.shape);
  auto st = std::make_shared<Storage>();
  st->dtype = dtype;
  st->declared_bytes = bytes.size();
  st->data = Blob::from_vector(std::move(bytes));
  t.storage = st;
  return t;
}

Tensor f32(std::vector<int64_t> shape, const std::vector<float>& v) { return make_tensor(DType::float32, shape, v); }

StatsOptions quick() {
  StatsOptions o;
  o.compression = false;
  return o;
}

double sqnr_of(double signal, double error) { return 10 * std::log10(signal / error); }

uint16_t to_half_bits(float f) {  // exact for the values used below
  const uint32_t b = std::bit_cast<uint32_t>(f);
  const uint32_t sign = (b >> 16) & 0x8000u;
  const int exp = int((b >> 23) & 0xff) - 127 + 15;
  return uint16_t(sign | uint32_t(exp) << 10 | ((b >> 13) & 0x3ffu));
}

}  // namespace

TEST_CASE("constant tensor", "[stats]") {
  const Tensor t = f32({1000}, std::vector<float>(1000, 2.5f));
  const TensorStats s = compute_tensor_stats(t, quick());
  REQUIRE(s.computed);
  CHECK(s.count == 1000);
  CHECK(s.mean == 2.5);
  CHECK(s.std == 0.0);
  CHECK(s.std_unbiased == 0.0);
  CHECK(s.min == 2.5);
  CHECK(s.max == 2.5);
  CHECK(s.l1 == 2500.0);
  CHECK_THAT(s.l2, WithinRel(2.5 * std::sqrt(1000.0), 1e-15));
  CHECK(std::isnan(s.skewness));
  CHECK(std::isnan(s.kurtosis));
  // numpy widens a zero range to [v - 0.5, v + 0.5]: 2.5 is edge 32 of 64.
  REQUIRE(s.histogram.counts.size() == 64);
  CHECK(s.histogram.counts[32] == 1000);
  CHECK(s.histogram.lo == 2.0);
  CHECK(s.histogram.hi == 3.0);
  CHECK(s.histogram.entropy_bits == 0.0);
  CHECK(s.quant.sqnr_int8_tensor_db > 100);
  CHECK(std::isinf(s.quant.sqnr_fp16_db));
  CHECK(std::isinf(s.quant.sqnr_bf16_db));
  // All magnitudes tie: pruning half of them keeps half of the energy.
  CHECK_THAT(s.prune.energy_kept[0], WithinRel(0.5, 1e-15));
  CHECK_THAT(s.prune.energy_kept[2], WithinRel(0.1, 1e-14));
  CHECK(s.prune.magnitude_threshold[0] == 2.5);
  CHECK(s.spectral.method == "none");  // 1-D
  CHECK(s.passes == 2);
}

TEST_CASE("one-hot tensor", "[stats]") {
  std::vector<float> v(100, 0.0f);
  v[37] = 1.0f;
  const TensorStats s = compute_tensor_stats(f32({10, 10}, v), quick());
  const double p = 0.01;
  CHECK_THAT(s.mean, WithinRel(0.01, 1e-15));
  CHECK_THAT(s.std, WithinRel(std::sqrt(p * (1 - p)), 1e-14));
  CHECK_THAT(s.std_unbiased, WithinRel(std::sqrt(p * (1 - p) * 100 / 99), 1e-14));
  CHECK_THAT(s.skewness, WithinRel((1 - 2 * p) / std::sqrt(p * (1 - p)), 1e-12));
  CHECK_THAT(s.kurtosis, WithinRel((1 - 6 * p * (1 - p)) / (p * (1 - p)), 1e-12));
  CHECK(s.zeros == 99);
  CHECK(s.sparsity == 0.99);
  CHECK(s.near_zero == 99);
  CHECK(s.l1 == 1.0);
  CHECK(s.l2 == 1.0);
  CHECK(s.linf == 1.0);
  CHECK(s.histogram.counts.front() == 99);
  CHECK(s.histogram.counts.back() == 1);
  CHECK(s.spectral.method == "svd");
  CHECK_THAT(s.spectral.sigma_max, WithinRel(1.0, 1e-12));
  CHECK_THAT(s.spectral.stable_rank, WithinRel(1.0, 1e-12));
  CHECK(s.prune.channels == 10);
  CHECK(s.prune.dead_channels == 9);
  CHECK(s.prune.energy_kept[2] == 1.0);  // only zeros are pruned at 90%
  CHECK(s.prune.magnitude_threshold[2] == 0.0);
}

TEST_CASE("all-zero tensor", "[stats]") {
  const TensorStats s = compute_tensor_stats(f32({4, 8}, std::vector<float>(32, 0.0f)), quick());
  CHECK(s.mean == 0.0);
  CHECK(s.std == 0.0);
  CHECK(s.zeros == 32);
  CHECK(s.sparsity == 1.0);
  CHECK(s.near_zero == 32);
  CHECK(std::isnan(s.skewness));
  CHECK(s.histogram.counts[32] == 32);
  CHECK(std::isinf(s.quant.sqnr_int8_tensor_db));  // zero error: lossless
  CHECK(std::isinf(s.quant.sqnr_int4_group_db));
  CHECK(std::isnan(s.prune.energy_kept[0]));     // 0/0
  CHECK(std::isnan(s.quant.outlier_ratio));
  CHECK(s.spectral.sigma_max == 0.0);
  CHECK(std::isnan(s.spectral.stable_rank));
  CHECK(s.prune.dead_channels == 4);
}

TEST_CASE("NaN and infinities are counted and left out", "[stats]") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const TensorStats s = compute_tensor_stats(f32({6}, {1.0f, nan, 3.0f, inf, -inf, 2.0f}), quick());
  CHECK(s.numel == 6);
  CHECK(s.count == 3);
  CHECK(s.nan_count == 1);
  CHECK(s.posinf_count == 1);
  CHECK(s.neginf_count == 1);
  CHECK(s.mean == 2.0);
  CHECK_THAT(s.std, WithinRel(std::sqrt(2.0 / 3.0), 1e-15));
  CHECK(s.min == 1.0);
  CHECK(s.max == 3.0);
  CHECK(s.l1 == 6.0);
  CHECK(s.near_zero == 0);
  int64_t total = 0;
  for (int64_t c : s.histogram.counts) total += c;
  CHECK(total == 3);
  CHECK(s.histogram.counts.front() == 1);
  CHECK(s.histogram.counts[32] == 1);
  CHECK(s.histogram.counts.back() == 1);
  CHECK(std::isfinite(s.quant.sqnr_int8_tensor_db));
  // n = 3: round(1.5) = 2 pruned (half to even), so 1 and 2 go: (9) / 14 kept.
  CHECK_THAT(s.prune.energy_kept[0], WithinRel(9.0 / 14.0, 1e-15));
  CHECK(s.prune.below_k_sigma[2] == 1.0 / 3);  // 2σ = 1.63

  std::vector<float> m(64, 1.0f);
  m[5] = nan;
  const TensorStats s2 = compute_tensor_stats(f32({8, 8}, m), quick());
  CHECK(s2.spectral.method == "none");  // needs every value finite
  CHECK(s2.count == 63);
  CHECK(s2.histogram.counts[32] == 63);
}

TEST_CASE("half, bfloat16 and float8 are decoded exactly", "[stats]") {
  const std::vector<float> values = {1.0f, -2.0f, 0.5f, 65504.0f, 0.25f, -0.125f};
  std::vector<uint16_t> half, bf16;
  double sum = 0, bf16_sum = 0;
  for (float v : values) {
    half.push_back(to_half_bits(v));
    bf16.push_back(uint16_t(std::bit_cast<uint32_t>(v) >> 16));  // truncation: 65504 → 65280
    sum += v;
    bf16_sum += std::bit_cast<float>(uint32_t(bf16.back()) << 16);
  }
  half.push_back(0x0001);  // smallest half subnormal: 2^-24
  const TensorStats h = compute_tensor_stats(make_tensor(DType::float16, {7}, half), quick());
  CHECK(h.max == 65504.0);
  CHECK(h.min == -2.0);
  CHECK_THAT(h.mean, WithinRel((sum + std::ldexp(1.0, -24)) / 7, 1e-15));
  CHECK(std::isinf(h.quant.sqnr_fp16_db));  // already half: the round trip is exact
  const TensorStats b = compute_tensor_stats(make_tensor(DType::bfloat16, {6}, bf16), quick());
  CHECK_THAT(b.mean, WithinRel(bf16_sum / 6, 1e-15));
  CHECK(b.max == 65280.0);
  CHECK(std::isinf(b.quant.sqnr_bf16_db));

  // float8 e4m3fn: 0x38 = 1.0, 0x40 = 2.0, 0xb8 = -1.0, 0x7e = 448, 0x01 = 2^-9.
  const std::vector<uint8_t> f8 = {0x38, 0x40, 0xb8, 0x7e, 0x01};
  const TensorStats e = compute_tensor_stats(make_tensor(DType::float8_e4m3fn, {5}, f8), quick());
  CHECK(e.max == 448.0);
  CHECK(e.min == -1.0);
  CHECK(e.l1 == 1.0 + 2.0 + 1.0 + 448.0 + std::ldexp(1.0, -9));
  CHECK(e.quant.recommended_format == "keep");  // already 8-bit
}

TEST_CASE("quantized tensors are dequantized with their scale and zero point", "[stats]") {
  Tensor q = make_tensor(DType::qint8, {4}, std::vector<int8_t>{3, 13, -7, 3});
  q.quant.scheme = QScheme::per_tensor_affine;
  q.quant.scale = 0.1;
  q.quant.zero_point = 3;
  const TensorStats s = compute_tensor_stats(q, quick());
  // (q - 3) * 0.1 = 0, 1, -1, 0
  CHECK(s.zeros == 2);
  CHECK_THAT(s.max, WithinRel(1.0, 1e-15));
  CHECK_THAT(s.min, WithinRel(-1.0, 1e-15));
  CHECK(s.mean == 0.0);

  // Per channel along axis 1 of a 2x3 quint8 tensor.
  Tensor pc = make_tensor(DType::quint8, {2, 3}, std::vector<uint8_t>{10, 20, 30, 11, 22, 33});
  pc.quant.scheme = QScheme::per_channel_affine;
  pc.quant.axis = 1;
  pc.quant.scales = std::make_shared<Tensor>(make_tensor(DType::float64, {3}, std::vector<double>{0.5, 0.25, 2.0}));
  pc.quant.zero_points = std::make_shared<Tensor>(make_tensor(DType::int64, {3}, std::vector<int64_t>{10, 20, 30}));
  const TensorStats c = compute_tensor_stats(pc, quick());
  // (10-10)*.5=0, 0, 0, (11-10)*.5=0.5, (22-20)*.25=0.5, (33-30)*2=6
  CHECK(c.zeros == 3);
  CHECK(c.max == 6.0);
  CHECK(c.l1 == 7.0);
  CHECK(c.dtype == "quint8");
}

TEST_CASE("non-contiguous views read in logical order", "[stats]") {
  std::vector<float> v(12);
  for (int i = 0; i < 12; ++i) v[size_t(i)] = float(i * i % 7) - 2.5f;
  Tensor base = f32({3, 4}, v);
  Tensor view = base;  // the transpose: shape [4, 3], strides [1, 4]
  view.shape = {4, 3};
  view.strides = {1, 4};
  std::vector<float> copy;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 3; ++c) copy.push_back(v[size_t(c * 4 + r)]);
  const TensorStats a = compute_tensor_stats(view, quick());
  const TensorStats b = compute_tensor_stats(f32({4, 3}, copy), quick());
  CHECK_FALSE(a.hardware.contiguous);
  CHECK(a.mean == b.mean);
  CHECK(a.histogram.counts == b.histogram.counts);
  CHECK(a.quant.sqnr_int8_channel_db == b.quant.sqnr_int8_channel_db);
  CHECK(a.quant.sqnr_int4_group_db == b.quant.sqnr_int4_group_db);
  CHECK_THAT(a.spectral.sigma_max, WithinRel(b.spectral.sigma_max, 1e-12));
  // A view with a storage offset.
  Tensor row = base;
  row.shape = {4};
  row.strides = {1};
  row.storage_offset = 8;
  const TensorStats r = compute_tensor_stats(row, quick());
  CHECK(r.max == double(std::max({v[8], v[9], v[10], v[11]})));
}

TEST_CASE("spectral norm: exact methods and Lanczos agree with known answers", "[stats][spectral]") {
  // diag(3, 2, 1): the full SVD path.
  const TensorStats d = compute_tensor_stats(f32({3, 3}, {3, 0, 0, 0, 2, 0, 0, 0, 1}), quick());
  CHECK(d.spectral.method == "svd");
  CHECK_THAT(d.spectral.sigma_max, WithinRel(3.0, 1e-14));
  CHECK_THAT(d.spectral.stable_rank, WithinRel(14.0 / 9.0, 1e-14));

  // Rectangular "diagonals" with known singular values, sized for each method.
  auto diagonal = [](int64_t rows, int64_t cols) {
    std::vector<float> m(size_t(rows * cols), 0.0f);
    for (int64_t i = 0; i < std::min(rows, cols); ++i) m[size_t(i * cols + i)] = 1.0f + float(i % 17) / 16.0f;
    return f32({rows, cols}, m);
  };
  const TensorStats g = compute_tensor_stats(diagonal(100, 1000), quick());
  CHECK(g.spectral.method == "gram-eigen");
  CHECK_THAT(g.spectral.sigma_max, WithinRel(2.0, 1e-12));
  const TensorStats tall = compute_tensor_stats(diagonal(1000, 100), quick());
  CHECK(tall.spectral.method == "gram-eigen");
  CHECK_THAT(tall.spectral.sigma_max, WithinRel(2.0, 1e-12));
  const TensorStats l = compute_tensor_stats(diagonal(300, 600), quick());
  CHECK(l.spectral.method == "lanczos");
  CHECK(l.spectral.converged);
  CHECK_THAT(l.spectral.sigma_max, WithinRel(2.0, 1e-6));

  // A random matrix: Lanczos against the exact Gram eigenvalue.
  std::mt19937 gen(7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> r(300 * 500);
  for (auto& x : r) x = nd(gen);
  const Tensor rt = f32({300, 500}, r);
  SpectralOptions lanczos_opts, exact_opts;
  exact_opts.exact_max_dim = 512;
  const SpectralStats a = spectral_norm(rt, lanczos_opts);
  const SpectralStats b = spectral_norm(rt, exact_opts);
  CHECK(a.method == "lanczos");
  CHECK(b.method == "gram-eigen");
  CHECK(a.converged);
  CHECK(a.rel_residual <= 1e-6);
  CHECK_THAT(a.sigma_max, WithinRel(b.sigma_max, 1e-6));
  CHECK_THAT(a.stable_rank, WithinRel(b.stable_rank, 1e-5));
  // More threads, same answer.
  lanczos_opts.threads = 2;
  CHECK(spectral_norm(rt, lanczos_opts).sigma_max == a.sigma_max);
}

TEST_CASE("int8 and int4 fake quantization, hand computed", "[stats][quant]") {
  // Scale 127/127 = 1: q = round_half_even(w) → 63.5 → 64, 62.5 → 62, -2.5 → -2.
  const std::vector<float> w = {127.0f, 63.5f, 62.5f, -2.5f, 0.25f, -1.0f};
  const TensorStats s = compute_tensor_stats(f32({6}, w), quick());
  double signal = 0;
  for (float x : w) signal += double(x) * x;
  const double err8 = 0.25 + 0.25 + 0.25 + 0.0625;  // 63.5, 62.5, -2.5, 0.25
  CHECK_THAT(s.quant.sqnr_int8_tensor_db, WithinRel(sqnr_of(signal, err8), 1e-12));
  CHECK(s.quant.sqnr_int8_channel_db == s.quant.sqnr_int8_tensor_db);  // 1-D: one channel
  // int4: scale 127/7; the reference implementation of the same rule.
  double err4 = 0;
  for (float x : w) err4 += std::pow(double(x) - fake_quant(x, 127.0 / 7, 4), 2);
  CHECK_THAT(s.quant.sqnr_int4_tensor_db, WithinRel(sqnr_of(signal, err4), 1e-9));
  CHECK(fake_quant(63.5, 1.0, 8) == 64.0);
  CHECK(fake_quant(-300, 1.0, 8) == -128.0);  // clamped
  CHECK(fake_quant(100, 1.0, 4) == 7.0);
  CHECK(fake_quant(-100, 1.0, 4) == -8.0);

  // Per channel beats per tensor when one channel's range is far larger; groups
  // of 128 beat channels when the amplitude changes along a row.
  std::vector<float> m(2 * 256, 0.0f);
  m[0] = 100.0f;  // row 0: one value, exactly representable at any width
  for (int i = 0; i < 256; ++i) m[size_t(256 + i)] = std::cos(float(i)) * (i < 128 ? 1.0f : 0.1f);
  const TensorStats c = compute_tensor_stats(f32({2, 256}, m), quick());
  CHECK(c.quant.sqnr_int8_channel_db > c.quant.sqnr_int8_tensor_db + 20);
  CHECK(c.quant.sqnr_int4_group_db >= c.quant.sqnr_int4_channel_db);
  // fp16 overflows above 65504; values below 2^-25 flush to zero.
  const TensorStats o = compute_tensor_stats(f32({3}, {70000.0f, 1.0f, 1e-9f}), quick());
  CHECK(o.quant.fp16_overflow == 1);
  CHECK(o.quant.fp16_flush_to_zero == 1);
  CHECK(std::isinf(o.quant.sqnr_fp16_db));
  CHECK(o.quant.sqnr_fp16_db < 0);
  CHECK(round_trip_fp16(65519.0) == 65504.0);
  CHECK(std::isinf(round_trip_fp16(65520.0)));
  CHECK(round_trip_fp16(std::ldexp(1.0, -24)) == std::ldexp(1.0, -24));
  CHECK(round_trip_bf16(1.0 + std::ldexp(1.0, -8)) == 1.0);  // tie to even
}

TEST_CASE("vectorised fake quantization and round trips match the double reference", "[stats][quant]") {
  // Rows of 1000: full groups of 128, a partial group and a tail shorter than
  // a vector in every row; amplitudes differ per row and inside rows.
  const int64_t rows = 3, cols = 1000;
  std::mt19937 gen(7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> w(size_t(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) w[size_t(r * cols + c)] = nd(gen) * 0.02f * float(r + 1) * (c < 500 ? 1.0f : 0.3f);
  w[5] = 0.0f;
  w[6] = 1e-9f;   // flushes to zero in half
  w[7] = 2.9e-8f; // below 2^-25: flushes
  w[8] = 3.1e-8f; // above 2^-25: rounds up to 2^-24
  const TensorStats s = compute_tensor_stats(f32({rows, cols}, w), quick());

  auto error = [&](int64_t first, int64_t n, double scale, int bits) {
    double e = 0;
    for (int64_t i = first; i < first + n; ++i) e += std::pow(double(w[size_t(i)]) - fake_quant(w[size_t(i)], scale, bits), 2);
    return e;
  };
  auto absmax = [&](int64_t first, int64_t n) {
    double m = 0;
    for (int64_t i = first; i < first + n; ++i) m = std::max(m, std::fabs(double(w[size_t(i)])));
    return m;
  };
  double signal = 0, e8c = 0, e4c = 0, e4g = 0, eh = 0, eb = 0;
  int64_t flush = 0;
  for (float x : w) {
    signal += double(x) * x;
    const double h = round_trip_fp16(x), b = round_trip_bf16(x);
    eh += (x - h) * (x - h);
    eb += (x - b) * (x - b);
    flush += h == 0 && x != 0;
  }
  const double amax = absmax(0, rows * cols);
  for (int64_t r = 0; r < rows; ++r) {
    const double ra = absmax(r * cols, cols);
    e8c += error(r * cols, cols, ra / 127, 8);
    e4c += error(r * cols, cols, ra / 7, 4);
    for (int64_t g = 0; g < cols; g += 128) {
      const int64_t len = std::min<int64_t>(128, cols - g);
      e4g += error(r * cols + g, len, absmax(r * cols + g, len) / 7, 4);
    }
  }
  // The float evaluation is bounded by 1e-3 dB (see stats/pass2_fused_isa.inc); the contract is 0.01 dB.
  const double tol = 2e-3;
  CHECK(std::fabs(s.quant.sqnr_int8_tensor_db - sqnr_of(signal, error(0, rows * cols, amax / 127, 8))) < tol);
  CHECK(std::fabs(s.quant.sqnr_int4_tensor_db - sqnr_of(signal, error(0, rows * cols, amax / 7, 4))) < tol);
  CHECK(std::fabs(s.quant.sqnr_int8_channel_db - sqnr_of(signal, e8c)) < tol);
  CHECK(std::fabs(s.quant.sqnr_int4_channel_db - sqnr_of(signal, e4c)) < tol);
  CHECK(std::fabs(s.quant.sqnr_int4_group_db - sqnr_of(signal, e4g)) < tol);
  // Round-trip errors are exact differences summed in float per run: far tighter.
  CHECK_THAT(s.quant.sqnr_fp16_db, WithinRel(sqnr_of(signal, eh), 1e-6));
  CHECK_THAT(s.quant.sqnr_bf16_db, WithinRel(sqnr_of(signal, eb), 1e-6));
  CHECK(flush == 2);
  CHECK(s.quant.fp16_flush_to_zero == flush);
  CHECK(s.quant.fp16_overflow == 0);
  // Counts against σ and near zero, exactly.
  for (size_t k = 0; k < 3; ++k) {
    int64_t below = 0;
    for (float x : w) below += std::fabs(double(x)) < kSigmaMultiples[k] * s.std;
    CHECK(s.prune.below_k_sigma[k] == double(below) / double(w.size()));
  }
  int64_t near = 0;
  for (float x : w) near += std::fabs(double(x)) <= 1e-6 * amax;
  CHECK(s.near_zero == near);

  // Overflow: counted per value, and the fp16 SQNR becomes -inf.
  std::vector<float> big(64, 1.0f);
  big[17] = 65520.0f;  // the first value that rounds to inf
  big[40] = -65519.0f; // rounds to -65504
  const TensorStats o = compute_tensor_stats(f32({64}, big), quick());
  CHECK(o.quant.fp16_overflow == 1);
  CHECK(std::isinf(o.quant.sqnr_fp16_db));
  CHECK(o.quant.sqnr_fp16_db < 0);
}

TEST_CASE("recommended precision follows the stated rule", "[stats][quant]") {
  QuantRule rule;
  QuantStats q;
  q.sqnr_int4_group_db = 25;
  q.sqnr_int8_channel_db = 45;
  q.sqnr_fp16_db = 70;
  q.sqnr_bf16_db = 50;
  recommend_precision(q, 2, 100000, 32, rule);
  CHECK(q.recommended_format == "int4-g128");
  CHECK(q.recommended_bits == 4);
  q.sqnr_int4_group_db = 15;
  recommend_precision(q, 2, 100000, 32, rule);
  CHECK(q.recommended_format == "int8-channel");
  q.sqnr_int8_channel_db = 25;
  recommend_precision(q, 2, 100000, 32, rule);
  CHECK(q.recommended_format == "fp16");
  q.fp16_overflow = 3;
  recommend_precision(q, 2, 100000, 32, rule);
  CHECK(q.recommended_format == "bf16");
  recommend_precision(q, 1, 100000, 32, rule);
  CHECK(q.recommended_bits == 16);
  recommend_precision(q, 2, 100, 32, rule);
  CHECK(q.recommended_bits == 16);
  recommend_precision(q, 2, 100000, 8, rule);
  CHECK(q.recommended_format == "keep");
}

TEST_CASE("pruning potential, small and large tensors", "[stats][prune]") {
  std::vector<float> v;
  for (int i = 1; i <= 10; ++i) v.push_back(float(i));
  const TensorStats s = compute_tensor_stats(f32({10}, v), quick());
  CHECK_THAT(s.prune.energy_kept[0], WithinRel(330.0 / 385.0, 1e-15));
  CHECK_THAT(s.prune.energy_kept[1], WithinRel(245.0 / 385.0, 1e-15));
  CHECK_THAT(s.prune.energy_kept[2], WithinRel(100.0 / 385.0, 1e-15));
  CHECK(s.prune.magnitude_threshold[0] == 5.0);
  CHECK(s.prune.magnitude_threshold[1] == 7.0);
  CHECK(s.prune.magnitude_threshold[2] == 9.0);
  // σ = sqrt(8.25): below 0.5σ one value, below σ two, below 2σ five.
  CHECK(s.prune.below_k_sigma[0] == 0.1);
  CHECK(s.prune.below_k_sigma[1] == 0.2);
  CHECK(s.prune.below_k_sigma[2] == 0.5);

  // Above 65536 elements the quantiles come from the magnitude key table:
  // w = 1..N, sums of squares in closed form.
  const int64_t n = 200000;
  std::vector<float> big(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) big[size_t(i)] = float((i * 7919) % n + 1);  // a permutation of 1..N
  const TensorStats b = compute_tensor_stats(f32({n}, big), quick());
  auto sq = [](double k) { return k * (k + 1) * (2 * k + 1) / 6; };
  CHECK_THAT(b.prune.energy_kept[0], WithinRel(1 - sq(100000) / sq(n), 1e-12));
  CHECK_THAT(b.prune.energy_kept[1], WithinRel(1 - sq(140000) / sq(n), 1e-12));
  CHECK_THAT(b.prune.energy_kept[2], WithinRel(1 - sq(180000) / sq(n), 1e-12));
  CHECK(b.prune.magnitude_threshold[1] == 140000.0);

  // The key-table path against a full sort of the magnitudes.
  auto check_against_sort = [](const TensorStats& got, const std::vector<float>& w) {
    std::vector<double> mags;
    double energy = 0;
    for (float x : w) mags.push_back(std::fabs(double(x))), energy += double(x) * x;
    for (size_t k = 0; k < 3; ++k) {
      const auto want = energy_kept_exact(mags, int64_t(std::nearbyint(kPruneSparsities[k] * double(w.size()))), energy);
      CHECK_THAT(got.prune.energy_kept[k], WithinRel(want[0], 1e-12));
      CHECK(got.prune.magnitude_threshold[k] == want[1]);
    }
  };
  // Random data with ties and signs.
  std::mt19937 gen(3);
  std::normal_distribution<float> nd(0.0f, 0.02f);
  std::vector<float> r(300000);
  for (auto& x : r) x = std::round(nd(gen) * 4096.0f) / 4096.0f;  // many exact ties
  const TensorStats t = compute_tensor_stats(f32({300, 1000}, r), quick());
  check_against_sort(t, r);
  CHECK(t.passes == 2);  // the sampled brackets held every quantile

  // Brackets that miss: one more read for the full key table, same answers.
  StatsOptions miss = quick();
  miss.prune_bracket_se = -1;
  const TensorStats tm = compute_tensor_stats(f32({300, 1000}, r), miss);
  CHECK(tm.passes == 3);
  CHECK(tm.prune.energy_kept == t.prune.energy_kept);
  CHECK(tm.prune.magnitude_threshold == t.prune.magnitude_threshold);
  CHECK(tm.quant.fp16_flush_to_zero == t.quant.fp16_flush_to_zero);
  CHECK(tm.histogram.counts == t.histogram.counts);

  // The double lane (float64) takes the same brackets through its portable loops.
  std::vector<double> rd(r.begin(), r.end());
  const TensorStats d = compute_tensor_stats(make_tensor(DType::float64, {300, 1000}, rd), quick());
  const TensorStats dm = compute_tensor_stats(make_tensor(DType::float64, {300, 1000}, rd), miss);
  CHECK(d.passes == 2);
  CHECK(dm.passes == 3);
  for (size_t k = 0; k < 3; ++k) {
    CHECK(d.prune.magnitude_threshold[k] == t.prune.magnitude_threshold[k]);
    CHECK(dm.prune.magnitude_threshold[k] == t.prune.magnitude_threshold[k]);
    CHECK_THAT(d.prune.energy_kept[k], WithinRel(t.prune.energy_kept[k], 1e-12));
    CHECK(dm.prune.energy_kept[k] == d.prune.energy_kept[k]);
  }

  // Strongly correlated neighbours, the hard case for cluster sampling: blocks
  // of 16 alternate between scales 1 and 1000 (one cluster sees one scale),
  // and every 97th value is 50 times larger. Exact whatever the sample says.
  std::vector<float> odd(400000);
  for (size_t i = 0; i < odd.size(); ++i) {
    const double u = double((i * 2654435761u) % 1000003) / 1000003.0;
    odd[i] = float(((i / 16) % 2 ? 1.0 : 1000.0) * u * (i % 97 == 0 ? 50.0 : 1.0));
  }
  check_against_sort(compute_tensor_stats(f32({400000}, odd), quick()), odd);
}

TEST_CASE("histogram edges follow numpy", "[stats][histogram]") {
  StatsOptions o = quick();
  o.bins = 4;
  // Edges 0, .25, .5, .75, 1: values on an edge go right, the last bin is closed.
  const TensorStats s = compute_tensor_stats(f32({5}, {0.0f, 0.25f, 0.5f, 0.75f, 1.0f}), o);
  CHECK(s.histogram.counts == std::vector<int64_t>{1, 1, 1, 2});
  CHECK_THAT(s.histogram.entropy_bits, WithinRel(3 * 0.2 * std::log2(5.0) + 0.4 * std::log2(2.5), 1e-14));
  // Large enough for the vector path; compare with a direct application of the rule.
  std::mt19937 gen(11);
  std::uniform_int_distribution<int> ud(-1000, 1000);
  std::vector<float> v(100000);
  for (auto& x : v) x = float(ud(gen)) / 1000.0f;  // many values exactly on edges
  o.bins = 40;
  const TensorStats h = compute_tensor_stats(f32({100000}, v), o);
  std::vector<int64_t> want(40, 0);
  const double lo = -1.0, hi = 1.0, step = (hi - lo) / 40;
  for (float x : v) {
    int k = 39;
    for (int i = 1; i < 40; ++i) {
      volatile double product = double(i) * step;  // numpy's rounding, no fused multiply-add
      if (double(x) < product + lo) { k = i - 1; break; }
    }
    ++want[size_t(k)];
  }
  CHECK(h.histogram.counts == want);
}

TEST_CASE("results do not depend on threads or block size", "[stats]") {
  std::mt19937 gen(5);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(3 * 70000);
  for (auto& x : v) x = nd(gen);
  const Tensor t = f32({3, 70000}, v);
  StatsOptions one = quick(), two = quick();
  one.threads = 1;
  two.threads = 2;
  one.block_elements = two.block_elements = 8192;  // rows split into pieces
  const TensorStats a = compute_tensor_stats(t, one), b = compute_tensor_stats(t, two);
  CHECK(a.mean == b.mean);
  CHECK(a.kurtosis == b.kurtosis);
  CHECK(a.quant.sqnr_int4_group_db == b.quant.sqnr_int4_group_db);
  CHECK(a.prune.energy_kept == b.prune.energy_kept);
  CHECK(a.histogram.counts == b.histogram.counts);
  const TensorStats c = compute_tensor_stats(t, quick());  // default blocks
  CHECK_THAT(c.mean, WithinRel(a.mean, 1e-9));
  CHECK_THAT(c.std, WithinRel(a.std, 1e-12));
  CHECK_THAT(c.quant.sqnr_int8_channel_db, WithinRel(a.quant.sqnr_int8_channel_db, 1e-9));
  CHECK(c.histogram.counts == a.histogram.counts);
}

TEST_CASE("float64 and integer tensors take the double path", "[stats]") {
  const TensorStats d = compute_tensor_stats(make_tensor(DType::float64, {4}, std::vector<double>{1e-300, 2, 3, 4}), quick());
  CHECK(d.max == 4.0);
  CHECK_THAT(d.mean, WithinRel(9.0 / 4, 1e-15));
  const TensorStats i = compute_tensor_stats(make_tensor(DType::int64, {3}, std::vector<int64_t>{-5, 0, 5}), quick());
  CHECK(i.computed);
  CHECK_FALSE(i.floating);
  CHECK(i.mean == 0.0);
  Tensor c = make_tensor(DType::complex64, {2}, std::vector<float>{1, 2, 3, 4});
  const TensorStats cs = compute_tensor_stats(c, quick());
  CHECK_FALSE(cs.computed);
  CHECK(cs.skipped_reason == "complex dtype");
  const TensorStats e = compute_tensor_stats(f32({0, 4}, {}), quick());
  CHECK(e.computed);
  CHECK(e.count == 0);
}

TEST_CASE("compressibility of known byte patterns", "[stats][compress]") {
  CompressOptions o;
  std::vector<uint8_t> zeros(1 << 20, 0);
  const CompressStats z = compressibility(zeros.data(), zeros.size(), o);
  CHECK(z.byte_entropy_bits == 0.0);
  CHECK(z.zstd_ratio > 1000);
  CHECK(z.zlib_ratio > 500);
  std::vector<uint8_t> noise(1 << 20);
  std::mt19937 gen(1);
  for (auto& b : noise) b = uint8_t(gen());
  const CompressStats r = compressibility(noise.data(), noise.size(), o);
  CHECK(r.byte_entropy_bits > 7.99);
  CHECK(r.zstd_ratio < 1.01);
  o.sample_bytes = 256 << 10;  // sampled: four 64 KiB blocks
  CHECK(compressibility(noise.data(), noise.size(), o).sampled_bytes == 256u << 10);
}

TEST_CASE("model summary, filter, rankings and JSON", "[stats][model]") {
  Model m;
  m.path = "<memory>";
  std::mt19937 gen(2);
  std::normal_distribution<float> nd(0.0f, 0.05f);
  auto add = [&](const std::string& name, std::vector<int64_t> shape, float outlier) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) x = nd(gen);
    if (outlier != 0)
      for (size_t i = 0; i < v.size(); i += 128) v[i] = outlier;
    m.tensors.push_back({name, TensorRole::parameter, std::make_shared<Tensor>(f32(shape, v))});
  };
  add("a.weight", {64, 256}, 0.0f);
  add("b.weight", {64, 256}, 0.25f);  // a 5σ value in every group: coarse int4 grids
  add("b.bias", {64}, 0.0f);
  m.tensors.push_back({"steps", TensorRole::buffer,
                       std::make_shared<Tensor>(make_tensor(DType::int64, {1}, std::vector<int64_t>{7}))});
  ModelStatsOptions o;
  o.stats = quick();
  o.top_k = 1;
  const ModelStats ms = compute_model_stats(m, o);
  REQUIRE(ms.tensors.size() == 4);
  CHECK(ms.summary.weight_tensors == 3);
  CHECK(ms.summary.numel == 2 * 64 * 256 + 64);
  REQUIRE(ms.most_sensitive.size() == 1);
  CHECK(ms.most_sensitive[0].name == "b.weight");
  {
    // An all-zero layer quantizes exactly and has no energy: it is in neither
    // ranking (its SQNR is inf, its kept energy NaN), but its dead channels are.
    m.tensors.push_back({"dead.weight", TensorRole::parameter,
                         std::make_shared<Tensor>(f32({8, 256}, std::vector<float>(8 * 256, 0.f)))});
    ModelStatsOptions all = o;
    all.top_k = 10;
    const ModelStats zs = compute_model_stats(m, all);
    m.tensors.pop_back();
    CHECK(zs.most_sensitive.size() == 2);
    CHECK(zs.most_prunable.size() == 2);
    for (const auto& r : zs.most_sensitive) CHECK(r.name != "dead.weight");
    for (const auto& r : zs.most_prunable) CHECK(r.name != "dead.weight");
    bool structured = false;
    for (const auto& r : zs.recommendations)
      if (r.kind == "prune-structured") structured = r.text.find("dead.weight") != std::string::npos;
    CHECK(structured);
  }
  bool has_quantize = false;
  for (const auto& r : ms.recommendations) has_quantize |= r.kind == "quantize";
  CHECK(has_quantize);

  o.filter = "^b\\.";
  CHECK(compute_model_stats(m, o).tensors.size() == 2);
  o.filter = "(";
  CHECK_THROWS_AS(compute_model_stats(m, o), Error);

  o.filter = "";
  const nlohmann::json j = model_stats_json(ms, o);
  CHECK(j["schema"] == "ptscope.stats/1");
  const auto& t0 = j["tensors"][0];
  for (const char* key : {"name", "numel", "mean", "std", "std_unbiased", "min", "max", "l1", "l2", "linf", "zeros",
                          "sparsity", "skewness", "kurtosis", "spectral_norm", "entropy_bits", "sqnr_int8_tensor_db",
                          "sqnr_int8_channel_db", "sqnr_int4_tensor_db", "sqnr_int4_channel_db", "sqnr_int4_group_db"})
    CHECK(t0.contains(key));
  CHECK(j["tensors"][2]["spectral_norm"] == "nan");  // 1-D bias
  CHECK(stats_number(kInf) == "inf");
  CHECK(stats_number(-kInf) == "-inf");
  CHECK(stats_number(kNaN) == "nan");
  CHECK(j["tensors"][3]["dtype"] == "int64");
}
