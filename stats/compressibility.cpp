#include "stats/compressibility.h"

#include <zlib.h>
#include <zstd.h>

#include <array>
#include <cmath>
#include <vector>

namespace ptscope {
namespace {

constexpr uint64_t kSampleBlock = 64 << 10;

// The bytes to measure: everything, or evenly spaced blocks totalling `budget`
// (weights are statistically uniform along a tensor, so a spread sample
// estimates the ratio well while keeping zlib's time bounded).
std::vector<uint8_t> sample(const uint8_t* data, uint64_t size, uint64_t budget) {
  if (budget == 0 || size <= budget) return std::vector<uint8_t>(data, data + size);
  const uint64_t blocks = std::max<uint64_t>(1, budget / kSampleBlock);
  std::vector<uint8_t> out;
  out.reserve(blocks * kSampleBlock);
  for (uint64_t b = 0; b < blocks; ++b) {
    const uint64_t start = (size - kSampleBlock) * b / std::max<uint64_t>(1, blocks - 1);
    out.insert(out.end(), data + start, data + start + kSampleBlock);
  }
  return out;
}

}  // namespace

CompressStats compressibility(const uint8_t* data, uint64_t size, const CompressOptions& o) {
  CompressStats c;
  c.total_bytes = size;
  if (size == 0 || !data) return c;
  const std::vector<uint8_t> bytes = sample(data, size, o.sample_bytes);
  c.sampled_bytes = bytes.size();
  std::array<uint64_t, 256> hist{};
  for (uint8_t b : bytes) ++hist[b];
  double h = 0;
  const double n = double(bytes.size());
  for (uint64_t k : hist)
    if (k) h -= double(k) / n * std::log2(double(k) / n);
  c.byte_entropy_bits = h;
  c.entropy_ratio = h > 0 ? 8.0 / h : INFINITY;

  uLongf zlen = compressBound(uLong(bytes.size()));
  std::vector<uint8_t> zbuf(zlen);
  if (compress2(zbuf.data(), &zlen, bytes.data(), uLong(bytes.size()), o.zlib_level) == Z_OK)
    c.zlib_ratio = n / double(zlen);
  std::vector<uint8_t> sbuf(ZSTD_compressBound(bytes.size()));
  const size_t slen = ZSTD_compress(sbuf.data(), sbuf.size(), bytes.data(), bytes.size(), o.zstd_level);
  if (!ZSTD_isError(slen)) c.zstd_ratio = n / double(slen);
  return c;
}

CompressStats compressibility(const Tensor& t, const CompressOptions& o) {
  const uint8_t* p = t.data();
  if (!p || t.numel() == 0) return {};
  // The bytes the view spans in its storage (its own bytes when contiguous).
  const uint64_t span = t.is_contiguous() ? t.nbytes()
                                          : t.min_storage_bytes() - uint64_t(t.storage_offset) * itemsize(t.dtype);
  return compressibility(p, span, o);
}

}  // namespace ptscope
