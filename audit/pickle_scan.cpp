// Pickle analysis on top of the VM's observer. Findings are buffered per
// pickle: a member that was only guessed to be a pickle and turns out not to
// be one must leave no trace.
#include "audit/pickle_scan.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "audit/pickle_opcodes.h"
#include "audit/pickle_scanner.h"
#include "core/dtype.h"
#include "core/error.h"

namespace ptscope::audit {

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


// Bytes per element of a storage class named in a persistent id.
uint64_t storage_itemsize(const PyValue& type) {
  if (type.kind != PyKind::global) return 0;
  if (type.name == "UntypedStorage") return 1;
  if (auto dt = dtype_from_storage_class(type.name)) return itemsize(*dt);
  return 0;
}

namespace {

// Legacy streams pickle classes of whole modules as persistent ids
// ('module', cls, source_file, source) that torch resolves to cls itself.
const PyValue* class_of_module_pid(const PyValue& v) {
  if (v.kind != PyKind::persistent || !v.args || v.args->kind != PyKind::tuple || v.args->items.size() < 2) return nullptr;
  const auto& it = v.args->items;
  if (!it[0] || it[0]->kind != PyKind::string || it[0]->s != "module") return nullptr;
  return it[1] && it[1]->kind == PyKind::global ? it[1].get() : nullptr;
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

}  // namespace

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

PickleOutcome scan_guessed_pickle(Context& ctx, ByteSpan bytes, const std::string& member, const std::string& role) {
  PickleJob job;
  job.bytes = bytes;
  job.member = member;
  job.role = role;
  job.designated = false;
  return scan_pickle_with_trailer(ctx, job);
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
