// Runtime values of the TorchScript interpreter: scalars inline, everything
// else behind a shared box so that copies alias the way Python references do
// (lists and objects mutate in place; `is` compares boxes).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "graph/values.h"
#include "parser/pickle.h"

namespace ptscope::ts {
struct FunctionDef;
class ClassDef;
struct Module;
struct Expr;
}  // namespace ptscope::ts

namespace ptscope {
struct ModuleNode;
}

namespace ptscope::graph {

enum class VKind : uint8_t {
  none, boolean, integer, floating, complex, string, device, tensor, list, tuple, dict, object,
  function,  // a free function from code/ (or a nested def)
  klass,     // a class from code/ (`__torch__.X`), used for __new__, NamedTuple construction, isinstance
  ns,        // a dotted namespace or builtin path: "torch", "ops.prim", "torch.add", "__torch__.a"
  method,    // a method bound to its receiver
  enum_value,
  uninit,    // `uninitialized(T)`: reading it is a bug in the code
  future,    // fork(): evaluated eagerly
};
const char* vkind_name(VKind k);

struct Box {
  virtual ~Box() = default;
};

struct Val;
using Vals = std::vector<Val>;
struct ClassInfo;

struct Val {
  VKind kind = VKind::none;
  union {
    bool b;
    int64_t i = 0;
    double f;
  };
  std::shared_ptr<Box> box;

  Val() = default;
  static Val none() { return Val(); }
  static Val boolean(bool v) { Val x; x.kind = VKind::boolean; x.b = v; return x; }
  static Val integer(int64_t v) { Val x; x.kind = VKind::integer; x.i = v; return x; }
  static Val floating(double v) { Val x; x.kind = VKind::floating; x.f = v; return x; }
  static Val string(std::string s);
  static Val device(std::string s);
  static Val ns(std::string path);
  static Val list(Vals items);
  static Val tuple(Vals items);
  static Val uninit() { Val x; x.kind = VKind::uninit; return x; }
  // Callables: a class from code/, a function (free, a class's, or a nested
  // def), a method bound to its receiver.
  static Val klass(const ClassInfo* cls);
  static Val function(const ts::FunctionDef* def, std::string qualname, const std::string* file);
  static Val method(Val self, const ts::FunctionDef* def, std::string name);

  bool is(VKind k) const { return kind == k; }
  bool is_none() const { return kind == VKind::none; }
  bool is_tensor() const { return kind == VKind::tensor; }
  bool is_number() const { return kind == VKind::integer || kind == VKind::floating || kind == VKind::boolean; }
  bool is_sequence() const { return kind == VKind::list || kind == VKind::tuple; }
  // Typed access; callers check kind first.
  template <class T> T& as() const { return *static_cast<T*>(box.get()); }
  const std::string& str() const;      // string, device, ns
  Vals& items() const;                 // list, tuple
  double number() const { return kind == VKind::floating ? f : kind == VKind::boolean ? double(b) : double(i); }
};

struct StrBox : Box {
  std::string s;
  explicit StrBox(std::string v) : s(std::move(v)) {}
};

struct ComplexBox : Box {
  double re = 0, im = 0;
};

// A tensor as the interpreter sees it: metadata plus the graph value it is.
// In-place ops update the box, so every alias sees the new value.
struct TensorBox : Box {
  TensorMeta meta;
  // Elements known without running anything (sizes turned into tensors,
  // small constants): lets traced `int(NumToTensor(size))` resolve.
  std::optional<std::vector<double>> known;
  int placeholder = -1;  // input inference: index of the unknown input this is
};

struct SeqBox : Box {
  Vals items;
  // list: element type from annotate(List[T], ...), for empty lists ("Tensor", "int" ...)
  std::string elem_type;
  // tuple: NamedTuple class (qualname) and field names
  std::string named;
  std::vector<std::string> fields;
};

struct DictBox : Box {
  std::vector<std::pair<Val, Val>> items;  // insertion order
  Val* find(const Val& key);
};

struct ObjBox : Box {
  const ClassInfo* cls = nullptr;  // null for TorchBind objects without code
  std::string qualname;
  PyRef py;                            // pickled object, if it came from the file
  const ModuleNode* node = nullptr;    // module tree node (paths, legacy modules)
  std::string path;                    // module path ("layer1.0"); empty for the root
  bool is_module = false;
  bool state_applied = false;          // __setstate__ ran
  std::unordered_map<std::string, Val> attrs;  // read and written attributes
};

struct FuncBox : Box {
  const ts::FunctionDef* def = nullptr;
  std::string qualname;
  const std::string* file = nullptr;
  std::shared_ptr<std::unordered_map<std::string_view, Val>> closure;  // nested defs see the enclosing frame
};

struct ClassBox : Box {
  const ClassInfo* cls = nullptr;
};

struct MethodBox : Box {
  Val self;
  const ts::FunctionDef* def = nullptr;
  std::string name;
};

struct EnumBox : Box {
  std::string qualname;  // enum class
  std::string name;      // member
  Val value;
};

struct FutureBox : Box {
  Val value;
};

// One class from code/: the parsed definition and where it lives.
struct ClassInfo {
  std::string qualname;  // "__torch__.torch.nn.modules.conv.___torch_mangle_3.Conv2d"
  std::string short_name;  // "Conv2d"
  const ts::ClassDef* def = nullptr;
  const std::string* file = nullptr;  // "code/__torch__/torch/nn/modules/conv/___torch_mangle_3.py"
};

// Python repr() for messages (strings quoted, bounded length).
std::string val_repr(const Val& v, size_t max_chars = 120);
// Python `str()`/format "{}" rendering.
std::string val_str(const Val& v);
// Structural equality for scalars, strings, devices, None, sequences; identity for the rest.
bool val_equal(const Val& a, const Val& b);
bool val_identical(const Val& a, const Val& b);  // `is`

}  // namespace ptscope::graph
