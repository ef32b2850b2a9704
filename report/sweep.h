// The sweep of `ptscope sweep` and of the analysis' "sweep" section
// (pipeline/sweep.h) written as JSON and as text.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "pipeline/sweep.h"

namespace ptscope {

nlohmann::json sweep_json(const SweepResult& r);
std::string render_sweep_text(const SweepResult& r);

}  // namespace ptscope
