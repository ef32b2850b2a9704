// The pickle VM's opcode bodies (Machine::step) and the decoding of their
// text arguments (protocol 0: INT, LONG, FLOAT, STRING, UNICODE).
#include "parser/pickle_vm.h"

#include <cstdio>

#include "parser/py_escape.h"

namespace ptscope::pickle_vm {

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

// STRING argument: a quoted Python bytes literal with backslash escapes
// (codecs.escape_decode, as pickle's load_string calls it).
std::string Machine::decode_string_literal(std::string_view line) {
  if (line.size() < 2 || line.front() != line.back() || (line.front() != '\'' && line.front() != '"'))
    fail(ErrorCode::corrupt, "the STRING argument must be quoted");
  PyEscapeRules rules;
  rules.literal = PyLiteral::bytes;
  rules.what = "STRING";
  try {
    return decode_py_escapes(line.substr(1, line.size() - 2), rules);
  } catch (const Error& e) {
    fail(e.code(), e.what());
  }
}

// UNICODE argument: raw-unicode-escape, to UTF-8.
std::string Machine::decode_unicode_argument(std::string_view s) {
  try {
    return decode_raw_unicode_escape(s);
  } catch (const Error& e) {
    fail(e.code(), e.what());
  }
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
    case op::UNICODE: push(text_node(PyKind::string, decode_unicode_argument(read_line()))); break;
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
    case op::APPEND: case op::SETITEM: {  // an item, or a key and value, onto the value below them
      const bool append = op_ == op::APPEND;
      const size_t n = append ? 1 : 2;
      need(n);
      if (stack_.size() < n + 1)
        fail(ErrorCode::corrupt, append ? "stack underflow: nothing to append to" : "stack underflow: no dict for SETITEM");
      const size_t k = stack_.size() - n;
      if (append) append_to(stack_[k - 1], k, "APPEND");
      else set_items(stack_[k - 1], k, "SETITEM");
      break;
    }
    case op::APPENDS: case op::SETITEMS: {
      const size_t k = pop_mark();
      if (op_ == op::APPENDS) append_to(target_below(k), k, "APPENDS");
      else set_items(target_below(k), k, "SETITEMS");
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

}  // namespace ptscope::pickle_vm
