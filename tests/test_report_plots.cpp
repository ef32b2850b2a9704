// The SVG writer, the generic charts and the analysis plots: every document is
// well-formed XML, every coordinate is finite and inside the viewBox, bars are
// proportional to their values, labels are escaped, and an Analysis without
// sections or with hostile numbers renders.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

#include "analysis_sample.h"
#include "core/format.h"
#include "report/charts.h"
#include "report/html_report.h"
#include "report/plots.h"
#include "report/svg.h"
#include "svg_check.h"

using namespace ptscope;
using nlohmann::json;
namespace xml = ptscope::test::xml;
using test::check_svg;
using test::numbers_in;
using test::parse_number;
using test::with_class;

namespace {

std::vector<std::string (*)(const Analysis&)> every_plot() {
  return {plots::layer_distribution, plots::flop_distribution,   plots::flops_per_layer,
          plots::memory_per_layer_bar, plots::memory_per_layer_pie, plots::memory_timeline,
          plots::training_memory,    plots::roofline,            plots::batch_curve,
          plots::sequence_curve,     plots::batch_sequence_heatmap, plots::params_vs_memory,
          plots::weight_histograms};
}

}  // namespace

TEST_CASE("svg escape, numbers and value formats", "[report][svg]") {
  CHECK(svg::escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  CHECK(svg::escape(std::string("x\x01y")) == "xy");                           // control character dropped
  CHECK(svg::escape(std::string("\xC3\xA9")) == "\xC3\xA9");                   // é kept
  CHECK(svg::escape(std::string("a\xFF" "b")) == "a\xEF\xBF\xBD" "b");         // broken byte → U+FFFD
  CHECK(svg::num(NAN) == "0");
  CHECK(svg::num(INFINITY) == "0");
  CHECK(svg::num(12.345) == "12.35");
  CHECK(svg::num(-0.001) == "0");
  CHECK(svg::num(4.0) == "4");
  // Plot labels print what core/format.h prints for the unit (the tables and the text report).
  CHECK(svg::format_value(1536, svg::Unit::bytes) == "1.5 KiB");
  CHECK(svg::format_value(1536, svg::Unit::bytes) == format_bytes(1536));
  CHECK(svg::format_value(262144.4, svg::Unit::bytes) == "256.0 KiB");  // a fractional tick rounds to whole bytes
  CHECK(svg::format_value(-2048, svg::Unit::bytes) == "-2.0 KiB");
  CHECK(svg::format_value(11.7e6, svg::Unit::count) == "11.70 M");
  CHECK(svg::format_value(3.6e9, svg::Unit::count) == format_count(3.6e9));
  CHECK(svg::format_value(-1500, svg::Unit::count) == "-1.50 K");
  CHECK(svg::format_value(0.5, svg::Unit::count) == "0.5");  // a tick between whole counts keeps its fraction
  CHECK(svg::format_value(40, svg::Unit::count) == "40");
  CHECK(svg::format_value(1500, svg::Unit::microseconds) == "1.50 ms");
  CHECK(svg::format_value(1500, svg::Unit::microseconds) == format_duration_us(1500));
  CHECK(svg::format_value(45, svg::Unit::percent) == "45.0%");
  CHECK(svg::format_value(-31.25, svg::Unit::decibels) == "-31.2 dB");
  CHECK(svg::format_value(0.98765, svg::Unit::plain) == "0.9877");
  CHECK(svg::format_value(0.98765, svg::Unit::plain) == format_number(0.98765));
  CHECK(svg::format_value(NAN, svg::Unit::bytes) == "n/a");
  CHECK(svg::format_value(INFINITY, svg::Unit::plain) == "\xE2\x88\x9E");
  CHECK(svg::ellipsize("abcdefghij", 5) == "abcd\xE2\x80\xA6");
  CHECK(svg::ellipsize("abc", 5) == "abc");
}

TEST_CASE("svg scales: nice ticks, log decades, clamping", "[report][svg]") {
  const auto lin = svg::Scale::linear(0, 93, 0, 100);
  CHECK(lin.hi() == Approx(100));
  CHECK(lin.ticks(5) == std::vector<double>{0, 20, 40, 60, 80, 100});
  CHECK(lin(50) == Approx(50));
  CHECK(lin(-10) == 0);    // clamped
  CHECK(lin(1e9) == 100);  // clamped
  CHECK(lin(NAN) == 0);
  const auto bytes = svg::Scale::linear(0, 900 * 1024, 0, 100, true, true);
  for (double t : bytes.ticks(5)) CHECK(std::fmod(t, 1024.0) == 0);  // steps in whole KiB
  const auto log = svg::Scale::log10(3, 4000, 0, 100);
  CHECK(log.lo() == Approx(1));
  CHECK(log.hi() == Approx(10000));
  CHECK(log.ticks(8) == std::vector<double>{1, 10, 100, 1000, 10000});
  CHECK(log(100) == Approx(50));
  CHECK(log(0) == 0);  // non-positive values sit at the bottom of a log axis
  const auto flat = svg::Scale::linear(5, 5, 0, 100);  // one value still gets a range
  CHECK(flat.lo() < 5);
  CHECK(flat.hi() > 5);
  const auto bad = svg::Scale::log10(-1, NAN, 0, 100);
  CHECK(std::isfinite(bad(1)));
}

TEST_CASE("bar lengths are proportional to the values", "[report][svg]") {
  for (bool horizontal : {true, false}) {
    charts::BarChart c{.title = "t", .labels = {"a", "b", "c"}, .series = {{.name = "s", .values = {10, 20, 35}}},
                       .horizontal = horizontal};
    const auto root = check_svg(charts::render(c));
    const auto bars = with_class(*root, "bar");
    REQUIRE(bars.size() == 3);
    const char* key = horizontal ? "width" : "height";
    const double a = parse_number(bars[0]->attrs.at(key)), b = parse_number(bars[1]->attrs.at(key)),
                 d = parse_number(bars[2]->attrs.at(key));
    CHECK(b / a == Approx(2).epsilon(0.01));
    CHECK(d / a == Approx(3.5).epsilon(0.01));
  }
  // Stacked: the segments of one bar add up, each proportional to its value.
  charts::BarChart s{.title = "t", .labels = {"x", "y"},
                     .series = {{.name = "w", .values = {100, 0}}, {.name = "a", .values = {300, 200}}}};
  const auto root = check_svg(charts::render(s));
  const auto bars = with_class(*root, "bar");
  REQUIRE(bars.size() == 3);  // the zero segment is not drawn
  CHECK(parse_number(bars[1]->attrs.at("width")) / parse_number(bars[0]->attrs.at("width")) == Approx(3).epsilon(0.01));
  CHECK(parse_number(bars[2]->attrs.at("width")) / parse_number(bars[0]->attrs.at("width")) == Approx(2).epsilon(0.01));
  CHECK(parse_number(bars[1]->attrs.at("x")) ==
        Approx(parse_number(bars[0]->attrs.at("x")) + parse_number(bars[0]->attrs.at("width"))).margin(0.02));
}

TEST_CASE("chart labels are escaped", "[report][svg]") {
  const std::string nasty = "x<y & \"z\"</svg>";
  charts::BarChart c{.title = nasty, .labels = {nasty}, .series = {{.name = nasty, .values = {1}}}};
  const std::string s = charts::render(c);
  CHECK(s.find("x&lt;y &amp; &quot;z&quot;&lt;/svg&gt;") != std::string::npos);
  const auto root = check_svg(s);
  CHECK(xml::all_text(*root).find(nasty) != std::string::npos);  // decodes back to the label
  charts::PieChart p{.title = nasty, .labels = {nasty, "b"}, .values = {1, 2}};
  check_svg(charts::render(p));
  charts::ScatterChart sc{.title = nasty, .groups = {nasty}, .points = {{.x = 1, .y = 2, .label = nasty}}};
  check_svg(charts::render(sc));
}

TEST_CASE("charts draw what they are given", "[report][svg]") {
  SECTION("pie: the merged slices and the total") {
    charts::PieChart p{.title = "p", .labels = {"a", "b", "c", "d"}, .values = {4, 3, 2, 1}, .max_slices = 3};
    const auto root = check_svg(charts::render(p));
    CHECK(with_class(*root, "slice").size() == 3);  // a, b, "other (2)"
    CHECK(xml::all_text(*root).find("other (2)") != std::string::npos);
    charts::PieChart one{.title = "p", .labels = {"only"}, .values = {5}};  // a full turn is two arcs
    CHECK(with_class(*check_svg(charts::render(one)), "slice").size() == 2);
  }
  SECTION("line: decimated long series keep their peak") {
    charts::LineChart l{.title = "l"};
    charts::LineSeries s{.name = "s"};
    for (int i = 0; i < 20000; ++i) s.x.push_back(i), s.y.push_back(i == 12345 ? 1000 : 1);
    l.series.push_back(s);
    const auto root = check_svg(charts::render(l));
    const auto lines = with_class(*root, "line");
    REQUIRE(lines.size() == 1);
    const auto pts = numbers_in(lines[0]->attrs.at("points"));
    CHECK(pts.size() <= 2 * 1700);
    double min_y = 1e9;
    for (size_t i = 1; i < pts.size(); i += 2) min_y = std::min(min_y, pts[i]);
    CHECK(min_y < 100);  // the spike reaches near the top of the plot area
  }
  SECTION("histogram grid: one bar per non-empty bin") {
    charts::HistogramGrid g{.title = "h", .panels = {{.title = "w", .lo = -1, .hi = 1, .counts = {1, 0, 3, 2}}}};
    CHECK(with_class(*check_svg(charts::render(g)), "bar").size() == 3);
  }
  SECTION("heat map: one cell per grid point, missing ones grey") {
    charts::HeatMap h{.title = "h", .x_labels = {"1", "2"}, .y_labels = {"a", "b", "c"}, .values = {1, 2, 3, NAN, 5, 6}};
    const auto root = check_svg(charts::render(h));
    const auto cells = with_class(*root, "cell");
    REQUIRE(cells.size() == 6);
    CHECK(cells[3]->attrs.at("fill") == "#f3f4f6");
    CHECK(cells[0]->attrs.at("fill") != cells[5]->attrs.at("fill"));
  }
}

TEST_CASE("analysis plots draw the sample analysis", "[report][plots]") {
  const Analysis a = test::analysis_sample();
  for (auto plot : every_plot()) check_svg(plot(a));

  const auto roof = check_svg(plots::roofline(a));
  CHECK(with_class(*roof, "point").size() == 3);
  CHECK(with_class(*roof, "roof").size() == 1);
  CHECK(xml::all_text(*roof).find("ridge 5 FLOP/B") != std::string::npos);

  const auto training = check_svg(plots::training_memory(a));
  CHECK(with_class(*training, "area").size() == 4);  // weights, gradients, optimizer state, feature maps
  CHECK(xml::all_text(*training).find("forward | backward") != std::string::npos);

  const auto layers = check_svg(plots::layer_distribution(a));
  CHECK(with_class(*layers, "bar").size() == 3);  // Conv2d, ReLU, Linear<T>
  CHECK(xml::all_text(*layers).find("Linear<T>") != std::string::npos);

  const auto memory = check_svg(plots::memory_per_layer_bar(a));
  CHECK(with_class(*memory, "bar").size() == 5);  // conv: 2 segments, act: 1, fc: 2

  const auto seq = check_svg(plots::sequence_curve(a));
  CHECK(with_class(*seq, "point").size() == 3);  // the batch = 1 row
  CHECK(xml::all_text(*seq).find("y = 1000 + 10 s + s^2") != std::string::npos);

  CHECK(with_class(*check_svg(plots::batch_sequence_heatmap(a)), "cell").size() == 6);
  CHECK(with_class(*check_svg(plots::weight_histograms(a)), "bar").size() == 17);
  CHECK(with_class(*check_svg(plots::params_vs_memory(a)), "point").size() == 2);  // ReLU has no params (log axis)
  CHECK(plots::all_plots(a).size() == every_plot().size());
}

TEST_CASE("analysis plots of an analysis without sections say no data", "[report][plots]") {
  // What a state_dict's analysis lacks (graph, nodes, memory plan, sweep), and an analysis with nothing at all.
  Analysis no_graph = test::analysis_sample();
  no_graph.graph = {false, "forward", {}, "no TorchScript code", false};
  no_graph.modules.clear();
  no_graph.categories.clear();
  no_graph.nodes.clear();
  no_graph.memory = {};
  no_graph.training_memory = {};
  no_graph.roofline = {};
  no_graph.sweep.reset();
  no_graph.parameters = {};
  for (const Analysis& a : {Analysis{}, no_graph})
    for (auto plot : every_plot()) {
      const auto root = check_svg(plot(a));
      CHECK(xml::all_text(*root).find("No data") != std::string::npos);
    }
  // A sweep asked for without a graph: the sweep plots draw an empty sweep.
  Analysis unswept;
  unswept.sweep_unavailable = "no graph: no TorchScript code";
  for (auto plot : {plots::batch_curve, plots::sequence_curve, plots::batch_sequence_heatmap})
    CHECK(xml::all_text(*check_svg(plot(unswept))).find("No data") != std::string::npos);
}

TEST_CASE("analysis plots survive hostile numbers", "[report][plots]") {
  // Every real number of the sample set to one hostile value at a time, then random mixes.
  const double hostile[] = {NAN, INFINITY, -INFINITY, -1.0, 0.0, 1e300, -1e300, 5e-324};
  std::mt19937 rng(7);
  for (int mode = -20; mode < int(std::size(hostile)); ++mode) {
    auto next = [&] { return hostile[mode >= 0 ? size_t(mode) : rng() % std::size(hostile)]; };
    Analysis a = test::analysis_sample();
    for (auto& m : a.modules) m.totals.cost = {next(), next(), next(), 0, 0};
    for (auto& c : a.categories) c.cost = {next(), next(), next(), 0, 0};
    for (auto& n : a.nodes) n.intensity = next();
    a.roofline.peaks.gflops = next();
    a.roofline.peaks.bandwidth_gbs = next();
    for (auto& n : a.roofline.nodes) {
      n.intensity = next();
      n.attainable_gflops = next();
      n.gflops = next();
    }
    for (auto& t : a.parameters.stats.tensors) {
      t.mean = next();
      t.std = next();
      t.histogram.lo = next();
      t.histogram.hi = next();
    }
    for (auto& f : a.sweep->fits)
      for (PolyFit* fit : {&f.linear, &f.quadratic}) {
        for (double& c : fit->coefficients) c = next();
        fit->r2 = next();
      }
    for (auto plot : every_plot()) check_svg(plot(a));
  }
}

TEST_CASE("write_plots writes one SVG file per plot", "[report][plots]") {
  const auto dir = std::filesystem::temp_directory_path() / ("ptscope_plots_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto paths = report::write_plots(test::analysis_sample(), (dir / "nested").string());
  CHECK(paths.size() == plots::all_plots(Analysis{}).size());
  for (const auto& p : paths) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(ss.str().rfind("<?xml", 0) == 0);
    check_svg(ss.str());
  }
  CHECK(std::filesystem::exists(dir / "nested" / "roofline.svg"));
  std::filesystem::remove_all(dir);
  const auto sweep_only = report::write_plots(test::analysis_sample(), (dir / "sweep").string(), "sweep");
  CHECK(sweep_only.size() == 3);
  CHECK(std::filesystem::exists(dir / "sweep" / "batch_curve.svg"));
  CHECK_FALSE(std::filesystem::exists(dir / "sweep" / "roofline.svg"));
  // `ptscope sweep --plots`: the sweep's three plots from the sweep alone, the same as the analysis draws.
  const auto alone = report::write_sweep_plots(*test::analysis_sample().sweep, (dir / "alone").string());
  REQUIRE(alone.size() == 3);
  for (size_t i = 0; i < alone.size(); ++i) {
    std::ifstream x(alone[i]), y(sweep_only[i]);
    std::stringstream sx, sy;
    sx << x.rdbuf();
    sy << y.rdbuf();
    CHECK(sx.str() == sy.str());
  }
  std::filesystem::remove_all(dir);
  CHECK_THROWS_AS(report::write_plots(Analysis{}, "/proc/ptscope-cannot-write"), std::runtime_error);
}
