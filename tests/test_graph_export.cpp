// `ptscope graph --format dot|svg` (report/graph_export.cpp) and the layered
// layout behind the SVG.
#include <catch2/catch.hpp>

#include <random>
#include <regex>
#include <set>

#include "cli_run.h"
#include "report/graph_export.h"
#include "svg_check.h"

using namespace ptscope;

namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = 0; (p = s.find(what, p)) != std::string::npos; p += what.size()) ++n;
  return n;
}

// Edges the JSON implies: one per distinct value an op reads from another op or a graph input.
size_t expected_edges(const nlohmann::json& graph) {
  size_t edges = 0;
  const auto& nodes = graph["nodes"];
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::set<int64_t> seen;
    for (const auto& in : nodes[i]["inputs"])
      if ((in.contains("producer") && in["producer"].get<size_t>() != i) || in.value("kind", "") == "input")
        seen.insert(in["value"].get<int64_t>());
    edges += seen.size();
  }
  return edges;
}

}  // namespace

TEST_CASE("layered layout: edges go down, boxes of a layer never overlap", "[graph][graph-export]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    LayoutInput in;
    const int n = 5 + int(rng() % 200);
    for (int i = 0; i < n; ++i) in.width.push_back(40 + double(rng() % 200));
    for (int i = 1; i < n; ++i)
      for (int k = 0; k < 1 + int(rng() % 3); ++k) in.edges.push_back({int(rng() % unsigned(i)), i});
    in.edges.push_back({n - 1, 0});  // a back edge is ignored, not a crash
    const LayoutResult r = layered_layout(in, 20);
    REQUIRE(r.x.size() == size_t(n));
    for (const auto& [a, b] : in.edges)
      if (a < b) CHECK(r.layer[size_t(b)] > r.layer[size_t(a)]);
    std::vector<std::vector<int>> rows(size_t(r.layers));
    for (int i = 0; i < n; ++i) rows[size_t(r.layer[size_t(i)])].push_back(i);
    for (auto& row : rows) {
      std::sort(row.begin(), row.end(), [&](int a, int b) { return r.x[size_t(a)] < r.x[size_t(b)]; });
      for (size_t k = 1; k < row.size(); ++k)
        CHECK(r.x[size_t(row[k])] - in.width[size_t(row[k])] / 2 >=
              r.x[size_t(row[k - 1])] + in.width[size_t(row[k - 1])] / 2 + 20 - 1e-6);
    }
    for (int i = 0; i < n; ++i) {
      CHECK(r.x[size_t(i)] - in.width[size_t(i)] / 2 >= -1e-6);
      CHECK(r.x[size_t(i)] + in.width[size_t(i)] / 2 <= r.width + 1e-6);
    }
  }
}

TEST_CASE("graph --format dot and svg draw every op and edge with its shape", "[graph][graph-export][cli]") {
  const std::string file = test::fixture("arch/detr_like.pt");
  const auto json_run = test::run_ptscope("graph '" + file + "' --json", false);
  REQUIRE(json_run.status == 0);
  const auto graph = nlohmann::json::parse(json_run.out);
  const size_t nodes = graph["nodes"].size();
  REQUIRE(nodes > 50);
  REQUIRE(graph["nodes"][1]["inputs"][0].contains("producer"));
  const size_t edges = expected_edges(graph);

  const auto dot = test::run_ptscope("graph '" + file + "' --format dot", false);
  REQUIRE(dot.status == 0);
  CHECK(dot.out.rfind("digraph ptscope {", 0) == 0);
  CHECK(count(dot.out, " -> ") == edges);
  CHECK(count(dot.out, "{") == count(dot.out, "}"));
  for (size_t i = 0; i < nodes; ++i) CHECK(count(dot.out, "  n" + std::to_string(i) + " [label=") == 1);
  // Every edge is labelled with a shape and a dtype; module scopes are clusters.
  const std::regex edge_line(R"(-> n\d+ \[label="(scalar|\d+(x\d+)*) [a-z0-9]+"\];)");
  CHECK(size_t(std::distance(std::sregex_iterator(dot.out.begin(), dot.out.end(), edge_line), std::sregex_iterator())) == edges);
  CHECK(dot.out.find("label=\"backbone\"") != std::string::npos);

  const auto svg = test::run_ptscope("graph '" + file + "' --format svg", false);
  REQUIRE(svg.status == 0);
  auto root = test::check_svg(svg.out);
  size_t paths = 0, boxes = 0;
  test::xml::walk(*root, [&](const test::xml::Element& e) {
    paths += e.name == "path";
    boxes += e.name == "rect" && !e.attrs.count("x");  // node boxes (the background has x="0")
  });
  CHECK(paths == edges);
  CHECK(boxes == nodes + graph["inputs"].size());
  CHECK(svg.out.find("input x") != std::string::npos);
  CHECK(std::regex_search(svg.out, std::regex(">1x3x[0-9]+x[0-9]+ float32<")));

  const auto bad = test::run_ptscope("graph '" + file + "' --format png", true);
  CHECK(bad.status != 0);
}
