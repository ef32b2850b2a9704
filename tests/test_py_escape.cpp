// parser/py_escape.h decodes Python's backslash escapes for the pickle VM
// (STRING, UNICODE) and the TorchScript lexer (str and bytes literals): held
// to what Python itself decodes (fixtures/make_py_escape_golden.py,
// fixtures/py_escape/EXPECTED.json), plus the places where ptscope reads
// differently from Python on purpose, and the callers' error messages.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "parser/pickle.h"
#include "parser/py_escape.h"
#include "parser/torchscript/lexer.h"
#include "test_paths.h"

using namespace ptscope;

namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += char(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

std::string decode(const std::string& codec, const std::string& input) {
  if (codec == "raw_unicode_escape") return decode_raw_unicode_escape(input);
  PyEscapeRules rules;
  rules.literal = codec == "str_literal" ? PyLiteral::str : PyLiteral::bytes;
  rules.source_text = codec != "escape_decode";
  return decode_py_escapes(input, rules);
}

std::string error_of(std::string_view body, const PyEscapeRules& rules) {
  try {
    decode_py_escapes(body, rules);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("py_escape: every decoder agrees with Python's own", "[py_escape]") {
  const auto golden = nlohmann::json::parse(test::read_bytes(test::fixture("py_escape/EXPECTED.json")));
  REQUIRE(golden["cases"].size() >= 70);
  int decoded = 0, refused = 0;
  for (const auto& c : golden["cases"]) {
    const std::string codec = c["codec"], input = from_hex(c["input"]);
    INFO(codec << " of " << c["input"].get<std::string>());
    if (c["output"].is_null()) {
      CHECK_THROWS_AS(decode(codec, input), Error);
      ++refused;
    } else {
      CHECK(decode(codec, input) == from_hex(c["output"]));
      ++decoded;
    }
  }
  CHECK(refused >= 10);  // the golden exercises both outcomes
  CHECK(decoded >= 50);
}

TEST_CASE("py_escape: where TorchScript literals read differently from Python", "[py_escape]") {
  PyEscapeRules str;
  str.literal = PyLiteral::str;
  str.source_text = true;
  // \x and octal escapes up to \377 stay single bytes in a str, as
  // TorchScript's printer writes a std::string's bytes (Python: U+0080...).
  CHECK(decode_py_escapes(R"(\x80\xff\200\377)", str) == "\x80\xff\x80\xff");
  CHECK(error_of(R"(\N{EM DASH})", str) == "\\N{...} escapes are not supported");
  try {
    decode_py_escapes(R"(\N{EM DASH})", str);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::unsupported);
  }
  PyEscapeRules bytes;
  bytes.source_text = true;
  // Python warns and keeps the low byte; the lexer refuses.
  CHECK(error_of(R"(\777)", bytes) == "octal escape out of range in bytes literal");
  PyEscapeRules raw = str;
  raw.raw = true;
  CHECK(decode_py_escapes("\\n\\x\r\n", raw) == "\\n\\x\n");
}

TEST_CASE("py_escape: errors name the literal the caller decodes", "[py_escape]") {
  PyEscapeRules rules;
  rules.what = "STRING";
  CHECK(error_of(R"(\x4)", rules) == "invalid \\x escape in STRING");
  CHECK(error_of("ab\\", rules) == "trailing backslash in STRING");
  rules.literal = PyLiteral::str;
  rules.what = "string literal";
  CHECK(error_of(R"(\u12)", rules) == "invalid \\u escape in string literal");
  CHECK(error_of(R"(\U00110000)", rules) == "invalid code point in \\U escape");
  // Through the callers: the pickle VM prefixes the opcode and offset, the lexer file:line:col.
  try {
    unpickle(ByteSpan(reinterpret_cast<const uint8_t*>("S'\\x4'\n."), 8), {});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "pickle: STRING at offset 0: invalid \\x escape in STRING");
  }
  try {
    const std::string source = "x = b'\\777'\n";
    ts::Lexer lexer(source, "esc.py");
    lexer.next();
    lexer.next();
    const ts::Token t = lexer.next();
    ts::StrKind kind;
    lexer.string_value(t, &kind);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "esc.py:1:5: octal escape out of range in bytes literal");
  }
  // And what they decode: a protocol 0 STRING and UNICODE.
  const std::string p0 = "(S'a\\x41\\101\\n'\nVcaf\\u00e9\\\\u\xe9\ntp0\n.";
  PickleResult r = unpickle(ByteSpan(reinterpret_cast<const uint8_t*>(p0.data()), p0.size()), {});
  REQUIRE(r.value->kind == PyKind::tuple);
  CHECK(r.value->items[0]->s == "aAA\n");
  CHECK(r.value->items[1]->s == "caf\xC3\xA9\\\\u\xC3\xA9");
}
