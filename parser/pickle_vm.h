// The pickle virtual machine's state and its small operations (internal to
// parser/): pickle.cpp runs it (Machine::run) and owns the value helpers,
// pickle_vm.cpp holds the opcode bodies (Machine::step) and the decoding of
// text arguments.
#pragma once
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "parser/pickle.h"
#include "parser/python_int.h"

namespace ptscope::pickle_vm {

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

// Opcodes that build their own observer event (they know module/name or the
// call operands); every other known opcode is reported generically.
inline bool reports_itself(uint8_t code) {
  switch (code) {
    case op::GLOBAL: case op::STACK_GLOBAL: case op::INST: case op::OBJ: case op::REDUCE:
    case op::NEWOBJ: case op::NEWOBJ_EX: case op::BUILD: case op::PERSID: case op::BINPERSID:
      return true;
    default:
      return false;
  }
}

inline bool is_container(PyKind k) {
  return k == PyKind::tuple || k == PyKind::list || k == PyKind::dict || k == PyKind::set ||
         k == PyKind::frozenset || k == PyKind::object || k == PyKind::persistent;
}

// Values whose Python type we know and which have no __dict__ and no
// append/__setitem__/add/__call__ of their own.
inline bool is_scalar(PyKind k) {
  return k == PyKind::none || k == PyKind::boolean || k == PyKind::integer || k == PyKind::bigint ||
         k == PyKind::floating || k == PyKind::complex || k == PyKind::string || k == PyKind::bytes;
}

// Values of unknown type (results of calls, unresolved ids): they may be a
// class, a tuple subclass, a dict subclass... so any operand role is allowed.
inline bool is_opaque(PyKind k) {
  return k == PyKind::global || k == PyKind::object || k == PyKind::persistent || k == PyKind::ext;
}


// Room for `extra` more elements with geometric growth: APPEND and APPENDS
// batches would otherwise reallocate (and move) the whole vector each time.
template <class Vec>
void reserve_more(Vec& v, size_t extra) {
  size_t want = v.size() + extra;
  if (want > v.capacity()) v.reserve(std::max(want, v.capacity() * 2));
}

// Exact nesting depth of `root`, for trees whose per-node depth fields went
// stale (a container grew after it had been nested). Iterative; the back
// edges of reference cycles are not followed. Throws beyond `limit`.
void check_nesting(const PyValue* root, uint64_t limit, const std::string& context);

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
  std::string decode_unicode_argument(std::string_view line);
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

}  // namespace ptscope::pickle_vm
