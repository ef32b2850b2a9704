// The parity tests run their kernels on every ISA path this CPU supports
// (core/isa.h), forced through the same switch as PTSCOPE_ISA.
#pragma once
#include <cstdlib>
#include <vector>

#include "core/isa.h"

namespace ptscope::test {

// Every path this machine can run, best first; only the forced one when
// PTSCOPE_ISA is set (the ctest entry that reruns the kernel, executor and
// statistics tests on the AVX2 path sets it).
inline std::vector<Isa> isa_paths() {
  const char* forced = std::getenv("PTSCOPE_ISA");
  if (forced && *forced) return {active_isa()};
  return supported_isas();
}

// Forces one path for a scope and restores the one before.
class IsaScope {
 public:
  explicit IsaScope(Isa isa) : before_(set_isa_for_testing(isa)) {}
  ~IsaScope() { set_isa_for_testing(before_); }
  IsaScope(const IsaScope&) = delete;
  IsaScope& operator=(const IsaScope&) = delete;

 private:
  Isa before_;
};

}  // namespace ptscope::test
