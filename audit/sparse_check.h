// Index checks of sparse tensors that torch.load rebuilds without checking
// them (torch._utils._rebuild_sparse_tensor passes check_invariants=False and
// validates afterwards only in some versions and modes: CVE-2025-62164).
// An index outside the declared size makes later kernels (to_dense, matmul)
// read or write out of bounds.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "audit/pickle_scan.h"
#include "core/bytes.h"

namespace ptscope::audit {

struct SparseVerdict {
  enum class Kind {
    consistent,   // every index checked and inside the declared size
    violation,    // an index or an index shape breaks the invariants torch skips
    unchecked,    // the index data could not be read (no record, view outside it, unknown dtype)
  } kind = Kind::unchecked;
  std::string message;  // what was found (violation) or why nothing was checked (unchecked)
};

// The bytes of a storage record by key, or nullopt when it cannot be read.
using RecordReader = std::function<std::optional<ByteSpan>(const std::string& key)>;

// Reads the index tensors of `ref` from their records (little-endian, as
// torch writes them) and checks them: COO indices [sparse_dim, nnz] inside
// size; compressed indices (CSR/CSC/BSR/BSC) of length n + 1 per batch,
// starting at 0, non-decreasing, ending at nnz; plain indices inside the
// plain dimension (in blocks for BSR/BSC). Cost is linear in the index bytes;
// nothing is allocated from a declared size.
SparseVerdict check_sparse_indices(const SparseRef& ref, const RecordReader& record);

}  // namespace ptscope::audit
