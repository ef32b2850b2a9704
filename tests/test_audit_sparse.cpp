// Sparse index checks (audit/sparse_check.h) on hand-made index records: the
// invariants torch skips when it rebuilds sparse tensors (CVE-2025-62164),
// and the bounds on what a declared view may make the check read.
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <vector>

#include "audit/sparse_check.h"

using namespace ptscope;
using namespace ptscope::audit;
using Kind = SparseVerdict::Kind;

namespace {

struct Records {
  std::map<std::string, std::vector<uint8_t>> by_key;
  void put64(const std::string& key, const std::vector<int64_t>& values) {
    auto& b = by_key[key];
    b.resize(values.size() * 8);
    for (size_t i = 0; i < values.size(); ++i)
      for (int k = 0; k < 8; ++k) b[i * 8 + k] = uint8_t(uint64_t(values[i]) >> (8 * k));
  }
  void put32(const std::string& key, const std::vector<int32_t>& values) {
    auto& b = by_key[key];
    b.resize(values.size() * 4);
    for (size_t i = 0; i < values.size(); ++i)
      for (int k = 0; k < 4; ++k) b[i * 4 + k] = uint8_t(uint32_t(values[i]) >> (8 * k));
  }
  RecordReader reader() const {
    return [this](const std::string& key) -> std::optional<ByteSpan> {
      auto it = by_key.find(key);
      if (it == by_key.end()) return std::nullopt;
      return ByteSpan(it->second.data(), it->second.size());
    };
  }
};

IndexView view(const std::string& key, std::vector<int64_t> sizes, std::vector<int64_t> strides, int64_t offset = 0,
               uint64_t itemsize = 8) {
  IndexView v;
  v.key = key;
  v.type = itemsize == 8 ? "torch.LongStorage" : "torch.IntStorage";
  v.itemsize = itemsize;
  v.offset = offset;
  v.sizes = std::move(sizes);
  v.strides = std::move(strides);
  return v;
}

SparseRef coo(std::vector<int64_t> size, IndexView indices) {
  SparseRef r;
  r.layout = "sparse_coo";
  r.size = std::move(size);
  r.indices.push_back(std::move(indices));
  return r;
}

SparseRef compressed(const std::string& layout, std::vector<int64_t> size, IndexView c, IndexView p,
                     std::vector<int64_t> values_sizes = {}) {
  SparseRef r;
  r.layout = layout;
  r.size = std::move(size);
  r.indices.push_back(std::move(c));
  r.indices.push_back(std::move(p));
  r.values_sizes = std::move(values_sizes);
  return r;
}

}  // namespace

TEST_CASE("sparse check: COO indices against the size", "[audit][sparse]") {
  Records rec;
  rec.put64("0", {0, 1, 2, 3, 0, 1});  // indices [2, 3]: (0,3) (1,0) (2,1)
  CHECK(check_sparse_indices(coo({3, 4}, view("0", {2, 3}, {3, 1})), rec.reader()).kind == Kind::consistent);
  // the last row bound is 4 columns: index 3 is the largest allowed, a size of 3 makes it out of bounds
  auto v = check_sparse_indices(coo({3, 3}, view("0", {2, 3}, {3, 1})), rec.reader());
  CHECK(v.kind == Kind::violation);
  CHECK(v.message.find("index 3 in dimension 1") != std::string::npos);
  // a view with strides (1, 2) reads rows (0, 2, 0) and (1, 3, 1): column index 3 needs 4 columns
  CHECK(check_sparse_indices(coo({4, 2}, view("0", {2, 3}, {1, 2})), rec.reader()).kind == Kind::violation);
  CHECK(check_sparse_indices(coo({4, 4}, view("0", {2, 3}, {1, 2})), rec.reader()).kind == Kind::consistent);
  rec.put64("1", {0, -1});
  CHECK(check_sparse_indices(coo({3}, view("1", {1, 2}, {2, 1})), rec.reader()).kind == Kind::violation);
  // more sparse dimensions than the size has
  CHECK(check_sparse_indices(coo({3}, view("0", {2, 3}, {3, 1})), rec.reader()).kind == Kind::violation);
  // empty indices: nothing to read
  CHECK(check_sparse_indices(coo({3, 3}, view("0", {2, 0}, {0, 1})), rec.reader()).kind == Kind::consistent);
}

TEST_CASE("sparse check: views the records cannot back are not read", "[audit][sparse]") {
  Records rec;
  rec.put64("0", {0, 1, 2, 3, 0, 1});
  // past the record, missing record, float storage, overflowing geometry, negative stride
  CHECK(check_sparse_indices(coo({3, 4}, view("0", {2, 3}, {3, 1}, 1)), rec.reader()).kind == Kind::unchecked);
  CHECK(check_sparse_indices(coo({3, 4}, view("9", {2, 3}, {3, 1})), rec.reader()).kind == Kind::unchecked);
  IndexView f = view("0", {2, 3}, {3, 1});
  f.itemsize = 4;
  f.type = "torch.FloatStorage";
  f.itemsize = 2;
  CHECK(check_sparse_indices(coo({3, 4}, f), rec.reader()).kind == Kind::unchecked);
  CHECK(check_sparse_indices(coo({3, 4}, view("0", {2, INT64_MAX}, {INT64_MAX, 1})), rec.reader()).kind ==
        Kind::unchecked);
  CHECK(check_sparse_indices(coo({3, 4}, view("0", {2, 3}, {-3, 1})), rec.reader()).kind == Kind::unchecked);
  // stride 0 everywhere: a billion visits of one element is refused, not walked
  CHECK(check_sparse_indices(coo({3, 4}, view("0", {1, 1'000'000'000}, {0, 0})), rec.reader()).kind ==
        Kind::unchecked);
}

TEST_CASE("sparse check: CSR, CSC, BSR, batches and int32", "[audit][sparse]") {
  Records rec;
  rec.put64("crow", {0, 2, 3, 5, 6});
  rec.put64("col", {1, 3, 0, 2, 3, 1});
  const auto csr = [&](std::vector<int64_t> size) {
    return compressed("sparse_csr", std::move(size), view("crow", {5}, {1}), view("col", {6}, {1}));
  };
  CHECK(check_sparse_indices(csr({4, 4}), rec.reader()).kind == Kind::consistent);
  CHECK(check_sparse_indices(csr({4, 3}), rec.reader()).kind == Kind::violation);  // column 3 of 3
  CHECK(check_sparse_indices(csr({5, 4}), rec.reader()).kind == Kind::violation);  // crow needs 6 entries
  // the same indices as CSC of a 4x4: ccol has 5 entries, rows < 4
  CHECK(check_sparse_indices(compressed("sparse_csc", {4, 4}, view("crow", {5}, {1}), view("col", {6}, {1})),
                             rec.reader())
            .kind == Kind::consistent);
  rec.put64("bad_start", {1, 2, 3, 5, 6});
  rec.put64("bad_end", {0, 2, 3, 5, 7});
  rec.put64("too_long_row", {0, 6, 6, 6, 6});
  for (const char* key : {"bad_start", "bad_end", "too_long_row"}) {
    INFO(key);
    CHECK(check_sparse_indices(compressed("sparse_csr", {4, 4}, view(key, {5}, {1}), view("col", {6}, {1})),
                               rec.reader())
              .kind == Kind::violation);
  }
  // BSR of a 4x4 in 2x2 blocks: 2 block rows, 2 block columns
  rec.put64("bcrow", {0, 2, 4});
  rec.put64("bcol", {0, 1, 0, 1});
  rec.put64("bcol_bad", {0, 1, 0, 2});
  const auto bsr = [&](const std::string& col, std::vector<int64_t> values) {
    return compressed("sparse_bsr", {4, 4}, view("bcrow", {3}, {1}), view(col, {4}, {1}), std::move(values));
  };
  CHECK(check_sparse_indices(bsr("bcol", {4, 2, 2}), rec.reader()).kind == Kind::consistent);
  CHECK(check_sparse_indices(bsr("bcol_bad", {4, 2, 2}), rec.reader()).kind == Kind::violation);
  CHECK(check_sparse_indices(bsr("bcol", {4, 3, 2}), rec.reader()).kind == Kind::violation);  // 3 does not tile 4
  CHECK(check_sparse_indices(bsr("bcol", {}), rec.reader()).kind == Kind::unchecked);
  // a batch of two int32 CSR matrices; the second batch's last column is out of range
  rec.put32("bc", {0, 1, 2, 0, 2, 2});
  rec.put32("bp", {0, 1, 1, 2});
  rec.put32("bp_bad", {0, 1, 1, 3});
  const auto batch = [&](const std::string& p) {
    return compressed("sparse_csr", {2, 2, 3}, view("bc", {2, 3}, {3, 1}, 0, 4), view(p, {2, 2}, {2, 1}, 0, 4));
  };
  CHECK(check_sparse_indices(batch("bp"), rec.reader()).kind == Kind::consistent);
  const auto v = check_sparse_indices(batch("bp_bad"), rec.reader());
  CHECK(v.kind == Kind::violation);
  CHECK(v.message.find("col_indices 3") != std::string::npos);
}
