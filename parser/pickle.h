// A pickle virtual machine of our own (protocols 0-5). It builds a value tree
// and never imports or calls anything: a GLOBAL is a name, REDUCE/NEWOBJ/BUILD
// make generic Object nodes that later passes (torch rebuild, module tree)
// interpret. Memoized values are shared pointers, so aliasing is preserved.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/pyobject.h"

namespace ptscope {

// One step of the VM, for observers (the security audit): every opcode with
// its byte offset, reported before the opcode takes effect (so events before a
// parse error are still seen); for GLOBAL/STACK_GLOBAL/INST the resolved module
// and name; for calls (REDUCE, NEWOBJ, NEWOBJ_EX, INST, OBJ, BUILD) the
// callable/target. STACK_GLOBAL also carries its raw operands (target = module
// operand, arg = name operand), reported even when they are not strings (a
// dynamic import: the VM then pushes an opaque global, or rejects operands
// that are known not to be strings). PERSID/BINPERSID: arg = pid.
struct PickleEvent {
  uint64_t offset = 0;   // offset of the opcode within the pickle bytes
  uint8_t opcode = 0;
  std::string module, name;  // GLOBAL-like opcodes
  PyRef target;              // calls: callable (or object for BUILD); BUILD: state in arg
  PyRef arg;                 // calls: args tuple / BUILD state
};

// Name of a pickle opcode ("BINUNICODE"), or nullptr for a byte that is none.
const char* pickle_opcode_name(uint8_t opcode);

struct PickleLimits {
  uint64_t max_ops = 200'000'000;
  uint64_t max_memo = 50'000'000;
  uint64_t max_stack_depth = 10'000'000;  // stack + marks
  uint64_t max_string_bytes = uint64_t(4) << 30;
  uint64_t max_nesting = 10'000;  // container nesting depth when building
};

struct PickleOptions {
  PickleLimits limits;
  std::shared_ptr<PyNodeTracker> tracker;  // optional: see PyNodeTracker
  std::function<void(const PickleEvent&)> observer;  // optional
  // Resolve a persistent id (BINPERSID/PERSID). Default: a `persistent` node.
  std::function<PyRef(const PyRef& pid)> persistent_load;
};

struct PickleResult {
  PyRef value;
  uint64_t end_offset = 0;  // offset just past STOP
  int protocol = 0;         // from PROTO, 0 if absent
  uint64_t op_count = 0;
  std::vector<std::string> warnings;
};

// Runs one pickle starting at data[0], up to and including its STOP opcode.
// Throws Error(truncated) if the data ends first, Error(corrupt) for a malformed
// stream (stack underflow, bad memo index, bad operand), Error(unsupported) for
// NEXT_BUFFER/READONLY_BUFFER (out-of-band buffers), Error(limit_exceeded) when
// a limit is hit. The message names the opcode and its byte offset.
PickleResult unpickle(ByteSpan data, const PickleOptions& options = {});

}  // namespace ptscope
