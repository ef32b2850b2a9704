// The pickle virtual machine (protocols 0-5). It decodes opcodes into PyValue
// nodes and never imports or calls anything; see pickle.h for the value model.
// Semantics follow CPython's C unpickler (_pickle.c) where the two Python
// implementations differ, e.g. the MARK "fence" below which no opcode may pop.
// Here: opcode names, the exact nesting check and the run loop; the VM's
// state is pickle_vm.h, its opcode bodies pickle_vm.cpp.
#include "parser/pickle.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "parser/pickle_vm.h"

namespace ptscope {

namespace op = pickle_vm::op;
using pickle_vm::Machine;

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

}  // namespace

namespace pickle_vm {

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

}  // namespace pickle_vm

PickleResult unpickle(ByteSpan data, const PickleOptions& options) {
  Machine m(data, options);
  return m.run();
}

}  // namespace ptscope
