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

namespace ptscope {

struct Tensor;
struct Storage;

enum class PyKind : uint8_t {
  none, boolean, integer, bigint, floating, complex, string, bytes, bytearray,
  tuple, list, dict, set, frozenset,
  global,      // a class/function reference: module + name (both empty for a
               // computed STACK_GLOBAL, whose operands are then in args)
  object,      // result of REDUCE / NEWOBJ / NEWOBJ_EX / INST / OBJ (+ BUILD state)
  persistent,  // result of PERSID/BINPERSID before a loader resolves it (args = pid)
  tensor,      // set by the torch rebuild pass
  storage,     // set by the torch rebuild pass
  ext,         // EXT1/2/4 code (no extension registry exists here)
};
const char* py_kind_name(PyKind kind);

struct PyValue;
using PyRef = std::shared_ptr<PyValue>;

struct PyValue {
  PyKind kind = PyKind::none;
  bool b = false;
  int64_t i = 0;         // integer, ext code
  double f = 0, imag = 0;
  std::string s;         // string (UTF-8), bytes, bigint (little-endian two's complement)
  std::string module, name;             // global; for object: callable's module/name if a global
  std::vector<PyRef> items;             // tuple, list, set; object: appended items (APPEND on object)
  std::vector<std::pair<PyRef, PyRef>> entries;  // dict; object: SETITEM(S) on the object
  PyRef callable;   // object: the callable (usually a global)
  PyRef args;       // object: argument tuple; persistent: the pid
  PyRef state;      // object: BUILD state (last one wins; see builds)
  PyRef kwargs;     // object: NEWOBJ_EX kwargs
  uint8_t call_opcode = 0;   // object: opcode that created it (R, 0x81, 0x92, i, o)
  int builds = 0;            // object: how many BUILDs were applied
  std::shared_ptr<Tensor> tensor;    // tensor
  std::shared_ptr<Storage> storage;  // storage
  // Set by the unpickler: nesting depth (scalars 0, a container 1 + its deepest
  // child, as known when the child was added) and whether the value was put
  // inside another one. They bound depth at build time (PickleLimits::max_nesting).
  uint32_t depth = 0;
  bool contained = false;
  bool tracked = false;  // already recorded in the parse's PyNodeTracker
  bool rebuilt = false;  // already visited by TorchRebuilder::rebuild

  PyValue() = default;
  PyValue(const PyValue&) = default;
  PyValue(PyValue&&) = default;
  PyValue& operator=(const PyValue&) = default;
  PyValue& operator=(PyValue&&) = default;
  // Frees uniquely owned descendants iteratively: a deep chain of shared
  // pointers would otherwise be destroyed recursively and overflow the stack.
  ~PyValue();

  // Convenience accessors; they return nullptr/defaults on kind mismatch.
  bool is(PyKind k) const { return kind == k; }
  bool is_global(std::string_view mod, std::string_view nm) const {
    return kind == PyKind::global && module == mod && name == nm;
  }
  // Qualified name of an object's callable ("collections.OrderedDict") or of a global.
  std::string qualname() const;
  // Dict-like lookup by string key on a dict or an object's entries.
  PyRef get(std::string_view key) const;
};

PyRef make_none();
PyRef make_int(int64_t v);
PyRef make_string(std::string s);
PyRef make_tuple(std::vector<PyRef> items);

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

// Reference cycles (a list appended to itself, an object whose state points
// back at it, a GLOBAL given items by SETITEM) keep shared_ptr trees alive
// forever. A tracker records every node the moment it first gains a child,
// whatever its kind (containers, globals, EXT and persistent ids, values a
// persistent_load returned); when the tracker dies it clears their links,
// freeing cycles too. Every edge a parse adds is recorded this way, so no
// cycle can escape. Its owner must outlive every use of the values.
struct PyNodeTracker {
  std::vector<std::weak_ptr<PyValue>> nodes;
  PyNodeTracker() = default;
  PyNodeTracker(const PyNodeTracker&) = delete;
  PyNodeTracker& operator=(const PyNodeTracker&) = delete;
  ~PyNodeTracker();
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

// Human-readable rendering of a value (bounded), for messages and `info`.
std::string py_repr(const PyRef& value, size_t max_chars = 200);

}  // namespace ptscope
