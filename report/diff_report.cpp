#include "report/diff_report.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/format.h"

namespace ptscope {
namespace {

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
nlohmann::json optional_json(const std::optional<double>& v) { return v ? number_or_null(*v) : nlohmann::json(nullptr); }

// A measure of the table: "nan" spelled one way, "-" where the measure does not apply.
std::string measure(double v, const char* spec = "%.4g") { return std::isnan(v) ? "nan" : fmt(spec, v); }
std::string measure(const std::optional<double>& v, const char* spec = "%.4g") { return v ? measure(*v, spec) : "-"; }

nlohmann::json side(const Model& m) {
  return {{"path", m.path}, {"kind", file_kind_name(m.kind)}, {"tensors", m.tensors.size()}};
}

std::string status(const TensorDiff& t) {
  if (t.shape_changed) return "shape";
  if (t.identical) return "identical";
  if (!t.compared) return "not compared";
  return t.dtype_changed ? "dtype+values" : "changed";
}

}  // namespace

nlohmann::json diff_json(const Model& a, const Model& b, const ModelDiff& d) {
  nlohmann::json j;
  j["schema"] = kDiffSchema;
  j["a"] = side(a);
  j["b"] = side(b);
  j["only_in_a"] = d.only_in_a;
  j["only_in_b"] = d.only_in_b;
  j["summary"] = {{"common", d.common.size()},      {"identical", d.identical},         {"changed", d.changed},
                  {"shape_changed", d.shape_changed}, {"dtype_changed", d.dtype_changed}, {"only_in_a", d.only_in_a.size()},
                  {"only_in_b", d.only_in_b.size()}};
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& t : d.common) {
    nlohmann::json r = {{"name", t.name},
                        {"status", status(t)},
                        {"shape_a", t.shape_a},
                        {"shape_b", t.shape_b},
                        {"dtype_a", std::string(dtype_name(t.dtype_a))},
                        {"dtype_b", std::string(dtype_name(t.dtype_b))},
                        {"numel", t.numel},
                        {"identical", t.identical}};
    if (!t.identical_by.empty()) r["identical_by"] = t.identical_by;
    if (t.compared) {
      r["max_abs"] = number_or_null(t.max_abs);
      r["rel_l2"] = optional_json(t.rel_l2);
      r["cosine"] = optional_json(t.cosine);
      r["changed_fraction"] = t.changed_fraction;
      r["changed_elements"] = t.changed_elements;
    } else {
      r["not_compared"] = t.not_compared;
    }
    rows.push_back(std::move(r));
  }
  j["tensors"] = std::move(rows);
  return j;
}

std::string render_diff_text(const Model& a, const Model& b, const ModelDiff& d, const DiffTextOptions& options) {
  std::ostringstream os;
  os << "A           " << a.path << " (" << file_kind_name(a.kind) << ", " << a.tensors.size() << " tensors)\n";
  os << "B           " << b.path << " (" << file_kind_name(b.kind) << ", " << b.tensors.size() << " tensors)\n";
  os << "common      " << d.common.size() << " tensors: " << d.identical << " identical, " << d.changed << " changed ("
     << d.shape_changed << " in shape, " << d.dtype_changed << " in dtype)\n";
  auto list = [&os](const char* label, const std::vector<std::string>& names) {
    os << label << names.size();
    for (size_t i = 0; i < names.size() && i < 20; ++i) os << (i ? ", " : ": ") << names[i];
    if (names.size() > 20) os << ", ... " << names.size() - 20 << " more";
    os << "\n";
  };
  list("only in A   ", d.only_in_a);
  list("only in B   ", d.only_in_b);
  TextTable table({"name", "status", "shape A -> B", "dtype A -> B", "max |Δ|", "rel L2", "cosine", "changed"},
                  {false, false, false, false, true, true, true, true});
  size_t shown = 0, hidden = 0;
  for (const auto& t : d.common) {
    if (t.identical && !options.show_identical) continue;
    if (options.max_rows && shown >= options.max_rows) {
      ++hidden;
      continue;
    }
    ++shown;
    const std::string shape = t.shape_changed ? format_shape(t.shape_a) + " -> " + format_shape(t.shape_b) : format_shape(t.shape_a);
    const std::string dtype = t.dtype_changed ? std::string(dtype_name(t.dtype_a)) + " -> " + std::string(dtype_name(t.dtype_b))
                                              : std::string(dtype_name(t.dtype_a));
    if (t.compared)
      table.add_row({t.name, status(t), shape, dtype, measure(t.max_abs), measure(t.rel_l2), measure(t.cosine, "%.6f"),
                     measure(100.0 * t.changed_fraction, "%.2f") + "%"});
    else
      table.add_row({t.name, status(t) + (t.not_compared.empty() || t.shape_changed ? "" : " (" + t.not_compared + ")"),
                     shape, dtype, "-", "-", "-", "-"});
  }
  if (shown) os << "\nmost changed first\n" << table.render(70);
  if (hidden) os << "... " << hidden << " more (use --all)\n";
  if (!shown && d.only_in_a.empty() && d.only_in_b.empty()) os << "\nthe two models hold the same tensors, byte for byte\n";
  return os.str();
}

}  // namespace ptscope
