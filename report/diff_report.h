// Rendering of `ptscope diff`: a text summary with the tensors ordered by how
// much they changed, and JSON (schema ptscope.diff/1, docs/reader.md).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "stats/model_diff.h"

namespace ptscope {

inline constexpr const char* kDiffSchema = "ptscope.diff/1";

nlohmann::json diff_json(const Model& a, const Model& b, const ModelDiff& d);

struct DiffTextOptions {
  size_t max_rows = 50;     // 0: every common tensor
  bool show_identical = false;
};
std::string render_diff_text(const Model& a, const Model& b, const ModelDiff& d, const DiffTextOptions& options = {});

}  // namespace ptscope
