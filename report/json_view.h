// Tolerant reads of an analysis JSON for renderers: a missing key, a wrong
// type or a null gives an empty value instead of an exception, and the
// strings "inf", "-inf", "nan" (how ptscope writes non-finite numbers) read
// as numbers.
#pragma once
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ptscope::json_view {

inline const nlohmann::json& empty_array() {
  static const nlohmann::json a = nlohmann::json::array();
  return a;
}
inline const nlohmann::json& empty_object() {
  static const nlohmann::json o = nlohmann::json::object();
  return o;
}

// j[key] when j is an object holding key, else null.
inline const nlohmann::json& at(const nlohmann::json& j, std::string_view key) {
  static const nlohmann::json null_value;
  if (!j.is_object()) return null_value;
  const auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}

inline const nlohmann::json& array(const nlohmann::json& j, std::string_view key) {
  const auto& v = at(j, key);
  return v.is_array() ? v : empty_array();
}

inline const nlohmann::json& object(const nlohmann::json& j, std::string_view key) {
  const auto& v = at(j, key);
  return v.is_object() ? v : empty_object();
}

// A number (NaN when absent or not numeric).
inline double number(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return std::numeric_limits<double>::quiet_NaN();
}
inline double number(const nlohmann::json& j, std::string_view key) { return number(at(j, key)); }
// A number, or `fallback` when absent or not finite.
inline double number_or(const nlohmann::json& j, std::string_view key, double fallback) {
  const double v = number(j, key);
  return std::isfinite(v) ? v : fallback;
}

inline std::string as_text(const nlohmann::json& v, std::string fallback = "") {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return fallback;
}
inline std::string text(const nlohmann::json& j, std::string_view key, std::string fallback = "") {
  return as_text(at(j, key), std::move(fallback));
}

// "[1, 3, 224, 224]" from a JSON array of integers; "" otherwise.
inline std::string shape(const nlohmann::json& v) {
  if (!v.is_array()) return "";
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + as_text(v[i], "?");
  return s + "]";
}

}  // namespace ptscope::json_view
