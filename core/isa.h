// Which vector instruction set the hand-vectorised kernels run with, chosen
// once at run time (docs/cpu-kernels.md, "CPU paths").
//
// One binary carries every path: the library is compiled for a portable
// baseline (x86-64-v2 unless PTSCOPE_NATIVE) and the kernels that have
// AVX2+FMA or AVX-512 code compile those copies inside target regions
// (PTSCOPE_TARGET_*_BEGIN/END below), then pick one through active_isa().
// The best path the CPU supports is taken, unless the environment variable
// PTSCOPE_ISA=avx512|avx2|generic forces one; a value the CPU cannot run or
// that is not one of these prints one warning and the best supported is used.
#pragma once
#include <string>
#include <vector>

namespace ptscope {

// Ordered: a CPU that runs one path runs every path below it. The values
// index the per-path tables of the kernels (generic 0, avx2 1, avx512 2).
enum class Isa { generic = 0, avx2 = 1, avx512 = 2 };

// "generic", "avx2", "avx512": the PTSCOPE_ISA spelling.
const char* isa_name(Isa isa);
// How reports name it ("AVX-512", "AVX2/FMA"; the generic path names what the
// compiler targets for the rest of the code, e.g. "SSE4.2" or "NEON").
const char* isa_description(Isa isa);

// Whether this CPU (and its operating system) can run the path.
bool isa_supported(Isa isa);
// The paths this CPU can run, best first (generic is always among them).
std::vector<Isa> supported_isas();

struct IsaChoice {
  Isa isa = Isa::generic;
  std::string warning;  // empty when the request was taken as it stood
};
// The path for a PTSCOPE_ISA value (null or empty: the best supported).
IsaChoice choose_isa(const char* requested);

// The path the kernels use: chosen on first use from PTSCOPE_ISA and the CPU
// (printing the choice's warning, if any, once to stderr).
Isa active_isa();

// Forces a path (which must be supported) and returns the one before: the
// parity tests run every kernel on every path. Not for concurrent use with
// running kernels.
Isa set_isa_for_testing(Isa isa);

}  // namespace ptscope

// Target regions: the functions defined between BEGIN and END are compiled
// for that instruction set, whatever the flags of the file. A region must not
// include headers: only the functions written in it get the target, so the
// inline and template functions of headers (std::, Eigen, ours) instantiated
// inside it stay baseline code that any CPU can run (compiling a whole file
// with -mavx512f would instead emit AVX-512 copies of them that the linker
// may pick for baseline callers). Code in a region goes in a namespace of its
// own, so its templates never share a name with another path's.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PTSCOPE_HAVE_X86_PATHS 1
#if defined(__clang__)
#define PTSCOPE_TARGET_AVX2_BEGIN \
  _Pragma("clang attribute push(__attribute__((target(\"avx2,fma,f16c,bmi,bmi2,lzcnt,popcnt\"))), apply_to = function)")
// (_Pragma takes one string literal: no concatenation.)
#define PTSCOPE_TARGET_AVX512_BEGIN \
  _Pragma("clang attribute push(__attribute__((target(\"avx512f,avx512dq,avx512bw,avx512vl,avx512cd,avx2,fma,f16c,bmi,bmi2,lzcnt,popcnt\"))), apply_to = function)")
#define PTSCOPE_TARGET_END _Pragma("clang attribute pop")
#else
#define PTSCOPE_TARGET_AVX2_BEGIN \
  _Pragma("GCC push_options") _Pragma("GCC target(\"avx2,fma,f16c,bmi,bmi2,lzcnt,popcnt\")")
#define PTSCOPE_TARGET_AVX512_BEGIN \
  _Pragma("GCC push_options")       \
  _Pragma("GCC target(\"avx512f,avx512dq,avx512bw,avx512vl,avx512cd,avx2,fma,f16c,bmi,bmi2,lzcnt,popcnt\")")
#define PTSCOPE_TARGET_END _Pragma("GCC pop_options")
#endif
#else
#define PTSCOPE_HAVE_X86_PATHS 0
#endif
