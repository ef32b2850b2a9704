// Differences between two models' tensors (`ptscope diff A B`): keys only in
// one of them, shape and dtype changes, and for the tensors both hold
// max |Δ|, relative L2 change, cosine similarity and the fraction of changed
// elements, computed in double over the values as torch reads them
// (b.double() - a.double()). Works between any two files the reader opens,
// e.g. a .pt and its .safetensors conversion, or a checkpoint and a fine-tune.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"

namespace ptscope {

struct TensorDiff {
  std::string name;
  std::vector<int64_t> shape_a, shape_b;
  DType dtype_a = DType::undefined, dtype_b = DType::undefined;
  int64_t numel = 0;
  bool shape_changed = false;
  bool dtype_changed = false;
  // Same bytes for the same view. `identical_by` says how it was known:
  // "same storage region" (nothing read: both sides are the same bytes of the
  // same file) or "same bytes" (one memcmp, no conversion).
  bool identical = false;
  std::string identical_by;
  bool compared = false;               // metrics below were computed
  std::string not_compared;            // why not (shape changed, complex, no data, ...)
  double max_abs = 0;                  // max |b - a|
  std::optional<double> rel_l2;        // ||b - a|| / ||a||; null when ||a|| = 0 < ||b - a||
  std::optional<double> cosine;        // <a, b> / (||a|| ||b||); null when either norm is 0
  double changed_fraction = 0;         // share of elements with a != b (NaN counts as changed)
  int64_t changed_elements = 0;
};

struct ModelDiff {
  std::vector<std::string> only_in_a, only_in_b;
  std::vector<TensorDiff> common;  // most changed first (shape changes, then rel_l2, max_abs), identical last
  int64_t identical = 0, changed = 0, shape_changed = 0, dtype_changed = 0;
};

struct DiffOptions {
  unsigned threads = 0;  // 0: one per hardware thread
};

ModelDiff diff_models(const Model& a, const Model& b, const DiffOptions& options = {});

}  // namespace ptscope
