// JSON for `ptscope stats --json` (schema ptscope.stats/1, see docs/stats.md).
// Non-finite numbers are written as the strings "inf", "-inf" and "nan".
#pragma once
#include <nlohmann/json.hpp>

#include "stats/model_stats.h"

namespace ptscope {

nlohmann::json stats_number(double v);
nlohmann::json tensor_stats_json(const TensorStats& t);
nlohmann::json model_stats_json(const ModelStats& ms, const ModelStatsOptions& options);

}  // namespace ptscope
