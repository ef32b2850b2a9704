#include "report/svg.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "core/format.h"

namespace ptscope::svg {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Length of the UTF-8 sequence starting at s[i], or 0 when it is malformed.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

// 1, 2 or 5 times a power of ten, at least `raw`.
double nice_step(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

// A nice step in units of 1024^k, so that byte ticks read "200 KiB", "400 KiB".
double nice_binary_step(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  double unit = 1;
  while (raw / unit >= 1024) unit *= 1024;
  return std::max(1.0, nice_step(raw / unit)) * unit;
}

// "12.30" → "12.3", "4.00" → "4".
std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    const size_t n = utf8_sequence_length(text, i);
    if (n == 0) { out += "\xEF\xBF\xBD"; ++i; continue; }  // U+FFFD for a broken byte
    if (n > 1) { out.append(text.substr(i, n)); i += n; continue; }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += c;
    }
    ++i;
  }
  return out;
}

std::string num(double v) {
  if (!std::isfinite(v)) return "0";
  v = std::clamp(v, -1e9, 1e9);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = trim_zeros(buf);
  return s == "-0" ? "0" : s;
}

std::string format_value(double v, Unit unit) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "\xE2\x88\x9E" : "-\xE2\x88\x9E";
  switch (unit) {
    case Unit::count:
      if (v < 0) return "-" + format_value(-v, unit);
      return v < 1000 && v != std::floor(v) ? format_number(v) : format_count(v);
    case Unit::bytes:
      if (v < 0) return "-" + format_value(-v, unit);
      return format_bytes(uint64_t(std::min(std::round(v), 1.8e19)));
    case Unit::microseconds: return format_duration_us(v);
    case Unit::percent: return format_percent(v, 100, "");
    case Unit::decibels: return fmt("%.1f dB", v);
    case Unit::plain: return format_number(v);
  }
  return format_number(v);
}

Scale Scale::linear(double lo, double hi, double r0, double r1, bool nice, bool binary) {
  Scale s;
  s.binary_ = binary;
  if (!std::isfinite(lo)) lo = 0;
  if (!std::isfinite(hi)) hi = lo + 1;
  if (lo > hi) std::swap(lo, hi);
  lo = std::clamp(lo, -1e300, 1e300), hi = std::clamp(hi, -1e300, 1e300);  // keeps hi - lo finite
  if (hi - lo <= std::fabs(hi) * 1e-12) {  // one value: give it room
    const double pad = lo != 0 ? std::fabs(lo) * 0.5 : 1;
    lo = lo >= 0 && lo - pad < 0 ? 0 : lo - pad;
    hi += pad;
  }
  if (nice) {
    const double step = binary ? nice_binary_step((hi - lo) / 5) : nice_step((hi - lo) / 5);
    lo = std::floor(lo / step + 1e-9) * step;
    hi = std::ceil(hi / step - 1e-9) * step;
  }
  s.lo_ = lo, s.hi_ = hi, s.r0_ = r0, s.r1_ = r1;
  return s;
}

Scale Scale::log10(double lo, double hi, double r0, double r1) {
  Scale s;
  s.log_ = true;
  if (!(hi > 0) || !std::isfinite(hi)) hi = !(lo > 0) || !std::isfinite(lo) ? 10 : lo * 10;
  if (!(lo > 0) || !std::isfinite(lo) || lo > hi) lo = hi / 1000;
  lo = std::clamp(lo, 1e-300, 1e300), hi = std::clamp(hi, 1e-300, 1e300);  // whole decades stay representable
  lo = std::pow(10.0, std::floor(std::log10(lo)));
  hi = std::pow(10.0, std::ceil(std::log10(hi)));
  if (hi <= lo) hi = lo * 10;
  s.lo_ = lo, s.hi_ = hi, s.r0_ = r0, s.r1_ = r1;
  return s;
}

double Scale::operator()(double v) const {
  double t;
  if (log_) t = v > 0 ? (std::log10(v) - std::log10(lo_)) / (std::log10(hi_) - std::log10(lo_)) : 0;
  else t = (v - lo_) / (hi_ - lo_);
  if (!std::isfinite(t)) t = v > 0 ? 1 : 0;
  return r0_ + std::clamp(t, 0.0, 1.0) * (r1_ - r0_);
}

std::vector<double> Scale::ticks(int approx_count) const {
  std::vector<double> out;
  if (log_) {
    const int d0 = int(std::lround(std::log10(lo_))), d1 = int(std::lround(std::log10(hi_)));
    const int span = std::max(1, d1 - d0);
    const int every = std::max(1, (span + approx_count - 1) / std::max(1, approx_count));
    for (int d = d0; d <= d1; d += every) {
      out.push_back(std::pow(10.0, d));
      if (span <= 2 && d < d1)
        for (double m : {2.0, 5.0}) out.push_back(m * std::pow(10.0, d));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  const double step = this->step(approx_count);
  for (double t = std::ceil(lo_ / step - 1e-9) * step; t <= hi_ + step * 1e-9 && out.size() < 50; t += step)
    out.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  return out;
}

double Scale::step(int approx_count) const {
  const double raw = (hi_ - lo_) / std::max(1, approx_count);
  return binary_ ? nice_binary_step(raw) : nice_step(raw);
}

const std::string& colour(size_t index) {
  static const std::array<std::string, 12> palette = {
      "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
      "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#17becf"};
  return palette[index % palette.size()];
}

std::string sequential_colour(double t) {
  static const std::array<std::array<int, 3>, 5> stops = {
      {{255, 255, 217}, {199, 233, 180}, {65, 182, 196}, {34, 94, 168}, {8, 29, 88}}};
  if (!std::isfinite(t)) t = 0;
  t = std::clamp(t, 0.0, 1.0) * (stops.size() - 1);
  const size_t i = std::min(stops.size() - 2, size_t(t));
  const double f = t - double(i);
  char buf[16];
  int rgb[3];
  for (int c = 0; c < 3; ++c) rgb[c] = int(std::lround(stops[i][c] + f * (stops[i + 1][c] - stops[i][c])));
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return buf;
}

Document::Document(double width, double height, std::string_view title)
    : width_(std::isfinite(width) && width > 0 ? width : 100),
      height_(std::isfinite(height) && height > 0 ? height : 100) {
  body_ = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(width_) + " " + num(height_) +
          "\" width=\"" + num(width_) + "\" height=\"" + num(height_) +
          "\" role=\"img\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, "
          "'Helvetica Neue', Arial, sans-serif\"><title>" + escape(title) + "</title>";
  body_ += "<rect class=\"bg\" x=\"0\" y=\"0\" width=\"" + num(width_) + "\" height=\"" + num(height_) +
           "\" fill=\"#ffffff\"/>";
}

void Document::close_shape(std::string_view element, std::string_view tooltip) {
  if (tooltip.empty()) { body_ += "/>"; return; }
  body_ += "><title>" + escape(tooltip) + "</title></" + std::string(element) + ">";
}

void Document::rect(double x, double y, double w, double h, std::string_view fill,
                    std::string_view css_class, std::string_view tooltip) {
  body_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(0.0, w)) +
           "\" height=\"" + num(std::max(0.0, h)) + "\" fill=\"" + escape(fill) + "\"";
  if (!css_class.empty()) body_ += " class=\"" + escape(css_class) + "\"";
  close_shape("rect", tooltip);
}

void Document::line(double x1, double y1, double x2, double y2, std::string_view stroke,
                    double stroke_width, std::string_view dash) {
  body_ += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) +
           "\" stroke=\"" + escape(stroke) + "\" stroke-width=\"" + num(stroke_width) + "\"";
  if (!dash.empty()) body_ += " stroke-dasharray=\"" + escape(dash) + "\"";
  body_ += "/>";
}

static std::string points_attr(const std::vector<Point>& points) {
  std::string s;
  for (const auto& [x, y] : points) s += (s.empty() ? "" : " ") + num(x) + "," + num(y);
  return s;
}

void Document::polyline(const std::vector<Point>& points, std::string_view stroke, double stroke_width,
                        std::string_view dash, std::string_view css_class) {
  if (points.empty()) return;
  body_ += "<polyline points=\"" + points_attr(points) + "\" fill=\"none\" stroke=\"" + escape(stroke) +
           "\" stroke-width=\"" + num(stroke_width) + "\" stroke-linejoin=\"round\"";
  if (!dash.empty()) body_ += " stroke-dasharray=\"" + escape(dash) + "\"";
  if (!css_class.empty()) body_ += " class=\"" + escape(css_class) + "\"";
  body_ += "/>";
}

void Document::polygon(const std::vector<Point>& points, std::string_view fill, double opacity,
                       std::string_view css_class, std::string_view tooltip) {
  if (points.empty()) return;
  body_ += "<polygon points=\"" + points_attr(points) + "\" fill=\"" + escape(fill) + "\"";
  if (opacity < 1) body_ += " fill-opacity=\"" + num(opacity) + "\"";
  if (!css_class.empty()) body_ += " class=\"" + escape(css_class) + "\"";
  close_shape("polygon", tooltip);
}

void Document::circle(double cx, double cy, double r, std::string_view fill, std::string_view css_class,
                      std::string_view tooltip) {
  body_ += "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(std::max(0.0, r)) +
           "\" fill=\"" + escape(fill) + "\"";
  if (!css_class.empty()) body_ += " class=\"" + escape(css_class) + "\"";
  close_shape("circle", tooltip);
}

void Document::sector(double cx, double cy, double r_outer, double r_inner, double a0, double a1,
                      std::string_view fill, std::string_view tooltip) {
  if (!(a1 > a0) || !std::isfinite(a0) || !std::isfinite(a1)) return;
  // A full turn cannot be one arc (start == end): split it in two halves.
  if (a1 - a0 >= 2 * kPi - 1e-6) {
    sector(cx, cy, r_outer, r_inner, a0, a0 + kPi, fill, tooltip);
    sector(cx, cy, r_outer, r_inner, a0 + kPi, a1, fill, tooltip);
    return;
  }
  auto at = [&](double r, double a) { return num(cx + r * std::sin(a)) + " " + num(cy - r * std::cos(a)); };
  const char* large = a1 - a0 > kPi ? "1" : "0";
  std::string d = "M " + at(r_outer, a0) + " A " + num(r_outer) + " " + num(r_outer) + " 0 " + large +
                  " 1 " + at(r_outer, a1);
  if (r_inner > 0)
    d += " L " + at(r_inner, a1) + " A " + num(r_inner) + " " + num(r_inner) + " 0 " + large + " 0 " +
         at(r_inner, a0) + " Z";
  else
    d += " L " + num(cx) + " " + num(cy) + " Z";
  body_ += "<path class=\"slice\" d=\"" + d + "\" fill=\"" + escape(fill) +
           "\" stroke=\"#ffffff\" stroke-width=\"1.5\"";
  close_shape("path", tooltip);
}

void Document::text(double x, double y, std::string_view content, const TextStyle& style) {
  body_ += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + num(style.size) + "\" fill=\"" +
           escape(style.fill) + "\"";
  if (style.anchor != "start") body_ += " text-anchor=\"" + escape(style.anchor) + "\"";
  if (style.bold) body_ += " font-weight=\"600\"";
  if (!style.baseline.empty()) body_ += " dominant-baseline=\"" + escape(style.baseline) + "\"";
  if (style.rotate != 0)
    body_ += " transform=\"rotate(" + num(style.rotate) + " " + num(x) + " " + num(y) + ")\"";
  body_ += ">" + escape(content) + "</text>";
}

void Document::begin_group(std::string_view css_class) {
  body_ += "<g class=\"" + escape(css_class) + "\">";
  ++open_groups_;
}

void Document::end_group() {
  if (open_groups_ == 0) return;
  body_ += "</g>";
  --open_groups_;
}

std::string Document::str() const {
  std::string out = body_;
  for (int i = 0; i < open_groups_; ++i) out += "</g>";
  return out + "</svg>";
}

std::string ellipsize(std::string_view text, size_t max_chars) {
  size_t chars = 0, i = 0, cut = std::string_view::npos;
  while (i < text.size()) {
    if (chars == max_chars - 1 && max_chars > 0) cut = i;
    const size_t n = std::max<size_t>(1, utf8_sequence_length(text, i));
    i += n;
    ++chars;
  }
  if (chars <= max_chars || cut == std::string_view::npos) return std::string(text);
  return std::string(text.substr(0, cut)) + "\xE2\x80\xA6";
}

double text_width(std::string_view text, double font_size) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return double(chars) * font_size * 0.58;
}

}  // namespace ptscope::svg
