// `ptscope info`: what is in the file, as text for people and as versioned
// JSON (schema "ptscope.info/1", documented in docs/json-schema.md).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "report/report_inputs.h"

namespace ptscope {

struct InfoOptions {
  size_t max_tensor_rows = 0;  // 0: all
  bool show_tree = true;
};

std::string render_info_text(const Model& model, const InfoOptions& options = {});
nlohmann::json info_json(const Model& model);
nlohmann::json tensor_json(const NamedTensor& t);

}  // namespace ptscope
