// The HTML report in a real browser: `ptscope analyze --format html` on a
// fixture, loaded by headless Debian chromium with #selftest (the page's own
// script expands the tree, opens details, searches, measures every plot and
// writes a verdict into the DOM), plus a screenshot that must not be blank.
// `make test` installs chromium (Makefile DEB_PACKAGES); without it this
// test fails with a message saying so. PTSCOPE_CHROMIUM names another binary;
// PTSCOPE_KEEP_BROWSER_OUTPUT=1 keeps the report and screenshot.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <unistd.h>
#include <zlib.h>

#include "core/format.h"
#include "report/html_report.h"
#include "test_paths.h"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The chromium binary: $PTSCOPE_CHROMIUM, else the first of the usual names on PATH.
std::string find_chromium() {
  if (const char* env = std::getenv("PTSCOPE_CHROMIUM"); env && *env) return env;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
    const std::string probe = std::string("command -v ") + name + " >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return name;
  }
  return "";
}

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return status == -1 ? -1 : WEXITSTATUS(status);
}

struct Image {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> rgb;
};

uint32_t be32(const std::string& s, size_t at) {
  return uint32_t(uint8_t(s[at])) << 24 | uint32_t(uint8_t(s[at + 1])) << 16 | uint32_t(uint8_t(s[at + 2])) << 8 |
         uint32_t(uint8_t(s[at + 3]));
}

// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what chromium writes).
Image decode_png(const std::string& png) {
  REQUIRE(png.size() > 33);
  REQUIRE(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  Image img;
  int channels = 0;
  std::string idat;
  for (size_t p = 8; p + 12 <= png.size();) {
    const uint32_t len = be32(png, p);
    const std::string type = png.substr(p + 4, 4);
    REQUIRE(p + 12 + len <= png.size());
    if (type == "IHDR") {
      img.width = be32(png, p + 8);
      img.height = be32(png, p + 12);
      const int depth = uint8_t(png[p + 16]), colour = uint8_t(png[p + 17]), interlace = uint8_t(png[p + 20]);
      REQUIRE(depth == 8);
      REQUIRE((colour == 2 || colour == 6));
      REQUIRE(interlace == 0);
      channels = colour == 6 ? 4 : 3;
    } else if (type == "IDAT") {
      idat += png.substr(p + 8, len);
    }
    p += 12 + len;
  }
  REQUIRE(channels > 0);
  const size_t stride = size_t(img.width) * channels;
  std::vector<uint8_t> raw((stride + 1) * img.height);
  uLongf raw_size = raw.size();
  REQUIRE(uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) == Z_OK);
  REQUIRE(raw_size == raw.size());
  std::vector<uint8_t> prev(stride, 0), cur(stride);
  img.rgb.reserve(size_t(img.width) * img.height * 3);
  for (uint32_t y = 0; y < img.height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* line = &raw[y * (stride + 1) + 1];
    for (size_t i = 0; i < stride; ++i) {
      const int a = i >= size_t(channels) ? cur[i - channels] : 0, b = prev[i],
                c = i >= size_t(channels) ? prev[i - channels] : 0;
      int pred = 0;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) / 2; break;
        case 4: {
          const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: FAIL("bad PNG filter " << int(filter));
      }
      cur[i] = uint8_t(line[i] + pred);
    }
    for (uint32_t x = 0; x < img.width; ++x)
      for (int k = 0; k < 3; ++k) img.rgb.push_back(cur[x * channels + k]);
    std::swap(prev, cur);
  }
  return img;
}

// The JSON the page's self-test wrote into <pre id="selftest-verdict"> (or another <pre id>).
json verdict_from_dom(const std::string& dom, const std::string& id = "selftest-verdict") {
  const std::string open = "<pre id=\"" + id + "\">";
  const size_t a = dom.find(open);
  if (a == std::string::npos) return json();
  const size_t b = dom.find("</pre>", a);
  std::string text = dom.substr(a + open.size(), b - a - open.size()), out;
  for (size_t i = 0; i < text.size(); ++i) {  // the DOM serialiser escapes & < > in text
    if (text.compare(i, 5, "&amp;") == 0) out += '&', i += 4;
    else if (text.compare(i, 4, "&lt;") == 0) out += '<', i += 3;
    else if (text.compare(i, 4, "&gt;") == 0) out += '>', i += 3;
    else if (text.compare(i, 6, "&quot;") == 0) out += '"', i += 5;
    else out += text[i];
  }
  return json::parse(out, nullptr, false);
}

std::string chromium_command(const std::string& chromium, const fs::path& work) {
  return "timeout 60 " + shell_quote(chromium) +
         " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --hide-scrollbars"
         " --user-data-dir=" + shell_quote((work / "profile").string());
}

// Loads page#selftest, returns the verdict (null when the page wrote none).
json selftest(const std::string& chromium, const fs::path& work, const fs::path& page) {
  const fs::path dom = work / (page.stem().string() + ".dom.html");
  const std::string cmd = chromium_command(chromium, work) + " --dump-dom " +
                          shell_quote("file://" + page.string() + "#selftest") + " > " + shell_quote(dom.string()) +
                          " 2>> " + shell_quote((work / "chromium.log").string());
  INFO(cmd);
  CHECK(run(cmd) == 0);
  return verdict_from_dom(read_file(dom));
}

// A fresh folder under the temporary directory for one test's files.
fs::path fresh_work_dir(const std::string& name) {
  const fs::path work = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);
  return work;
}

// A real report: the analyze command's HTML of a fixture model, written to work/page_name.
fs::path analyze_to_html(const fs::path& work, const std::string& fixture, const std::string& page_name) {
  const fs::path page = work / page_name;
  const std::string analyze = shell_quote(ptscope::test::cli_binary()) + " analyze " +
                              shell_quote(ptscope::test::fixture(fixture)) + " --format html --no-save -o " +
                              shell_quote(page.string()) + " 2> " + shell_quote((work / "analyze.log").string());
  INFO(analyze);
  REQUIRE(run(analyze) == 0);
  return page;
}

}  // namespace

TEST_CASE("html report works in headless chromium", "[browser][html]") {
  const std::string chromium = find_chromium();
  if (chromium.empty())
    FAIL("chromium not found: the browser test needs Debian's chromium (apt-get install chromium; "
         "`make test` installs it) or PTSCOPE_CHROMIUM=/path/to/chrome");
  const fs::path work = fresh_work_dir("ptscope_browser");
  // A real report: the analyze command on a fixture TorchScript model.
  const fs::path page = analyze_to_html(work, "graph/resnet18_scripted.pt", "report.html");
  REQUIRE(fs::file_size(page) > 10000);

  // Sequential blocks, not SECTIONs: Catch would rerun the analysis for each section.
  {  // self-test: no script errors, tree expands, details open, every plot has a size
    const json v = selftest(chromium, work, page);
    INFO("verdict: " << v.dump() << "\nchromium log: " << read_file(work / "chromium.log").substr(0, 2000));
    REQUIRE(v.is_object());
    CHECK(v["errors"].empty());
    CHECK(v["failures"].empty());
    CHECK(v["ok"] == true);
    const std::string rendered = v["checks"].value("plots_rendered", "");
    CHECK(rendered == "13/13");
  }

  {  // an empty analysis also loads without errors
    const fs::path empty = work / "empty.html";
    std::ofstream(empty) << ptscope::report::render_html(ptscope::Analysis{});
    const json v = selftest(chromium, work, empty);
    INFO("verdict: " << v.dump());
    REQUIRE(v.is_object());
    CHECK(v["ok"] == true);
  }

  {  // the screenshot has the window's size and is not blank
    const fs::path shot = work / "report.png";
    const std::string cmd = chromium_command(chromium, work) + " --window-size=1280,1600 --screenshot=" +
                            shell_quote(shot.string()) + " " + shell_quote("file://" + page.string() + "#selftest") +
                            " 2>> " + shell_quote((work / "chromium.log").string());
    INFO(cmd);
    REQUIRE(run(cmd) == 0);
    const Image img = decode_png(read_file(shot));
    CHECK(img.width == 1280);
    CHECK(img.height == 1600);
    // Non-blank: many distinct colours, luminance that varies, and most rows holding content.
    std::vector<bool> seen(1 << 15, false);
    size_t distinct = 0, busy_rows = 0;
    double sum = 0, sum2 = 0;
    for (uint32_t y = 0; y < img.height; ++y) {
      size_t changes = 0;
      for (uint32_t x = 0; x < img.width; ++x) {
        const uint8_t* p = &img.rgb[(size_t(y) * img.width + x) * 3];
        const size_t key = (p[0] >> 3) << 10 | (p[1] >> 3) << 5 | (p[2] >> 3);
        if (!seen[key]) seen[key] = true, ++distinct;
        const double l = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        sum += l, sum2 += l * l;
        if (x > 0 && std::memcmp(p, p - 3, 3) != 0) ++changes;
      }
      busy_rows += changes > 4;
    }
    const double n = double(img.width) * img.height, mean = sum / n, stddev = std::sqrt(std::max(0.0, sum2 / n - mean * mean));
    INFO("distinct colours " << distinct << ", luminance mean " << mean << " stddev " << stddev << ", busy rows "
                             << busy_rows << "/" << img.height);
    CHECK(distinct > 100);
    CHECK(stddev > 10);
    CHECK(busy_rows > img.height / 3);
  }

  if (!std::getenv("PTSCOPE_KEEP_BROWSER_OUTPUT")) fs::remove_all(work);
}

namespace {

// The analysis JSON embedded in a report page.
json embedded_analysis(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"ptscope-data\">";
  const size_t a = html.find(open);
  REQUIRE(a != std::string::npos);
  const size_t b = html.find("</script>", a);
  REQUIRE(b != std::string::npos);
  return json::parse(html.substr(a + open.size(), b - a - open.size()));
}

// What the fully expanded graph view must draw, from nodes[] alone: one box per op and
// per graph input, one edge per distinct value an op consumes from another op, one per
// graph input it reads.
std::pair<size_t, size_t> expected_graph(const json& analysis) {
  size_t edges = 0;
  std::set<std::string> inputs;
  const auto& nodes = analysis["nodes"];
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::set<int64_t> values;
    std::set<std::string> names;
    for (const auto& in : nodes[i]["inputs"]) {
      if (in.contains("from") && in["from"].get<int64_t>() != int64_t(i)) values.insert(in["value"].get<int64_t>());
      if (in.value("kind", "") == "input") names.insert(in.value("name", "")), inputs.insert(in.value("name", ""));
    }
    edges += values.size() + names.size();
  }
  return {nodes.size() + inputs.size(), edges};
}

}  // namespace

TEST_CASE("html graph view: a 2,000-node model in headless chromium", "[browser][html][graph-view]") {
  const std::string chromium = find_chromium();
  if (chromium.empty()) FAIL("chromium not found (see the test above)");
  const fs::path work = fresh_work_dir("ptscope_browser_graph");
  const fs::path page = analyze_to_html(work, "arch/gpt_explicit_deep.pt", "deep.html");
  const json analysis = embedded_analysis(read_file(page));
  REQUIRE(analysis["nodes"].size() >= 2000);
  const auto [boxes, edges] = expected_graph(analysis);

  {  // self-test at 1400 px: collapsed start, a group expands on click, every op and edge drawn, details
    const fs::path dom = work / "deep.dom.html";
    const std::string cmd = chromium_command(chromium, work) + " --window-size=1400,1000 --dump-dom " +
                            shell_quote("file://" + page.string() + "#selftest") + " > " + shell_quote(dom.string()) +
                            " 2>> " + shell_quote((work / "chromium.log").string());
    REQUIRE(run(cmd) == 0);
    const json v = verdict_from_dom(read_file(dom));
    INFO("verdict: " << v.dump());
    REQUIRE(v.is_object());
    CHECK(v["errors"].empty());
    CHECK(v["failures"].empty());
    const json& c = v["checks"];
    CHECK(c["graph_initial"]["collapsed_default"] == true);
    CHECK(c["graph_initial"]["groups"].get<int>() > 0);
    CHECK(c["graph_initial"]["ops"].get<int>() + c["graph_initial"]["groups"].get<int>() < 400);
    CHECK(c["graph_group_expands"].get<std::string>().find(" -> ") != std::string::npos);
    CHECK(size_t(c["graph_nodes_drawn"].get<int>() + c["graph_inputs_drawn"].get<int>()) == boxes);
    CHECK(size_t(c["graph_edges_drawn"].get<int>()) == edges);
    // The op with most FLOPs was clicked: its details name its op, scope, costs and inputs.
    const auto& best = analysis["nodes"][c["graph_details_node"].get<size_t>()];
    const std::string text = c["graph_details_text"];
    CHECK(c["graph_details"] == best["op"]);
    CHECK(text.find(best["scope"].get<std::string>()) != std::string::npos);
    CHECK(text.find("FLOPs") != std::string::npos);
    CHECK(text.find("Inputs") != std::string::npos);
    CHECK(c["graph_no_overlap"] == 0);
    // Fast on 2,000 nodes: laying out and drawing everything takes well under two seconds.
    CHECK(c["graph_expand_all_ms"].get<int>() < 2000);
    CHECK(c["op_column_readable"] == 0);
  }

  {  // the Graph tab's screenshot is a drawing, not a blank panel
    const fs::path shot = work / "graph.png";
    const std::string cmd = chromium_command(chromium, work) + " --window-size=1400,1000 --screenshot=" +
                            shell_quote(shot.string()) + " " + shell_quote("file://" + page.string() + "#graph") +
                            " 2>> " + shell_quote((work / "chromium.log").string());
    REQUIRE(run(cmd) == 0);
    const Image img = decode_png(read_file(shot));
    REQUIRE(img.width == 1400);
    // Inside the viewport (left panel, below the toolbar): dark-red cost fills and grey edges.
    size_t red = 0;
    for (uint32_t y = 300; y < img.height; ++y)
      for (uint32_t x = 40; x < 900; ++x) {
        const uint8_t* p = &img.rgb[(size_t(y) * img.width + x) * 3];
        red += p[0] > 100 && p[1] < 80 && p[2] < 80;
      }
    INFO("red pixels " << red);
    CHECK(red > 500);
  }
  if (!std::getenv("PTSCOPE_KEEP_BROWSER_OUTPUT")) fs::remove_all(work);
}

TEST_CASE("html viewer formats bytes, counts, percentages, shapes, numbers and durations as core/format.h does",
          "[browser][html][format]") {
  const std::string chromium = find_chromium();
  if (chromium.empty()) FAIL("chromium not found (see the test above)");
  const fs::path work = fresh_work_dir("ptscope_format");

  // Values at every unit boundary, exact halves at every rounding position (1280 B = 1.25 KiB,
  // 1125 = 1.125 K, 0.25%, 2.5), their neighbours, and a deterministic spread of magnitudes.
  std::vector<uint64_t> bytes = {0, 1, 512, 1023, 1024, 1025, 1280, 1331, 1536, 1792, 10752, 1048575, 1048576,
                                 1572864, 123456789, (uint64_t(1) << 40) * 13 / 4, uint64_t(1) << 50,
                                 (uint64_t(1) << 53) + 0};
  std::vector<double> counts = {0, 0.5, 1.5, 2.5, -5, -1500, 999, 999.5, 1000, 1125, 1135, 1234.5, 11.7e6,
                                3.6e9, 1e15, 1e18, 2.5e18, 0.125, 1005};
  std::vector<std::pair<double, double>> percents = {{1, 8}, {1, 3}, {1, 400}, {3, 400}, {5, 0}, {1, -1}, {2, 3},
                                                     {1, 16}, {0, 7}, {7, 7}};
  const std::vector<std::vector<int64_t>> shapes = {{}, {5}, {1, 3, 224, 224}, {-1, 7}, {0}};
  // "%.4g": exact halves in fixed and exponent form (0.03125, 12345, 1.2345e-05 is not exact), rounding that
  // carries into the exponent (9999.5), both ends of the fixed range (1e-4, 9999), negatives and zeros.
  std::vector<double> numbers = {0, -0.0, 0.25, 0.1 + 0.2, 0.03125, 1234, 12345, 12355, 9999, 9999.5, 99995, 1e-4,
                                 9.9995e-5, 1.2345e-5, -0.000012, -123.45, 1e21, 1.5e300, 5e-324, 1.0 / 3};
  // Durations at each unit boundary and exact halves (0.25 µs, 1.125 ms, 2.5 s rounds to 2.50 s).
  std::vector<double> durations = {0, 0.25, 0.05, 12.34, 999.9, 999.96, 1000, 1125, 1135, 999999, 1e6, 2.5e6,
                                   2.125e6, 3.6e9, -1500};
  std::mt19937_64 rng(16);
  for (int i = 0; i < 300; ++i) {
    const double mantissa = double(rng() % 100000) / 1000.0, scale = std::pow(10.0, double(rng() % 19));
    bytes.push_back(uint64_t(mantissa * std::min(scale, 1e14)));  // within uint64_t
    counts.push_back(mantissa * scale);
    percents.push_back({mantissa, double(rng() % 1000)});
    const double signed_scale = (rng() % 2 ? -1 : 1) * std::pow(10.0, double(int(rng() % 25) - 12));
    numbers.push_back(mantissa * signed_scale);
    durations.push_back(mantissa * std::pow(10.0, double(rng() % 10)));
  }
  json cases = {{"bytes", bytes},   {"counts", counts},   {"percents", percents},
                {"shapes", shapes}, {"numbers", numbers}, {"durations", durations}};
  json expected = {{"bytes", json::array()}, {"counts", json::array()}, {"counts_or_dash", json::array()},
                   {"percents", json::array()}, {"shapes", json::array()}, {"shape_dims", json::array()},
                   {"numbers", json::array()},  {"durations", json::array()}};
  for (double v : numbers) expected["numbers"].push_back(ptscope::format_number(v));
  for (double v : durations) expected["durations"].push_back(ptscope::format_duration_us(v));
  for (uint64_t b : bytes) expected["bytes"].push_back(ptscope::format_bytes(b));
  for (double c : counts) {
    expected["counts"].push_back(ptscope::format_count(c));
    expected["counts_or_dash"].push_back(ptscope::format_count_or_dash(c));
  }
  for (const auto& [part, whole] : percents) expected["percents"].push_back(ptscope::format_percent(part, whole, "-"));
  for (const auto& shape : shapes) {
    expected["shapes"].push_back(ptscope::format_shape(shape));
    expected["shape_dims"].push_back(ptscope::format_shape_dims(shape, "scalar"));
  }

  // The report page as written (its embedded script), with the cases and a script that formats them.
  std::string page = ptscope::report::render_html(ptscope::Analysis{});
  const std::string runner =
      "<script type=\"application/json\" id=\"format-cases\">" + ptscope::report::embed_json(cases) + "</script>"
      "<script>(function () {"
      "  var f = window.ptscopeFormat, c = JSON.parse(document.getElementById('format-cases').textContent);"
      "  var out = { bytes: c.bytes.map(f.bytes), counts: c.counts.map(function (v) { return f.count(v); }),"
      "    counts_or_dash: c.counts.map(f.countOrDash),"
      "    percents: c.percents.map(function (p) { return f.percent(p[0], p[1], '-'); }),"
      "    shapes: c.shapes.map(f.shape), shape_dims: c.shapes.map(function (s) { return f.shapeDims(s, 'scalar'); }),"
      "    numbers: c.numbers.map(f.number), durations: c.durations.map(f.durationUs) };"
      "  var pre = document.createElement('pre'); pre.id = 'format-verdict'; pre.textContent = JSON.stringify(out);"
      "  document.body.appendChild(pre);"
      "})();</script>";
  const size_t body_end = page.rfind("</body>");
  REQUIRE(body_end != std::string::npos);
  page.insert(body_end, runner);
  const fs::path file = work / "format.html", dom = work / "format.dom.html";
  std::ofstream(file) << page;
  const std::string cmd = chromium_command(chromium, work) + " --dump-dom " + shell_quote("file://" + file.string()) +
                          " > " + shell_quote(dom.string()) + " 2>> " + shell_quote((work / "chromium.log").string());
  INFO(cmd);
  REQUIRE(run(cmd) == 0);
  const json got = verdict_from_dom(read_file(dom), "format-verdict");
  REQUIRE(got.is_object());
  size_t compared = 0;
  for (const auto& [kind, want] : expected.items()) {
    REQUIRE(got[kind].size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      INFO(kind << " case " << i << ": " << (kind.find("shape") == 0 ? cases["shapes"][i].dump()
                                             : kind == "bytes"        ? cases["bytes"][i].dump()
                                             : kind == "percents"     ? cases["percents"][i].dump()
                                             : kind == "numbers"      ? cases["numbers"][i].dump()
                                             : kind == "durations"    ? cases["durations"][i].dump()
                                                                      : cases["counts"][i].dump()));
      CHECK(got[kind][i] == want[i]);
      ++compared;
    }
  }
  CHECK(compared > 1800);
  if (!std::getenv("PTSCOPE_KEEP_BROWSER_OUTPUT")) fs::remove_all(work);
}
