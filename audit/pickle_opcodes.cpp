// Linear disassembly of pickles: one opcode at a time, no stack. Used to
// recognise pickles cheaply and to keep listing imports where the VM stopped.
#include "audit/pickle_opcodes.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "audit/pickle_scan.h"

namespace ptscope::audit {

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

}  // namespace ptscope::audit
