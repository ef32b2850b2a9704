#include "report/charts.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/format.h"

namespace ptscope::charts {
namespace {

using svg::Document;
using svg::Point;
using svg::Scale;
using svg::TextStyle;

constexpr std::string_view kInk = "#111827", kMuted = "#6b7280", kGrid = "#e5e7eb", kAxis = "#9ca3af";

bool finite(double v) { return std::isfinite(v); }

// The pixel rectangle the data is drawn in.
struct Area {
  double l, t, r, b;
};

struct LegendItem {
  std::string name, colour;
};

void draw_title(Document& d, std::string_view title, std::string_view note = {}) {
  d.text(16, 24, title, {.size = 15, .fill = kInk, .bold = true});
  if (!note.empty()) d.text(16, 41, svg::ellipsize(note, 110), {.size = 11, .fill = kMuted});
}

// A row of colour swatches and names starting at (x, y), wrapping before max_x; returns its height.
double legend_height(const std::vector<LegendItem>& items, double x, double max_x) {
  double cx = x, rows = items.empty() ? 0 : 1;
  for (const auto& it : items) {
    const double w = 18 + svg::text_width(svg::ellipsize(it.name, 60), 11) + 16;
    if (cx + w > max_x && cx > x) { cx = x; ++rows; }
    cx += w;
  }
  return rows * 18;
}

void draw_legend(Document& d, const std::vector<LegendItem>& items, double x, double y, double max_x) {
  double cx = x, cy = y;
  for (const auto& it : items) {
    const std::string name = svg::ellipsize(it.name, 60);
    const double w = 18 + svg::text_width(name, 11) + 16;
    if (cx + w > max_x && cx > x) { cx = x; cy += 18; }
    d.rect(cx, cy - 9, 11, 11, it.colour, "legend-swatch");
    d.text(cx + 16, cy, name, {.size = 11, .fill = "#374151"});
    cx += w;
  }
}

void draw_x_axis(Document& d, const Scale& s, const Area& a, Unit unit, std::string_view label, bool grid = true) {
  for (double t : s.ticks(s.is_log() ? 8 : 6)) {
    const double x = s(t);
    if (grid) d.line(x, a.t, x, a.b, kGrid);
    d.line(x, a.b, x, a.b + 4, kAxis);
    d.text(x, a.b + 16, svg::format_value(t, unit), {.size = 10, .anchor = "middle", .fill = kMuted});
  }
  d.line(a.l, a.b, a.r, a.b, kAxis);
  if (!label.empty()) d.text((a.l + a.r) / 2, a.b + 34, label, {.size = 11, .anchor = "middle", .fill = "#374151"});
}

void draw_y_axis(Document& d, const Scale& s, const Area& a, Unit unit, std::string_view label) {
  for (double t : s.ticks(5)) {
    const double y = s(t);
    d.line(a.l, y, a.r, y, kGrid);
    d.text(a.l - 6, y, svg::format_value(t, unit), {.size = 10, .anchor = "end", .fill = kMuted, .baseline = "middle"});
  }
  d.line(a.l, a.t, a.l, a.b, kAxis);
  if (!label.empty())
    d.text(14, (a.t + a.b) / 2, label, {.size = 11, .anchor = "middle", .fill = "#374151", .rotate = -90});
}

// Smallest positive and largest finite value (for log scales); {NaN, NaN} when none.
std::pair<double, double> positive_range(const std::vector<double>& v) {
  double lo = NAN, hi = NAN;
  for (double x : v)
    if (finite(x) && x > 0) {
      lo = std::isnan(lo) ? x : std::min(lo, x);
      hi = std::isnan(hi) ? x : std::max(hi, x);
    }
  return {lo, hi};
}

std::string series_colour(const std::string& given, size_t i) { return given.empty() ? svg::colour(i) : given; }

// A chart whose title may carry a note line: the document with title, note and legend drawn, and in
// `plot` the area below them, plot_height tall (the document leaves room for an x axis under it).
Document titled_chart(std::string_view title, std::string_view note, const std::vector<LegendItem>& legend,
                      double plot_height, Area& plot) {
  const double top = note.empty() ? 36 : 52;
  const double legend_h = legend_height(legend, 16, kWidth - 16);
  plot = Area{76, top + legend_h + 14, kWidth - 24, 0};
  plot.b = plot.t + plot_height;
  Document d(kWidth, plot.b + 50, title);
  draw_title(d, title, note);
  draw_legend(d, legend, 16, top + 8, kWidth - 16);
  return d;
}

// One legend entry per group that has a point, in group order.
template <class PointPtr>
std::vector<LegendItem> group_legend(const std::vector<std::string>& groups, const std::vector<PointPtr>& pts) {
  std::vector<bool> used(groups.size(), false);
  for (const auto* p : pts)
    if (p->group < used.size()) used[p->group] = true;
  std::vector<LegendItem> legend;
  for (size_t g = 0; g < groups.size(); ++g)
    if (used[g]) legend.push_back({groups[g], svg::colour(g)});
  return legend;
}

// One legend entry per series of a stacked bar chart; none for a single series.
std::vector<LegendItem> series_legend(const BarChart& c) {
  std::vector<LegendItem> legend;
  if (c.series.size() > 1)
    for (size_t s = 0; s < c.series.size(); ++s) legend.push_back({c.series[s].name, series_colour(c.series[s].colour, s)});
  return legend;
}

// The value axis of a bar chart from pixel `from` (value 0, or the smallest on a log scale) to `to`.
Scale value_scale(const BarChart& c, const std::vector<double>& totals, bool log, double from, double to) {
  const auto [pos_lo, pos_hi] = positive_range(totals);
  return log ? Scale::log10(pos_lo, pos_hi, from, to)
             : Scale::linear(0, *std::max_element(totals.begin(), totals.end()), from, to, true, c.unit == Unit::bytes);
}

// Calls draw(start, end, colour, tooltip) with the value-axis pixels of each positive segment of bar i,
// the series stacked in order; on a log scale (not stacked) each starts at the axis, pixel `axis`.
template <class Draw>
void for_each_segment(const BarChart& c, const Scale& s, bool log, double axis, size_t i, Draw draw) {
  const bool stacked = c.series.size() > 1;
  double cum = 0;
  for (size_t k = 0; k < c.series.size(); ++k) {
    const double v = i < c.series[k].values.size() ? c.series[k].values[i] : 0;
    if (!finite(v) || v <= 0) continue;
    const double start = log ? axis : s(cum), end = s(cum + v);
    std::string colour = stacked || c.bar_colours.size() <= i ? series_colour(c.series[k].colour, k) : c.bar_colours[i];
    draw(start, end, colour,
         c.labels[i] + (stacked ? " \xE2\x80\x94 " + c.series[k].name : "") + ": " + svg::format_value(v, c.unit));
    cum += v;
  }
}

std::string bar_horizontal(const BarChart& c, const std::vector<double>& totals, size_t n) {
  const bool stacked = c.series.size() > 1;
  const std::vector<LegendItem> legend = series_legend(c);
  double label_w = 60;
  for (size_t i = 0; i < n; ++i) label_w = std::max(label_w, svg::text_width(svg::ellipsize(c.labels[i], 36), 11) + 12);
  label_w = std::min(label_w, 240.0);
  const double legend_h = legend_height(legend, 16, kWidth - 16);
  const double band = 22;
  Area a{16 + label_w, 44 + legend_h, kWidth - 84, 0};
  a.b = a.t + band * double(n);
  Document d(kWidth, a.b + 46, c.title);
  draw_title(d, c.title);
  draw_legend(d, legend, 16, 44, kWidth - 16);
  const bool log = c.log_scale && !stacked;
  const Scale s = value_scale(c, totals, log, a.l, a.r);
  draw_x_axis(d, s, a, c.unit, c.value_label);
  d.begin_group("bars");
  for (size_t i = 0; i < n; ++i) {
    const double y = a.t + band * double(i) + 3, h = band - 6;
    d.text(a.l - 8, y + h / 2, svg::ellipsize(c.labels[i], 36),
           {.size = 11, .anchor = "end", .fill = "#374151", .baseline = "middle"});
    for_each_segment(c, s, log, a.l, i, [&](double x0, double x1, const std::string& colour, const std::string& tip) {
      d.rect(x0, y, x1 - x0, h, colour, "bar", tip);
    });
    d.text(s(totals[i]) + 6, y + h / 2, svg::format_value(totals[i], c.unit),
           {.size = 10, .fill = kMuted, .baseline = "middle"});
  }
  d.end_group();
  return d.str();
}

std::string bar_vertical(const BarChart& c, const std::vector<double>& totals, size_t n) {
  const bool stacked = c.series.size() > 1;
  const std::vector<LegendItem> legend = series_legend(c);
  double label_w = 0;
  for (size_t i = 0; i < n; ++i) label_w = std::max(label_w, svg::text_width(svg::ellipsize(c.labels[i], 24), 10));
  const double band_guess = (kWidth - 100) / double(n);
  const bool rotate = label_w + 4 > band_guess;
  const double bottom = rotate ? std::min(140.0, label_w * 0.72 + 30) : 44;
  const double legend_h = legend_height(legend, 16, kWidth - 16);
  Area a{76, 50 + legend_h, kWidth - 20, 50 + legend_h + 240};
  Document d(kWidth, a.b + bottom + 8, c.title);
  draw_title(d, c.title);
  draw_legend(d, legend, 16, 44, kWidth - 16);
  const bool log = c.log_scale && !stacked;
  const Scale s = value_scale(c, totals, log, a.b, a.t);
  draw_y_axis(d, s, a, c.unit, c.value_label);
  d.line(a.l, a.b, a.r, a.b, kAxis);
  const double band = (a.r - a.l) / double(n);
  d.begin_group("bars");
  for (size_t i = 0; i < n; ++i) {
    const double x = a.l + band * double(i) + band * 0.15, w = band * 0.7;
    for_each_segment(c, s, log, a.b, i, [&](double y0, double y1, const std::string& colour, const std::string& tip) {
      d.rect(x, y1, w, y0 - y1, colour, "bar", tip);
    });
    const double cx = x + w / 2;
    if (n <= 24)
      d.text(cx, s(totals[i]) - 4, svg::format_value(totals[i], c.unit), {.size = 9, .anchor = "middle", .fill = kMuted});
    const std::string label = svg::ellipsize(c.labels[i], 24);
    if (rotate) d.text(cx, a.b + 12, label, {.size = 10, .anchor = "end", .fill = "#374151", .rotate = -40});
    else d.text(cx, a.b + 16, label, {.size = 10, .anchor = "middle", .fill = "#374151"});
  }
  d.end_group();
  return d.str();
}

// Keeps at most `limit` indices of a long sorted series, each bucket's largest value, so peaks survive.
std::vector<size_t> decimate(const std::vector<double>& key, size_t limit) {
  std::vector<size_t> keep;
  const size_t n = key.size();
  if (n <= limit) {
    keep.resize(n);
    std::iota(keep.begin(), keep.end(), 0);
    return keep;
  }
  const size_t buckets = limit / 2;
  for (size_t b = 0; b < buckets; ++b) {
    const size_t lo = b * n / buckets, hi = std::max(lo + 1, (b + 1) * n / buckets);
    size_t best = lo, low = lo;
    for (size_t i = lo; i < hi && i < n; ++i) {
      if (key[i] > key[best]) best = i;
      if (key[i] < key[low]) low = i;
    }
    keep.push_back(std::min(best, low));
    if (best != low) keep.push_back(std::max(best, low));
  }
  keep.back() = n - 1;
  return keep;
}

}  // namespace

std::string no_data(std::string_view title, std::string_view reason, double height) {
  Document d(kWidth, height, title);
  draw_title(d, title);
  d.rect(16, 40, kWidth - 32, height - 56, "#f9fafb", "no-data");
  d.text(kWidth / 2, 40 + (height - 56) / 2, "No data", {.size = 14, .anchor = "middle", .fill = kMuted, .bold = true});
  d.text(kWidth / 2, 40 + (height - 56) / 2 + 20, svg::ellipsize(reason, 100),
         {.size = 11, .anchor = "middle", .fill = kMuted});
  return d.str();
}

std::string render(const BarChart& c) {
  const size_t n = std::min<size_t>(c.labels.size(), 60);
  std::vector<double> totals(n, 0);
  for (const auto& s : c.series)
    for (size_t i = 0; i < n && i < s.values.size(); ++i)
      if (finite(s.values[i]) && s.values[i] > 0) totals[i] += s.values[i];
  if (n == 0 || std::all_of(totals.begin(), totals.end(), [](double v) { return !(v > 0) || !finite(v); }))
    return no_data(c.title, "nothing to show: no positive values");
  return c.horizontal ? bar_horizontal(c, totals, n) : bar_vertical(c, totals, n);
}

std::string render(const PieChart& c) {
  std::vector<std::pair<double, std::string>> slices;
  for (size_t i = 0; i < c.values.size(); ++i)
    if (finite(c.values[i]) && c.values[i] > 0) slices.push_back({c.values[i], i < c.labels.size() ? c.labels[i] : ""});
  std::stable_sort(slices.begin(), slices.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const size_t keep = std::max<size_t>(2, c.max_slices);
  if (slices.size() > keep) {
    double rest = 0;
    for (size_t i = keep - 1; i < slices.size(); ++i) rest += slices[i].first;
    const size_t merged = slices.size() - (keep - 1);
    slices.resize(keep - 1);
    slices.push_back({rest, "other (" + std::to_string(merged) + ")"});
  }
  double total = 0;
  for (const auto& s : slices) total += s.first;
  if (slices.empty() || !(total > 0) || !finite(total)) return no_data(c.title, "nothing to show: no positive values");

  const double height = std::max(300.0, 64 + 22.0 * double(slices.size()) + 20);
  Document d(kWidth, height, c.title);
  draw_title(d, c.title);
  const double cx = 180, cy = 40 + (height - 40) / 2, r = std::min(120.0, (height - 70) / 2);
  const double inner = c.donut ? r * 0.58 : 0;
  double angle = 0;
  d.begin_group("slices");
  for (size_t i = 0; i < slices.size(); ++i) {
    const double sweep = 2 * 3.14159265358979323846 * slices[i].first / total;
    d.sector(cx, cy, r, inner, angle, angle + sweep, svg::colour(i),
             slices[i].second + ": " + svg::format_value(slices[i].first, c.unit));
    angle += sweep;
  }
  d.end_group();
  if (c.donut) {
    d.text(cx, cy - 2, svg::format_value(total, c.unit), {.size = 16, .anchor = "middle", .fill = kInk, .bold = true});
    if (!c.centre_label.empty())
      d.text(cx, cy + 16, svg::ellipsize(c.centre_label, 22), {.size = 11, .anchor = "middle", .fill = kMuted});
  }
  const double lx = 340, ly = cy - 22.0 * double(slices.size()) / 2 + 11;
  for (size_t i = 0; i < slices.size(); ++i) {
    const double y = ly + 22.0 * double(i);
    d.rect(lx, y - 10, 12, 12, svg::colour(i), "legend-swatch");
    d.text(lx + 20, y, svg::ellipsize(slices[i].second, 30), {.size = 12, .fill = "#374151", .baseline = "middle"});
    const std::string pct = format_percent(slices[i].first, total, "-");
    d.text(kWidth - 76, y, svg::format_value(slices[i].first, c.unit),
           {.size = 11, .anchor = "end", .fill = kMuted, .baseline = "middle"});
    d.text(kWidth - 16, y, pct, {.size = 11, .anchor = "end", .fill = kInk, .bold = true, .baseline = "middle"});
  }
  return d.str();
}

std::string render(const LineChart& c) {
  // Clean each series: finite, positive on log axes, sorted by x.
  struct Clean {
    std::vector<double> x, y;
  };
  std::vector<Clean> clean(c.series.size());
  const auto ok_x = [&](double v) { return finite(v) && (!c.log_x || v > 0); };
  const auto ok_y = [&](double v) { return finite(v) && (!c.log_y || v > 0); };
  if (c.stacked && !c.series.empty()) {
    // Shared x (the first series'); each later series adds on top of the ones before.
    const auto& base = c.series[0].x;
    std::vector<double> cum(base.size(), 0);
    for (size_t s = 0; s < c.series.size(); ++s)
      for (size_t i = 0; i < base.size(); ++i) {
        const double v = i < c.series[s].y.size() && finite(c.series[s].y[i]) ? std::max(0.0, c.series[s].y[i]) : 0;
        cum[i] += v;
        if (ok_x(base[i])) {
          clean[s].x.push_back(base[i]);
          clean[s].y.push_back(cum[i]);
        }
      }
  } else {
    for (size_t s = 0; s < c.series.size(); ++s) {
      std::vector<std::pair<double, double>> pts;
      for (size_t i = 0; i < c.series[s].x.size() && i < c.series[s].y.size(); ++i)
        if (ok_x(c.series[s].x[i]) && ok_y(c.series[s].y[i])) pts.push_back({c.series[s].x[i], c.series[s].y[i]});
      std::stable_sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [x, y] : pts) clean[s].x.push_back(x), clean[s].y.push_back(y);
    }
  }
  std::vector<double> xs, ys;
  for (const auto& s : clean) xs.insert(xs.end(), s.x.begin(), s.x.end()), ys.insert(ys.end(), s.y.begin(), s.y.end());
  if (xs.empty()) return no_data(c.title, "no points to draw");

  std::vector<LegendItem> legend;
  for (size_t s = 0; s < c.series.size(); ++s)
    if (!clean[s].x.empty() && !c.series[s].name.empty())
      legend.push_back({c.series[s].name, series_colour(c.series[s].colour, s)});
  Area a;
  Document d = titled_chart(c.title, c.note, legend, 250, a);

  const auto [xmin, xmax] = std::minmax_element(xs.begin(), xs.end());
  const auto [ymin, ymax] = std::minmax_element(ys.begin(), ys.end());
  double y_lo = std::min(0.0, *ymin), y_hi = *ymax;
  for (const auto& m : c.y_markers)
    if (finite(m.at) && (!c.log_y || m.at > 0)) y_hi = std::max(y_hi, m.at);
  const Scale sx = c.log_x ? Scale::log10(*xmin, *xmax, a.l, a.r) : Scale::linear(*xmin, *xmax, a.l, a.r, false);
  const Scale sy = c.log_y ? Scale::log10(*ymin, y_hi, a.b, a.t)
                           : Scale::linear(y_lo, y_hi, a.b, a.t, true, c.y_unit == Unit::bytes);
  draw_y_axis(d, sy, a, c.y_unit, c.y_label);
  draw_x_axis(d, sx, a, c.x_unit, c.x_label, false);

  d.begin_group("series");
  for (size_t s = clean.size(); s-- > 0;) {  // stacked: top layers first so lower ones stay visible
    const auto& cs = clean[s];
    if (cs.x.empty()) continue;
    const std::string colour = series_colour(c.series[s].colour, s);
    std::vector<Point> line;
    for (size_t i : decimate(cs.y, 1600)) line.push_back({sx(cs.x[i]), sy(cs.y[i])});
    if (c.area || c.stacked) {
      std::vector<Point> poly = line;
      poly.push_back({line.back().first, sy(c.log_y ? sy.lo() : 0)});
      poly.push_back({line.front().first, sy(c.log_y ? sy.lo() : 0)});
      d.polygon(poly, colour, c.stacked ? 0.85 : 0.18, "area", c.series[s].name);
    }
    if (c.series[s].line) d.polyline(line, colour, c.stacked ? 1 : 2, c.series[s].dashed ? "6 4" : "", "line");
    if (c.series[s].markers && cs.x.size() <= 200)
      for (size_t i = 0; i < cs.x.size(); ++i)
        d.circle(sx(cs.x[i]), sy(cs.y[i]), 4, colour, "point",
                 c.series[s].name + ": " + svg::format_value(cs.x[i], c.x_unit) + " \xE2\x86\x92 " +
                     svg::format_value(cs.y[i], c.y_unit));
  }
  d.end_group();
  for (const auto& m : c.x_markers) {
    if (!finite(m.at) || m.at < sx.lo() || m.at > sx.hi()) continue;
    const double x = sx(m.at);
    d.line(x, a.t, x, a.b, "#374151", 1.2, "5 4");
    d.text(std::min(x + 5, a.r - 4), a.t + 12, m.label, {.size = 11, .anchor = x + 5 > a.r - 80 ? "end" : "start", .fill = kInk, .bold = true});
  }
  for (const auto& m : c.y_markers) {
    if (!finite(m.at) || (c.log_y && m.at <= 0)) continue;
    const double y = sy(m.at);
    d.line(a.l, y, a.r, y, "#b91c1c", 1, "4 3");
    d.text(a.r - 4, y - 5, m.label, {.size = 10, .anchor = "end", .fill = "#b91c1c"});
  }
  return d.str();
}

std::string render(const ScatterChart& c) {
  std::vector<const ScatterPoint*> pts;
  for (const auto& p : c.points)
    if (finite(p.x) && finite(p.y) && (!c.log_x || p.x > 0) && (!c.log_y || p.y > 0)) pts.push_back(&p);
  if (pts.empty()) return no_data(c.title, "no points to draw");
  const std::vector<LegendItem> legend = group_legend(c.groups, pts);
  const double legend_h = legend_height(legend, 16, kWidth - 16);
  Area a{76, 50 + legend_h, kWidth - 24, 50 + legend_h + 260};
  Document d(kWidth, a.b + 50, c.title);
  draw_title(d, c.title);
  draw_legend(d, legend, 16, 44, kWidth - 16);
  double x0 = pts[0]->x, x1 = x0, y0 = pts[0]->y, y1 = y0;
  for (const auto* p : pts) x0 = std::min(x0, p->x), x1 = std::max(x1, p->x), y0 = std::min(y0, p->y), y1 = std::max(y1, p->y);
  const Scale sx = c.log_x ? Scale::log10(x0, x1, a.l, a.r) : Scale::linear(std::min(0.0, x0), x1, a.l, a.r);
  const Scale sy = c.log_y ? Scale::log10(y0, y1, a.b, a.t) : Scale::linear(std::min(0.0, y0), y1, a.b, a.t);
  draw_y_axis(d, sy, a, c.y_unit, c.y_label);
  draw_x_axis(d, sx, a, c.x_unit, c.x_label);
  d.begin_group("points");
  for (const auto* p : pts)
    d.circle(sx(p->x), sy(p->y), 4.5, svg::colour(p->group), "point",
             p->label + ": " + svg::format_value(p->x, c.x_unit) + ", " + svg::format_value(p->y, c.y_unit));
  d.end_group();
  return d.str();
}

std::string render(const HeatMap& c) {
  const size_t nx = std::min<size_t>(c.x_labels.size(), 40), ny = std::min<size_t>(c.y_labels.size(), 40);
  std::vector<double> finite_values;
  for (size_t y = 0; y < ny; ++y)
    for (size_t x = 0; x < nx; ++x) {
      const size_t k = y * c.x_labels.size() + x;
      if (k < c.values.size() && finite(c.values[k])) finite_values.push_back(c.values[k]);
    }
  if (nx == 0 || ny == 0 || finite_values.empty()) return no_data(c.title, "no grid values");
  const auto [vmin_it, vmax_it] = std::minmax_element(finite_values.begin(), finite_values.end());
  const double vmin = *vmin_it, vmax = *vmax_it;
  const bool log = vmin > 0 && vmax / vmin > 50;
  auto norm = [&](double v) {
    if (vmax <= vmin) return 0.5;
    return log ? (std::log(v) - std::log(vmin)) / (std::log(vmax) - std::log(vmin)) : (v - vmin) / (vmax - vmin);
  };
  double label_w = 20;
  for (size_t y = 0; y < ny; ++y) label_w = std::max(label_w, svg::text_width(svg::ellipsize(c.y_labels[y], 16), 11));
  const double l = 40 + label_w + 8, t = 50;
  const double cell_w = std::min(96.0, (kWidth - l - 130) / double(nx));
  const double cell_h = std::clamp(280.0 / double(ny), 16.0, 44.0);
  const double gw = cell_w * double(nx), gh = cell_h * double(ny);
  Document d(kWidth, t + gh + 56, c.title);
  draw_title(d, c.title);
  d.begin_group("cells");
  for (size_t y = 0; y < ny; ++y) {
    const double py = t + cell_h * double(y);
    d.text(l - 8, py + cell_h / 2, svg::ellipsize(c.y_labels[y], 16), {.size = 11, .anchor = "end", .fill = "#374151", .baseline = "middle"});
    for (size_t x = 0; x < nx; ++x) {
      const size_t k = y * c.x_labels.size() + x;
      const double v = k < c.values.size() ? c.values[k] : NAN;
      const double px = l + cell_w * double(x);
      const bool ok = finite(v);
      const double tv = ok ? norm(v) : 0;
      d.rect(px + 1, py + 1, cell_w - 2, cell_h - 2, ok ? svg::sequential_colour(tv) : "#f3f4f6", "cell",
             c.y_label + " " + c.y_labels[y] + ", " + c.x_label + " " + c.x_labels[x] + ": " +
                 (ok ? svg::format_value(v, c.unit) : "n/a"));
      if (cell_w >= 54 && cell_h >= 16)
        d.text(px + cell_w / 2, py + cell_h / 2, ok ? svg::format_value(v, c.unit) : "n/a",
               {.size = 10, .anchor = "middle", .fill = tv > 0.55 ? "#ffffff" : kInk, .baseline = "middle"});
    }
  }
  d.end_group();
  for (size_t x = 0; x < nx; ++x)
    d.text(l + cell_w * (double(x) + 0.5), t + gh + 16, svg::ellipsize(c.x_labels[x], 10), {.size = 11, .anchor = "middle", .fill = "#374151"});
  d.text(l + gw / 2, t + gh + 38, c.x_label, {.size = 11, .anchor = "middle", .fill = "#374151"});
  d.text(16, t + gh / 2, c.y_label, {.size = 11, .anchor = "middle", .fill = "#374151", .rotate = -90});
  // The colour scale: 24 steps from the largest value (top) to the smallest.
  const double sx = l + gw + 28, steps = 24;
  for (int i = 0; i < int(steps); ++i)
    d.rect(sx, t + gh * i / steps, 14, gh / steps + 0.5, svg::sequential_colour(1 - (i + 0.5) / steps), "scale");
  d.text(sx + 20, t + 8, svg::format_value(vmax, c.unit), {.size = 10, .fill = kMuted});
  d.text(sx + 20, t + gh, svg::format_value(vmin, c.unit), {.size = 10, .fill = kMuted});
  if (log) d.text(sx + 20, t + gh / 2, "log scale", {.size = 10, .fill = kMuted});
  return d.str();
}

std::string render(const RooflineChart& c) {
  const double peak = c.peak_gflops, bw = c.bandwidth_gbs;
  if (!finite(peak) || !finite(bw) || peak <= 0 || bw <= 0)
    return no_data(c.title, "machine ceilings (peak GFLOP/s, bandwidth GB/s) unknown");
  const double ridge = peak / bw;
  std::vector<const RooflinePoint*> pts;
  for (const auto& p : c.points)
    if (finite(p.intensity) && finite(p.gflops) && p.intensity > 0 && p.gflops > 0) pts.push_back(&p);
  double x_lo = ridge / 100, x_hi = ridge * 100, y_lo = peak / 1e4;
  for (const auto* p : pts) x_lo = std::min(x_lo, p->intensity / 2), x_hi = std::max(x_hi, p->intensity * 2), y_lo = std::min(y_lo, p->gflops / 2);
  Area a;
  Document d = titled_chart(c.title, c.note, group_legend(c.groups, pts), 280, a);
  const Scale sx = Scale::log10(x_lo, x_hi, a.l, a.r);
  const Scale sy = Scale::log10(std::max(y_lo, bw * sx.lo() / 10), peak * 3, a.b, a.t);
  draw_y_axis(d, sy, a, Unit::plain, "GFLOP/s");
  draw_x_axis(d, sx, a, Unit::plain, "arithmetic intensity (FLOP per byte)");
  // The ceilings: bandwidth × intensity up to the ridge point, then the compute peak.
  const double xs = std::max(sx.lo(), sy.lo() / bw);
  const Point p0{sx(xs), sy(bw * xs)}, p1{sx(ridge), sy(peak)}, p2{sx(sx.hi()), sy(peak)};
  d.polygon({p0, p1, p2, {p2.first, a.b}, {p0.first, a.b}}, "#eef2ff", 0.6, "roof-region");
  d.polyline({p0, p1, p2}, kInk, 2.5, "", "roof");
  d.line(p1.first, p1.second, p1.first, a.b, "#6b7280", 1, "3 3");
  d.text(p1.first + 5, a.b - 8, "ridge " + svg::format_value(ridge, Unit::plain) + " FLOP/B", {.size = 10, .fill = "#374151"});
  const double angle = std::atan2(p1.second - p0.second, p1.first - p0.first) * 180 / 3.14159265358979323846;
  const Point mid{p0.first + (p1.first - p0.first) * 0.45, p0.second + (p1.second - p0.second) * 0.45};
  d.text(mid.first, mid.second - 6, "memory bound: " + svg::format_value(bw, Unit::plain) + " GB/s",
         {.size = 11, .anchor = "middle", .fill = "#374151", .bold = true, .rotate = angle});
  d.text(std::min(p1.first + 12, a.r - 160), p1.second - 8,
         "compute bound: " + svg::format_value(peak, Unit::plain) + " GFLOP/s", {.size = 11, .fill = "#374151", .bold = true});
  d.begin_group("points");
  for (const auto* p : pts)
    d.circle(sx(p->intensity), sy(p->gflops), 4, svg::colour(p->group), "point",
             p->label + ": " + svg::format_value(p->intensity, Unit::plain) + " FLOP/B, " +
                 svg::format_value(p->gflops, Unit::plain) + " GFLOP/s");
  d.end_group();
  return d.str();
}

std::string render(const HistogramGrid& c) {
  std::vector<const HistogramPanel*> panels;
  for (const auto& p : c.panels) {
    double sum = 0;
    for (double v : p.counts) sum += finite(v) && v > 0 ? v : 0;
    if (sum > 0) panels.push_back(&p);
  }
  if (panels.empty()) return no_data(c.title, "no histograms (no floating-point weights with statistics)");
  const size_t cols = std::clamp<size_t>(c.columns, 1, 6);
  const size_t rows = (panels.size() + cols - 1) / cols;
  const double gap = 18, pw = (kWidth - 32 - gap * double(cols - 1)) / double(cols), ph = 150;
  Document d(kWidth, 44 + double(rows) * (ph + gap) + 4, c.title);
  draw_title(d, c.title);
  for (size_t k = 0; k < panels.size(); ++k) {
    const auto& p = *panels[k];
    const double px = 16 + double(k % cols) * (pw + gap), py = 40 + double(k / cols) * (ph + gap);
    const size_t chars = size_t(std::max(8.0, pw / 6.2));
    d.text(px, py + 12, svg::ellipsize(p.title, chars), {.size = 11, .fill = kInk, .bold = true});
    d.text(px, py + 25, svg::ellipsize(p.subtitle, chars + 4), {.size = 10, .fill = kMuted});
    const Area a{px + 2, py + 32, px + pw - 2, py + ph - 16};
    double maxc = 0;
    for (double v : p.counts)
      if (finite(v)) maxc = std::max(maxc, v);
    const double bw = (a.r - a.l) / double(p.counts.size());
    d.begin_group("histogram");
    for (size_t i = 0; i < p.counts.size(); ++i) {
      const double v = finite(p.counts[i]) && p.counts[i] > 0 ? p.counts[i] : 0;
      if (v <= 0) continue;
      const double h = (a.b - a.t) * v / maxc;
      d.rect(a.l + bw * double(i), a.b - h, std::max(0.5, bw - 0.6), h, svg::colour(0), "bar");
    }
    d.end_group();
    d.line(a.l, a.b, a.r, a.b, kAxis);
    if (finite(p.lo) && finite(p.hi) && p.lo < 0 && p.hi > 0) {
      const double zx = a.l + (a.r - a.l) * (-p.lo) / (p.hi - p.lo);
      d.line(zx, a.t, zx, a.b, "#b91c1c", 0.8, "3 2");
    }
    d.text(a.l, a.b + 12, svg::format_value(p.lo, Unit::plain), {.size = 9, .fill = kMuted});
    d.text(a.r, a.b + 12, svg::format_value(p.hi, Unit::plain), {.size = 9, .anchor = "end", .fill = kMuted});
  }
  return d.str();
}

}  // namespace ptscope::charts
