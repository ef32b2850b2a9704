// The pickle scanner after the VM: sparse index views, the import listing
// past a parse error, nested payloads found in the values, expansion, and
// the driver that buffers findings per pickle.
#include <algorithm>
#include <cstring>
#include <limits>

#include "audit/pickle_opcodes.h"
#include "audit/pickle_scanner.h"
#include "core/dtype.h"
#include "core/error.h"

namespace ptscope::audit {
namespace {

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


}  // namespace ptscope::audit
