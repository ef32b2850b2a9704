// Pickle analysis on top of the VM's observer. Findings are buffered per
// pickle: a member that was only guessed to be a pickle and turns out not to
// be one must leave no trace.
#include "audit/pickle_scan.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/dtype.h"
#include "core/error.h"

namespace ptscope::audit {
namespace {

namespace op {
enum : uint8_t {
  MARK = '(', STOP = '.', POP = '0', DUP = '2', FLOAT = 'F', INT = 'I', BININT = 'J', BININT1 = 'K',
  LONG = 'L', BININT2 = 'M', PERSID = 'P', BINPERSID = 'Q', REDUCE = 'R', STRING = 'S', BINSTRING = 'T',
  SHORT_BINSTRING = 'U', UNICODE = 'V', BINUNICODE = 'X', BUILD = 'b', GLOBAL = 'c', GET = 'g', BINGET = 'h',
  INST = 'i', LONG_BINGET = 'j', OBJ = 'o', PUT = 'p', BINPUT = 'q', LONG_BINPUT = 'r', BINFLOAT = 'G',
  PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, LONG1 = 0x8a, LONG4 = 0x8b,
  BINBYTES = 'B', SHORT_BINBYTES = 'C', SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e,
  NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, FRAME = 0x95, BYTEARRAY8 = 0x96,
};
}  // namespace op

std::string opname(uint8_t code) {
  const char* n = pickle_opcode_name(code);
  if (n) return n;
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", code);
  return buf;
}

bool is_string_op(uint8_t code) {
  switch (code) {
    case op::STRING: case op::BINSTRING: case op::SHORT_BINSTRING: case op::UNICODE: case op::BINUNICODE:
    case op::SHORT_BINUNICODE: case op::BINUNICODE8:
      return true;
    default:
      return false;
  }
}

bool is_import_op(uint8_t code) {
  return code == op::GLOBAL || code == op::INST || code == op::STACK_GLOBAL || code == op::EXT1 ||
         code == op::EXT2 || code == op::EXT4;
}

// Strings decoded from the file are latin-1 bytes when they came through
// _codecs.encode(s, 'latin1'); recover those bytes when every code point fits.
std::optional<std::string> utf8_to_latin1(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const uint8_t c = uint8_t(s[i]);
    if (c < 0x80) {
      out += char(c);
    } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
      const uint32_t cp = (uint32_t(c & 0x1F) << 6) | (uint8_t(s[i + 1]) & 0x3F);
      if (cp > 0xFF) return std::nullopt;
      out += char(cp);
      ++i;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view s) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xFF);
    }
  }
  return out;
}

bool looks_like_zip(std::string_view s) { return s.size() >= 22 && s.substr(0, 4) == std::string_view("PK\x03\x04", 4); }

// Linear decode to a STOP: how nested constants are recognised as pickles.
bool decodes_to_stop(ByteSpan bytes) {
  uint64_t pos = 0;
  int ops = 0;
  while (auto o = decode_op(bytes, pos)) {
    ++ops;
    if (o->opcode == op::STOP) return ops >= 3;
    pos = o->next;
    if (ops > 1'000'000) break;
  }
  return false;
}

ByteSpan span_of(std::string_view s) { return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

bool is_tensor_builder(std::string_view qualname) {
  return qualname.rfind("torch._utils._rebuild", 0) == 0 || qualname == "torch._tensor._rebuild_from_type_v2" ||
         qualname == "torch.nn.parameter.Parameter" || qualname == "torch.Tensor";
}

std::optional<int64_t> int_of(const PyRef& v) {
  if (v && v->kind == PyKind::integer) return v->i;
  if (v && v->kind == PyKind::boolean) return v->b ? 1 : 0;
  return std::nullopt;
}

std::optional<std::vector<int64_t>> ints_of(const PyRef& v) {
  if (!v || v->kind != PyKind::tuple) return std::nullopt;
  std::vector<int64_t> out;
  for (const auto& item : v->items) {
    auto i = int_of(item);
    if (!i) return std::nullopt;
    out.push_back(*i);
  }
  return out;
}

// Legacy streams pickle classes of whole modules as persistent ids
// ('module', cls, source_file, source) that torch resolves to cls itself.
const PyValue* class_of_module_pid(const PyValue& v) {
  if (v.kind != PyKind::persistent || !v.args || v.args->kind != PyKind::tuple || v.args->items.size() < 2) return nullptr;
  const auto& it = v.args->items;
  if (!it[0] || it[0]->kind != PyKind::string || it[0]->s != "module") return nullptr;
  return it[1] && it[1]->kind == PyKind::global ? it[1].get() : nullptr;
}

// Bytes per element of a storage class named in a persistent id.
uint64_t storage_itemsize(const PyValue& type) {
  if (type.kind != PyKind::global) return 0;
  if (type.name == "UntypedStorage") return 1;
  if (auto dt = dtype_from_storage_class(type.name)) return itemsize(*dt);
  return 0;
}

// Dunder attributes that hold data, not behaviour: the standard state of a
// scripted or traced module (TorchScript writes __constants__ and
// __overloads__ for every module that has them) and plain class metadata.
// Planting them invokes nothing; any other dunder key names a special method.
bool data_dunder(std::string_view key) {
  static const std::unordered_set<std::string_view> names = {
      "__dict__", "__constants__", "__overloads__", "__annotations__", "__jit_unused_properties__",
      "__jit_ignored_attributes__", "__doc__", "__module__", "__qualname__", "__version__", "__slots__",
      "__weakref__", "__parameters__", "__buffers__", "__final__", "__torch_script_class__"};
  return names.count(key) > 0;
}

class Scanner {
 public:
  Scanner(Context& ctx, const PickleJob& job) : ctx_(ctx), job_(job), policy_(ctx.policy()) {}
  PickleOutcome run();

 private:
  struct Pending {
    const char* rule;
    Severity severity;
    uint64_t offset;
    std::string message, global, opcode;
  };
  struct CallSite {
    uint64_t offset;
    std::string callee;
    bool allowed;
    Severity severity;
    uint8_t opcode;
  };

  void add(const char* rule, Severity s, uint64_t rel_offset, std::string message, std::string global = {},
           std::string opcode = {}) {
    pending_.push_back({rule, s, job_.base_offset + rel_offset, std::move(message), std::move(global),
                        std::move(opcode)});
  }
  void refuse() { outcome_.weights_only_ok = false; }
  std::string loader_text() const {
    return job_.loader == Loader::torchscript
               ? std::string("torch.jit's unpickler")
               : "torch.load(weights_only=True) of torch " + policy_.version().str();
  }

  void on_event(const PickleEvent& ev);
  void on_import(const std::string& module, const std::string& name, uint64_t offset, uint8_t code,
                 const char* how = nullptr);
  void on_call(const PickleEvent& ev);
  void on_build(const PickleEvent& ev);
  void check_passed_callables(const std::string& callee, const PyRef& args, uint64_t off, uint8_t opcode);
  void check_allocation(const PyValue& callee, const PyRef& args, uint64_t off, uint8_t opcode);
  void on_persistent(const PickleEvent& ev);
  void check_tensor(const std::string& callee, const PyRef& args, uint64_t offset);
  void note_sparse(const PyRef& args, uint64_t offset);
  void on_error(const Error& e);
  void linear_tail(uint64_t from);
  void walk_values();
  void check_expansion();
  void collect_nested(const PyValue& v);
  void flush();
  std::string describe(const PyRef& v) const;

  Context& ctx_;
  const PickleJob& job_;
  const Policy& policy_;
  PickleOutcome outcome_;
  std::vector<Pending> pending_;
  std::map<std::pair<std::string, std::string>, ImportRecord> imports_;
  std::map<uint8_t, std::pair<uint64_t, uint64_t>> refused_ops_;  // opcode → (count, first offset)
  std::unordered_map<const PyValue*, CallSite> calls_by_args_;
  std::vector<PyRef> roots_;  // values events showed us; kept alive for the walk
  std::vector<std::pair<std::string, std::string>> nested_;  // (bytes, how found)
  uint64_t ops_ = 0, last_offset_ = 0, frame_end_ = 0, dups_ = 0, gets_ = 0;
  int protos_ = 0;
  uint64_t allocated_ = 0;  // bytes builtin constructors were asked for
  bool bomb_reported_ = false;
  Severity worst_before_error_ = Severity::info;
  bool risky_before_error_ = false;
};

std::string Scanner::describe(const PyRef& v) const {
  if (!v) return "nothing";
  switch (v->kind) {
    case PyKind::global:
      return v->module.empty() && v->name.empty() ? "a global imported by a computed STACK_GLOBAL"
                                                  : v->module + "." + v->name;
    case PyKind::object: return "the result of calling " + (v->qualname().empty() ? "an object" : v->qualname());
    case PyKind::ext: return "EXT code " + std::to_string(v->i);
    case PyKind::persistent: return "a persistent-id object";
    default: return std::string("a ") + py_kind_name(v->kind);
  }
}

void Scanner::on_event(const PickleEvent& ev) {
  ++ops_;
  const uint64_t off = ev.offset;
  const ByteSpan bytes = job_.bytes;
  // An opcode that began inside the frame and whose argument ran past it.
  if (frame_end_ && off > frame_end_ && last_offset_ < frame_end_)
    add("PTS117", Severity::dangerous, last_offset_,
        "the argument of the opcode at this offset runs " + std::to_string(off - frame_end_) +
            " bytes past the end of its FRAME (frame-aware and linear readers disagree here)");
  if (frame_end_ && off >= frame_end_) frame_end_ = 0;
  last_offset_ = off;

  if (!policy_.allowed_opcode(job_.loader, ev.opcode)) {
    auto [it, fresh] = refused_ops_.try_emplace(ev.opcode, 0, off);
    ++it->second.first;
  }

  switch (ev.opcode) {
    case op::PROTO: {
      ++protos_;
      const int version = off + 1 < bytes.size() ? bytes[off + 1] : -1;
      if (off != 0 || protos_ > 1) {
        add("PTS118", Severity::suspicious, off,
            protos_ > 1 ? "a second PROTO opcode (files are rewritten or hand-made)"
                        : "PROTO is not the first opcode", {}, "PROTO");
      } else {
        outcome_.protocol = version;
        if (version != 2)
          add("PTS118", Severity::info, off,
              "pickle protocol " + std::to_string(version) + " (torch.save writes 2; weights_only only warns)", {},
              "PROTO");
      }
      break;
    }
    case op::FRAME: {
      if (frame_end_ && off < frame_end_)
        add("PTS117", Severity::dangerous, off, "a FRAME starts inside another frame", {}, "FRAME");
      if (off + 9 <= bytes.size()) frame_end_ = off + 9 + load_le64(bytes.data() + off + 1);
      break;
    }
    case op::DUP: ++dups_; break;
    case op::GET: case op::BINGET: case op::LONG_BINGET: ++gets_; break;
    case op::GLOBAL:
      on_import(ev.module, ev.name, off, ev.opcode);
      break;
    case op::STACK_GLOBAL:
      if (ev.target && ev.arg && ev.target->kind == PyKind::string && ev.arg->kind == PyKind::string) {
        on_import(ev.module, ev.name, off, ev.opcode);
      } else {
        outcome_.imports = true;
        risky_before_error_ = true;
        worst_before_error_ = Severity::dangerous;
        add("PTS102", Severity::dangerous, off,
            "STACK_GLOBAL imports a module given by " + describe(ev.target) + " and a name given by " +
                describe(ev.arg) + ": the import is computed at load time",
            {}, "STACK_GLOBAL");
        refuse();
      }
      break;
    case op::INST:
      on_import(ev.module, ev.name, off, ev.opcode);
      on_call(ev);
      break;
    case op::EXT1: case op::EXT2: case op::EXT4: {
      const size_t width = ev.opcode == op::EXT1 ? 1 : ev.opcode == op::EXT2 ? 2 : 4;
      int64_t code = -1;
      if (off + 1 + width <= bytes.size())
        code = width == 1 ? bytes[off + 1] : width == 2 ? load_le16(bytes.data() + off + 1)
                                                        : int32_t(load_le32(bytes.data() + off + 1));
      outcome_.imports = true;
      risky_before_error_ = true;
      worst_before_error_ = Severity::dangerous;
      add("PTS104", Severity::dangerous, off,
          opname(ev.opcode) + " imports extension code " + std::to_string(code) +
              " from copyreg's registry: the object is not named in the file",
          {}, opname(ev.opcode));
      refuse();
      break;
    }
    case op::REDUCE: case op::NEWOBJ: case op::NEWOBJ_EX: case op::OBJ:
      on_call(ev);
      break;
    case op::BUILD:
      on_build(ev);
      break;
    case op::PERSID: case op::BINPERSID:
      on_persistent(ev);
      break;
    default:
      break;
  }
}

void Scanner::on_import(const std::string& module, const std::string& name, uint64_t off, uint8_t code,
                        const char* how) {
  auto [it, fresh] = imports_.try_emplace({module, name});
  ImportRecord& rec = it->second;
  ++rec.count;
  if (!fresh) return;
  rec.module = module;
  rec.name = name;
  rec.first_offset = job_.base_offset + off;
  rec.allowed = policy_.allowed_global(job_.loader, module, name);
  if (rec.allowed) return;
  const GlobalRating rating = policy_.rate_global(module, name);
  rec.severity = rating.severity;
  outcome_.imports = true;
  risky_before_error_ = true;
  worst_before_error_ = std::max(worst_before_error_, rating.severity);
  refuse();
  const std::string full = module + "." + name;
  const bool dotted = name.find('.') != std::string::npos;
  const char* rule = rating.severity == Severity::dangerous ? "PTS101" : dotted ? "PTS103" : "PTS100";
  std::string message = "imports " + printable(full, 160);
  if (rating.severity == Severity::dangerous) {
    message += ": " + rating.reason;
  } else {
    message += ", which " + loader_text() + " refuses";
    if (!rating.reason.empty()) message += " (" + rating.reason + ")";
  }
  if (how) message += std::string(" [") + how + "]";
  add(rule, rating.severity, off, std::move(message), printable(full, 160), opname(code));
}

void Scanner::on_call(const PickleEvent& ev) {
  if (!ev.target) return;
  roots_.push_back(ev.target);
  if (ev.arg) roots_.push_back(ev.arg);
  const PyValue* resolved = class_of_module_pid(*ev.target);
  const PyValue& callee = resolved ? *resolved : *ev.target;
  bool allowed = false;
  Severity severity = Severity::suspicious;
  std::string why;
  std::string global;
  if (callee.kind == PyKind::global && callee.module.empty() && callee.name.empty()) {
    severity = Severity::dangerous;  // PTS102 reported the import itself
    why = "the callable's name is computed at load time";
  } else if (callee.kind == PyKind::global) {
    global = printable(callee.module + "." + callee.name, 160);
    if (ev.opcode == op::NEWOBJ && job_.loader == Loader::weights_only)
      allowed = policy_.allowed_newobj(callee.module, callee.name);
    else
      allowed = policy_.allowed_global(job_.loader, callee.module, callee.name);
    if (!allowed) {
      const GlobalRating rating = policy_.rate_global(callee.module, callee.name);
      severity = rating.severity;
      why = rating.reason;
      // NEWOBJ/NEWOBJ_EX only instantiate classes; REDUCE, INST and OBJ call
      // whatever they are given.
      const bool calls = ev.opcode == op::REDUCE || ev.opcode == op::INST || ev.opcode == op::OBJ;
      if (severity != Severity::dangerous && calls && Policy::plain_function(callee.module, callee.name) &&
          !policy_.known_reconstructor(callee.module, callee.name)) {
        severity = Severity::dangerous;
        why = "capability unknown: a plain function that is neither allowlisted nor a known reconstructor runs "
              "whatever it does at load time";
      }
    }
  } else if (callee.kind == PyKind::object || callee.kind == PyKind::ext) {
    severity = Severity::dangerous;
    why = "the callable is itself computed, the shape of a gadget chain";
  }
  const uint64_t off = ev.offset;
  const std::string callee_text =
      resolved ? resolved->module + "." + resolved->name + " (a legacy module persistent id)" : describe(ev.target);
  if (ev.arg) calls_by_args_[ev.arg.get()] = {job_.base_offset + off, callee_text, allowed, severity, ev.opcode};
  check_passed_callables(callee_text, ev.arg, off, ev.opcode);
  check_allocation(callee, ev.arg, off, ev.opcode);
  if (allowed) {
    if (callee.kind == PyKind::global) {
      check_tensor(callee.module + "." + callee.name, ev.arg, off);
      if (callee.module == "torch._utils" && callee.name == "_rebuild_sparse_tensor") note_sparse(ev.arg, off);
    }
    return;
  }
  outcome_.imports = true;
  risky_before_error_ = true;
  worst_before_error_ = std::max(worst_before_error_, severity);
  refuse();
  std::string message = opname(ev.opcode) + " calls " + printable(callee_text, 160);
  if (ev.arg) message += " with " + printable(py_repr(ev.arg, 120), 140);
  if (!why.empty()) message += " (" + why + ")";
  add("PTS110", severity, off, std::move(message), global, opname(ev.opcode));
}

// Globals handed to a call as arguments: allowlisted helpers call them
// (_rebuild_from_type_v2(func, ...), map, filter, partial, reduce, sorted's
// key, a defaultdict factory), so a plain function among them is graded as
// if it were called here.
void Scanner::check_passed_callables(const std::string& callee, const PyRef& args, uint64_t off, uint8_t opcode) {
  if (!args) return;
  std::vector<std::pair<const PyValue*, int>> todo{{args.get(), 0}};
  int visited = 0;
  while (!todo.empty() && ++visited < 256) {
    auto [v, depth] = todo.back();
    todo.pop_back();
    if (!v) continue;
    if (v->kind == PyKind::global) {
      if (v->module.empty() && v->name.empty()) continue;  // computed: PTS102 already
      if (policy_.allowed_global(job_.loader, v->module, v->name)) continue;
      // dtypes, quantization schemes and storage types are values, not callables
      // (older torch versions do not allowlist the newer ones).
      if (v->module == "torch" && (dtype_from_name(v->name) || v->name.rfind("per_", 0) == 0 ||
                                   v->name.find("Storage") != std::string::npos))
        continue;
      if (policy_.rate_global(v->module, v->name).severity == Severity::dangerous) continue;  // PTS101 already
      if (!Policy::plain_function(v->module, v->name) || policy_.known_reconstructor(v->module, v->name)) continue;
      const std::string g = printable(v->module + "." + v->name, 160);
      outcome_.imports = true;
      risky_before_error_ = true;
      worst_before_error_ = Severity::dangerous;
      refuse();
      add("PTS110", Severity::dangerous, off,
          "passes the plain function " + g + " to " + printable(callee, 120) +
              ", which can call it (chain: " + opname(opcode) + " " + printable(callee, 80) + " -> " + g +
              "); capability unknown: it is neither allowlisted nor a known reconstructor",
          g, opname(opcode));
      continue;
    }
    if (depth >= 3) continue;
    if (v->kind == PyKind::tuple || v->kind == PyKind::list || v->kind == PyKind::set ||
        v->kind == PyKind::frozenset)
      for (const auto& c : v->items) todo.push_back({c.get(), depth + 1});
    if (v->kind == PyKind::dict)
      for (const auto& [k, x] : v->entries) {
        todo.push_back({k.get(), depth + 1});
        todo.push_back({x.get(), depth + 1});
      }
  }
}

// Memory bombs: builtin constructors given a huge size allocate it at load
// time (bytearray is on torch's weights-only allowlist since 2.4).
void Scanner::check_allocation(const PyValue& callee, const PyRef& args, uint64_t off, uint8_t opcode) {
  if (callee.kind != PyKind::global || !args || args->kind != PyKind::tuple || args->items.empty()) return;
  const std::string module = fold_module_alias(callee.module);
  if (module != "builtins" || (callee.name != "bytearray" && callee.name != "bytes")) return;
  const PyValue* a = args->items[0].get();
  uint64_t bytes = 0;
  if (a && a->kind == PyKind::integer && a->i > 0) bytes = uint64_t(a->i);
  else if (a && a->kind == PyKind::bigint && !a->s.empty() && !(uint8_t(a->s.back()) & 0x80)) bytes = UINT64_MAX;
  if (bytes == 0) return;
  allocated_ = bytes > UINT64_MAX - allocated_ ? UINT64_MAX : allocated_ + bytes;
  constexpr uint64_t kBomb = uint64_t(256) << 20, kTotal = uint64_t(1) << 30;
  if (bytes < kBomb && (allocated_ < kTotal || bomb_reported_)) return;
  bomb_reported_ = bomb_reported_ || allocated_ >= kTotal;
  outcome_.imports = true;
  risky_before_error_ = true;
  worst_before_error_ = Severity::dangerous;
  refuse();
  add("PTS119", Severity::dangerous, off,
      opname(opcode) + " builtins." + callee.name + "(" + (bytes == UINT64_MAX ? std::string("> 2^63") : std::to_string(bytes)) +
          ") allocates that many bytes at load time (memory bomb; " +
          (allocated_ == UINT64_MAX ? std::string("> 2^63") : std::to_string(allocated_)) +
          " bytes requested by this pickle so far); every torch version allocates it",
      "builtins." + callee.name, opname(opcode));
}

void Scanner::on_build(const PickleEvent& ev) {
  if (!ev.target) return;
  roots_.push_back(ev.target);
  if (ev.arg) roots_.push_back(ev.arg);
  const PyValue& target = *ev.target;
  const uint64_t off = ev.offset;
  bool allowed = false;
  Severity severity = Severity::suspicious;
  std::string what, global;
  if (target.kind == PyKind::object) {
    const PyValue* cls = target.callable.get();
    if (cls && class_of_module_pid(*cls)) cls = class_of_module_pid(*cls);
    if (cls && cls->kind == PyKind::global) {
      allowed = policy_.allowed_build_target(job_.loader, cls->module, cls->name);
      global = printable(cls->module + "." + cls->name, 160);
      what = "an instance of " + global;
      if (!allowed) severity = policy_.rate_global(cls->module, cls->name).severity;
    } else {
      what = "an object made by " + describe(target.callable);
      if (cls && (cls->kind == PyKind::object || cls->kind == PyKind::ext)) severity = Severity::dangerous;
    }
  } else if (target.kind == PyKind::global) {
    // Pickle's BUILD on a class or function sets attributes on it: a way to
    // overwrite module-level state.
    if (!target.module.empty() || !target.name.empty()) global = printable(target.module + "." + target.name, 160);
    what = printable(describe(ev.target), 160) + " itself (setattr on a class or module object)";
    severity = Severity::dangerous;
  } else if (target.kind == PyKind::persistent || target.kind == PyKind::ext) {
    what = describe(ev.target);
  } else {
    what = std::string("a ") + py_kind_name(target.kind);
    if (ev.arg && ev.arg->kind == PyKind::none) allowed = job_.loader == Loader::torchscript;
  }
  // State keys that name special methods plant behaviour on the instance
  // (e.g. __setstate__ = os.system, then a second BUILD calls it).
  std::string planted;
  if (ev.arg) {
    std::vector<const PyValue*> dicts{ev.arg.get()};
    if (ev.arg->kind == PyKind::tuple)
      for (const auto& item : ev.arg->items) dicts.push_back(item.get());
    for (const PyValue* d : dicts) {
      if (!d || d->kind != PyKind::dict) continue;
      for (const auto& [k, v] : d->entries) {
        if (k && k->kind == PyKind::string && k->s.size() > 4 && k->s.rfind("__", 0) == 0 &&
            k->s.compare(k->s.size() - 2, 2, "__") == 0 && !data_dunder(k->s))
          planted = k->s;
      }
    }
  }
  if (!planted.empty()) {
    allowed = false;
    severity = Severity::dangerous;
  }
  if (allowed) return;
  outcome_.imports = true;
  risky_before_error_ = true;
  worst_before_error_ = std::max(worst_before_error_, severity);
  refuse();
  std::string message = "BUILD sets state on " + what;
  if (target.builds > 0) message += " (not its first BUILD)";
  if (!planted.empty()) message += "; the state defines '" + printable(planted) + "', which later opcodes can invoke";
  if (ev.arg) message += "; state " + printable(py_repr(ev.arg, 100), 120);
  add("PTS111", severity, off, std::move(message), global, "BUILD");
}

void Scanner::on_persistent(const PickleEvent& ev) {
  const uint64_t off = ev.offset;
  if (ev.arg) roots_.push_back(ev.arg);
  const PyValue* pid = ev.arg.get();
  auto bad = [&](const std::string& why) {
    refuse();
    add("PTS114", Severity::suspicious, off, "persistent id " + printable(py_repr(ev.arg, 100), 120) + ": " + why,
        {}, opname(ev.opcode));
  };
  if (job_.table_pids && pid && (pid->kind == PyKind::string || pid->kind == PyKind::integer)) return;
  if (ev.opcode == op::PERSID) {
    bad("text PERSID (torch writes BINPERSID with a tuple)");
    return;
  }
  if (!pid || pid->kind != PyKind::tuple) {
    bad("not a tuple");
    return;
  }
  const auto& it = pid->items;
  const bool tag_ok = !it.empty() && it[0] && (it[0]->kind == PyKind::string || it[0]->kind == PyKind::bytes) &&
                      it[0]->s == "storage";
  if (!tag_ok) {
    bad("torch only resolves ('storage', ...) ids");
    return;
  }
  // zip: ('storage', type, key, location, numel); legacy stream: plus view metadata.
  if (it.size() != 5 && it.size() != 6) {
    bad("a storage id has 5 fields (6 in legacy streams), not " + std::to_string(it.size()));
    return;
  }
  StorageRef ref;
  ref.offset = job_.base_offset + off;
  if (it[1] && it[1]->kind == PyKind::global) {
    ref.type = it[1]->module + "." + it[1]->name;
    ref.itemsize = storage_itemsize(*it[1]);
  }
  if (it[2] && (it[2]->kind == PyKind::string || it[2]->kind == PyKind::bytes)) ref.key = it[2]->s;
  else if (auto k = int_of(it[2])) ref.key = std::to_string(*k);
  else {
    bad("the storage key is not a string");
    return;
  }
  auto numel = int_of(it[4]);
  if (!numel) {
    bad("the element count is not an integer");
    return;
  }
  if (*numel < 0) {
    add("PTS116", Severity::dangerous, off, "storage '" + printable(ref.key) + "' declares a negative size", {},
        opname(ev.opcode));
    refuse();
    return;
  }
  ref.numel = *numel;
  outcome_.storages.push_back(std::move(ref));
}

// The view a rebuild function makes must lie inside its storage.
void Scanner::check_tensor(const std::string& callee, const PyRef& args, uint64_t off) {
  if (callee != "torch._utils._rebuild_tensor_v2" && callee != "torch._utils._rebuild_tensor" &&
      callee != "torch._utils._rebuild_tensor_v3" && callee != "torch._utils._rebuild_qtensor")
    return;
  if (!args || args->kind != PyKind::tuple || args->items.size() < 4) return;
  const auto& a = args->items;
  const PyValue* storage = a[0].get();
  if (!storage || storage->kind != PyKind::persistent || !storage->args || storage->args->kind != PyKind::tuple)
    return;
  const auto& pid = storage->args->items;
  if (pid.size() < 5) return;
  auto numel = int_of(pid[4]);
  const uint64_t item = pid[1] ? storage_itemsize(*pid[1]) : 0;
  if (!numel || *numel < 0 || item == 0) return;
  uint64_t elements = uint64_t(*numel);
  if (callee == "torch._utils._rebuild_tensor_v3" && a.size() >= 7 && a[6] && a[6]->kind == PyKind::global) {
    // v3 storages are untyped (numel counts bytes); the dtype argument says how wide an element is.
    if (auto dt = dtype_from_name(a[6]->name)) elements = uint64_t(*numel) * item / std::max<size_t>(itemsize(*dt), 1);
  }
  auto offset = int_of(a[1]);
  auto sizes = ints_of(a[2]);
  auto strides = ints_of(a[3]);
  if (!offset || !sizes || !strides) return;
  auto extent = view_extent(*offset, *sizes, *strides);
  const std::string shape = "offset " + std::to_string(*offset) + ", size " + printable(py_repr(a[2], 60)) +
                            ", stride " + printable(py_repr(a[3], 60));
  if (!extent) {
    refuse();
    add("PTS116", Severity::dangerous, off,
        callee + " with " + shape + ": negative, mismatched or overflowing geometry", callee, "REDUCE");
  } else if (*extent > elements) {
    refuse();
    add("PTS116", Severity::dangerous, off,
        callee + " with " + shape + " needs " + std::to_string(*extent) + " elements but its storage has " +
            std::to_string(elements),
        callee, "REDUCE");
  }
}

namespace {

// The layout argument of _rebuild_sparse_tensor: _get_layout("torch.sparse_coo")
// as torch.save writes it, or the bare global torch.sparse_coo.
std::optional<std::string> sparse_layout_of(const PyRef& v) {
  if (!v) return std::nullopt;
  std::string name;
  if (v->kind == PyKind::global && v->module == "torch") name = v->name;
  else if (v->kind == PyKind::object && v->callable && v->callable->kind == PyKind::global &&
           v->callable->name == "_get_layout" && v->args && v->args->kind == PyKind::tuple &&
           v->args->items.size() == 1 && v->args->items[0] && v->args->items[0]->kind == PyKind::string) {
    name = v->args->items[0]->s;
    if (name.rfind("torch.", 0) == 0) name = name.substr(6);
  }
  if (name == "sparse_coo" || name == "sparse_csr" || name == "sparse_csc" || name == "sparse_bsr" ||
      name == "sparse_bsc")
    return name;
  return std::nullopt;
}

// torch.Size((3, 3)) or a plain tuple of ints.
std::optional<std::vector<int64_t>> size_of(const PyRef& v) {
  if (v && v->kind == PyKind::object && v->callable && v->callable->kind == PyKind::global &&
      v->callable->name == "Size" && v->args && v->args->kind == PyKind::tuple && v->args->items.size() == 1)
    return ints_of(v->args->items[0]);
  return ints_of(v);
}

// The arguments of a _rebuild_tensor_v2 call (storage, offset, size, stride, ...).
const PyValue* rebuild_args(const PyRef& v) {
  if (!v || v->kind != PyKind::object || !v->callable || v->callable->kind != PyKind::global) return nullptr;
  const auto& c = *v->callable;
  if (c.module != "torch._utils" || (c.name != "_rebuild_tensor_v2" && c.name != "_rebuild_tensor")) return nullptr;
  if (!v->args || v->args->kind != PyKind::tuple || v->args->items.size() < 4) return nullptr;
  return v->args.get();
}

std::optional<IndexView> index_view_of(const PyRef& v) {
  const PyValue* a = rebuild_args(v);
  if (!a) return std::nullopt;
  const PyValue* storage = a->items[0].get();
  if (!storage || storage->kind != PyKind::persistent || !storage->args || storage->args->kind != PyKind::tuple ||
      storage->args->items.size() < 5)
    return std::nullopt;
  const auto& pid = storage->args->items;
  IndexView view;
  if (pid[1] && pid[1]->kind == PyKind::global) {
    view.type = pid[1]->module + "." + pid[1]->name;
    view.itemsize = storage_itemsize(*pid[1]);
  }
  if (pid[2] && (pid[2]->kind == PyKind::string || pid[2]->kind == PyKind::bytes)) view.key = pid[2]->s;
  else if (auto k = int_of(pid[2])) view.key = std::to_string(*k);
  else return std::nullopt;
  auto offset = int_of(a->items[1]);
  auto sizes = ints_of(a->items[2]);
  auto strides = ints_of(a->items[3]);
  if (!offset || !sizes || !strides) return std::nullopt;
  view.offset = *offset;
  view.sizes = std::move(*sizes);
  view.strides = std::move(*strides);
  return view;
}

}  // namespace

// Sparse tensors are built by torch without checking their indices
// (check_invariants=False); remember where the indices live so that the
// container can check them against the declared size (CVE-2025-62164).
void Scanner::note_sparse(const PyRef& args, uint64_t off) {
  if (!args || args->kind != PyKind::tuple || args->items.size() != 2) return;
  auto layout = sparse_layout_of(args->items[0]);
  const PyRef& data = args->items[1];
  if (!layout || !data || data->kind != PyKind::tuple) return;
  const auto& d = data->items;
  SparseRef ref;
  ref.layout = *layout;
  ref.offset = job_.base_offset + off;
  size_t values_at = 0, size_at = 0;
  if (ref.layout == "sparse_coo") {
    if (d.size() != 3 && d.size() != 4) return;
    auto indices = index_view_of(d[0]);
    if (!indices) return;
    ref.indices.push_back(std::move(*indices));
    values_at = 1;
    size_at = 2;
  } else {
    if (d.size() != 4) return;
    auto compressed = index_view_of(d[0]);
    auto plain = index_view_of(d[1]);
    if (!compressed || !plain) return;
    ref.indices.push_back(std::move(*compressed));
    ref.indices.push_back(std::move(*plain));
    values_at = 2;
    size_at = 3;
  }
  auto size = size_of(d[size_at]);
  if (!size) return;
  ref.size = std::move(*size);
  if (const PyValue* v = rebuild_args(d[values_at]))
    if (auto vs = ints_of(v->items[2])) ref.values_sizes = std::move(*vs);
  outcome_.sparse.push_back(std::move(ref));
}

void Scanner::on_error(const Error& e) {
  std::string message = e.what();
  if (e.code() == ErrorCode::limit_exceeded)
    add("PTS119", Severity::suspicious, last_offset_, "scan limit reached: " + message);
  add("PTS120", Severity::suspicious, last_offset_, message);
  if (risky_before_error_)
    add("PTS121", worst_before_error_, last_offset_,
        "the imports and calls reported before this parse error run before any loader notices the error");
  linear_tail(last_offset_);
}

// Past a VM error, keep listing imports by linear disassembly so that a
// payload after a deliberately unparsable spot is still reported.
void Scanner::linear_tail(uint64_t from) {
  uint64_t pos = from;
  std::vector<LinearOp> recent;  // string operands for STACK_GLOBAL, backwards
  for (int guard = 0; guard < 1'000'000; ++guard) {
    auto o = decode_op(job_.bytes, pos);
    if (!o) break;
    if (o->offset > from) {
      if (o->opcode == op::GLOBAL || o->opcode == op::INST) {
        on_import(o->text1, o->text2, o->offset, o->opcode, "after the parse error, by linear disassembly");
      } else if (o->opcode == op::STACK_GLOBAL) {
        if (recent.size() >= 2 && is_string_op(recent[recent.size() - 1].opcode) &&
            is_string_op(recent[recent.size() - 2].opcode))
          on_import(recent[recent.size() - 2].text1, recent.back().text1, o->offset, o->opcode,
                    "after the parse error, by linear disassembly");
        else
          add("PTS102", Severity::dangerous, o->offset,
              "STACK_GLOBAL after the parse error with operands that are not literal strings", {}, "STACK_GLOBAL");
      } else if (o->opcode == op::EXT1 || o->opcode == op::EXT2 || o->opcode == op::EXT4) {
        add("PTS104", Severity::dangerous, o->offset, opname(o->opcode) + " after the parse error", {},
            opname(o->opcode));
      }
    }
    if (o->opcode != op::PUT && o->opcode != op::BINPUT && o->opcode != op::LONG_BINPUT && o->opcode != 0x94) {
      recent.push_back(*o);
      if (recent.size() > 4) recent.erase(recent.begin());
    }
    pos = o->next;
  }
}

void Scanner::collect_nested(const PyValue& v) {
  if (v.s.size() < 12 || nested_.size() >= 16) return;
  std::string data = v.s;
  if (v.kind == PyKind::string) {
    if (auto raw = utf8_to_latin1(v.s)) data = std::move(*raw);
  }
  if (looks_like_zip(data) || (looks_like_pickle(span_of(data)) && decodes_to_stop(span_of(data)))) {
    nested_.emplace_back(std::move(data), std::string());
    return;
  }
  if (v.s.size() >= 24 && v.s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_\r\n") ==
                              std::string::npos) {
    if (auto decoded = base64_decode(v.s)) {
      if (looks_like_zip(*decoded) || (looks_like_pickle(span_of(*decoded)) && decodes_to_stop(span_of(*decoded))))
        nested_.emplace_back(std::move(*decoded), "base64");
    }
  }
}

// One pass over everything reachable (a DAG, possibly cyclic through the memo).
void Scanner::walk_values() {
  std::unordered_set<const PyValue*> seen;
  std::unordered_set<const PyValue*> reached_args;  // argument tuples of calls the result uses
  std::vector<const PyValue*> todo;
  auto visit_from = [&](const PyValue* root, bool from_result) {
    if (!root || !seen.insert(root).second) return;
    todo.push_back(root);
    while (!todo.empty()) {
      const PyValue* v = todo.back();
      todo.pop_back();
      if (from_result && v->kind == PyKind::object && v->args) reached_args.insert(v->args.get());
      if (v->kind == PyKind::string || v->kind == PyKind::bytes || v->kind == PyKind::bytearray) collect_nested(*v);
      if (v->kind == PyKind::object && (!v->entries.empty() || !v->items.empty())) {
        const std::string q = v->qualname();
        const bool mapping = q == "collections.OrderedDict" || q == "collections.Counter" ||
                             q == "builtins.dict" || q == "collections.defaultdict";
        const bool tensor = is_tensor_builder(q);
        const bool setitem = !v->entries.empty();
        uint64_t where = 0;
        if (v->args)
          if (auto it = calls_by_args_.find(v->args.get()); it != calls_by_args_.end()) where = it->second.offset;
        if (tensor || !setitem || !mapping) {
          const bool ts_list = job_.loader == Loader::torchscript && !setitem && q.rfind("torch.jit._pickle", 0) == 0;
          if (!ts_list) {
            refuse();
            pending_.push_back(
                {"PTS113", tensor ? Severity::dangerous : Severity::suspicious, where,
                 std::string(setitem ? "SETITEM(S)" : "APPEND(S)") + " on the object made by " +
                     (q.empty() ? std::string("a computed callable") : printable(q, 120)) + " at offset " +
                     std::to_string(where) +
                     (tensor ? ": writes into a tensor (out of bounds in torch <= 2.9, CVE-2026-24747)"
                             : ": calls the object's own " + std::string(setitem ? "__setitem__" : "append/extend")),
                 q, setitem ? "SETITEM" : "APPEND"});
          }
        }
      }
      auto push = [&](const PyRef& c) {
        if (c && seen.insert(c.get()).second) todo.push_back(c.get());
      };
      for (const auto& c : v->items) push(c);
      for (const auto& [k, x] : v->entries) {
        push(k);
        push(x);
      }
      push(v->callable);
      push(v->args);
      push(v->state);
      push(v->kwargs);
    }
  };
  visit_from(outcome_.value.get(), true);
  for (const auto& r : roots_) visit_from(r.get(), false);
  if (outcome_.parsed) {
    for (const auto& [args, call] : calls_by_args_) {
      if (call.allowed || reached_args.count(args)) continue;
      pending_.push_back({"PTS124", call.severity, call.offset,
                          opname(call.opcode) + " of " + printable(call.callee, 120) +
                              ": the result is not part of the unpickled value, so the call ran for its side effect",
                          {}, opname(call.opcode)});
    }
  }
}

// Billion laughs: count the value as a tree (each shared reference again).
void Scanner::check_expansion() {
  if (!outcome_.value) return;
  constexpr uint64_t kCap = uint64_t(1) << 62;
  std::unordered_map<const PyValue*, uint64_t> size;
  std::unordered_set<const PyValue*> open;
  struct Frame {
    const PyValue* v;
    size_t next;
    uint64_t total;
  };
  auto child = [](const PyValue& v, size_t i) -> const PyValue* {
    if (i < v.items.size()) return v.items[i].get();
    i -= v.items.size();
    if (i < 2 * v.entries.size()) return (i % 2 ? v.entries[i / 2].second : v.entries[i / 2].first).get();
    i -= 2 * v.entries.size();
    const PyRef* extra[] = {&v.callable, &v.args, &v.state, &v.kwargs};
    return i < 4 ? extra[i]->get() : nullptr;
  };
  auto children = [](const PyValue& v) { return v.items.size() + 2 * v.entries.size() + 4; };
  std::vector<Frame> stack{{outcome_.value.get(), 0, 1}};
  open.insert(outcome_.value.get());
  uint64_t result = 0;
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next < children(*f.v)) {
      const PyValue* c = child(*f.v, f.next++);
      if (!c) continue;
      if (auto it = size.find(c); it != size.end()) {
        f.total = std::min(kCap, f.total + it->second);
      } else if (open.count(c)) {
        f.total = std::min(kCap, f.total + 1);  // a cycle: count the back edge once
      } else {
        open.insert(c);
        stack.push_back({c, 0, 1});
      }
      continue;
    }
    const uint64_t total = f.total;
    size[f.v] = total;
    open.erase(f.v);
    stack.pop_back();
    if (stack.empty()) result = total;
    else stack.back().total = std::min(kCap, stack.back().total + total);
  }
  constexpr uint64_t kMinExpanded = 10'000'000;
  if (result >= kMinExpanded && result / std::max<uint64_t>(ops_, 1) >= 1000)
    pending_.push_back({"PTS119", Severity::suspicious, job_.base_offset,
                        "the value expands to " + (result >= kCap ? std::string("more than 2^62") : std::to_string(result)) +
                            " nodes from " + std::to_string(ops_) + " opcodes (" + std::to_string(gets_) +
                            " memo reads, " + std::to_string(dups_) + " DUPs): shared-reference expansion",
                        {}, {}});
}

void Scanner::flush() {
  const bool keep = job_.designated || outcome_.is_pickle;
  if (!keep) return;
  for (auto& p : pending_)
    ctx_.add(p.rule, p.severity, job_.member, p.offset, std::move(p.message), std::move(p.global),
             std::move(p.opcode));
  if (job_.report_member) {
    MemberReport m;
    m.name = job_.member;
    m.role = job_.role;
    m.loader = job_.loader == Loader::torchscript ? "torchscript" : "weights_only";
    m.size = job_.bytes.size();
    m.protocol = outcome_.protocol;
    m.opcodes = ops_;
    m.complete = outcome_.parsed;
    for (auto& [key, rec] : imports_) m.imports.push_back(rec);
    std::sort(m.imports.begin(), m.imports.end(),
              [](const ImportRecord& a, const ImportRecord& b) { return a.first_offset < b.first_offset; });
    ctx_.report().members.push_back(std::move(m));
  }
  if (ctx_.scan_nested && ctx_.depth < ctx_.options().max_nesting) {
    for (auto& [data, how] : nested_) {
      // Point at the constant in the member when its bytes appear verbatim.
      auto found = std::search(job_.bytes.begin(), job_.bytes.end(), data.begin(),
                               data.begin() + std::min<size_t>(data.size(), 16));
      std::string label = job_.member + "!nested";
      std::optional<uint64_t> at;
      if (found != job_.bytes.end()) {
        at = job_.base_offset + uint64_t(found - job_.bytes.begin());
        label += "@" + std::to_string(*at);
      }
      ctx_.add("PTS123", Severity::suspicious, job_.member, at,
               std::string("a constant holds ") + (looks_like_zip(data) ? "a zip archive" : "a pickle") +
                   (how.empty() ? "" : " (" + how + "-encoded)") + " of " + std::to_string(data.size()) +
                   " bytes; scanned as " + label);
      ++ctx_.depth;
      ctx_.scan_nested(span_of(data), label);
      --ctx_.depth;
    }
  }
}

PickleOutcome Scanner::run() {
  PickleOptions options;
  options.limits = ctx_.options().pickle_limits;
  options.tracker = ctx_.tracker;
  options.observer = [this](const PickleEvent& ev) { on_event(ev); };
  try {
    PickleResult result = unpickle(job_.bytes, options);
    outcome_.parsed = true;
    outcome_.is_pickle = true;
    outcome_.end = result.end_offset;
    outcome_.value = std::move(result.value);
    if (protos_ == 0 && outcome_.protocol < 0)
      outcome_.protocol = 0;  // protocol 0/1 streams carry no PROTO
  } catch (const Error& e) {
    // "Not a pickle" only when CPython would fail too before any import or
    // call; a limit of ours is no such proof, so it fails closed.
    outcome_.is_pickle = job_.designated || outcome_.imports || e.code() == ErrorCode::limit_exceeded;
    if (outcome_.is_pickle) {
      on_error(e);
      refuse();
      ctx_.error(job_.member, e.what());
    }
  }
  for (const auto& [code, seen] : refused_ops_) {
    add("PTS112", Severity::suspicious, seen.second,
        "opcode " + opname(code) + " (" + std::to_string(seen.first) + "x, first at this offset) is not accepted by " +
            loader_text(),
        {}, opname(code));
    refuse();
  }
  if (outcome_.is_pickle) {
    walk_values();
    check_expansion();
  }
  flush();
  return std::move(outcome_);
}

}  // namespace

std::optional<LinearOp> decode_op(ByteSpan bytes, uint64_t pos) {
  const uint64_t size = bytes.size();
  if (pos >= size) return std::nullopt;
  LinearOp o;
  o.offset = pos;
  o.opcode = bytes[pos];
  if (!pickle_opcode_name(o.opcode)) return std::nullopt;
  uint64_t p = pos + 1;
  auto need = [&](uint64_t n) { return n <= size - p; };
  auto take_text = [&](uint64_t n, std::string& out) {
    out.assign(reinterpret_cast<const char*>(bytes.data() + p), size_t(std::min<uint64_t>(n, 256)));
    p += n;
  };
  auto line = [&](std::string& out) {
    const void* nl = std::memchr(bytes.data() + p, '\n', size - p);
    if (!nl) return false;
    take_text(uint64_t(static_cast<const uint8_t*>(nl) - (bytes.data() + p)), out);
    ++p;
    return true;
  };
  switch (o.opcode) {
    case op::GLOBAL: case op::INST:
      if (!line(o.text1) || !line(o.text2)) return std::nullopt;
      break;
    case op::INT: case op::LONG: case op::FLOAT: case op::STRING: case op::UNICODE: case op::GET: case op::PUT:
    case op::PERSID:
      if (!line(o.text1)) return std::nullopt;
      if (o.opcode == op::STRING && o.text1.size() >= 2) o.text1 = o.text1.substr(1, o.text1.size() - 2);
      break;
    case op::BININT: case op::LONG_BINGET: case op::LONG_BINPUT: case op::EXT4:
      if (!need(4)) return std::nullopt;
      p += 4;
      break;
    case op::BININT1: case op::BINGET: case op::BINPUT: case op::PROTO: case op::EXT1:
      if (!need(1)) return std::nullopt;
      p += 1;
      break;
    case op::BININT2: case op::EXT2:
      if (!need(2)) return std::nullopt;
      p += 2;
      break;
    case op::BINFLOAT: case op::FRAME:
      if (!need(8)) return std::nullopt;
      p += 8;
      break;
    case op::SHORT_BINSTRING: case op::SHORT_BINBYTES: case op::SHORT_BINUNICODE: case op::LONG1: {
      if (!need(1)) return std::nullopt;
      const uint64_t n = bytes[p++];
      if (!need(n)) return std::nullopt;
      take_text(n, o.text1);
      break;
    }
    case op::BINSTRING: case op::BINBYTES: case op::BINUNICODE: case op::LONG4: {
      if (!need(4)) return std::nullopt;
      const uint64_t n = load_le32(bytes.data() + p);
      if ((o.opcode == op::BINSTRING || o.opcode == op::LONG4) && (n & 0x80000000u)) return std::nullopt;
      p += 4;
      if (!need(n)) return std::nullopt;
      take_text(n, o.text1);
      break;
    }
    case op::BINUNICODE8: case op::BINBYTES8: case op::BYTEARRAY8: {
      if (!need(8)) return std::nullopt;
      const uint64_t n = load_le64(bytes.data() + p);
      p += 8;
      if (!need(n)) return std::nullopt;
      take_text(n, o.text1);
      break;
    }
    default:
      break;
  }
  o.next = p;
  return o;
}

bool looks_like_pickle(ByteSpan bytes) {
  if (bytes.size() >= 2 && bytes[0] == op::PROTO && bytes[1] <= 5) return true;
  uint64_t pos = 0;
  bool imports = false;
  for (int ops = 0; ops < 100'000; ++ops) {
    auto o = decode_op(bytes, pos);
    if (!o) return false;
    if (is_import_op(o->opcode) || o->opcode == op::REDUCE) imports = true;
    if (o->opcode == op::STOP) return imports;
    pos = o->next;
  }
  return false;
}

std::optional<uint64_t> view_extent(int64_t offset, const std::vector<int64_t>& sizes,
                                    const std::vector<int64_t>& strides) {
  if (offset < 0 || sizes.size() != strides.size()) return std::nullopt;
  int64_t last = offset;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] < 0 || strides[i] < 0) return std::nullopt;
    if (sizes[i] == 0) return 0;  // an empty view touches nothing
  }
  for (size_t i = 0; i < sizes.size(); ++i) {
    int64_t step = 0;
    if (__builtin_mul_overflow(sizes[i] - 1, strides[i], &step) || __builtin_add_overflow(last, step, &last))
      return std::nullopt;
  }
  return uint64_t(last) + 1;
}

PickleOutcome scan_pickle(Context& ctx, const PickleJob& job) {
  Scanner scanner(ctx, job);
  return scanner.run();
}

PickleOutcome scan_pickle_with_trailer(Context& ctx, const PickleJob& job) {
  PickleOutcome first = scan_pickle(ctx, job);
  if (!first.parsed) return first;
  uint64_t pos = first.end;
  for (int n = 2; pos < job.bytes.size() && n <= 64; ++n) {
    const ByteSpan rest = job.bytes.subspan(pos);
    if (n == 2)
      ctx.add("PTS122", Severity::suspicious, job.member, job.base_offset + pos,
              std::to_string(rest.size()) + " bytes follow the pickle's STOP" +
                  (looks_like_pickle(rest) ? " and start another pickle (scanned)" : ""));
    if (!looks_like_pickle(rest)) break;
    PickleJob next = job;
    next.bytes = rest;
    next.base_offset = job.base_offset + pos;
    next.designated = false;
    next.role = job.role + ", trailing pickle " + std::to_string(n);
    PickleOutcome o = scan_pickle(ctx, next);
    if (!o.parsed) break;
    pos += o.end;
  }
  return first;
}

}  // namespace ptscope::audit
