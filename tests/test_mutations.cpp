// Mutations of real checkpoints from ../shared/corpus (a zip state_dict, a
// whole pickled module, a TorchScript archive, a lite-interpreter .ptl and a
// legacy stream): seeded bit flips, truncations, and edits of the length
// fields of zip headers and of pickle opcodes. The audit and the reader run
// on every mutant: no crash, no exception other than ptscope::Error, bounded
// time. Kept to a few seconds (CI runs it under ASan+UBSan too).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "core/error.h"
#include "core/model.h"
#include "test_paths.h"

using namespace ptscope;
namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void put_le(std::vector<uint8_t>& b, size_t at, uint64_t v, int width) {
  for (int i = 0; i < width && at + i < b.size(); ++i) b[at + i] = uint8_t(v >> (8 * i));
}

uint64_t get_le(const std::vector<uint8_t>& b, size_t at, int width) {
  uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) v = (v << 8) | (at + i < b.size() ? b[at + i] : 0);
  return v;
}

// Values that break length arithmetic: zero, off by one, all ones, the file size, huge.
uint64_t interesting(std::mt19937_64& rng, uint64_t original, uint64_t file_size, int width) {
  const uint64_t mask = width >= 8 ? UINT64_MAX : (uint64_t(1) << (8 * width)) - 1;
  switch (rng() % 8) {
    case 0: return 0;
    case 1: return (original + 1) & mask;
    case 2: return (original - 1) & mask;
    case 3: return mask;
    case 4: return mask - 1;
    case 5: return file_size & mask;
    case 6: return (original * 2 + 7) & mask;
    default: return rng() & mask;
  }
}

// Offsets of each occurrence of a 4-byte signature.
std::vector<size_t> find_all(const std::vector<uint8_t>& b, const char* sig) {
  std::vector<size_t> at;
  for (size_t i = 0; i + 4 <= b.size(); ++i)
    if (std::memcmp(b.data() + i, sig, 4) == 0) at.push_back(i);
  return at;
}

// Length fields of zip structures: (offset from the signature, width).
struct Field {
  size_t at;
  int width;
};
constexpr Field kLocalFields[] = {{18, 4}, {22, 4}, {26, 2}, {28, 2}, {6, 2}, {8, 2}};
constexpr Field kCentralFields[] = {{20, 4}, {24, 4}, {28, 2}, {30, 2}, {32, 2}, {42, 4}, {10, 2}};
constexpr Field kEndFields[] = {{8, 2}, {10, 2}, {12, 4}, {16, 4}, {20, 2}};

// Pickle opcodes followed by a length or index operand, and the operand's width.
int operand_width(uint8_t op) {
  switch (op) {
    case 'X': case 'B': case 'T': case 'r': case 'j': case 'J': case 0x8d: return 4;  // BINUNICODE..LONG_BINGET, BININT
    case 'U': case 'C': case 0x8c: case 'q': case 'h': case 'K': case 0x8a: return 1;
    case 0x95: case 0x8e: case 0x96: return 8;  // FRAME, BINUNICODE8, BINBYTES8
    case 'M': return 2;
    default: return 0;
  }
}

std::vector<uint8_t> mutate(const std::vector<uint8_t>& original, std::mt19937_64& rng, int kind) {
  std::vector<uint8_t> b = original;
  const uint64_t size = b.size();
  switch (kind) {
    case 0: {  // bit flips
      const int flips = 1 + int(rng() % 4);
      for (int i = 0; i < flips; ++i) b[rng() % size] ^= uint8_t(1u << (rng() % 8));
      break;
    }
    case 1:  // truncation
      b.resize(rng() % size);
      break;
    case 2: {  // a zip length field
      const char* sigs[] = {"PK\x03\x04", "PK\x01\x02", "PK\x05\x06"};
      const int which = int(rng() % 3);
      const auto at = find_all(b, sigs[which]);
      if (at.empty()) {
        b[rng() % size] = uint8_t(rng());
        break;
      }
      const size_t base = at[rng() % at.size()];
      const Field f = which == 0   ? kLocalFields[rng() % std::size(kLocalFields)]
                      : which == 1 ? kCentralFields[rng() % std::size(kCentralFields)]
                                   : kEndFields[rng() % std::size(kEndFields)];
      put_le(b, base + f.at, interesting(rng, get_le(b, base + f.at, f.width), size, f.width), f.width);
      break;
    }
    default: {  // a pickle opcode's length or index operand
      std::vector<size_t> candidates;
      for (size_t i = 0; i + 1 < size; ++i)
        if (operand_width(b[i])) candidates.push_back(i);
      if (candidates.empty()) break;
      const size_t at = candidates[rng() % candidates.size()];
      const int width = operand_width(b[at]);
      put_le(b, at + 1, interesting(rng, get_le(b, at + 1, width), size, width), width);
      break;
    }
  }
  return b;
}

}  // namespace

TEST_CASE("mutated real checkpoints: audit and reader never crash, stay bounded", "[audit][reader][mutation]") {
  const char* files[] = {
      "tarekbzahid__nn_adder__checkpoint_1000.pth",                        // zip state_dict + optimizer
      "NathanCabral__ML_Final_Project__model.pt",                          // zip, whole pickled module
      "RohitKumar23-11__PyTorch__traced_model.pt",                         // TorchScript
      "smithandrewk__restart__app__src__main__assets__model.ptl",          // lite interpreter
      "4SafeAI__Deep_Q_Learning_Example_for_Unity_Banana_Env__checkpoint.pth",  // legacy stream
  };
  constexpr int kMutantsPerFile = 240;
  int run = 0, found = 0, reader_errors = 0, audit_errors = 0;
  double slowest = 0;
  for (const char* name : files) {
    const std::string path = test::corpus_dir() + "/" + name;
    if (!fs::exists(path)) {
      WARN("corpus file missing: " + path);
      continue;
    }
    ++found;
    const std::vector<uint8_t> original = read_bytes(path);
    REQUIRE(original.size() > 512);
    // the unmutated file reads and audits without error
    CHECK_NOTHROW(load_model(MappedFile::from_bytes(original, name)));
    CHECK(audit::audit_bytes(original, name).errors.empty());
    std::mt19937_64 rng(0x5eed0000 + original.size());
    for (int i = 0; i < kMutantsPerFile; ++i) {
      const std::vector<uint8_t> mutant = mutate(original, rng, i % 4);
      INFO(name << " mutant " << i << " (kind " << i % 4 << ", " << mutant.size() << " bytes)");
      const auto start = std::chrono::steady_clock::now();
      audit::AuditReport report;
      try {
        report = audit::audit_bytes(mutant, name);
      } catch (const std::exception& e) {
        FAIL("audit threw " << e.what());
      }
      audit_errors += !report.errors.empty();
      try {
        load_model(MappedFile::from_bytes(mutant, name));
      } catch (const Error&) {
        ++reader_errors;  // one clear error: fine
      } catch (const std::exception& e) {
        FAIL("reader threw a non-ptscope exception: " << e.what());
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      slowest = std::max(slowest, seconds);
      CHECK(seconds < 5.0);  // files of a few KB: anything near this is a hang
      ++run;
    }
  }
  if (found == 0) WARN("shared corpus not found at " + test::corpus_dir());
  INFO(run << " mutants, " << reader_errors << " reader errors, " << audit_errors << " audit errors, slowest "
            << slowest << " s");
  CHECK(run == found * kMutantsPerFile);
  if (found) CHECK(reader_errors > run / 10);  // the mutations really do break files
}
