// The HTML report as text: self-contained (no network, two inline scripts),
// everything user-controlled escaped, the analysis JSON embedded safely and
// intact, every plot present and valid, the script the one in report/html/.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "analysis_sample.h"
#include "report/analysis.h"
#include "report/html_report.h"
#include "report/plots.h"
#include "svg_check.h"
#include "test_paths.h"

using namespace ptscope;
using nlohmann::json;

namespace {

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

std::string embedded_json(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"ptscope-data\">";
  const size_t a = html.find(open);
  REQUIRE(a != std::string::npos);
  const size_t b = html.find("</script>", a);
  REQUIRE(b != std::string::npos);
  return html.substr(a + open.size(), b - a - open.size());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("html report is self-contained", "[report][html]") {
  const std::string html = report::render_html(test::analysis_sample());
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(count(html, "<script") == 2);  // the embedded JSON and the viewer
  CHECK(count(html, "src=") == 0);
  CHECK(count(html, "<link") == 0);
  CHECK(count(html, "@import") == 0);
  CHECK(count(html, "url(") == 0);
  CHECK(count(html, "https://") == 0);
  CHECK(count(html, "http://") == count(html, "http://www.w3.org/2000/svg"));  // XML namespaces, never fetched
  for (const char* tab : {"overview", "modules", "compute", "memory", "training", "roofline", "parameters", "sweep",
                          "recommendations", "system"}) {
    INFO(tab);
    CHECK(count(html, std::string("data-tab=\"") + tab + "\"") == 1);
    CHECK(count(html, std::string("id=\"tab-") + tab + "\"") == 1);
  }
}

TEST_CASE("html report escapes names and embeds the analysis intact", "[report][html]") {
  const Analysis sample = test::analysis_sample();
  const std::string html = report::render_html(sample);
  CHECK(html.find("tiny&lt;net&gt;&amp;&quot;co&quot;.pt") != std::string::npos);
  CHECK(html.find("tiny<net>") == std::string::npos);
  CHECK(html.find("Fuse conv+relu &lt;saves&gt; 4 KiB &amp; &quot;more&quot;") != std::string::npos);
  const std::string embedded = embedded_json(html);
  CHECK(embedded.find('<') == std::string::npos);
  CHECK(json::parse(embedded) == analysis_json(sample));

  const json hostile = {{"note", "</script><script>alert(1)</script><!-- & -->"}, {"bad", std::string("\xFF\xFE")}};
  const std::string e = report::embed_json(hostile);
  CHECK(e.find("</") == std::string::npos);
  CHECK(e.find("<!--") == std::string::npos);
  CHECK(json::parse(e)["note"] == hostile["note"]);
  Analysis named = sample;
  named.file.path = hostile["note"];
  named.recommendations[0].message = hostile["note"];
  CHECK(count(report::render_html(named), "</script>") == 2);
}

TEST_CASE("html report holds every plot as valid SVG", "[report][html]") {
  const std::string html = report::render_html(test::analysis_sample());
  const size_t expected = plots::all_plots(Analysis{}).size();
  CHECK(count(html, "<figure class=\"plot\"") == expected);
  size_t checked = 0;
  for (size_t p = html.find("<figure class=\"plot\""); p != std::string::npos; p = html.find("<figure class=\"plot\"", p + 1)) {
    const size_t a = html.find("<svg", p), b = html.find("</figure>", p);
    REQUIRE(a < b);
    test::check_svg(html.substr(a, b - a));
    ++checked;
  }
  CHECK(checked == expected);
}

TEST_CASE("html report renders an analysis without sections", "[report][html]") {
  // Nothing at all; a state_dict's (no graph: no nodes, memory plan or training FLOPs); a failed inference run.
  Analysis no_graph = test::analysis_sample();
  no_graph.graph = {false, "forward", {}, "no TorchScript code in a state_dict file", false};
  no_graph.nodes.clear();
  no_graph.memory = {};
  no_graph.memory.reason = "activation memory needs the graph";
  no_graph.inference = InferenceSection{"cpu", false, "no graph: no TorchScript code", {}, 0};
  for (const Analysis& a : {Analysis{}, no_graph}) {
    std::string html;
    REQUIRE_NOTHROW(html = report::render_html(a));
    CHECK(count(html, "<figure class=\"plot\"") == plots::all_plots(a).size());
    CHECK(json::parse(embedded_json(html)) == analysis_json(a));
  }
  const std::string html = report::render_html(no_graph);
  CHECK(html.find("Not available: no TorchScript code in a state_dict file") != std::string::npos);
  CHECK(html.find("Not available: activation memory needs the graph") != std::string::npos);
  CHECK(html.find("Not available: no graph: no TorchScript code") != std::string::npos);
  CHECK(html.find("Latency (median)") == std::string::npos);
}

TEST_CASE("html report carries the viewer script and style from report/html", "[report][html]") {
  const std::string html = report::render_html(Analysis{});
  const std::string js = read_file(test::source_dir() + "/report/html/viewer.js");
  const std::string css = read_file(test::source_dir() + "/report/html/viewer.css");
  REQUIRE(!js.empty());
  REQUIRE(!css.empty());
  // Inside a script element these would change how the HTML parser reads the rest of it.
  CHECK(js.find("<script") == std::string::npos);
  CHECK(js.find("</script") == std::string::npos);
  CHECK(js.find("<!--") == std::string::npos);
  CHECK(html.find(js) != std::string::npos);  // rebuilt when the file changes (CMAKE_CONFIGURE_DEPENDS)
  CHECK(html.find(css) != std::string::npos);
  // The graph view's script: same rules, and it comes first (it only defines what viewer.js calls).
  const std::string graph_js = read_file(test::source_dir() + "/report/html/graph_view.js");
  REQUIRE(!graph_js.empty());
  CHECK(graph_js.find("<script") == std::string::npos);
  CHECK(graph_js.find("</script") == std::string::npos);
  CHECK(graph_js.find("<!--") == std::string::npos);
  REQUIRE(html.find(graph_js) != std::string::npos);
  CHECK(html.find(graph_js) < html.find(js));
}
