// The element passes. Work is cut into blocks (about 1M elements, aligned to
// output channels and to groups of 128 within a channel) and blocks of all
// tensors share the workers. Each block decodes 4096 elements at a time
// (stays in L1) and runs one fused AVX-512 loop per pass over that chunk
// (float lane, stats/pass{1,2}_fused.cpp), or else a few portable vectorised
// loops.
//
// Determinism: floating-point partial sums are kept per block and merged in
// block order; only integer tables are shared per worker. Results do not
// depend on the thread count or on scheduling.
#include "stats/tensor_stats.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <memory>

#include "core/error.h"
#include "stats/element_kernels.h"
#include "stats/element_reader.h"
#include "stats/parallel.h"
#include "stats/pass1_fused.h"
#include "stats/pass2_fused.h"
#include "stats/quant_kernels.h"
#include "stats/simd.h"

namespace ptscope {
namespace {

using stats::ElementReader;
using stats::Lane;
using namespace stats::passes;

// ---- per-tensor job ----------------------------------------------------------

struct Block {
  size_t job;
  int64_t begin, end;  // logical elements
  int64_t row0, row1;  // rows touched, inclusive
};

struct Pass1Block {
  Moments m;
  std::vector<double> row_sq, row_amax;  // rows row0..row1
  int64_t below[3] = {0, 0, 0};          // finite magnitudes keyed below each pruning bracket
  int64_t tiny = 0;                      // finite magnitudes keyed at most KeyBrackets::tiny
};

struct QuantAcc {
  stats::RunErrors fq;
  stats::RoundTripAcc rt;
};

struct Pass2Block {
  QuantAcc q;
  int64_t below[3] = {0, 0, 0};
  int64_t near = 0, replaced = 0;
  double e_below[3] = {0, 0, 0};
  std::vector<double> collect[3];
  std::vector<double> mags;  // small tensors: every finite magnitude
};

template <class T> struct Pass2Params {
  HistKernel<T> hist;
  T ksig[3] = {0, 0, 0};
  T near = 0;
  T prune_lo[3] = {0, 0, 0}, prune_hi[3] = {0, 0, 0};  // boundary key ranges ([0, 0): nothing)
};

struct Job {
  const Tensor* t = nullptr;
  TensorStats* out = nullptr;
  std::unique_ptr<ElementReader> reader;
  int64_t rows = 1, cols = 0;
  bool matrix = false;
  bool small = false;  // exact pruning by sorting everything
  double shift = 0;
  std::vector<size_t> blocks;
  std::vector<Pass1Block> p1;
  std::vector<Pass2Block> p2;
  stats::KeyBrackets brackets;              // key ranges expected to hold the pruning quantiles
  std::vector<std::vector<uint64_t>> keys;  // per worker: counts of the keys inside the brackets
  std::vector<std::vector<uint64_t>> hist;  // per worker
  Moments total;
  std::vector<double> row_sq, row_amax;
  bool nonfinite = false;
  // Pass-2 parameters.
  Pass2Params<float> pf;
  Pass2Params<double> pd;
  stats::FusedConsts fused;  // the float lane's pass-2 constants for the AVX-512 loop
  double scale8 = 0, scale4 = 0;
  std::vector<double> row_scale8, row_scale4;
  uint32_t eq_key[3] = {kNoKey, kNoKey, kNoKey};
  bool maybe_flush = true;   // a nonzero finite |w| <= 2^-25 may exist (from the key counts)
  bool extra_pass = false;  // a pruning bracket missed: one more read for a full key table
  int64_t prune_k[3] = {0, 0, 0}, prune_need[3] = {0, 0, 0};
  double sigma = 0;
};

void plan_blocks(Job& job, size_t job_index, int64_t target, std::vector<Block>& blocks) {
  const int64_t n = job.t->numel();
  if (n == 0) return;
  auto add = [&](int64_t b, int64_t e) {
    job.blocks.push_back(blocks.size());
    blocks.push_back({job_index, b, e, b / job.cols, (e - 1) / job.cols});
  };
  if (job.cols >= target) {  // long rows: split each at multiples of the group size
    for (int64_t r = 0; r < job.rows; ++r)
      for (int64_t c = 0; c < job.cols; c += target) add(r * job.cols + c, r * job.cols + std::min(c + target, job.cols));
  } else {
    const int64_t per = std::max<int64_t>(1, target / job.cols);
    for (int64_t r = 0; r < job.rows; r += per) add(r * job.cols, std::min(r + per, job.rows) * job.cols);
  }
}

// Calls fn(x, n, row, col) for each run of one row inside the block, decoding
// kChunk elements at a time. Chunks end at a row end or at a multiple of the
// group size within the row, so groups never straddle chunks.
template <class T, class Fn> void for_each_run(const Job& job, const Block& b, T* buf, Fn&& fn) {
  int64_t pos = b.begin;
  while (pos < b.end) {
    int64_t end = std::min(pos + kChunk, b.end);
    const int64_t row_start = (end / job.cols) * job.cols;
    if (end < b.end && end != row_start) {
      const int64_t aligned = row_start + (end - row_start) / kGroup * kGroup;
      if (aligned > pos) end = aligned;
    }
    const T* x = job.reader->read(pos, end - pos, buf);
    for (int64_t p = pos; p < end;) {
      const int64_t row = p / job.cols;
      const int64_t stop = std::min(end, (row + 1) * job.cols);
      fn(x + (p - pos), stop - p, row, p - row * job.cols);
      p = stop;
    }
    pos = end;
  }
}

template <class T> void run_pass1(Job& job, const Block& b, size_t block_slot, unsigned worker) {
  Pass1Block& out = job.p1[block_slot];
  out.row_sq.assign(size_t(b.row1 - b.row0 + 1), 0.0);
  out.row_amax.assign(out.row_sq.size(), 0.0);
  uint64_t* keys = nullptr;
  if (!job.small) {
    auto& table = job.keys[worker];
    if (table.empty()) table.assign(kKeys, 0);
    keys = table.data();
  }
  alignas(64) T buf[kChunk];
  for_each_run(job, b, buf, [&](const T* x, int64_t n, int64_t row, int64_t) {
    Moments m;
    if constexpr (sizeof(T) == 4) if (stats::fused_pass1_available()) {
      stats::FusedMoments f;
      if (stats::fused_pass1_run(x, n, job.shift, f, keys, job.brackets)) {
        m.s1 = f.s1, m.s2 = f.s2, m.s3 = f.s3, m.s4 = f.s4, m.l1 = f.l1, m.sq = f.sq;
        for (int j = 0; j < 3; ++j) out.below[j] += f.below[j];
        out.tiny += f.tiny;
        m.mn = f.mn, m.mx = f.mx, m.count = n, m.zeros = f.zeros;
        const size_t r = size_t(row - b.row0);
        out.row_sq[r] += m.sq;
        out.row_amax[r] = std::max({out.row_amax[r], -m.mn, m.mx});
        out.m.add(m);
        return;
      }
    }
    const bool finite = moments_fast(x, n, job.shift, m);
    if (!finite) moments_careful(x, n, job.shift, m);
    if (keys) {
      const stats::KeyBrackets& br = job.brackets;
      for (int64_t i = 0; i < n; ++i) {
        if (!finite && !std::isfinite(double(x[i]))) continue;
        const uint32_t k = mag_key(x[i]);
        if (br.tally(k, out.below, out.tiny)) ++keys[k];
      }
    }
    const size_t r = size_t(row - b.row0);
    out.row_sq[r] += m.sq;
    if (m.count > 0) out.row_amax[r] = std::max({out.row_amax[r], -m.mn, m.mx});
    out.m.add(m);
  });
}

template <class T> const Pass2Params<T>& params(const Job& job) {
  if constexpr (sizeof(T) == 4) return job.pf;
  else return job.pd;
}

template <class T> void run_pass2(Job& job, const Block& b, size_t block_slot, unsigned worker) {
  Pass2Block& out = job.p2[block_slot];
  const Pass2Params<T>& prm = params<T>(job);
  auto& table = job.hist[worker];
  if (table.empty()) table.assign(kHistWays * size_t(prm.hist.bins), 0);
  alignas(64) T buf[kChunk];
  alignas(64) int32_t idx[kChunk];
  std::vector<T> clean(job.nonfinite ? size_t(kChunk) : 0);
  for_each_run(job, b, buf, [&](const T* x, int64_t n, int64_t row, int64_t) {
    if (job.nonfinite) {
      // A copy with the non-finite values zeroed (finish_pass2 takes their effect out again).
      for (int64_t i = 0; i < n; ++i) {
        const bool bad = !std::isfinite(double(x[i]));
        clean[i] = bad ? T(0) : x[i];
        out.replaced += bad;
      }
      x = clean.data();
    }
    if constexpr (sizeof(T) == 4) if (stats::fused_pass2_available()) {
      stats::FusedOut f;
      const bool ch = job.matrix;
      if (stats::fused_pass2_run(x, n, job.fused, ch, ch ? job.row_scale8[size_t(row)] : 0,
                                 ch ? job.row_scale4[size_t(row)] : 0, table.data(), f, out.collect)) {
        out.q.fq.add(f.fq);
        out.q.rt.add(f.rt);
        for (int j = 0; j < 3; ++j) out.below[j] += f.below[j], out.e_below[j] += f.e_below[j];
        out.near += f.near;
        if (job.small)
          for (int64_t i = 0; i < n; ++i) out.mags.push_back(std::fabs(double(x[i])));
        return;
      }
    }
    prm.hist.add(x, n, table.data(), idx);
    stats::RunScales scales;
    scales.int8_tensor = job.scale8;
    scales.int4_tensor = job.scale4;
    if (job.matrix) {
      scales.channel = true;
      scales.int8_channel = job.row_scale8[size_t(row)];
      scales.int4_channel = job.row_scale4[size_t(row)];
    }
    stats::fq_run(x, n, scales, out.q.fq);
    stats::round_trip_errors(x, n, out.q.rt);
    count_thresholds(x, n, prm.ksig, prm.near, out.below, out.near);
    if (job.small) {
      for (int64_t i = 0; i < n; ++i) out.mags.push_back(std::fabs(double(x[i])));
    } else {
      prune_boundaries(x, n, prm.prune_lo, prm.prune_hi, out.e_below, out.collect);
    }
  });
}

// ---- pruning brackets --------------------------------------------------------
//
// The pruning quantiles need exact ranks of |w|. Pass 1 does not table every
// element's magnitude key (one scalar increment per element was ~20% of the
// passes): a sample first brackets each quantile's key, pass 1 then counts
// the keys below each bracket with vector compares and tables only the few
// keys inside. finish_pass1 checks that every quantile did fall inside its
// bracket, and otherwise reads the tensor once more for a full table, so the
// result is exact either way.

constexpr int64_t kClusters = 1024;   // sample: clusters of contiguous elements at hashed offsets
constexpr int64_t kClusterLen = 16;   //   (one cache line of float32 each)
constexpr double kBracketSlack = 0.002;  // plus this fraction of ranks (sampling granularity, ties)

inline uint64_t mix64(uint64_t z) {  // splitmix64's finaliser: deterministic offsets
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

template <class T> stats::KeyBrackets plan_brackets(const ElementReader& reader, double z) {
  stats::KeyBrackets br;
  const int64_t n = reader.numel();
  const int64_t clusters = std::min(kClusters, n / (4 * kClusterLen));
  if (clusters < 16) return br;  // empty brackets: the full table after pass 1
  const int64_t stride = n / clusters;
  std::vector<uint32_t> sample;
  std::vector<int64_t> start;  // cluster c holds sample[start[c], start[c + 1])
  sample.reserve(size_t(clusters * kClusterLen));
  T buf[kClusterLen];
  for (int64_t c = 0; c < clusters; ++c) {
    const int64_t first = c * stride + int64_t(mix64(uint64_t(c)) % uint64_t(stride - kClusterLen + 1));
    const T* x = reader.read(first, kClusterLen, buf);
    start.push_back(int64_t(sample.size()));
    for (int64_t i = 0; i < kClusterLen; ++i)
      if (std::isfinite(double(x[i]))) sample.push_back(mag_key(x[i]));
  }
  start.push_back(int64_t(sample.size()));
  const int64_t m = int64_t(sample.size());
  if (m < 16 * kClusterLen) return br;
  // Ranks by counting (keys are 15 bits): cum[k] = sample keys < k.
  std::vector<uint32_t> cum(size_t(kKeys) + 1, 0);
  for (uint32_t k : sample) ++cum[size_t(k) + 1];
  for (size_t k = 1; k < cum.size(); ++k) cum[k] += cum[k - 1];
  auto key_at_rank = [&](int64_t r) {  // the r-th smallest sample key (0-based)
    return uint32_t(std::upper_bound(cum.begin(), cum.end(), uint32_t(r)) - cum.begin() - 1);
  };
  for (int j = 0; j < 3; ++j) {
    const double p = kPruneSparsities[size_t(j)];
    const uint32_t q = key_at_rank(std::min<int64_t>(m - 1, int64_t(p * double(m))));
    // Standard error of the fraction below q, from the clusters' own fractions
    // (elements of one cluster are correlated: neighbours in one row).
    double sum = 0, sum2 = 0;
    int64_t used = 0;
    for (int64_t c = 0; c < clusters; ++c) {
      const int64_t len = start[size_t(c) + 1] - start[size_t(c)];
      if (len == 0) continue;
      int64_t below = 0;
      for (int64_t i = start[size_t(c)]; i < start[size_t(c) + 1]; ++i) below += sample[size_t(i)] < q;
      const double f = double(below) / double(len);
      sum += f, sum2 += f * f, ++used;
    }
    const double mean = sum / double(used);
    const double var = std::max(0.0, (sum2 - double(used) * mean * mean) / double(used - 1));
    const double half = z * std::sqrt(var / double(used)) + kBracketSlack + 2.0 / double(m);
    const int64_t r_lo = int64_t(std::floor((p - half) * double(m)));
    const int64_t r_hi = int64_t(std::ceil((p + half) * double(m)));
    const uint32_t lo = r_lo <= 0 ? 0u : key_at_rank(r_lo);
    const uint32_t hi = r_hi >= m ? kKeys - 1 : key_at_rank(r_hi);
    br.lo[j] = lo;
    br.width[j] = hi - lo;
  }
  return br;
}

// Median of a strided sample: a shift close to the mean keeps the shifted
// sums well conditioned, and is exact for constant tensors.
double choose_shift(const ElementReader& reader) {
  const int64_t n = reader.numel();
  const int64_t samples = std::min<int64_t>(n, 1023);
  std::vector<double> v;
  v.reserve(size_t(samples));
  double one;
  for (int64_t s = 0; s < samples; ++s) {
    const double w = *reader.read(s * n / samples, 1, &one);
    if (std::isfinite(w)) v.push_back(w);
  }
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

template <class T> void set_pass2_params(Job& job, Pass2Params<T>& p, const TensorStats& s, int bins) {
  // numpy.histogram's edges: linspace(lo, hi, bins + 1), lo/hi widened by 0.5 when equal.
  double lo = s.min, hi = s.max;
  if (lo == hi) lo -= 0.5, hi += 0.5;
  const double step = (hi - lo) / bins;
  p.hist.bins = bins;
  p.hist.edge.resize(size_t(bins) + 1);
  for (int i = 0; i < bins; ++i) {
    // Two roundings, like numpy: volatile keeps GCC (whose C++ default is
    // -ffp-contract=fast) from fusing this into one multiply-add on FMA machines.
    volatile double product = double(i) * step;
    p.hist.edge[size_t(i)] = ceil_to<T>(product + lo);
  }
  p.hist.edge[size_t(bins)] = ceil_to<T>(hi);
  p.hist.lo = T(lo);
  p.hist.scale = T(bins / (hi - lo));
  if constexpr (sizeof(T) == 4) {
    // Error bound of the float position, in bins: roundings of x − lo, of the
    // scale and of the product; lo's own rounding; numpy's edge roundings.
    const double scale = bins / (hi - lo), eps = 0x1p-24;
    const double m = 8 * eps * (bins + 1) + std::fabs(lo - double(p.hist.lo)) * scale +
                     8 * 0x1p-53 * (std::fabs(lo) + std::fabs(hi)) * scale;
    p.hist.margin = float(2 * m);
    p.hist.fast = 2 * m < 0.25;
  }
  job.out->histogram.lo = lo;
  job.out->histogram.hi = hi;
  for (int k = 0; k < 3; ++k) p.ksig[k] = ceil_to<T>(kSigmaMultiples[size_t(k)] * job.sigma);
  p.near = floor_to<T>(1e-6 * s.absmax);
  for (int k = 0; k < 3; ++k) {
    if (job.eq_key[k] == kNoKey) continue;
    p.prune_lo[k] = T(key_floor(job.eq_key[k]));
    p.prune_hi[k] = T(key_floor(job.eq_key[k] + 1));
  }
  if constexpr (sizeof(T) == 4) {
    stats::FusedConsts& f = job.fused;
    f.hist_fast = p.hist.fast;
    f.hist_lo = p.hist.lo;
    f.hist_scale = p.hist.scale;
    f.hist_last = float(bins - 1);
    f.margin = p.hist.margin;
    f.hist_edge = p.hist.edge.data();
    f.hist_bins = bins;
    f.scale8 = job.scale8;
    f.scale4 = job.scale4;
    for (int k = 0; k < 3; ++k) {
      f.ksig[k] = p.ksig[k];
      f.prune_lo[k] = p.prune_lo[k];
      f.prune_hi[k] = p.prune_hi[k];
    }
    f.near = p.near;
    f.prune = !job.small;
    // Half overflows from 65520 up (the tie above 65504 rounds to 2^16) and
    // flushes nonzero magnitudes up to 2^-25; count only when possible.
    f.count_overflow = s.absmax >= 65520.0;
    f.count_flush = job.small || job.maybe_flush;
  }
}

// Locates each pruning quantile's key inside its bracket: below[j] finite
// magnitudes have keys under the bracket, `keys` counts those inside it.
// False when some quantile lies outside its bracket.
bool select_quantile_keys(Job& job, const uint64_t* keys, const int64_t below[3]) {
  for (int j = 0; j < 3; ++j) {
    const int64_t k = job.prune_k[j];
    job.eq_key[j] = kNoKey;
    if (k == 0) continue;  // nothing pruned: keys stay at "none"
    const uint32_t lo = job.brackets.lo[j], hi = lo + job.brackets.width[j];
    if (lo >= kKeys || below[j] >= k) return false;
    int64_t n = below[j];
    uint32_t key = lo;
    while (key <= hi && key < kKeys && n + int64_t(keys[key]) < k) n += int64_t(keys[key++]);
    if (key > hi || key >= kKeys) return false;
    job.eq_key[j] = key;
    job.prune_need[j] = k - n;
  }
  return true;
}

// Every finite magnitude's key, for the rare tensor whose sample missed.
template <class T> void full_key_table(const Job& job, uint64_t* keys) {
  alignas(64) T buf[kChunk];
  const int64_t n = job.t->numel();
  for (int64_t pos = 0; pos < n; pos += kChunk) {
    const int64_t len = std::min(kChunk, n - pos);
    const T* x = job.reader->read(pos, len, buf);
    for (int64_t i = 0; i < len; ++i)
      if (std::isfinite(double(x[i]))) ++keys[mag_key(x[i])];
  }
}

void finish_pass1(Job& job, const StatsOptions& opt) {
  TensorStats& s = *job.out;
  Moments& m = job.total;
  for (auto& b : job.p1) m.add(b.m);
  s.count = m.count;
  s.nan_count = m.nan;
  s.posinf_count = m.pinf;
  s.neginf_count = m.ninf;
  s.zeros = m.zeros;
  s.sparsity = s.numel > 0 ? double(m.zeros) / double(s.numel) : kNaN;
  job.nonfinite = m.nan + m.pinf + m.ninf > 0;
  if (m.count == 0) return;
  const double n = double(m.count);
  const double d = m.s1 / n;  // mean − shift
  const double c2 = m.s2 / n, c3 = m.s3 / n, c4 = m.s4 / n;
  const double m2 = std::max(0.0, c2 - d * d);
  const double m3 = c3 - 3 * d * c2 + 2 * d * d * d;
  const double m4 = c4 - 4 * d * c3 + 6 * d * d * c2 - 3 * d * d * d * d;
  s.mean = job.shift + d;
  s.std = std::sqrt(m2);
  s.std_unbiased = m.count > 1 ? std::sqrt(m2 * n / (n - 1)) : kNaN;
  s.skewness = m2 > 0 ? m3 / std::pow(m2, 1.5) : kNaN;
  s.kurtosis = m2 > 0 ? m4 / (m2 * m2) - 3 : kNaN;
  s.min = m.mn;
  s.max = m.mx;
  s.absmax = s.linf = std::max(-m.mn, m.mx);
  s.l1 = m.l1;
  s.l2 = std::sqrt(m.sq);
  s.rms = std::sqrt(m.sq / n);
  job.sigma = s.std;

  job.scale8 = s.absmax / 127;
  job.scale4 = s.absmax / 7;
  if (job.matrix) {
    job.row_scale8.resize(size_t(job.rows));
    job.row_scale4.resize(size_t(job.rows));
    for (size_t r = 0; r < size_t(job.rows); ++r) {
      job.row_scale8[r] = job.row_amax[r] / 127;
      job.row_scale4[r] = job.row_amax[r] / 7;
    }
    channel_stats(s.prune, job.row_sq, opt.keep_channel_norms);
  }

  // Pruning: the number pruned is round-half-even(s·n), like torch.nn.utils.prune.
  for (int j = 0; j < 3; ++j) job.prune_k[j] = int64_t(std::nearbyint(kPruneSparsities[size_t(j)] * n));
  if (!job.small) {
    std::vector<uint64_t> keys(kKeys, 0);
    for (const auto& table : job.keys)
      for (size_t k = 0; k < table.size(); ++k) keys[k] += table[k];
    int64_t below[3] = {0, 0, 0}, tiny = 0;
    for (const auto& b : job.p1) {
      for (int j = 0; j < 3; ++j) below[j] += b.below[j];
      tiny += b.tiny;
    }
    job.maybe_flush = tiny > m.zeros;
    // Each quantile's key from its bracket: the keys below it are counted, the
    // ones inside it tabled. A quantile outside its bracket (the sample was
    // unlucky or misleading) costs one more read of the tensor for a full table.
    if (!select_quantile_keys(job, keys.data(), below)) {
      std::fill(keys.begin(), keys.end(), 0);
      if (job.reader->lane() == Lane::f32) full_key_table<float>(job, keys.data());
      else full_key_table<double>(job, keys.data());
      const int64_t none[3] = {0, 0, 0};
      job.brackets = stats::KeyBrackets{};
      for (int j = 0; j < 3; ++j) job.brackets.lo[j] = 0, job.brackets.width[j] = kKeys - 1;
      const bool found = select_quantile_keys(job, keys.data(), none);
      (void)found;  // a full table always holds every quantile
      job.extra_pass = true;
    }
  }
  if (job.reader->lane() == Lane::f32) set_pass2_params(job, job.pf, s, opt.bins);
  else set_pass2_params(job, job.pd, s, opt.bins);
}

template <class T> void finish_pass2_typed(Job& job, const Pass2Params<T>& p) {
  TensorStats& s = *job.out;
  Pass2Block t;
  for (auto& b : job.p2) {
    t.q.fq.add(b.q.fq);
    t.q.rt.add(b.q.rt);
    for (int j = 0; j < 3; ++j) {
      t.below[j] += b.below[j];
      t.e_below[j] += b.e_below[j];
      t.collect[j].insert(t.collect[j].end(), b.collect[j].begin(), b.collect[j].end());
    }
    t.near += b.near;
    t.replaced += b.replaced;
    t.mags.insert(t.mags.end(), b.mags.begin(), b.mags.end());
  }
  // The zeros that stood in for non-finite values: count them out again.
  const int64_t r = t.replaced;
  std::vector<int64_t> counts(size_t(p.hist.bins), 0);
  for (const auto& table : job.hist)
    for (size_t k = 0; k < table.size(); ++k) counts[k % counts.size()] += int64_t(table[k]);
  if (r > 0) {
    counts[size_t(p.hist.index(T(0)))] -= r;
    for (int j = 0; j < 3; ++j)
      if (T(0) < p.ksig[j]) t.below[j] -= r;
    t.near -= r;
  }
  const double n = double(s.count);
  s.histogram.counts = counts;
  double h = 0;
  for (int64_t c : counts)
    if (c > 0) h -= double(c) / n * std::log2(double(c) / n);
  s.histogram.entropy_bits = h;
  s.near_zero = t.near;
  s.near_zero_fraction = double(t.near) / n;

  QuantStats& q = s.quant;
  const double energy = job.total.sq;
  q.sqnr_int8_tensor_db = sqnr_db(energy, t.q.fq.int8_tensor);
  q.sqnr_int4_tensor_db = sqnr_db(energy, t.q.fq.int4_tensor);
  q.sqnr_int8_channel_db = job.matrix ? sqnr_db(energy, t.q.fq.int8_channel) : q.sqnr_int8_tensor_db;
  q.sqnr_int4_channel_db = job.matrix ? sqnr_db(energy, t.q.fq.int4_channel) : q.sqnr_int4_tensor_db;
  q.sqnr_int4_group_db = sqnr_db(energy, t.q.fq.int4_group);
  q.sqnr_fp16_db = sqnr_db(energy, t.q.rt.fp16_error);
  q.sqnr_bf16_db = sqnr_db(energy, t.q.rt.bf16_error);
  q.fp16_overflow = t.q.rt.fp16_overflow;
  q.fp16_flush_to_zero = t.q.rt.fp16_flush;
  q.outlier_ratio = s.rms > 0 ? s.absmax / s.rms : kNaN;

  PruneStats& pr = s.prune;
  for (int j = 0; j < 3; ++j) pr.below_k_sigma[size_t(j)] = double(t.below[j]) / n;
  if (job.small) {
    std::sort(t.mags.begin(), t.mags.end());
    t.mags.erase(t.mags.begin(), t.mags.begin() + r);  // replaced values are zeros, sorted first
    for (int j = 0; j < 3; ++j) {
      const auto kept = energy_kept_exact(t.mags, job.prune_k[j], energy);
      pr.energy_kept[size_t(j)] = kept[0];
      pr.magnitude_threshold[size_t(j)] = kept[1];
    }
  } else {
    for (int j = 0; j < 3; ++j) {
      if (job.prune_k[j] == 0) {
        pr.energy_kept[size_t(j)] = energy > 0 ? 1.0 : kNaN;
        pr.magnitude_threshold[size_t(j)] = 0;
        continue;
      }
      auto& c = t.collect[j];
      if (job.eq_key[j] == 0) {  // the stand-in zeros are the smallest: drop r of them
        std::nth_element(c.begin(), c.begin() + r, c.end());
        c.erase(c.begin(), c.begin() + r);
      }
      const int64_t need = std::min<int64_t>(job.prune_need[j], int64_t(c.size()));
      double pruned = t.e_below[j];
      if (need > 0) {
        // Linear selection of the `need` smallest (the collection order, and
        // so the summation order, is fixed by the block order).
        std::nth_element(c.begin(), c.begin() + (need - 1), c.end());
        for (int64_t i = 0; i < need; ++i) pruned += c[size_t(i)] * c[size_t(i)];
      }
      pr.energy_kept[size_t(j)] = energy > 0 ? (energy - pruned) / energy : kNaN;
      pr.magnitude_threshold[size_t(j)] = need > 0 ? c[size_t(need - 1)] : 0.0;
    }
  }
}

int stored_bits(DType d) {
  const DTypeInfo& info = dtype_info(d);
  if (info.is_quantized) return int(itemsize(quantized_underlying(d))) * 8;
  return int(info.itemsize) * 8;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::vector<TensorStats> compute_tensor_stats_batch(const std::vector<const Tensor*>& tensors,
                                                    const StatsOptions& options, StatsTimings* timings) {
  if (options.bins < 1 || options.bins > (1 << 24)) throw Error(ErrorCode::usage, "--bins must be in [1, 16777216]");
  const auto t_start = std::chrono::steady_clock::now();
  const unsigned threads = stats::resolve_threads(options.threads);
  std::vector<TensorStats> results(tensors.size());
  std::vector<Job> jobs(tensors.size());
  std::vector<size_t> active;
  StatsTimings tm;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = *tensors[i];
    TensorStats& s = results[i];
    Job& job = jobs[i];
    job.t = &t;
    job.out = &s;
    s.dtype = std::string(dtype_name(t.dtype));
    s.shape = t.shape;
    s.numel = t.numel();
    s.bytes = t.nbytes();
    s.floating = dtype_info(t.dtype).is_floating || dtype_info(t.dtype).is_quantized;
    s.hardware = hardware_stats(t);
    s.skipped_reason = stats::unsupported_reason(t);
    if (!s.skipped_reason.empty()) continue;
    s.computed = true;
    if (s.numel == 0) continue;
    job.reader = std::make_unique<ElementReader>(t);
    job.matrix = t.shape.size() >= 2;
    job.rows = job.matrix ? t.shape[0] : 1;
    job.cols = s.numel / job.rows;
    job.small = s.numel <= kSmallPrune;
    job.keys.resize(threads);
    job.hist.resize(threads);
    active.push_back(i);
    tm.bytes += s.bytes;
  }
  // Per tensor: the moments' shift and the pruning brackets, from samples
  // (timed as part of pass 1).
  auto t0 = std::chrono::steady_clock::now();
  stats::parallel_for(active.size(), threads, [&](size_t k, unsigned) {
    Job& job = jobs[active[k]];
    job.shift = choose_shift(*job.reader);
    if (job.small) return;
    if (options.prune_bracket_se < 0) {  // tests: brackets that miss, to exercise the full table
      for (int j = 0; j < 3; ++j) job.brackets.lo[j] = 0, job.brackets.width[j] = 0;
    } else if (job.reader->lane() == Lane::f32) {
      job.brackets = plan_brackets<float>(*job.reader, options.prune_bracket_se);
    } else {
      job.brackets = plan_brackets<double>(*job.reader, options.prune_bracket_se);
    }
  });
  // Largest tensors first, so the dynamic schedule ends with small items.
  std::stable_sort(active.begin(), active.end(),
                   [&](size_t a, size_t b) { return results[a].numel > results[b].numel; });
  const int64_t target = std::max<int64_t>(kChunk, options.block_elements / kChunk * kChunk);
  std::vector<Block> blocks;
  for (size_t i : active) plan_blocks(jobs[i], i, target, blocks);
  std::vector<size_t> slot(blocks.size());
  for (size_t i : active) {
    for (size_t k = 0; k < jobs[i].blocks.size(); ++k) slot[jobs[i].blocks[k]] = k;
    jobs[i].p1.resize(jobs[i].blocks.size());
    jobs[i].p2.resize(jobs[i].blocks.size());
  }

  stats::parallel_for(blocks.size(), threads, [&](size_t bi, unsigned worker) {
    Job& job = jobs[blocks[bi].job];
    if (job.reader->lane() == Lane::f32) run_pass1<float>(job, blocks[bi], slot[bi], worker);
    else run_pass1<double>(job, blocks[bi], slot[bi], worker);
  });
  for (size_t i : active) {
    Job& job = jobs[i];
    job.row_sq.assign(size_t(job.rows), 0.0);
    job.row_amax.assign(size_t(job.rows), 0.0);
    for (size_t k = 0; k < job.blocks.size(); ++k) {
      const Block& b = blocks[job.blocks[k]];
      const Pass1Block& p = job.p1[k];
      for (size_t r = 0; r < p.row_sq.size(); ++r) {
        job.row_sq[size_t(b.row0) + r] += p.row_sq[r];
        job.row_amax[size_t(b.row0) + r] = std::max(job.row_amax[size_t(b.row0) + r], p.row_amax[r]);
      }
    }
    finish_pass1(job, options);
    job.out->passes = 1;
  }
  tm.pass1 = seconds_since(t0);

  // Pass 2 for the tensors with at least one finite value.
  t0 = std::chrono::steady_clock::now();
  std::vector<size_t> pass2_blocks;
  for (size_t bi = 0; bi < blocks.size(); ++bi)
    if (jobs[blocks[bi].job].out->count > 0) pass2_blocks.push_back(bi);
  stats::parallel_for(pass2_blocks.size(), threads, [&](size_t i, unsigned worker) {
    const size_t bi = pass2_blocks[i];
    Job& job = jobs[blocks[bi].job];
    if (job.reader->lane() == Lane::f32) run_pass2<float>(job, blocks[bi], slot[bi], worker);
    else run_pass2<double>(job, blocks[bi], slot[bi], worker);
  });
  for (size_t i : active) {
    Job& job = jobs[i];
    TensorStats& s = *job.out;
    if (s.count == 0) continue;
    if (job.reader->lane() == Lane::f32) finish_pass2_typed(job, job.pf);
    else finish_pass2_typed(job, job.pd);
    s.passes = job.extra_pass ? 3 : 2;
    recommend_precision(s.quant, int(s.shape.size()), s.numel, stored_bits(job.t->dtype), options.quant_rule);
    job.p1.clear();
    job.p2.clear();
    job.hist.clear();
    job.keys.clear();
  }
  tm.pass2 = seconds_since(t0);

  if (options.spectral) {
    t0 = std::chrono::steady_clock::now();
    // Big matrices one at a time with all workers; the rest one per worker.
    constexpr int64_t kBig = 1 << 22;
    std::vector<size_t> big, small;
    for (size_t i : active) {
      const TensorStats& s = *jobs[i].out;
      if (!jobs[i].matrix || s.count != s.numel) continue;
      (s.numel >= kBig ? big : small).push_back(i);
    }
    for (size_t i : big) {
      SpectralOptions so = options.spectral_options;
      so.threads = threads;
      jobs[i].out->spectral = spectral_norm(*jobs[i].t, so, jobs[i].total.sq);
    }
    stats::parallel_for(small.size(), threads, [&](size_t k, unsigned) {
      SpectralOptions so = options.spectral_options;
      so.threads = 1;
      jobs[small[k]].out->spectral = spectral_norm(*jobs[small[k]].t, so, jobs[small[k]].total.sq);
    });
    tm.spectral = seconds_since(t0);
  }
  if (options.compression) {
    t0 = std::chrono::steady_clock::now();
    stats::parallel_for(active.size(), threads, [&](size_t k, unsigned) {
      jobs[active[k]].out->compress = compressibility(*jobs[active[k]].t, options.compress_options);
    });
    tm.compression = seconds_since(t0);
  }
  tm.total = seconds_since(t_start);
  if (timings) *timings = tm;
  return results;
}

TensorStats compute_tensor_stats(const Tensor& t, const StatsOptions& options) {
  return std::move(compute_tensor_stats_batch({&t}, options).front());
}

}  // namespace ptscope
