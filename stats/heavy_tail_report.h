// `ptscope stats --spectral`: the WeightWatcher-style per-layer table (text)
// and its JSON (key "heavy_tail" of ptscope.stats/1, see docs/stats.md).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "stats/heavy_tail.h"

namespace ptscope {

std::string render_heavy_tail_text(const HeavyTailReport& report);
nlohmann::json heavy_tail_json(const HeavyTailReport& report);

}  // namespace ptscope
