// `--format html` and `--plots DIR`: the typed analysis (pipeline/analysis.h)
// as one self-contained HTML file — inline CSS, our own script
// (report/html/viewer.js), every plot as inline SVG, the analysis JSON
// (`ptscope.analysis/1`, docs/analysis-schema.md) embedded for the script —
// and the same plots as separate SVG files. Sections an analysis lacks render
// as "no data" (docs/html-report.md).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/analysis.h"

namespace ptscope::report {

// The whole report as one HTML document (no network access needed to view it).
std::string render_html(const Analysis& analysis);

// Writes each plot of plots::all_plots() as DIR/<id>.svg, creating DIR if needed;
// with `section` (e.g. "sweep") only that section's plots.
// Returns the paths written; throws std::runtime_error when a file cannot be written.
std::vector<std::string> write_plots(const Analysis& analysis, const std::string& dir,
                                     const std::string& section = {});
// The sweep section's plots of a sweep run alone (`ptscope sweep --plots DIR`).
std::vector<std::string> write_sweep_plots(const SweepResult& sweep, const std::string& dir);

// The analysis serialised for a <script type="application/json"> element:
// '<', '>' and '&' become \u003c, \u003e, \u0026 so that no "</script>" or
// "<!--" inside a string can end the element; invalid UTF-8 is replaced.
std::string embed_json(const nlohmann::json& analysis);

}  // namespace ptscope::report
