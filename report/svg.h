// The SVG primitives ptscope's plots are drawn with (no graphics library):
// escaping, coordinates that are always finite, value labels by core/format.h,
// linear and log scales with "nice" ticks, and a categorical palette.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ptscope::svg {

// Text for element content or attribute values: & < > " ' become entities,
// control characters that XML 1.0 forbids are dropped.
std::string escape(std::string_view text);

// A coordinate or length: at most two decimals, no exponent. A non-finite
// value becomes 0 so that a bug upstream can never put "nan" into the file.
std::string num(double v);

// What a value measures, for ticks and labels (FLOPs are counts, as in the text report).
enum class Unit { plain, count, bytes, microseconds, percent, decibels };
// A plot label or axis tick by core/format.h's rule for the unit ("1.5 MiB", "3.60 G",
// "12.0 µs", "45.0%", "0.25"), so that the plots print what the tables and the text report
// print. Only what core/format.h leaves open is decided here: NaN is "n/a", an infinity
// "∞", a negative byte count or count is the positive one's text after "-", and a count
// below 1000 that is not whole (a tick between 0 and 1) is written as a plain number.
std::string format_value(double v, Unit unit);

// Maps a data interval onto a pixel interval (r0 may exceed r1: y grows down).
class Scale {
 public:
  // A degenerate domain (lo == hi) is widened; `nice` extends it to tick multiples;
  // `binary` picks steps like 256 KiB for byte axes instead of 200 000.
  static Scale linear(double lo, double hi, double r0, double r1, bool nice = true, bool binary = false);
  // Non-positive bounds are replaced by a positive decade; extended to whole decades.
  static Scale log10(double lo, double hi, double r0, double r1);

  double operator()(double v) const;  // clamped to [r0, r1]; non-finite → r0
  std::vector<double> ticks(int approx_count = 5) const;
  bool is_log() const { return log_; }
  double lo() const { return lo_; }
  double hi() const { return hi_; }

 private:
  double step(int approx_count) const;
  double lo_ = 0, hi_ = 1, r0_ = 0, r1_ = 1;
  bool log_ = false, binary_ = false;
};

// Categorical colours, colour-blind friendly first, repeating after twelve.
const std::string& colour(size_t index);
// A sequential scale for heat maps: t in [0, 1] → light yellow … dark blue.
std::string sequential_colour(double t);

struct TextStyle {
  double size = 11;
  std::string_view anchor = "start";  // start | middle | end
  std::string_view fill = "#374151";
  bool bold = false;
  double rotate = 0;  // degrees, around (x, y)
  std::string_view baseline = "";  // e.g. "middle"
};

using Point = std::pair<double, double>;

// One <svg> document. Each drawing call appends one element; `tooltip`
// adds a <title> child that browsers show on hover.
class Document {
 public:
  Document(double width, double height, std::string_view title);
  double width() const { return width_; }
  double height() const { return height_; }

  void rect(double x, double y, double w, double h, std::string_view fill,
            std::string_view css_class = "", std::string_view tooltip = "");
  void line(double x1, double y1, double x2, double y2, std::string_view stroke,
            double stroke_width = 1, std::string_view dash = "");
  void polyline(const std::vector<Point>& points, std::string_view stroke, double stroke_width = 1.5,
                std::string_view dash = "", std::string_view css_class = "");
  void polygon(const std::vector<Point>& points, std::string_view fill, double opacity = 1,
               std::string_view css_class = "", std::string_view tooltip = "");
  void circle(double cx, double cy, double r, std::string_view fill, std::string_view css_class = "",
              std::string_view tooltip = "");
  // A pie/donut sector between angles a0 < a1 (radians, 0 = 12 o'clock, clockwise).
  void sector(double cx, double cy, double r_outer, double r_inner, double a0, double a1,
              std::string_view fill, std::string_view tooltip = "");
  void text(double x, double y, std::string_view content, const TextStyle& style = {});
  void begin_group(std::string_view css_class);
  void end_group();
  std::string str() const;  // closes any open group

 private:
  void close_shape(std::string_view element, std::string_view tooltip);
  std::string body_;
  double width_, height_;
  int open_groups_ = 0;
};

// Shortens a label to `max_chars` characters (UTF-8 aware), ending in "…".
std::string ellipsize(std::string_view text, size_t max_chars);
// Rough rendered width of a label in pixels (for margins and legends).
double text_width(std::string_view text, double font_size);

}  // namespace ptscope::svg
