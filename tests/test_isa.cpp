// Run-time ISA dispatch (core/isa.h): the PTSCOPE_ISA values, what the CPU
// supports, the forced path reaching the kernels and the CLI.
#include <catch2/catch.hpp>

#include <string>

#include "cli_run.h"
#include "core/isa.h"
#include "isa_paths.h"
#include "kernels/cpu/cpu_executor.h"
#include "kernels/cpu/sgemm_packed.h"

using namespace ptscope;

TEST_CASE("PTSCOPE_ISA values choose a supported path or warn", "[isa]") {
  const std::vector<Isa> paths = supported_isas();
  REQUIRE(!paths.empty());
  CHECK(paths.back() == Isa::generic);  // best first, generic always there
  for (size_t i = 1; i < paths.size(); ++i) CHECK(int(paths[i - 1]) > int(paths[i]));
  const Isa best = paths.front();

  CHECK(choose_isa(nullptr).isa == best);
  CHECK(choose_isa(nullptr).warning.empty());
  CHECK(choose_isa("").isa == best);
  for (Isa isa : {Isa::avx512, Isa::avx2, Isa::generic}) {
    const IsaChoice c = choose_isa(isa_name(isa));
    INFO(isa_name(isa));
    if (isa_supported(isa)) {
      CHECK(c.isa == isa);
      CHECK(c.warning.empty());
    } else {
      CHECK(c.isa == best);
      CHECK(c.warning == std::string("PTSCOPE_ISA=") + isa_name(isa) + " is not supported by this CPU; using " +
                             isa_name(best));
    }
  }
  const IsaChoice unknown = choose_isa("AVX2");  // spelled as documented: lower case
  CHECK(unknown.isa == best);
  CHECK(unknown.warning == std::string("PTSCOPE_ISA=AVX2 is not one of avx512, avx2, generic; using ") + isa_name(best));
}

TEST_CASE("a forced ISA path reaches the kernels and the backend's description", "[isa]") {
  auto backend = kernels::make_cpu_backend({});
  for (Isa isa : test::isa_paths()) {
    test::IsaScope scope(isa);
    INFO(isa_name(isa));
    CHECK(active_isa() == isa);
    CHECK(std::string(kernels::sgemm_packed_isa()) == isa_name(isa));
    // Each path's micro-kernel tile (MR x NR) differs: 12x32, 6x16, 4x16.
    const int64_t nr = kernels::sgemm_packed_nr(), mr = kernels::sgemm_packed_mr();
    CHECK(nr == (isa == Isa::avx512 ? 32 : 16));
    CHECK(mr == (isa == Isa::avx512 ? 12 : isa == Isa::avx2 ? 6 : 4));
    CHECK_THAT(backend->description(), Catch::EndsWith(isa_description(isa)));
  }
}

TEST_CASE("PTSCOPE_ISA in the environment of the ptscope program", "[isa][cli]") {
  const std::string model = std::string(PTSCOPE_SOURCE_DIR) + "/fixtures/exec/tiny_mobilenet.pt";
  for (Isa isa : test::isa_paths()) {
    const auto r = test::run_shell(std::string("PTSCOPE_ISA=") + isa_name(isa) + " " + test::cli_binary() +
                                   " profile " + model + " --json 2>&1");
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains(std::string("\"device_description\": \"CPU, ")) &&
                          Catch::Contains(std::string(", ") + isa_description(isa) + "\""));
    CHECK_THAT(r.out, !Catch::Contains("warning"));
  }
  const auto bad = test::run_shell("PTSCOPE_ISA=sse9 " + test::cli_binary() + " profile " + model + " --json 2>&1 >/dev/null");
  CHECK(bad.status == 0);  // a warning, and the best supported path
  CHECK(bad.out == std::string("ptscope: warning: PTSCOPE_ISA=sse9 is not one of avx512, avx2, generic; using ") +
                       isa_name(supported_isas().front()) + "\n");
}
