// The adversarial set of issue 15 (fixtures/adversarial/, written by
// fixtures/make_adversarial.py): every sample reaches the verdict its
// MANIFEST.json gives, alone and inside a folder with benign models (a run
// never exits 0 when one file is dangerous or unscannable), within the time
// and memory bounds (fork + setrlimit), and the CPython literal forms the
// pickle VM must accept.
#include <catch2/catch.hpp>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "audit/audit.h"
#include "audit/policy.h"
#include "cli_run.h"
#include "core/error.h"
#include "parser/pickle.h"
#include "parser/python_int.h"
#include "test_paths.h"

using namespace ptscope;
using namespace ptscope::audit;
namespace fs = std::filesystem;

namespace {

struct Sample {
  std::string name, cls, expect;
};

std::vector<Sample> manifest() {
  std::ifstream in(test::fixture("adversarial/MANIFEST.json"));
  REQUIRE(in.good());
  nlohmann::json j;
  in >> j;
  std::vector<Sample> out;
  for (auto it = j.begin(); it != j.end(); ++it)
    out.push_back({it.key(), it.value().at("class").get<std::string>(), it.value().at("expect").get<std::string>()});
  return out;
}

std::string describe(const AuditReport& r) {
  std::string out = r.path + ": " + r.kind + " " + r.verdict() + "\n";
  for (const auto& f : r.findings)
    out += "  " + f.rule + " " + severity_name(f.severity) + " " + f.member + " " + f.message.substr(0, 160) + "\n";
  for (const auto& e : r.errors) out += "  error: " + e + "\n";
  return out;
}

bool has_dangerous(const AuditReport& r) {
  for (const auto& f : r.findings)
    if (f.severity == Severity::dangerous) return true;
  return false;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

// A string literal with its embedded NULs.
template <size_t N>
std::string raw(const char (&text)[N]) {
  return std::string(text, N - 1);
}

uint64_t current_vm_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  statm >> pages;
  return pages * uint64_t(sysconf(_SC_PAGESIZE));
}

}  // namespace

TEST_CASE("adversarial set: at least 80 samples, every class, expected verdicts", "[audit][adversarial]") {
  const auto samples = manifest();
  CHECK(samples.size() >= 80);
  std::set<std::string> classes;
  int dangerous = 0;
  for (const auto& s : samples) {
    classes.insert(s.cls);
    const AuditReport r = audit_file(test::fixture("adversarial/" + s.name));
    INFO(describe(r));
    if (s.expect == "dangerous") {
      ++dangerous;
      // Fails closed: dangerous, or an incomplete scan that already found the danger.
      CHECK((r.verdict() == "dangerous" || (r.verdict() == "error" && has_dangerous(r))));
      CHECK(r.is_model);
    } else {
      CHECK(r.verdict() == s.expect);
    }
  }
  for (const char* c : {"kind", "cpython-acceptance", "memory-bomb", "capability", "torchscript-code", "cost", "crash",
                        "tensor-invariants", "benign"})
    CHECK(classes.count(c) == 1);
  CHECK(dangerous >= 60);
}

TEST_CASE("adversarial set: fails closed inside a folder with benign models", "[audit][adversarial]") {
  const fs::path dir = fs::temp_directory_path() / ("ptscope_adv_" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::copy_file(test::fixture("models/mlp_state_dict.pth"), dir / "mlp_state_dict.pth");
  fs::copy_file(test::fixture("models/checkpoint.pth"), dir / "checkpoint.pth");
  fs::copy_file(test::fixture("models/mobile.ptl"), dir / "mobile.ptl");
  for (const auto& s : manifest()) {
    const fs::path target = dir / s.name;
    fs::copy_file(test::fixture("adversarial/" + s.name), target);
    const auto run = test::run_ptscope("audit --fail-on dangerous '" + dir.string() + "'", false);
    INFO(s.name << " (" << s.expect << "): exit " << run.status);
    if (s.expect == "dangerous") CHECK((run.status == 1 || run.status == 2));
    else if (s.expect == "error") CHECK(run.status == 2);
    else CHECK(run.status == 0);
    fs::remove(target);
  }
  fs::remove_all(dir);
}

TEST_CASE("adversarial set: each sample within 10 s and 512 MiB beyond the mapping", "[audit][adversarial]") {
  for (const auto& s : manifest()) {
    const std::string path = test::fixture("adversarial/" + s.name);
    const uint64_t size = fs::file_size(path);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      rlimit cpu{10, 10};
      setrlimit(RLIMIT_CPU, &cpu);
      if (!kAsan) {  // ASan reserves terabytes of address space
        const uint64_t as = current_vm_bytes() + (uint64_t(512) << 20) + size;
        rlimit mem{as, as};
        setrlimit(RLIMIT_AS, &mem);
      }
      try {
        const AuditReport r = audit_file(path);
        _exit(r.verdict().empty() ? 3 : 0);
      } catch (...) {
        _exit(4);
      }
    }
    int status = 0;
    waitpid(pid, &status, 0);
    INFO(s.name << ": status " << status);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
}

TEST_CASE("pickle VM accepts CPython's integer literal forms", "[audit][adversarial][pickle]") {
  auto int_of = [](const std::string& text) {
    const std::string bytes = text + ".";
    PickleResult r = unpickle(ByteSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    return r.value;
  };
  // Values as CPython's unpickler (strtol base 0, then int(s, 0)) gives them.
  CHECK(int_of("I1_000\n")->i == 1000);
  CHECK(int_of("I0x_1f\n")->i == 31);
  CHECK(int_of("I010\n")->i == 8);  // C octal through strtol
  CHECK(int_of("I0o17\n")->i == 15);
  CHECK(int_of("I0b101\n")->i == 5);
  CHECK(int_of("I  -7 \n")->i == -7);
  CHECK(int_of("I+1\n")->kind == PyKind::boolean);
  CHECK(int_of("I01\n")->b);
  CHECK(int_of(raw("I12\0junk\n"))->i == 12);
  CHECK(int_of("L0xffL\n")->i == 255);
  CHECK(int_of("L-1_2\n")->i == -12);
  CHECK(int_of("I0x" + std::string(40, 'f') + "\n")->kind == PyKind::bigint);
  // What CPython refuses stays refused.
  for (const char* bad : {"I1__0\n", "I_1\n", "I1_\n", "I08\n", "I0_7\n", "Ix\n", "I0x\n", "I\n"})
    CHECK_THROWS_AS(int_of(bad), Error);
  // PUT/GET indices: int(s, 10).
  CHECK(int_of("I5\np1_0\n0g10\n")->i == 5);
  CHECK(int_of("I5\np +3 \n0g003\n")->i == 5);
  CHECK_THROWS_AS(int_of("I5\np-1\n"), Error);
}

TEST_CASE("pickle VM: SETITEM on lists and bytearrays, APPEND on bytearrays", "[audit][adversarial][pickle]") {
  auto load = [](const std::string& bytes) {
    return unpickle(ByteSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())).value;
  };
  auto l = load("(I1\nI2\nlI-1\nI9\ns.");
  REQUIRE(l->kind == PyKind::list);
  CHECK(l->items[1]->i == 9);
  CHECK_THROWS_AS(load("(I1\nlI5\nI9\ns."), Error);  // IndexError in CPython
  // bytearray(b"a"); APPEND 66; APPENDS 67, 68; [0] = 'z'; [1] = 'y'
  auto b = load(raw("\x80\x02\x96\x01\0\0\0\0\0\0\0" "a" "K\x42" "a" "(K\x43K\x44" "e" "K\0Kz" "s" "K\x01Ky" "s."));
  REQUIRE(b->kind == PyKind::bytearray);
  CHECK(b->s == "zyCD");
  CHECK_THROWS_AS(load(raw("\x80\x02\x96\0\0\0\0\0\0\0\0" "M\0\x01" "a.")), Error);  // byte > 255
  CHECK_THROWS_AS(load("}I1\na."), Error);  // a dict has no append
}

TEST_CASE("capability grading: plain functions versus classes and reconstructors", "[audit][adversarial]") {
  CHECK(Policy::plain_function("somepkg", "run"));
  CHECK(Policy::plain_function("pathlib", "Path.write_text"));
  CHECK_FALSE(Policy::plain_function("argparse", "Namespace"));
  CHECK_FALSE(Policy::plain_function("builtins", "set"));
  Policy p;
  CHECK(p.known_reconstructor("numpy.core.multiarray", "_reconstruct"));
  CHECK(p.known_reconstructor("torch._utils", "_rebuild_tensor_v2"));
  CHECK_FALSE(p.known_reconstructor("somepkg", "run"));
  CHECK(p.rate_global("numpy", "save").severity == Severity::dangerous);
  CHECK(p.rate_global("torch", "from_file").severity == Severity::dangerous);
  CHECK(p.rate_global("torch.utils.model_zoo", "load_url").severity == Severity::dangerous);
  CHECK(p.rate_global("antigravity", "geohash").severity == Severity::dangerous);
}

TEST_CASE("integer literal helpers match CPython", "[audit][adversarial][pickle]") {
  auto lit = python_int_literal(" -0x_ff \n", 0);
  REQUIRE(lit);
  CHECK(lit->negative);
  CHECK(lit->base == 16);
  CHECK(lit->digits == "ff");
  CHECK_FALSE(python_int_literal("0x", 0));
  CHECK_FALSE(python_int_literal("00_1", 0));
  CHECK(python_int_literal("00_0", 0));
  CHECK(python_int_literal("007", 10));
  CHECK(c_strtol_base0("0x1F") == 31);
  CHECK(c_strtol_base0("017") == 15);
  CHECK_FALSE(c_strtol_base0("9223372036854775808"));  // ERANGE: falls back to int()
  CHECK(c_strtol_base0("-9223372036854775808") == INT64_MIN);
}
