// Generic SVG charts (bar, pie/donut, line/area, scatter, heat map,
// roofline, histogram grid) drawn from plain data with report/svg.h.
// Every chart accepts any input: missing, non-finite or negative values are
// dropped or clamped, and a chart left without data is a "no data" panel.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "report/svg.h"

namespace ptscope::charts {

using svg::Unit;

constexpr double kWidth = 720;  // every chart has this width; heights vary

// A labelled panel saying why a chart is empty.
std::string no_data(std::string_view title, std::string_view reason, double height = 200);

struct BarSeries {
  std::string name{};
  std::vector<double> values{};  // one per label
  std::string colour{};          // empty: palette
};

struct BarChart {
  std::string title{};
  std::string value_label{};          // the value axis' title
  std::vector<std::string> labels{};  // one per bar
  std::vector<BarSeries> series{};    // more than one: stacked, with a legend
  Unit unit = Unit::plain;
  bool horizontal = true;
  bool log_scale = false;           // single series only
  std::vector<std::string> bar_colours{};  // single series: a colour per bar (optional)
};
std::string render(const BarChart& chart);

struct PieChart {
  std::string title{};
  std::vector<std::string> labels{};
  std::vector<double> values{};
  Unit unit = Unit::plain;
  bool donut = true;
  std::string centre_label{};  // drawn inside a donut under the total
  size_t max_slices = 8;     // the smallest slices beyond this merge into "other"
};
std::string render(const PieChart& chart);

struct LineSeries {
  std::string name{};
  std::vector<double> x{}, y{};
  std::string colour{};
  bool line = true;
  bool markers = false;
  bool dashed = false;
};

struct Marker {
  double at = 0;
  std::string label{};
};

struct LineChart {
  std::string title{}, x_label{}, y_label{};
  Unit x_unit = Unit::plain, y_unit = Unit::plain;
  bool log_x = false, log_y = false;
  bool area = false;     // fill under each line
  bool stacked = false;  // series stacked in order (they share the first series' x)
  std::vector<LineSeries> series{};
  std::vector<Marker> x_markers{};  // vertical dashed lines
  std::vector<Marker> y_markers{};  // horizontal dashed lines
  std::string note{};               // one line under the title
};
std::string render(const LineChart& chart);

struct ScatterPoint {
  double x = 0, y = 0;
  size_t group = 0;
  std::string label{};
};

struct ScatterChart {
  std::string title{}, x_label{}, y_label{};
  Unit x_unit = Unit::plain, y_unit = Unit::plain;
  bool log_x = false, log_y = false;
  std::vector<std::string> groups{};  // legend names, indexed by ScatterPoint::group
  std::vector<ScatterPoint> points{};
};
std::string render(const ScatterChart& chart);

struct HeatMap {
  std::string title{}, x_label{}, y_label{};
  std::vector<std::string> x_labels{}, y_labels{};
  std::vector<double> values{};  // row-major: y_labels.size() rows of x_labels.size(); NaN = missing
  Unit unit = Unit::plain;
};
std::string render(const HeatMap& chart);

struct RooflinePoint {
  double intensity = 0;  // FLOP per byte
  double gflops = 0;     // achieved (measured) or attainable
  size_t group = 0;
  std::string label{};
};

struct RooflineChart {
  std::string title{};
  double peak_gflops = 0;
  double bandwidth_gbs = 0;
  std::string note{};  // e.g. where the ceilings come from
  std::vector<std::string> groups{};
  std::vector<RooflinePoint> points{};
};
std::string render(const RooflineChart& chart);

struct HistogramPanel {
  std::string title{}, subtitle{};
  double lo = 0, hi = 0;        // the bins split [lo, hi] equally
  std::vector<double> counts{};
};

struct HistogramGrid {
  std::string title{};
  std::vector<HistogramPanel> panels{};
  size_t columns = 3;
};
std::string render(const HistogramGrid& chart);

}  // namespace ptscope::charts
