// `--format html` and `--plots DIR`: the analysis (`ptscope.analysis/1`,
// docs/analysis-schema.md) as one self-contained HTML file — inline CSS, our
// own script (report/html/viewer.js), every plot as inline SVG, the analysis
// JSON embedded — and the same plots as separate SVG files.
// Both accept any JSON: missing sections render as "no data" (docs/html-report.md).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ptscope::report {

// The whole report as one HTML document (no network access needed to view it).
std::string render_html(const nlohmann::json& analysis);

// Writes each plot of plots::all_plots() as DIR/<id>.svg, creating DIR if needed;
// with `section` (e.g. "sweep") only that section's plots.
// Returns the paths written; throws std::runtime_error when a file cannot be written.
std::vector<std::string> write_plots(const nlohmann::json& analysis, const std::string& dir,
                                     const std::string& section = {});

// The analysis serialised for a <script type="application/json"> element:
// '<', '>' and '&' become \u003c, \u003e, \u0026 so that no "</script>" or
// "<!--" inside a string can end the element; invalid UTF-8 is replaced.
std::string embed_json(const nlohmann::json& analysis);

}  // namespace ptscope::report
