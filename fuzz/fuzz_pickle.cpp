// libFuzzer target: the pickle VM with an observer (as the audit runs it),
// then the bounded repr of whatever value came out.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "parser/pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ptscope;
  PickleOptions options;
  options.limits.max_ops = 1'000'000;
  options.limits.max_memo = 100'000;
  options.limits.max_stack_depth = 100'000;
  options.limits.max_string_bytes = uint64_t(16) << 20;
  options.limits.max_nesting = 1'000;
  options.tracker = std::make_shared<PyNodeTracker>();  // frees memo-built cycles
  uint64_t events = 0;
  options.observer = [&events](const PickleEvent& ev) { events += ev.opcode; };
  try {
    PickleResult r = unpickle(ByteSpan(data, size), options);
    (void)py_repr(r.value, 300);
  } catch (const Error&) {
  }
  return 0;
}
