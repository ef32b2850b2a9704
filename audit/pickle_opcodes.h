// Pickle opcodes as the audit's linear disassembler and scanner name them
// (internal to audit/; the VM's own table is parser/pickle.h).
#pragma once
#include <cstdint>
#include <string>

namespace ptscope::audit {

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

// The opcode's pickletools name, or its hex value for an unknown byte.
std::string opname(uint8_t code);
// Pushes a string (STRING, BINUNICODE, ...).
bool is_string_op(uint8_t code);
// Imports a global (GLOBAL, INST, STACK_GLOBAL, EXT*).
bool is_import_op(uint8_t code);

}  // namespace ptscope::audit
