// `ptscope analyze`: the typed Analysis (pipeline/analysis.h) written as one
// JSON document (schema "ptscope.analysis/1", docs/analysis-schema.md), as
// text and as Markdown. The HTML viewer (report/html_report.h) is written
// from the same Analysis and embeds the JSON document.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "pipeline/analysis.h"

namespace ptscope {

constexpr const char* kAnalysisSchema = "ptscope.analysis/1";

// The analysis as the ptscope.analysis/1 document.
nlohmann::json analysis_json(const Analysis& analysis);

// run_analysis (pipeline/analysis.h) then analysis_json.
nlohmann::json build_analysis(const std::string& path, const AnalysisOptions& options = {});
nlohmann::json build_analysis(const Model& model, const AnalysisOptions& options = {});

// The expert's report (console and comprehensive_model_analysis.txt).
std::string render_analysis_text(const Analysis& analysis);
// The same for pull requests: headings and pipe tables, no volatile numbers
// unless they were asked for (inference, system).
std::string render_analysis_markdown(const Analysis& analysis);

// Replaces run-dependent values (system metrics, timings, measured peaks,
// paths' directories) by fixed placeholders, for golden tests and diffs.
nlohmann::json normalize_volatile(nlohmann::json analysis);

}  // namespace ptscope
