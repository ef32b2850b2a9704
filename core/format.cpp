#include "core/format.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <vector>

namespace ptscope {

std::string fmt(const char* printf_format, ...) {
  va_list args;
  va_start(args, printf_format);
  va_list again;
  va_copy(again, args);
  char small[128];
  const int n = std::vsnprintf(small, sizeof small, printf_format, args);
  va_end(args);
  std::string out;
  if (n < 0) {
    out = "";
  } else if (size_t(n) < sizeof small) {
    out.assign(small, size_t(n));
  } else {
    std::vector<char> big(size_t(n) + 1);
    std::vsnprintf(big.data(), big.size(), printf_format, again);
    out.assign(big.data(), size_t(n));
  }
  va_end(again);
  return out;
}

std::string format_bytes(uint64_t bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) { v /= 1024; ++u; }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::string format_count(double n) {
  static const char* units[] = {"", " K", " M", " G", " T", " P"};
  int u = 0;
  while (n >= 1000 && u < 5) { n /= 1000; ++u; }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%.0f", n);
  else std::snprintf(buf, sizeof buf, "%.2f%s", n, units[u]);
  return buf;
}

std::string format_count_or_dash(double n) { return n > 0 ? format_count(n) : "-"; }

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";  // printf may write "-nan"
  return fmt("%.4g", v);
}

std::string format_duration_us(double microseconds) {
  if (std::isnan(microseconds)) return "nan";
  const double a = std::fabs(microseconds);
  if (a < 1e3) return fmt("%.1f \xC2\xB5s", microseconds);
  if (a < 1e6) return fmt("%.2f ms", microseconds / 1e3);
  return fmt("%.2f s", microseconds / 1e6);
}

std::string format_percent(double part, double whole, std::string_view when_whole_is_zero) {
  return whole > 0 ? fmt("%.1f%%", 100 * part / whole) : std::string(when_whole_is_zero);
}

std::string format_shape(std::span<const int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string format_shape_dims(std::span<const int64_t> shape, std::string_view when_scalar) {
  if (shape.empty()) return std::string(when_scalar);
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

std::string format_shape_tuple(std::span<const int64_t> shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace ptscope
