#include "audit/sparse_check.h"

#include <cstring>

#include "core/format.h"

namespace ptscope::audit {
namespace {

using Kind = SparseVerdict::Kind;

SparseVerdict unchecked(std::string why) { return {Kind::unchecked, std::move(why)}; }
SparseVerdict violation(std::string what) { return {Kind::violation, std::move(what)}; }


// Readable elements of one index view: bounds-checked against the record,
// walked in row-major order with an element budget tied to the record size
// (views with overlapping strides could otherwise ask for n^2 visits).
class IndexReader {
 public:
  IndexReader(const IndexView& view, ByteSpan record) : view_(view), record_(record) {}

  // nullopt when the view is readable, else why not.
  std::optional<std::string> problem() const {
    if (view_.itemsize != 8 && view_.itemsize != 4)
      return "indices of storage type " + view_.type + " (torch wants int64 or int32)";
    if (view_.sizes.size() != view_.strides.size() || view_.offset < 0)
      return std::string("malformed index view geometry");
    const uint64_t elements = record_.size() / view_.itemsize;
    uint64_t extent = uint64_t(view_.offset) + 1, count = 1;
    for (size_t d = 0; d < view_.sizes.size(); ++d) {
      if (view_.sizes[d] < 0 || view_.strides[d] < 0) return std::string("negative index view geometry");
      if (view_.sizes[d] == 0) return std::nullopt;  // empty: nothing to read
      uint64_t step = 0;
      if (__builtin_mul_overflow(uint64_t(view_.sizes[d] - 1), uint64_t(view_.strides[d]), &step) ||
          __builtin_add_overflow(extent, step, &extent) ||
          __builtin_mul_overflow(count, uint64_t(view_.sizes[d]), &count))
        return std::string("index view geometry overflows");
    }
    if (extent > elements) return "index view needs " + std::to_string(extent) + " elements, its record holds " +
                                  std::to_string(elements);
    if (count > 4 * elements + 1024) return std::string("index view revisits its storage too often to check");
    return std::nullopt;
  }

  // Calls fn(flat_position, value) for every element in row-major order;
  // stops early when fn returns false.
  template <typename Fn>
  void each(Fn&& fn) const {
    const size_t nd = view_.sizes.size();
    for (size_t d = 0; d < nd; ++d)
      if (view_.sizes[d] == 0) return;
    std::vector<int64_t> at(nd, 0);
    uint64_t pos = uint64_t(view_.offset);
    for (uint64_t flat = 0;; ++flat) {
      if (!fn(flat, load(pos))) return;
      size_t d = nd;
      while (d > 0) {
        --d;
        if (++at[d] < view_.sizes[d]) {
          pos += uint64_t(view_.strides[d]);
          break;
        }
        pos -= uint64_t(view_.strides[d]) * uint64_t(view_.sizes[d] - 1);
        at[d] = 0;
        if (d == 0) return;
      }
      if (nd == 0) return;
    }
  }

 private:
  int64_t load(uint64_t element) const {
    const uint8_t* p = record_.data() + element * view_.itemsize;
    if (view_.itemsize == 8) {
      uint64_t v = 0;
      for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
      return int64_t(v);
    }
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
    return int64_t(int32_t(v));
  }

  const IndexView& view_;
  ByteSpan record_;
};

SparseVerdict check_coo(const SparseRef& ref, const IndexReader& indices, const IndexView& view) {
  if (view.sizes.size() != 2)
    return violation("COO indices have shape " + format_shape_tuple(view.sizes) + ", not [sparse_dim, nnz]");
  const int64_t sparse_dim = view.sizes[0], nnz = view.sizes[1];
  if (sparse_dim > int64_t(ref.size.size()))
    return violation("COO indices have " + std::to_string(sparse_dim) + " rows for a size of " +
                     std::to_string(ref.size.size()) + " dimensions");
  std::optional<SparseVerdict> bad;
  indices.each([&](uint64_t flat, int64_t value) {
    const uint64_t dim = flat / uint64_t(nnz);
    if (value < 0 || value >= ref.size[dim]) {
      bad = violation("COO index " + std::to_string(value) + " in dimension " + std::to_string(dim) +
                      " (entry " + std::to_string(flat % uint64_t(nnz)) + ") is outside size " +
                      format_shape_tuple(ref.size));
      return false;
    }
    return true;
  });
  return bad ? *bad : SparseVerdict{Kind::consistent, {}};
}

SparseVerdict check_compressed(const SparseRef& ref, const IndexReader& compressed, const IndexView& cview,
                               const IndexReader& plain, const IndexView& pview) {
  const bool row_major = ref.layout == "sparse_csr" || ref.layout == "sparse_bsr";
  const bool blocked = ref.layout == "sparse_bsr" || ref.layout == "sparse_bsc";
  const std::string cname = row_major ? "crow_indices" : "ccol_indices";
  const std::string pname = row_major ? "col_indices" : "row_indices";
  if (cview.sizes.empty() || cview.sizes.size() != pview.sizes.size())
    return violation(cname + " " + format_shape_tuple(cview.sizes) + " and " + pname + " " + format_shape_tuple(pview.sizes) +
                     " do not have the same number of dimensions");
  const size_t batch = cview.sizes.size() - 1;
  for (size_t d = 0; d < batch; ++d)
    if (cview.sizes[d] != pview.sizes[d] || ref.size.size() <= d || ref.size[d] != cview.sizes[d])
      return violation("batch dimensions of " + cname + " " + format_shape_tuple(cview.sizes) + ", " + pname + " " +
                       format_shape_tuple(pview.sizes) + " and size " + format_shape_tuple(ref.size) + " disagree");
  if (ref.size.size() < batch + 2)
    return violation("size " + format_shape_tuple(ref.size) + " has no room for the compressed dimensions");
  int64_t rows = ref.size[batch], cols = ref.size[batch + 1];
  if (blocked) {
    // values: (*batch, nnz, block_rows, block_cols, *dense)
    if (ref.values_sizes.size() < batch + 3) return unchecked("the block size is unknown");
    const int64_t bh = ref.values_sizes[batch + 1], bw = ref.values_sizes[batch + 2];
    if (bh <= 0 || bw <= 0 || rows % bh != 0 || cols % bw != 0)
      return violation("blocks of " + std::to_string(bh) + "x" + std::to_string(bw) + " do not tile size " +
                       format_shape_tuple(ref.size));
    rows /= bh;
    cols /= bw;
  }
  const int64_t ncompressed = row_major ? rows : cols;
  const int64_t plain_bound = row_major ? cols : rows;
  const int64_t nnz = pview.sizes.back();
  if (cview.sizes.back() != ncompressed + 1)
    return violation(cname + " has " + std::to_string(cview.sizes.back()) + " entries per batch; size " +
                     format_shape_tuple(ref.size) + " needs " + std::to_string(ncompressed + 1));
  std::optional<SparseVerdict> bad;
  int64_t previous = 0;
  const uint64_t width = uint64_t(cview.sizes.back());
  compressed.each([&](uint64_t flat, int64_t value) {
    const uint64_t i = flat % width;
    std::string why;
    if (i == 0 && value != 0) why = "starts at " + std::to_string(value) + ", not 0";
    else if (i > 0 && value < previous)
      why = "decreases from " + std::to_string(previous) + " to " + std::to_string(value) + " at " +
            std::to_string(i);
    else if (i > 0 && value - previous > plain_bound)
      why = "grows by " + std::to_string(value - previous) + " at " + std::to_string(i) + ", more than the " +
            std::to_string(plain_bound) + " entries a " + (row_major ? "row" : "column") + " can hold";
    else if (i + 1 == width && value != nnz)
      why = "ends at " + std::to_string(value) + ", not nnz = " + std::to_string(nnz);
    if (!why.empty()) {
      bad = violation(cname + " " + why + (batch ? " (batch " + std::to_string(flat / width) + ")" : ""));
      return false;
    }
    previous = value;
    return true;
  });
  if (bad) return *bad;
  plain.each([&](uint64_t flat, int64_t value) {
    if (value < 0 || value >= plain_bound) {
      bad = violation(pname + " " + std::to_string(value) + " (entry " + std::to_string(flat) + ") is outside [0, " +
                      std::to_string(plain_bound) + ")" + (blocked ? " blocks" : "") + " of size " +
                      format_shape_tuple(ref.size));
      return false;
    }
    return true;
  });
  return bad ? *bad : SparseVerdict{Kind::consistent, {}};
}

}  // namespace

SparseVerdict check_sparse_indices(const SparseRef& ref, const RecordReader& record) {
  const size_t want = ref.layout == "sparse_coo" ? 1 : 2;
  if (ref.indices.size() != want) return unchecked("index tensors missing");
  for (int64_t s : ref.size)
    if (s < 0) return violation("negative size " + format_shape_tuple(ref.size));
  std::vector<ByteSpan> bytes;
  for (const auto& view : ref.indices) {
    auto r = record(view.key);
    if (!r) return unchecked("the record of storage '" + view.key + "' cannot be read");
    bytes.push_back(*r);
    if (auto why = IndexReader(view, *r).problem()) return unchecked(*why);
  }
  const IndexReader first(ref.indices[0], bytes[0]);
  if (want == 1) return check_coo(ref, first, ref.indices[0]);
  const IndexReader second(ref.indices[1], bytes[1]);
  return check_compressed(ref, first, ref.indices[0], second, ref.indices[1]);
}

}  // namespace ptscope::audit
