// The Python object model: the values a pickle stream describes (PyValue
// trees), as the pickle VM (parser/pickle.h) builds them and the model
// (core/model.h), the torch rebuild pass and the audit read them. Nothing
// here runs or imports anything; a global is only a module and a name.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// Whether `v` links to any other value (items, entries, callable, args,
// state, kwargs): the tree walks and the destructors stop at leaves.
bool has_children(const PyValue& v);

// Human-readable rendering of a value (bounded), for messages and `info`.
std::string py_repr(const PyRef& value, size_t max_chars = 200);

}  // namespace ptscope
