#include "core/isa.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>

#include "core/enum_names.h"

#if PTSCOPE_HAVE_X86_PATHS
#include <cpuid.h>
#endif

namespace ptscope {
namespace {

constexpr Isa kAllIsas[] = {Isa::avx512, Isa::avx2, Isa::generic};

bool cpu_runs(Isa isa) {
#if PTSCOPE_HAVE_X86_PATHS
  // __builtin_cpu_supports also checks that the OS saves the vector state
  // (XGETBV), so a CPU with AVX-512 under an OS that does not enable it reads false.
  __builtin_cpu_init();
  // The AVX2 target region also enables F16C, BMI1/2 and LZCNT (core/isa.h):
  // every AVX2 CPU has them, but a virtual machine may hide some. F16C and
  // LZCNT by CPUID, since clang's __builtin_cpu_supports does not know them.
  unsigned a = 0, b = 0, c1 = 0, d = 0, c8 = 0;
  const bool f16c = __get_cpuid(1, &a, &b, &c1, &d) && (c1 & bit_F16C);
  const bool lzcnt = __get_cpuid(0x80000001u, &a, &b, &c8, &d) && (c8 & bit_LZCNT);
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c && lzcnt &&
                    __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
  switch (isa) {
    case Isa::generic: return true;
    case Isa::avx2: return avx2;
    case Isa::avx512:
      return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  }
  return false;
#else
  return isa == Isa::generic;
#endif
}

Isa best_supported() {
  for (Isa isa : kAllIsas)
    if (cpu_runs(isa)) return isa;
  return Isa::generic;
}

constexpr int kUnset = -1;
std::atomic<int> g_active{kUnset};

}  // namespace

const char* isa_name(Isa isa) {
  static constexpr const char* kNames[] = {"generic", "avx2", "avx512"};
  static_assert(std::size(kNames) == enum_count(Isa::avx512));
  return enum_name(isa, kNames, "generic");
}

const char* isa_description(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "AVX-512";
    case Isa::avx2: return "AVX2/FMA";
    case Isa::generic: break;
  }
  // The generic path is plain C++: it runs with what the build targets.
#if defined(__AVX512F__)
  return "AVX-512";
#elif defined(__AVX2__) && defined(__FMA__)
  return "AVX2/FMA";
#elif defined(__AVX__)
  return "AVX";
#elif defined(__SSE4_2__)
  return "SSE4.2";
#elif defined(__ARM_NEON)
  return "NEON";
#else
  return "SSE2";
#endif
}

bool isa_supported(Isa isa) { return cpu_runs(isa); }

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : kAllIsas)
    if (cpu_runs(isa)) out.push_back(isa);
  return out;
}

IsaChoice choose_isa(const char* requested) {
  const Isa best = best_supported();
  if (!requested || !*requested) return {best, {}};
  const std::string want(requested);
  for (Isa isa : kAllIsas) {
    if (want != isa_name(isa)) continue;
    if (cpu_runs(isa)) return {isa, {}};
    return {best, "PTSCOPE_ISA=" + want + " is not supported by this CPU; using " + isa_name(best)};
  }
  return {best, "PTSCOPE_ISA=" + want + " is not one of avx512, avx2, generic; using " + isa_name(best)};
}

Isa active_isa() {
  int v = g_active.load(std::memory_order_relaxed);
  if (v != kUnset) return Isa(v);
  const IsaChoice choice = choose_isa(std::getenv("PTSCOPE_ISA"));
  int expected = kUnset;
  // The first thread to decide prints the warning; the others take its choice.
  if (g_active.compare_exchange_strong(expected, int(choice.isa), std::memory_order_relaxed)) {
    if (!choice.warning.empty()) std::fprintf(stderr, "ptscope: warning: %s\n", choice.warning.c_str());
    return choice.isa;
  }
  return Isa(expected);
}

Isa set_isa_for_testing(Isa isa) {
  const Isa before = active_isa();
  g_active.store(int(cpu_runs(isa) ? isa : before), std::memory_order_relaxed);
  return before;
}

}  // namespace ptscope
