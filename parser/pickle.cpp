// The pickle virtual machine (protocols 0-5). It decodes opcodes into PyValue
// nodes and never imports or calls anything; see pickle.h for the value model.
// Semantics follow CPython's C unpickler (_pickle.c) where the two Python
// implementations differ, e.g. the MARK "fence" below which no opcode may pop.
#include "parser/pickle.h"
#include "parser/python_int.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"

namespace ptscope {

namespace op {
enum : uint8_t {
  MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', FLOAT = 'F', INT = 'I',
  BININT = 'J', BININT1 = 'K', LONG = 'L', BININT2 = 'M', NONE = 'N', PERSID = 'P',
  BINPERSID = 'Q', REDUCE = 'R', STRING = 'S', BINSTRING = 'T', SHORT_BINSTRING = 'U',
  UNICODE = 'V', BINUNICODE = 'X', APPEND = 'a', BUILD = 'b', GLOBAL = 'c', DICT = 'd',
  EMPTY_DICT = '}', APPENDS = 'e', GET = 'g', BINGET = 'h', INST = 'i', LONG_BINGET = 'j',
  LIST = 'l', EMPTY_LIST = ']', OBJ = 'o', PUT = 'p', BINPUT = 'q', LONG_BINPUT = 'r',
  SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', BINFLOAT = 'G',
  // protocol 2
  PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, TUPLE1 = 0x85,
  TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b,
  // protocol 3
  BINBYTES = 'B', SHORT_BINBYTES = 'C',
  // protocol 4
  SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, EMPTY_SET = 0x8f,
  ADDITEMS = 0x90, FROZENSET = 0x91, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94,
  FRAME = 0x95,
  // protocol 5
  BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97, READONLY_BUFFER = 0x98,
};
}  // namespace op

const char* pickle_opcode_name(uint8_t code) {
  switch (code) {
    case op::MARK: return "MARK";
    case op::STOP: return "STOP";
    case op::POP: return "POP";
    case op::POP_MARK: return "POP_MARK";
    case op::DUP: return "DUP";
    case op::FLOAT: return "FLOAT";
    case op::INT: return "INT";
    case op::BININT: return "BININT";
    case op::BININT1: return "BININT1";
    case op::LONG: return "LONG";
    case op::BININT2: return "BININT2";
    case op::NONE: return "NONE";
    case op::PERSID: return "PERSID";
    case op::BINPERSID: return "BINPERSID";
    case op::REDUCE: return "REDUCE";
    case op::STRING: return "STRING";
    case op::BINSTRING: return "BINSTRING";
    case op::SHORT_BINSTRING: return "SHORT_BINSTRING";
    case op::UNICODE: return "UNICODE";
    case op::BINUNICODE: return "BINUNICODE";
    case op::APPEND: return "APPEND";
    case op::BUILD: return "BUILD";
    case op::GLOBAL: return "GLOBAL";
    case op::DICT: return "DICT";
    case op::EMPTY_DICT: return "EMPTY_DICT";
    case op::APPENDS: return "APPENDS";
    case op::GET: return "GET";
    case op::BINGET: return "BINGET";
    case op::INST: return "INST";
    case op::LONG_BINGET: return "LONG_BINGET";
    case op::LIST: return "LIST";
    case op::EMPTY_LIST: return "EMPTY_LIST";
    case op::OBJ: return "OBJ";
    case op::PUT: return "PUT";
    case op::BINPUT: return "BINPUT";
    case op::LONG_BINPUT: return "LONG_BINPUT";
    case op::SETITEM: return "SETITEM";
    case op::TUPLE: return "TUPLE";
    case op::EMPTY_TUPLE: return "EMPTY_TUPLE";
    case op::SETITEMS: return "SETITEMS";
    case op::BINFLOAT: return "BINFLOAT";
    case op::PROTO: return "PROTO";
    case op::NEWOBJ: return "NEWOBJ";
    case op::EXT1: return "EXT1";
    case op::EXT2: return "EXT2";
    case op::EXT4: return "EXT4";
    case op::TUPLE1: return "TUPLE1";
    case op::TUPLE2: return "TUPLE2";
    case op::TUPLE3: return "TUPLE3";
    case op::NEWTRUE: return "NEWTRUE";
    case op::NEWFALSE: return "NEWFALSE";
    case op::LONG1: return "LONG1";
    case op::LONG4: return "LONG4";
    case op::BINBYTES: return "BINBYTES";
    case op::SHORT_BINBYTES: return "SHORT_BINBYTES";
    case op::SHORT_BINUNICODE: return "SHORT_BINUNICODE";
    case op::BINUNICODE8: return "BINUNICODE8";
    case op::BINBYTES8: return "BINBYTES8";
    case op::EMPTY_SET: return "EMPTY_SET";
    case op::ADDITEMS: return "ADDITEMS";
    case op::FROZENSET: return "FROZENSET";
    case op::NEWOBJ_EX: return "NEWOBJ_EX";
    case op::STACK_GLOBAL: return "STACK_GLOBAL";
    case op::MEMOIZE: return "MEMOIZE";
    case op::FRAME: return "FRAME";
    case op::BYTEARRAY8: return "BYTEARRAY8";
    case op::NEXT_BUFFER: return "NEXT_BUFFER";
    case op::READONLY_BUFFER: return "READONLY_BUFFER";
    default: return nullptr;
  }
}

namespace {

// Opcodes that build their own observer event (they know module/name or the
// call operands); every other known opcode is reported generically.
bool reports_itself(uint8_t code) {
  switch (code) {
    case op::GLOBAL: case op::STACK_GLOBAL: case op::INST: case op::OBJ: case op::REDUCE:
    case op::NEWOBJ: case op::NEWOBJ_EX: case op::BUILD: case op::PERSID: case op::BINPERSID:
      return true;
    default:
      return false;
  }
}

bool is_container(PyKind k) {
  switch (k) {
    case PyKind::tuple: case PyKind::list: case PyKind::dict: case PyKind::set:
    case PyKind::frozenset: case PyKind::object: case PyKind::persistent:
      return true;
    default:
      return false;
  }
}

// Values whose Python type we know and which have no __dict__ and no
// append/__setitem__/add/__call__ of their own.
bool is_scalar(PyKind k) {
  switch (k) {
    case PyKind::none: case PyKind::boolean: case PyKind::integer: case PyKind::bigint:
    case PyKind::floating: case PyKind::complex: case PyKind::string: case PyKind::bytes:
      return true;
    default:
      return false;
  }
}

// Values of unknown type (results of calls, unresolved ids): they may be a
// class, a tuple subclass, a dict subclass... so any operand role is allowed.
bool is_opaque(PyKind k) {
  return k == PyKind::global || k == PyKind::object || k == PyKind::persistent || k == PyKind::ext;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {  // lone surrogates are kept, like surrogatepass
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Room for `extra` more elements with geometric growth: APPEND and APPENDS
// batches would otherwise reallocate (and move) the whole vector each time.
template <class Vec>
void reserve_more(Vec& v, size_t extra) {
  size_t want = v.size() + extra;
  if (want > v.capacity()) v.reserve(std::max(want, v.capacity() * 2));
}

size_t child_count(const PyValue& v) { return v.items.size() + 2 * v.entries.size() + 4; }

const PyValue* child_at(const PyValue& v, size_t i) {
  if (i < v.items.size()) return v.items[i].get();
  i -= v.items.size();
  if (i < 2 * v.entries.size()) {
    const auto& e = v.entries[i / 2];
    return (i % 2 ? e.second : e.first).get();
  }
  switch (i - 2 * v.entries.size()) {
    case 0: return v.callable.get();
    case 1: return v.args.get();
    case 2: return v.state.get();
    default: return v.kwargs.get();
  }
}

// Exact nesting depth of `root`, for trees whose per-node depth fields went
// stale (a container grew after it had been nested). Iterative; the back
// edges of reference cycles are not followed. Throws beyond `limit`.
void check_nesting(const PyValue* root, uint64_t limit, const std::string& context) {
  struct Frame {
    const PyValue* v;
    size_t next;
    uint64_t deepest;  // deepest finished child
  };
  auto too_deep = [&] {
    throw Error(ErrorCode::limit_exceeded,
                context + "values are nested deeper than " + std::to_string(limit) + " levels");
  };
  std::unordered_map<const PyValue*, uint64_t> finished;
  std::unordered_set<const PyValue*> open;
  std::vector<Frame> path{{root, 0, 0}};
  open.insert(root);
  while (!path.empty()) {
    Frame& f = path.back();
    if (f.next < child_count(*f.v)) {
      const PyValue* c = child_at(*f.v, f.next++);
      if (!c || open.count(c)) continue;
      if (auto it = finished.find(c); it != finished.end()) {
        f.deepest = std::max(f.deepest, it->second);
        continue;
      }
      if (!has_children(*c)) {
        f.deepest = std::max<uint64_t>(f.deepest, is_container(c->kind) ? 1 : 0);
        continue;
      }
      if (path.size() >= limit) too_deep();
      open.insert(c);
      path.push_back({c, 0, 0});
      continue;
    }
    uint64_t depth = f.deepest + 1;
    if (depth > limit) too_deep();
    finished.emplace(f.v, depth);
    open.erase(f.v);
    path.pop_back();
    if (!path.empty()) path.back().deepest = std::max(path.back().deepest, depth);
  }
}

// Memo index → value. Dense for indices near the entry count (the usual
// 0,1,2,... of picklers); a stray huge index goes to a map so that it cannot
// force a huge allocation.
class Memo {
 public:
  uint64_t size() const { return count_; }

  const PyRef* find(uint64_t idx) const {
    if (idx < dense_.size()) return dense_[idx] ? &dense_[idx] : nullptr;
    if (sparse_.empty()) return nullptr;
    auto it = sparse_.find(idx);
    return it == sparse_.end() ? nullptr : &it->second;
  }

  // Returns false if a new entry would exceed `limit` entries.
  bool put(uint64_t idx, const PyRef& v, uint64_t limit) {
    if (idx >= dense_.size() && idx < 2 * count_ + 1024) grow(idx);
    if (idx < dense_.size()) {
      PyRef& slot = dense_[idx];
      if (!slot) {
        if (count_ >= limit) return false;
        ++count_;
      }
      slot = v;
      return true;
    }
    auto it = sparse_.find(idx);
    if (it == sparse_.end()) {
      if (count_ >= limit) return false;
      ++count_;
      sparse_.emplace(idx, v);
    } else {
      it->second = v;
    }
    return true;
  }

 private:
  void grow(uint64_t idx) {
    size_t n = std::max<size_t>(idx + 1, dense_.size() * 2);
    dense_.resize(n);
    // Geometric growth keeps this migration rare even with many sparse keys.
    for (auto it = sparse_.begin(); it != sparse_.end();) {
      if (it->first < n) {
        dense_[it->first] = std::move(it->second);
        it = sparse_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::vector<PyRef> dense_;
  std::unordered_map<uint64_t, PyRef> sparse_;
  uint64_t count_ = 0;
};

class Machine {
 public:
  Machine(ByteSpan data, const PickleOptions& options)
      : p_(data.data()), size_(data.size()), opt_(options), lim_(options.limits) {
    none_ = node(PyKind::none);
    true_ = node(PyKind::boolean);
    true_->b = true;
    false_ = node(PyKind::boolean);
    stack_.reserve(256);
    marks_.reserve(32);
  }

  PickleResult run();

 private:
  // ---- errors and reading ------------------------------------------------
  [[noreturn]] void fail(ErrorCode code, const std::string& what) const { throw Error(code, where() + what); }

  std::string where() const {
    const char* name = pickle_opcode_name(op_);
    return "pickle: " + std::string(name ? name : "opcode") + " at offset " + std::to_string(op_offset_) + ": ";
  }

  size_t remaining() const { return size_ - pos_; }

  const uint8_t* take(uint64_t n) {
    if (n > remaining())
      fail(ErrorCode::truncated, "needs " + std::to_string(n) + " bytes but only " +
                                     std::to_string(remaining()) + " remain");
    const uint8_t* at = p_ + pos_;
    pos_ += n;
    return at;
  }

  // A length-prefixed payload, checked before anything is allocated for it.
  std::string_view take_payload(uint64_t len, const char* what) {
    if (len > remaining())
      fail(ErrorCode::truncated, std::string(what) + " length " + std::to_string(len) +
                                     " runs past the end of the data");
    if (len > lim_.max_string_bytes)
      fail(ErrorCode::limit_exceeded, std::string(what) + " length " + std::to_string(len) +
                                          " exceeds the limit of " + std::to_string(lim_.max_string_bytes));
    auto at = reinterpret_cast<const char*>(p_ + pos_);
    pos_ += len;
    return {at, size_t(len)};
  }

  // A signed 32-bit length (BINSTRING, LONG4): negative is malformed.
  uint64_t take_signed_len32() {
    int32_t n = int32_t(load_le32(take(4)));
    if (n < 0) fail(ErrorCode::corrupt, "negative length " + std::to_string(n));
    return uint64_t(n);
  }

  // A text argument: everything up to the next '\n', which is consumed.
  std::string_view read_line() {
    const void* nl = std::memchr(p_ + pos_, '\n', remaining());
    if (!nl) fail(ErrorCode::truncated, "text argument has no terminating newline");
    size_t len = size_t(static_cast<const uint8_t*>(nl) - (p_ + pos_));
    if (len > lim_.max_string_bytes)
      fail(ErrorCode::limit_exceeded, "text argument of " + std::to_string(len) + " bytes exceeds the limit");
    std::string_view line(reinterpret_cast<const char*>(p_ + pos_), len);
    pos_ += len + 1;
    return line;
  }

  // PUT/GET text index: CPython reads it with PyLong_FromString(line, 10), so
  // surrounding whitespace, a sign, leading zeros and digit underscores count.
  uint64_t read_index_line() {
    std::string_view line = read_line();
    auto lit = python_int_literal(line, 10);
    if (!lit || lit->negative || lit->digits.size() > 19)
      fail(ErrorCode::corrupt, "invalid memo index '" + std::string(line.substr(0, 40)) + "'");
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(lit->digits.data(), lit->digits.data() + lit->digits.size(), v);
    if (ec != std::errc()) fail(ErrorCode::corrupt, "memo index '" + std::string(line.substr(0, 40)) + "' is too large");
    return v;
  }

  void warn(std::string message) {
    constexpr size_t kMaxWarnings = 100;  // a hostile stream must not flood the report
    if (result_.warnings.size() < kMaxWarnings) result_.warnings.push_back(std::move(message));
    else if (result_.warnings.size() == kMaxWarnings) result_.warnings.push_back("further pickle warnings suppressed");
  }

  // ---- values --------------------------------------------------------------
  static PyRef make_node(PyKind kind) {
    auto v = std::make_shared<PyValue>();
    v->kind = kind;
    v->depth = is_container(kind) ? 1 : 0;
    return v;
  }

  PyRef node(PyKind kind) { return make_node(kind); }

  static PyRef int_node(int64_t i) {
    auto v = make_node(PyKind::integer);
    v->i = i;
    return v;
  }

  static PyRef text_node(PyKind kind, std::string_view s) {
    auto v = make_node(kind);
    v->s.assign(s);
    return v;
  }

  static PyRef text_node(PyKind kind, std::string&& s) {
    auto v = make_node(kind);
    v->s = std::move(s);
    return v;
  }

  // Records that `child` now lives inside `parent` and updates the parent's
  // depth, so that max_nesting is enforced while the tree is being built.
  // Every edge the VM adds goes through here, so this is where a parent is
  // handed to the tracker: whatever its kind, it may now be part of a cycle.
  void adopt(const PyRef& parent_ref, PyValue& child) {
    PyValue& parent = *parent_ref;
    if (opt_.tracker && !parent.tracked) {
      parent.tracked = true;
      opt_.tracker->nodes.push_back(parent_ref);
    }
    child.contained = true;
    uint64_t d = uint64_t(child.depth) + 1;
    if (d <= parent.depth) return;
    if (d > lim_.max_nesting)
      fail(ErrorCode::limit_exceeded, "values are nested deeper than " + std::to_string(lim_.max_nesting) + " levels");
    // A nested container that grows deeper does not update its ancestors;
    // remember to measure the final tree exactly.
    if (parent.contained) depth_stale_ = true;
    parent.depth = uint32_t(std::min<uint64_t>(d, std::numeric_limits<uint32_t>::max()));
  }

  // Moves stack_[from, end) into `out`, adopting each value into `parent`.
  void move_items(const PyRef& parent, size_t from) {
    std::vector<PyRef>& out = parent->items;
    reserve_more(out, stack_.size() - from);
    for (size_t k = from; k < stack_.size(); ++k) {
      adopt(parent, *stack_[k]);
      out.push_back(std::move(stack_[k]));
    }
    stack_.resize(from);
  }

  void move_entries(const PyRef& parent, size_t from) {
    if ((stack_.size() - from) % 2) fail(ErrorCode::corrupt, "odd number of items for a dict");
    reserve_more(parent->entries, (stack_.size() - from) / 2);
    for (size_t k = from; k < stack_.size(); k += 2) {
      adopt(parent, *stack_[k]);
      adopt(parent, *stack_[k + 1]);
      parent->entries.emplace_back(std::move(stack_[k]), std::move(stack_[k + 1]));
    }
    stack_.resize(from);
  }

  PyRef sequence_from(PyKind kind, size_t from) {
    auto v = node(kind);
    move_items(v, from);
    return v;
  }

  // ---- the stack -----------------------------------------------------------
  // Like CPython, nothing below the innermost MARK may be popped.
  size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }

  void check_stack_room() {
    if (stack_.size() + marks_.size() >= lim_.max_stack_depth)
      fail(ErrorCode::limit_exceeded, "stack deeper than " + std::to_string(lim_.max_stack_depth));
  }

  void push(PyRef v) {
    check_stack_room();
    stack_.push_back(std::move(v));
  }

  void need(size_t n) {
    if (stack_.size() - fence() < n) fail(ErrorCode::corrupt, "stack underflow");
  }

  PyRef pop() {
    need(1);
    PyRef v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }

  const PyRef& top() {
    need(1);
    return stack_.back();
  }

  // Closes the innermost MARK and returns the stack position it recorded.
  size_t pop_mark() {
    if (marks_.empty()) fail(ErrorCode::corrupt, "no MARK on the stack");
    size_t k = marks_.back();
    marks_.pop_back();
    return k;
  }

  // The value an APPENDS/SETITEMS/ADDITEMS at stack position `k` modifies.
  PyRef target_below(size_t k) {
    if (k == 0) fail(ErrorCode::corrupt, "stack underflow: no value to modify below the MARK");
    return stack_[k - 1];
  }

  void check_target(const PyValue& t, PyKind own_kind, const char* role) {
    if (t.kind != own_kind && !is_opaque(t.kind))
      fail(ErrorCode::corrupt, std::string(role) + " target is a " + py_kind_name(t.kind) + ", not a " +
                                   py_kind_name(own_kind));
  }

  // APPEND(S) as CPython's do_append: a list grows; anything else needs an
  // extend or append method, which among the types we know only bytearray
  // has (its items must be ints 0-255). Values of unknown type may have one.
  void append_to(PyRef t, size_t from, const char* role) {
    if (t->kind == PyKind::bytearray) {
      for (size_t k = from; k < stack_.size(); ++k) {
        const PyValue& v = *stack_[k];
        if (is_opaque(v.kind)) {  // value unknown: keep it as an item
          adopt(t, *stack_[k]);
          t->items.push_back(stack_[k]);
          continue;
        }
        const auto byte = small_int(v);
        if (!byte || *byte < 0 || *byte > 255)
          fail(ErrorCode::corrupt, std::string(role) + " of a " + py_kind_name(v.kind) + " to a bytearray");
        t->s += char(uint8_t(*byte));
      }
      stack_.resize(from);
      return;
    }
    check_target(*t, PyKind::list, role);
    move_items(t, from);
  }

  // SETITEM(S) as CPython's do_setitems: a dict stores the pairs; anything
  // else goes through __setitem__, which lists and bytearrays have (an int
  // index in range; a bytearray value 0-255). A key or value of unknown type
  // (a slice made by a call) keeps the pair as an entry.
  void set_items(PyRef t, size_t from, const char* role) {
    if (t->kind != PyKind::list && t->kind != PyKind::bytearray) {
      check_target(*t, PyKind::dict, role);
      move_entries(t, from);
      return;
    }
    if ((stack_.size() - from) % 2) fail(ErrorCode::corrupt, "odd number of items for SETITEMS");
    for (size_t k = from; k < stack_.size(); k += 2) {
      const PyRef& key = stack_[k];
      const PyRef& value = stack_[k + 1];
      if (is_opaque(key->kind) || (t->kind == PyKind::bytearray && is_opaque(value->kind))) {
        adopt(t, *key);
        adopt(t, *value);
        t->entries.emplace_back(key, value);
        continue;
      }
      const auto index = small_int(*key);
      const int64_t n = int64_t(t->kind == PyKind::list ? t->items.size() : t->s.size());
      if (!index || *index < -n || *index >= n)
        fail(ErrorCode::corrupt, std::string(role) + ": " + py_kind_name(t->kind) + " index out of range or not an int");
      const size_t at = size_t(*index < 0 ? *index + n : *index);
      if (t->kind == PyKind::list) {
        adopt(t, *value);
        t->items[at] = value;
      } else {
        const auto byte = small_int(*value);
        if (!byte || *byte < 0 || *byte > 255) fail(ErrorCode::corrupt, std::string(role) + ": byte must be in range(0, 256)");
        t->s[at] = char(uint8_t(*byte));
      }
    }
    stack_.resize(from);
  }

  static std::optional<int64_t> small_int(const PyValue& v) {
    if (v.kind == PyKind::integer) return v.i;
    if (v.kind == PyKind::boolean) return v.b ? 1 : 0;
    return std::nullopt;
  }

  // ---- observer --------------------------------------------------------------
  void notify(PickleEvent& ev) {
    ev.offset = op_offset_;
    ev.opcode = op_;
    opt_.observer(ev);
  }

  void notify_call(const PyRef& target, const PyRef& arg) {
    if (!opt_.observer) return;
    PickleEvent ev;
    ev.target = target;
    ev.arg = arg;
    notify(ev);
  }

  // ---- opcode bodies -------------------------------------------------------
  void push_global(std::string module, std::string name) {
    auto g = node(PyKind::global);
    g->module = std::move(module);
    g->name = std::move(name);
    push(std::move(g));
  }

  PyRef make_object(const PyRef& callable, const PyRef& args, const PyRef& kwargs, uint8_t opcode) {
    auto obj = node(PyKind::object);
    obj->call_opcode = opcode;
    if (callable->kind == PyKind::global) {
      obj->module = callable->module;
      obj->name = callable->name;
    }
    adopt(obj, *callable);
    adopt(obj, *args);
    if (kwargs) adopt(obj, *kwargs);
    obj->callable = callable;
    obj->args = args;
    obj->kwargs = kwargs;
    return obj;
  }

  void check_callable(const PyValue& c) {
    if (!is_opaque(c.kind))
      fail(ErrorCode::corrupt, std::string("a ") + py_kind_name(c.kind) + " is not callable");
  }

  void check_args(const PyValue& a) {
    if (a.kind != PyKind::tuple && !is_opaque(a.kind))
      fail(ErrorCode::corrupt, std::string("arguments must be a tuple, not a ") + py_kind_name(a.kind));
  }

  void call(uint8_t opcode) {  // REDUCE, NEWOBJ, NEWOBJ_EX
    PyRef kwargs = opcode == op::NEWOBJ_EX ? pop() : nullptr;
    PyRef args = pop();
    PyRef callable = pop();
    notify_call(callable, args);
    check_callable(*callable);
    check_args(*args);
    if (kwargs && kwargs->kind != PyKind::dict && !is_opaque(kwargs->kind))
      fail(ErrorCode::corrupt, std::string("keyword arguments must be a dict, not a ") + py_kind_name(kwargs->kind));
    push(make_object(callable, args, kwargs, opcode));
  }

  void build() {
    PyRef state = pop();
    PyRef target = top();
    notify_call(target, state);
    PyValue& t = *target;
    if (is_scalar(t.kind)) {
      // CPython: no __setstate__ and no __dict__; only a None state is a no-op.
      if (state->kind == PyKind::none) return;
      fail(ErrorCode::corrupt, std::string("cannot set state on a ") + py_kind_name(t.kind));
    }
    adopt(target, *state);
    t.state = std::move(state);
    ++t.builds;
  }

  void persistent(PyRef pid) {
    if (opt_.observer) {
      PickleEvent ev;
      ev.arg = pid;
      notify(ev);
    }
    PyRef v;
    if (opt_.persistent_load) {
      try {
        v = opt_.persistent_load(pid);
      } catch (const Error& e) {  // say where in the stream the bad id was
        throw Error(e.code(), where() + e.what());
      }
    }
    if (!v) {
      v = node(PyKind::persistent);
      adopt(v, *pid);
      v->args = std::move(pid);
    }
    push(std::move(v));
  }

  void memo_put(uint64_t idx) {
    const PyRef& v = top();
    if (!memo_.put(idx, v, lim_.max_memo))
      fail(ErrorCode::limit_exceeded, "memo holds more than " + std::to_string(lim_.max_memo) + " entries");
  }

  void memo_get(uint64_t idx) {
    const PyRef* v = memo_.find(idx);
    if (!v) fail(ErrorCode::corrupt, "memo index " + std::to_string(idx) + " is not defined");
    push(*v);
  }

  // LONG1/LONG4 payload: little-endian two's complement of any length.
  PyRef long_from_bytes(std::string_view b) {
    if (b.size() <= 8) {
      uint64_t u = 0;
      for (size_t k = 0; k < b.size(); ++k) u |= uint64_t(uint8_t(b[k])) << (8 * k);
      if (!b.empty() && b.size() < 8 && (uint8_t(b.back()) & 0x80)) u |= ~uint64_t(0) << (8 * b.size());
      return int_node(int64_t(u));
    }
    return text_node(PyKind::bigint, b);
  }

  PyRef parse_int_text(std::string_view text, bool int_opcode);
  PyRef parse_float_text(std::string_view text);
  std::string decode_string_literal(std::string_view line);
  std::string decode_raw_unicode_escape(std::string_view line);
  void step();

  const uint8_t* p_;
  size_t size_;
  size_t pos_ = 0;
  size_t op_offset_ = 0;
  uint8_t op_ = 0;
  const PickleOptions& opt_;
  const PickleLimits& lim_;
  std::vector<PyRef> stack_;
  std::vector<size_t> marks_;  // stack sizes at each open MARK
  Memo memo_;
  PickleResult result_;
  PyRef none_, true_, false_;  // immutable in Python, so safely shared
  bool depth_stale_ = false;
  bool seen_proto_ = false;
  bool stopped_ = false;
  size_t frame_end_ = 0;  // end of the current FRAME, 0 when none
};

// INT/LONG text as CPython reads it (parser/python_int.h): INT first through
// strtol(s, 0) (and "00"/"01" or any other two-character 0/1 as a bool),
// otherwise, like LONG, through int(s, 0).
PyRef Machine::parse_int_text(std::string_view text, bool int_opcode) {
  if (int_opcode) {
    if (auto v = c_strtol_base0(text)) {
      if (text.size() == 2 && (*v == 0 || *v == 1)) return *v ? true_ : false_;
      return int_node(*v);
    }
  }
  auto lit = python_int_literal(text, 0);
  if (!lit) fail(ErrorCode::corrupt, "invalid integer literal '" + std::string(text.substr(0, 40)) + "'");
  constexpr size_t kMaxDigits = 4300;  // CPython's int_max_str_digits (decimal only)
  if (lit->base == 10 && lit->digits.size() > kMaxDigits)
    fail(ErrorCode::limit_exceeded, "integer literal of " + std::to_string(lit->digits.size()) + " digits");
  std::vector<uint8_t> mag = int_magnitude(*lit);
  const bool negative = lit->negative;
  if (mag.size() <= 8) {
    uint64_t m = 0;
    for (size_t k = 0; k < mag.size(); ++k) m |= uint64_t(mag[k]) << (8 * k);
    if (!negative && m <= uint64_t(INT64_MAX)) return int_node(int64_t(m));
    if (negative && m <= uint64_t(INT64_MAX) + 1) return int_node(int64_t(0 - m));
  }
  // Two's complement bytes with one spare byte for the sign, then trimmed to
  // the minimal length, as CPython's encoder writes them.
  std::string bytes(mag.begin(), mag.end());
  bytes += '\0';
  if (negative) {
    unsigned carry = 1;
    for (char& c : bytes) {
      unsigned x = uint8_t(~uint8_t(c)) + carry;
      c = char(uint8_t(x));
      carry = x >> 8;
    }
  }
  while (bytes.size() > 1) {
    uint8_t last = uint8_t(bytes.back()), prev = uint8_t(bytes[bytes.size() - 2]);
    if ((last == 0x00 && !(prev & 0x80)) || (last == 0xFF && (prev & 0x80))) bytes.pop_back();
    else break;
  }
  return text_node(PyKind::bigint, std::move(bytes));
}

// FLOAT text: Python repr of a double, parsed in the C locale.
PyRef Machine::parse_float_text(std::string_view text) {
  std::string_view t = text;
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  double d = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
  if (end != t.data() + t.size() || t.empty() || (ec != std::errc() && ec != std::errc::result_out_of_range))
    fail(ErrorCode::corrupt, "invalid float literal '" + std::string(text.substr(0, 40)) + "'");
  if (ec == std::errc::result_out_of_range) {
    // Underflow reads as a signed zero; overflow is an error in CPython.
    auto e = t.find_first_of("eE");
    if (e == std::string_view::npos || e + 1 >= t.size() || t[e + 1] != '-')
      fail(ErrorCode::corrupt, "float literal '" + std::string(text.substr(0, 40)) + "' is out of range");
    d = t[0] == '-' ? -0.0 : 0.0;
  }
  auto v = node(PyKind::floating);
  v->f = d;
  return v;
}

// STRING argument: a quoted Python bytes literal with backslash escapes.
std::string Machine::decode_string_literal(std::string_view line) {
  if (line.size() < 2 || line.front() != line.back() || (line.front() != '\'' && line.front() != '"'))
    fail(ErrorCode::corrupt, "the STRING argument must be quoted");
  std::string_view s = line.substr(1, line.size() - 2);
  std::string out;
  out.reserve(s.size());
  for (size_t k = 0; k < s.size(); ++k) {
    char c = s[k];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++k == s.size()) fail(ErrorCode::corrupt, "trailing backslash in STRING");
    c = s[k];
    switch (c) {
      case '\n': break;  // line continuation
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': {
        int hi = k + 1 < s.size() ? hex_digit(s[k + 1]) : -1;
        int lo = k + 2 < s.size() ? hex_digit(s[k + 2]) : -1;
        if (hi < 0 || lo < 0) fail(ErrorCode::corrupt, "invalid \\x escape in STRING");
        out += char(hi * 16 + lo);
        k += 2;
        break;
      }
      default:
        if (c >= '0' && c <= '7') {  // one to three octal digits
          unsigned v = unsigned(c - '0');
          for (int n = 1; n < 3 && k + 1 < s.size() && s[k + 1] >= '0' && s[k + 1] <= '7'; ++n)
            v = v * 8 + unsigned(s[++k] - '0');
          out += char(uint8_t(v));
        } else {  // unknown escapes keep their backslash
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

// UNICODE argument: raw-unicode-escape (latin-1 bytes plus \uXXXX and
// \UXXXXXXXX where an odd run of backslashes precedes the 'u'), to UTF-8.
std::string Machine::decode_raw_unicode_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t k = 0; k < s.size();) {
    uint8_t c = uint8_t(s[k]);
    if (c != '\\') {
      append_utf8(out, c);
      ++k;
      continue;
    }
    size_t run = 0;
    while (k < s.size() && s[k] == '\\') {
      out += '\\';
      ++run;
      ++k;
    }
    if (run % 2 == 0 || k >= s.size() || (s[k] != 'u' && s[k] != 'U')) continue;
    out.pop_back();  // the escaping backslash
    size_t n = s[k] == 'u' ? 4 : 8;
    ++k;
    uint32_t cp = 0;
    for (size_t j = 0; j < n; ++j, ++k) {
      int d = k < s.size() ? hex_digit(s[k]) : -1;
      if (d < 0) fail(ErrorCode::corrupt, "truncated \\uXXXX escape in UNICODE");
      cp = cp * 16 + uint32_t(d);
    }
    if (cp > 0x10FFFF) fail(ErrorCode::corrupt, "\\U escape beyond U+10FFFF in UNICODE");
    append_utf8(out, cp);
  }
  return out;
}

PickleResult Machine::run() {
  while (!stopped_) {
    if (pos_ >= size_) {
      throw Error(ErrorCode::truncated, "pickle: data ends at offset " + std::to_string(pos_) + " before STOP" +
                                            (pos_ ? std::string(" (last opcode ") +
                                                        (pickle_opcode_name(op_) ? pickle_opcode_name(op_) : "?") +
                                                        " at offset " + std::to_string(op_offset_) + ")"
                                                  : std::string()));
    }
    op_offset_ = pos_;
    op_ = p_[pos_++];
    if (++result_.op_count > lim_.max_ops)
      fail(ErrorCode::limit_exceeded, "more than " + std::to_string(lim_.max_ops) + " opcodes");
    if (opt_.observer && !reports_itself(op_) && pickle_opcode_name(op_)) {
      PickleEvent ev;
      notify(ev);
    }
    step();
    if (frame_end_ && pos_ >= frame_end_) {
      // CPython's C unpickler reads straddling arguments anyway; the Python
      // one and recent scanners treat it as tampering, so say so.
      if (pos_ > frame_end_)
        warn(where() + "argument runs " + std::to_string(pos_ - frame_end_) + " bytes past the end of its FRAME");
      frame_end_ = 0;
    }
  }
  return std::move(result_);
}

void Machine::step() {
  switch (op_) {
    // ---- stack manipulation ----
    case op::MARK:
      check_stack_room();
      marks_.push_back(stack_.size());
      break;
    case op::STOP: {
      PyRef value = pop();
      if (!stack_.empty() || !marks_.empty())
        warn("pickle: STOP at offset " + std::to_string(op_offset_) + " leaves " + std::to_string(stack_.size()) +
             " other value(s) and " + std::to_string(marks_.size()) + " open MARK(s) on the stack");
      if (depth_stale_) check_nesting(value.get(), lim_.max_nesting, where());
      result_.value = std::move(value);
      result_.end_offset = pos_;
      stopped_ = true;
      break;
    }
    case op::POP:
      // A MARK at the top of the stack is popped instead of a value.
      if (!marks_.empty() && marks_.back() == stack_.size()) marks_.pop_back();
      else pop();
      break;
    case op::POP_MARK:
      stack_.resize(pop_mark());
      break;
    case op::DUP: {
      PyRef v = top();  // copied first: push may reallocate the stack
      push(std::move(v));
      break;
    }

    // ---- scalars ----
    case op::NONE: push(none_); break;
    case op::NEWTRUE: push(true_); break;
    case op::NEWFALSE: push(false_); break;
    case op::INT: push(parse_int_text(read_line(), true)); break;
    case op::LONG: {
      std::string_view line = read_line();
      if (!line.empty() && line.back() == 'L') line.remove_suffix(1);
      push(parse_int_text(line, false));
      break;
    }
    case op::BININT: push(int_node(int32_t(load_le32(take(4))))); break;
    case op::BININT1: push(int_node(*take(1))); break;
    case op::BININT2: push(int_node(load_le16(take(2)))); break;
    case op::LONG1: {
      uint8_t n = *take(1);
      push(long_from_bytes(take_payload(n, "integer")));
      break;
    }
    case op::LONG4: push(long_from_bytes(take_payload(take_signed_len32(), "integer"))); break;
    case op::FLOAT: push(parse_float_text(read_line())); break;
    case op::BINFLOAT: {
      const uint8_t* b = take(8);
      uint64_t bits = 0;
      for (int k = 0; k < 8; ++k) bits = (bits << 8) | b[k];  // big-endian
      auto v = node(PyKind::floating);
      v->f = std::bit_cast<double>(bits);
      push(std::move(v));
      break;
    }

    // ---- strings and bytes ----
    case op::STRING: push(text_node(PyKind::string, decode_string_literal(read_line()))); break;
    case op::BINSTRING: push(text_node(PyKind::string, take_payload(take_signed_len32(), "string"))); break;
    case op::SHORT_BINSTRING: push(text_node(PyKind::string, take_payload(*take(1), "string"))); break;
    case op::UNICODE: push(text_node(PyKind::string, decode_raw_unicode_escape(read_line()))); break;
    case op::SHORT_BINUNICODE: push(text_node(PyKind::string, take_payload(*take(1), "string"))); break;
    case op::BINUNICODE: push(text_node(PyKind::string, take_payload(load_le32(take(4)), "string"))); break;
    case op::BINUNICODE8: push(text_node(PyKind::string, take_payload(load_le64(take(8)), "string"))); break;
    case op::SHORT_BINBYTES: push(text_node(PyKind::bytes, take_payload(*take(1), "bytes"))); break;
    case op::BINBYTES: push(text_node(PyKind::bytes, take_payload(load_le32(take(4)), "bytes"))); break;
    case op::BINBYTES8: push(text_node(PyKind::bytes, take_payload(load_le64(take(8)), "bytes"))); break;
    case op::BYTEARRAY8: push(text_node(PyKind::bytearray, take_payload(load_le64(take(8)), "bytearray"))); break;
    case op::NEXT_BUFFER:
    case op::READONLY_BUFFER:
      fail(ErrorCode::unsupported, "out-of-band buffers (pickle protocol 5 buffer_callback) are not supported");

    // ---- containers ----
    case op::EMPTY_TUPLE: push(node(PyKind::tuple)); break;
    case op::EMPTY_LIST: push(node(PyKind::list)); break;
    case op::EMPTY_DICT: push(node(PyKind::dict)); break;
    case op::EMPTY_SET: push(node(PyKind::set)); break;
    case op::TUPLE: push(sequence_from(PyKind::tuple, pop_mark())); break;
    case op::LIST: push(sequence_from(PyKind::list, pop_mark())); break;
    case op::FROZENSET: push(sequence_from(PyKind::frozenset, pop_mark())); break;
    case op::TUPLE1:
    case op::TUPLE2:
    case op::TUPLE3: {
      size_t n = size_t(op_ - op::TUPLE1 + 1);
      need(n);
      push(sequence_from(PyKind::tuple, stack_.size() - n));
      break;
    }
    case op::DICT: {
      auto d = node(PyKind::dict);
      move_entries(d, pop_mark());
      push(std::move(d));
      break;
    }
    case op::APPEND: {
      need(1);
      if (stack_.size() < 2) fail(ErrorCode::corrupt, "stack underflow: nothing to append to");
      append_to(stack_[stack_.size() - 2], stack_.size() - 1, "APPEND");
      break;
    }
    case op::APPENDS: {
      size_t k = pop_mark();
      append_to(target_below(k), k, "APPENDS");
      break;
    }
    case op::SETITEM: {
      need(2);
      if (stack_.size() < 3) fail(ErrorCode::corrupt, "stack underflow: no dict for SETITEM");
      set_items(stack_[stack_.size() - 3], stack_.size() - 2, "SETITEM");
      break;
    }
    case op::SETITEMS: {
      size_t k = pop_mark();
      set_items(target_below(k), k, "SETITEMS");
      break;
    }
    case op::ADDITEMS: {
      size_t k = pop_mark();
      PyRef t = target_below(k);
      check_target(*t, PyKind::set, "ADDITEMS");
      move_items(t, k);
      break;
    }

    // ---- memo ----
    case op::PUT: memo_put(read_index_line()); break;
    case op::BINPUT: memo_put(*take(1)); break;
    case op::LONG_BINPUT: memo_put(load_le32(take(4))); break;
    case op::MEMOIZE: memo_put(memo_.size()); break;
    case op::GET: memo_get(read_index_line()); break;
    case op::BINGET: memo_get(*take(1)); break;
    case op::LONG_BINGET: memo_get(load_le32(take(4))); break;

    // ---- globals, calls, objects ----
    case op::GLOBAL: {
      std::string module(read_line());
      std::string name(read_line());
      if (opt_.observer) {
        PickleEvent ev;
        ev.module = module;
        ev.name = name;
        notify(ev);
      }
      push_global(std::move(module), std::move(name));
      break;
    }
    case op::STACK_GLOBAL: {
      PyRef name = pop();
      PyRef module = pop();
      bool ok = module->kind == PyKind::string && name->kind == PyKind::string;
      if (opt_.observer) {
        PickleEvent ev;
        if (ok) {
          ev.module = module->s;
          ev.name = name->s;
        }
        ev.target = module;
        ev.arg = name;
        notify(ev);
      }
      if (ok) {
        push_global(module->s, name->s);
        break;
      }
      // Operands of unknown type (results of calls, other globals) may well be
      // strings at load time: the import is computed, so push an opaque global
      // (empty names; operands kept in args) and keep reading. Operands whose
      // type is known not to be str fail as in CPython ("requires str").
      auto is_name = [](const PyValue& v) { return v.kind == PyKind::string || is_opaque(v.kind); };
      if (!is_name(*module) || !is_name(*name))
        fail(ErrorCode::corrupt, std::string("module and name must be strings, not ") + py_kind_name(module->kind) +
                                     " and " + py_kind_name(name->kind));
      auto g = node(PyKind::global);
      PyRef operands = make_node(PyKind::tuple);
      adopt(operands, *module);
      adopt(operands, *name);
      operands->items = {std::move(module), std::move(name)};
      adopt(g, *operands);
      g->args = std::move(operands);
      push(std::move(g));
      break;
    }
    case op::REDUCE:
    case op::NEWOBJ:
    case op::NEWOBJ_EX:
      call(op_);
      break;
    case op::INST: {
      std::string module(read_line());
      std::string name(read_line());
      size_t k = pop_mark();
      PyRef args = sequence_from(PyKind::tuple, k);
      auto cls = node(PyKind::global);
      cls->module = module;
      cls->name = name;
      if (opt_.observer) {
        PickleEvent ev;
        ev.module = std::move(module);
        ev.name = std::move(name);
        ev.target = cls;
        ev.arg = args;
        notify(ev);
      }
      push(make_object(cls, args, nullptr, op::INST));
      break;
    }
    case op::OBJ: {
      size_t k = pop_mark();
      if (stack_.size() == k) fail(ErrorCode::corrupt, "stack underflow: no class after the MARK");
      PyRef cls = std::move(stack_[k]);
      PyRef args = sequence_from(PyKind::tuple, k + 1);
      stack_.pop_back();
      notify_call(cls, args);
      check_callable(*cls);
      push(make_object(cls, args, nullptr, op::OBJ));
      break;
    }
    case op::BUILD: build(); break;
    case op::PERSID: persistent(text_node(PyKind::string, read_line())); break;
    case op::BINPERSID: persistent(pop()); break;
    case op::EXT1:
    case op::EXT2:
    case op::EXT4: {
      int64_t code = op_ == op::EXT1 ? *take(1) : op_ == op::EXT2 ? load_le16(take(2)) : int32_t(load_le32(take(4)));
      if (code <= 0) fail(ErrorCode::corrupt, "extension code " + std::to_string(code) + " is not positive");
      auto v = node(PyKind::ext);
      v->i = code;
      warn(where() + "extension code " + std::to_string(code) + " names an object through the copyreg registry, "
                     "which cannot be resolved here");
      push(std::move(v));
      break;
    }

    // ---- framing ----
    case op::PROTO: {
      uint8_t v = *take(1);
      if (v > 5) fail(ErrorCode::unsupported, "unsupported pickle protocol " + std::to_string(v));
      if (seen_proto_) warn(where() + "a second PROTO opcode (protocol " + std::to_string(v) + ")");
      seen_proto_ = true;
      result_.protocol = v;
      break;
    }
    case op::FRAME: {
      uint64_t len = load_le64(take(8));
      if (len > remaining())
        fail(ErrorCode::truncated, "frame length " + std::to_string(len) + " runs past the end of the data");
      if (frame_end_ && op_offset_ < frame_end_) warn(where() + "a FRAME starts inside the previous frame");
      frame_end_ = len ? pos_ + len : 0;
      break;
    }

    default: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02x", op_);
      throw Error(ErrorCode::corrupt,
                  "pickle: unknown opcode " + std::string(buf) + " at offset " + std::to_string(op_offset_));
    }
  }
}

}  // namespace

PickleResult unpickle(ByteSpan data, const PickleOptions& options) {
  Machine m(data, options);
  return m.run();
}

}  // namespace ptscope
