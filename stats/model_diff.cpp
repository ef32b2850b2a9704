#include "stats/model_diff.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <unordered_map>

#include "stats/element_reader.h"
#include "stats/parallel.h"

namespace ptscope {
namespace {

constexpr int64_t kChunk = 1 << 14;

bool same_file(const Model& a, const Model& b) {
  if (a.path.empty() || b.path.empty() || !a.shards.empty() || !b.shards.empty()) return false;
  std::error_code ec;
  return std::filesystem::equivalent(a.path, b.path, ec) && !ec;
}

bool plain_view(const Storage& s) { return !s.compressed && !s.swapped && s.file_offset > 0 && !s.data_missing; }

// Both sides are the very same bytes: the same mapping region, or the same
// offset of the same file (a file diffed against itself, loaded twice).
bool same_region(const Tensor& x, const Tensor& y, bool files_equal) {
  if (!x.storage || !y.storage || x.dtype != y.dtype || x.shape != y.shape || x.strides != y.strides ||
      x.storage_offset != y.storage_offset || x.layout != Layout::strided || y.layout != Layout::strided)
    return false;
  if (x.storage == y.storage) return true;
  if (x.storage->data.size() && x.storage->data.data() == y.storage->data.data()) return true;
  return files_equal && plain_view(*x.storage) && plain_view(*y.storage) &&
         x.storage->file_offset == y.storage->file_offset && x.storage->declared_bytes == y.storage->declared_bytes;
}

bool same_bytes(const Tensor& x, const Tensor& y) {
  if (x.dtype != y.dtype || x.shape != y.shape || !x.is_contiguous() || !y.is_contiguous() ||
      x.layout != Layout::strided || y.layout != Layout::strided)
    return false;
  const uint8_t* p = x.data();
  const uint8_t* q = y.data();
  if (!p || !q) return false;
  const uint64_t n = x.nbytes();
  if (x.storage_offset < 0 || y.storage_offset < 0 || x.min_storage_bytes() > x.storage->data.size() ||
      y.min_storage_bytes() > y.storage->data.size())
    return false;
  return std::memcmp(p, q, n) == 0;
}

// ||a|| of one side, for the cosine of an identical pair (1, or null for zeros).
double norm_of(const Tensor& t) {
  if (!stats::unsupported_reason(t).empty()) return 1.0;
  stats::ElementReader r(t);
  std::vector<double> buf(size_t(std::min<int64_t>(kChunk, std::max<int64_t>(r.numel(), 1))));
  double s = 0;
  for (int64_t i = 0; i < r.numel(); i += kChunk) {
    const int64_t n = std::min(kChunk, r.numel() - i);
    const double* v = r.read(i, n, buf.data());
    for (int64_t k = 0; k < n; ++k) s += v[k] * v[k];
  }
  return std::sqrt(s);
}

void compare(const Tensor& x, const Tensor& y, bool files_equal, TensorDiff& d) {
  if (d.shape_changed) {
    d.not_compared = "shape changed";
    return;
  }
  if (!d.dtype_changed && (same_region(x, y, files_equal) || same_bytes(x, y))) {
    d.identical = true;
    d.identical_by = same_region(x, y, files_equal) ? "same storage region" : "same bytes";
    d.compared = true;
    d.rel_l2 = 0.0;
    if (d.numel > 0 && norm_of(x) > 0) d.cosine = 1.0;
    return;
  }
  for (const Tensor* t : {&x, &y})
    if (std::string why = stats::unsupported_reason(*t); !why.empty()) {
      d.not_compared = why;
      return;
    }
  stats::ElementReader ra(x), rb(y);
  const int64_t n = ra.numel();
  std::vector<double> ba(size_t(std::min<int64_t>(kChunk, std::max<int64_t>(n, 1)))), bb(ba.size());
  double sum_d2 = 0, sum_a2 = 0, sum_b2 = 0, sum_ab = 0, max_abs = 0;
  int64_t changed = 0;
  bool nan_delta = false;
  for (int64_t i = 0; i < n; i += kChunk) {
    const int64_t m = std::min(kChunk, n - i);
    const double* a = ra.read(i, m, ba.data());
    const double* b = rb.read(i, m, bb.data());
    for (int64_t k = 0; k < m; ++k) {
      const double delta = b[k] - a[k];
      sum_d2 += delta * delta;
      sum_a2 += a[k] * a[k];
      sum_b2 += b[k] * b[k];
      sum_ab += a[k] * b[k];
      const double ad = std::fabs(delta);
      if (std::isnan(ad)) nan_delta = true;
      else if (ad > max_abs) max_abs = ad;
      changed += !(a[k] == b[k]);
    }
  }
  d.compared = true;
  d.max_abs = nan_delta ? std::numeric_limits<double>::quiet_NaN() : max_abs;
  d.changed_elements = changed;
  d.changed_fraction = n ? double(changed) / double(n) : 0.0;
  const double na = std::sqrt(sum_a2), nb = std::sqrt(sum_b2), nd = std::sqrt(sum_d2);
  if (na > 0) d.rel_l2 = nd / na;
  else if (nd == 0) d.rel_l2 = 0.0;
  if (na > 0 && nb > 0) d.cosine = sum_ab / (na * nb);
  d.identical = changed == 0 && !d.dtype_changed && !nan_delta;
  if (d.identical) d.identical_by = "equal values";
}

// How much a tensor changed, for the ordering: shape changes first, then
// relative L2 (an unknown one, ||a|| = 0, as infinite), then max |Δ|.
std::tuple<int, double, double> change_key(const TensorDiff& d) {
  if (d.shape_changed) return {3, 0.0, 0.0};
  if (!d.compared) return {2, 0.0, 0.0};
  if (d.identical) return {0, 0.0, 0.0};
  const double inf = std::numeric_limits<double>::infinity();
  const double rel = d.rel_l2 ? (std::isnan(*d.rel_l2) ? inf : *d.rel_l2) : inf;
  return {1, rel, std::isnan(d.max_abs) ? inf : d.max_abs};
}

}  // namespace

ModelDiff diff_models(const Model& a, const Model& b, const DiffOptions& options) {
  ModelDiff out;
  std::unordered_map<std::string, size_t> in_b;
  for (size_t i = 0; i < b.tensors.size(); ++i) in_b.emplace(b.tensors[i].name, i);
  std::unordered_map<std::string, size_t> in_a;
  std::vector<std::pair<size_t, size_t>> pairs;
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    const auto& nt = a.tensors[i];
    if (!in_a.emplace(nt.name, i).second || !nt.tensor) continue;
    auto it = in_b.find(nt.name);
    if (it == in_b.end()) out.only_in_a.push_back(nt.name);
    else if (b.tensors[it->second].tensor) pairs.emplace_back(i, it->second);
  }
  for (const auto& nt : b.tensors)
    if (nt.tensor && !in_a.count(nt.name)) out.only_in_b.push_back(nt.name);

  const bool files_equal = same_file(a, b);
  out.common.resize(pairs.size());
  stats::parallel_for(pairs.size(), stats::resolve_threads(options.threads), [&](size_t k, unsigned) {
    const Tensor& x = *a.tensors[pairs[k].first].tensor;
    const Tensor& y = *b.tensors[pairs[k].second].tensor;
    TensorDiff& d = out.common[k];
    d.name = a.tensors[pairs[k].first].name;
    d.shape_a = x.shape;
    d.shape_b = y.shape;
    d.dtype_a = x.dtype;
    d.dtype_b = y.dtype;
    d.numel = x.numel();
    d.shape_changed = x.shape != y.shape;
    d.dtype_changed = x.dtype != y.dtype;
    compare(x, y, files_equal, d);
  });
  std::stable_sort(out.common.begin(), out.common.end(), [](const TensorDiff& p, const TensorDiff& q) {
    const auto kp = change_key(p), kq = change_key(q);
    if (kp != kq) return kp > kq;
    return p.name < q.name;
  });
  for (const auto& d : out.common) {
    out.identical += d.identical;
    out.changed += !d.identical;
    out.shape_changed += d.shape_changed;
    out.dtype_changed += d.dtype_changed;
  }
  return out;
}

}  // namespace ptscope
