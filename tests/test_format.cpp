// core/format.h, the one home of number formatting, and the common graph-input
// options of the CLI (cli/graph_input_options.h) as every command declares them.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "cli_run.h"
#include "core/format.h"

using namespace ptscope;

TEST_CASE("fmt prints like printf and never truncates", "[format]") {
  CHECK(fmt("%.1f GB/s", 12.34) == "12.3 GB/s");
  CHECK(fmt("%.0f dead + %.0f near-dead", 3.0, 4.0) == "3 dead + 4 near-dead");
  CHECK(fmt("%s", "") == "");
  const std::string long_text(300, 'x');
  CHECK(fmt("<%s>", long_text.c_str()) == "<" + long_text + ">");  // past the 128-byte first try
}

TEST_CASE("bytes and counts", "[format]") {
  CHECK(format_bytes(0) == "0 B");
  CHECK(format_bytes(1023) == "1023 B");
  CHECK(format_bytes(1024) == "1.0 KiB");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(uint64_t(3) << 30) == "3.0 GiB");
  CHECK(format_bytes(uint64_t(5) << 50) == "5120.0 TiB");  // no unit past TiB
  CHECK(format_count(999) == "999");
  CHECK(format_count(11'690'000) == "11.69 M");
  CHECK(format_count_or_dash(0) == "-");
  CHECK(format_count_or_dash(-3) == "-");
  CHECK(format_count_or_dash(2500) == "2.50 K");
}

TEST_CASE("percentages say what a zero whole prints", "[format]") {
  CHECK(format_percent(1, 8, "-") == "12.5%");
  CHECK(format_percent(5, 0, "-") == "-");    // a table cell
  CHECK(format_percent(5, 0, "0%") == "0%");  // a sentence
  CHECK(format_percent(5, -1, "0.0%") == "0.0%");
}

TEST_CASE("plain numbers in four significant digits, durations by their size", "[format]") {
  CHECK(format_number(0) == "0");
  CHECK(format_number(0.25) == "0.25");
  CHECK(format_number(0.1 + 0.2) == "0.3");        // an axis tick's rounding error is not printed
  CHECK(format_number(1234) == "1234");
  CHECK(format_number(12345) == "1.234e+04");      // 12345 is exact: the half goes to even
  CHECK(format_number(12355) == "1.236e+04");
  CHECK(format_number(-0.000012) == "-1.2e-05");
  CHECK(format_number(0.0001) == "0.0001");         // exponent -4 is still fixed
  CHECK(format_number(9999.5) == "1e+04");          // rounding carries into the exponent
  CHECK(format_number(NAN) == "nan");
  CHECK(format_number(-INFINITY) == "-inf");
  CHECK(format_duration_us(12.34) == "12.3 \xC2\xB5s");
  CHECK(format_duration_us(999.9) == "999.9 \xC2\xB5s");
  CHECK(format_duration_us(1500) == "1.50 ms");
  CHECK(format_duration_us(2.5e6) == "2.50 s");
  CHECK(format_duration_us(NAN) == "nan");
}

TEST_CASE("shapes as a list, as dimensions and as a Python tuple", "[format]") {
  const std::vector<int64_t> nchw{64, 3, 7, 7}, one{5}, scalar{};
  CHECK(format_shape(nchw) == "[64, 3, 7, 7]");
  CHECK(format_shape(scalar) == "[]");
  CHECK(format_shape_dims(nchw, "scalar") == "64x3x7x7");
  CHECK(format_shape_dims(scalar, "scalar") == "scalar");
  CHECK(format_shape_dims(scalar, "[]") == "[]");
  CHECK(format_shape_tuple(nchw) == "(64, 3, 7, 7)");
  CHECK(format_shape_tuple(one) == "(5,)");
  CHECK(format_shape_tuple(scalar) == "()");
}

TEST_CASE("graph, profile, analyze and sweep declare the graph-input options alike", "[format][cli]") {
  std::string input_help;
  for (const char* cmd : {"graph", "profile", "analyze", "sweep"}) {
    INFO(cmd);
    const auto r = test::run_ptscope(std::string(cmd) + " --help", true);
    REQUIRE(r.status == 0);
    const size_t at = r.out.find("--input");
    REQUIRE(at != std::string::npos);
    const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
    if (input_help.empty()) input_help = line;
    CHECK(line == input_help);
    CHECK(r.out.find("--method") != std::string::npos);
    CHECK(r.out.find("--batch") != std::string::npos);  // sweep's own list-valued --batch
  }
  // Sweep takes lists: --batch 1,2 is its sweep, not one batch size.
  const auto sweep = test::run_ptscope("sweep --help", true);
  CHECK(sweep.out.find("Batch sizes, comma-separated") != std::string::npos);
  CHECK(sweep.out.find("Batch size for inferred inputs") == std::string::npos);
  // A malformed --input is one usage error, the same from every command.
  const std::string model = test::fixture("graph/cnn_traced.pt");
  for (const char* cmd : {"graph", "profile"}) {
    INFO(cmd);
    const auto r = test::run_ptscope(std::string(cmd) + " " + model + " --input 1xAx3", true);
    CHECK(r.status != 0);
    CHECK(r.out.find("ptscope: error:") != std::string::npos);
  }
}
