// Human-readable `ptscope stats`: the per-tensor table, the model summary,
// the rankings and the recommendations.
#pragma once
#include <string>

#include "stats/model_stats.h"

namespace ptscope {

struct StatsTextOptions {
  size_t max_rows = 200;  // 0 = every tensor
};

std::string render_stats_text(const ModelStats& ms, const ModelStatsOptions& options, const StatsTextOptions& text = {});

}  // namespace ptscope
