// Python's tarfile, as torch.load's legacy tar path uses it: header checks
// (TarInfo.frombuf) for file-kind sniffing, and member listing
// (TarFile.next() with _proc_gnulong, _proc_pax and _apply_pax_info).
#include "parser/tar_header.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "parser/python_int.h"

namespace ptscope {
namespace {

bool is_py_space(char c) {  // str.strip() on ASCII text
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

// int(text, 8): optional sign, optional 0o prefix, octal digits with single
// underscores between them.
std::optional<int64_t> parse_python_octal(std::string_view s) {
  while (!s.empty() && is_py_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_py_space(s.back())) s.remove_suffix(1);
  if (s.empty()) return 0;  // int("0")
  bool negative = false;
  if (s.front() == '+' || s.front() == '-') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  bool prefixed = false;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    s.remove_prefix(2);
    prefixed = true;
  }
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  bool last_digit = prefixed;  // "0o_7" is valid, "_7" is not
  for (char c : s) {
    if (c == '_') {
      if (!last_digit) return std::nullopt;
      last_digit = false;
      continue;
    }
    if (c < '0' || c > '7') return std::nullopt;
    if (v > (INT64_MAX >> 3)) return std::nullopt;  // far beyond any 8-12 byte field
    v = v * 8 + (c - '0');
    last_digit = true;
  }
  if (!last_digit) return std::nullopt;
  return negative ? -v : v;
}

}  // namespace

std::optional<int64_t> tar_numeric_field(const uint8_t* field, size_t len) {
  if (len == 0) return 0;
  if (field[0] == 0x80 || field[0] == 0xFF) {  // always valid; huge values clamp
    const bool negative = field[0] == 0xFF;
    uint64_t n = 0;
    for (size_t i = 1; i < len; ++i) {
      if (n >> 55) return negative ? INT64_MIN : INT64_MAX;
      n = (n << 8) | field[i];
    }
    if (!negative) return n > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(n);
    if (len - 1 > 7) return INT64_MIN;  // -(256**(len-1) - n) with n < 2**63
    return int64_t(n) - int64_t(uint64_t(1) << (8 * (len - 1)));
  }
  size_t n = 0;  // nts(): up to the first NUL, then ASCII (strict)
  while (n < len && field[n]) {
    if (field[n] >= 0x80) return std::nullopt;
    ++n;
  }
  return parse_python_octal(std::string_view(reinterpret_cast<const char*>(field), n));
}

bool tar_header_valid(ByteSpan b) {
  if (b.size() < 512) return false;  // "truncated header"
  bool all_zero = true;
  for (size_t i = 0; i < 512 && all_zero; ++i) all_zero = b[i] == 0;
  if (all_zero) return false;  // "empty file"
  const auto stored = tar_numeric_field(b.data() + 148, 8);
  if (!stored) return false;
  int64_t unsigned_sum = 256, signed_sum = 256;  // the checksum field counts as eight spaces
  for (size_t i = 0; i < 512; ++i) {
    if (i >= 148 && i < 156) continue;
    unsigned_sum += b[i];
    signed_sum += int8_t(b[i]);
  }
  if (*stored != unsigned_sum && *stored != signed_sum) return false;  // "bad checksum"
  // frombuf() then parses mode, uid, gid, size, mtime, devmajor, devminor.
  struct Field { size_t at, len; };
  for (Field f : {Field{100, 8}, Field{108, 8}, Field{116, 8}, Field{124, 12}, Field{136, 12}, Field{329, 8},
                  Field{337, 8}})
    if (!tar_numeric_field(b.data() + f.at, f.len)) return false;
  return true;
}

bool TarMember::has_data() const {
  // REGULAR_TYPES, or anything outside SUPPORTED_TYPES (tarfile treats unknown types as files)
  static constexpr std::string_view kSupported("01234567LKS\0", 12);
  return type == '0' || type == '\0' || type == '7' || type == 'S' || kSupported.find(type) == std::string_view::npos;
}

namespace {

constexpr uint64_t kBlock = 512;
constexpr int kMaxHeaderChain = 64;  // L/K/x headers before one member

// TarInfo._block(): rounded up to whole blocks (saturating).
uint64_t whole_blocks(uint64_t n) {
  if (n > UINT64_MAX - (kBlock - 1)) return UINT64_MAX - (UINT64_MAX % kBlock);
  return (n + kBlock - 1) / kBlock * kBlock;
}

uint64_t add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

std::string nts(const uint8_t* p, size_t n) {  // up to the first NUL
  size_t len = 0;
  while (len < n && p[len]) ++len;
  return std::string(reinterpret_cast<const char*>(p), len);
}

bool ends_with_slash(const std::string& s) { return !s.empty() && s.back() == '/'; }
void rstrip_slashes(std::string& s) {
  while (ends_with_slash(s)) s.pop_back();
}

// Python's int(value) on a pax record, where tarfile needs a number: nullopt
// where it raises ValueError; values past int64 saturate.
std::optional<int64_t> pax_int(const std::string& value) {
  if (value.find('\0') != std::string::npos) return std::nullopt;
  auto lit = python_int_literal(value, 10);
  if (!lit) return std::nullopt;
  if (lit->digits.size() > 18) return lit->negative ? INT64_MIN : INT64_MAX;
  const int64_t v = std::stoll(lit->digits);
  return lit->negative ? -v : v;
}

// A pax header dictionary: insertion order kept, updates in place (a dict).
struct PaxHeaders {
  std::vector<std::pair<std::string, std::string>> items;
  void set(std::string key, std::string value) {
    for (auto& kv : items)
      if (kv.first == key) {
        kv.second = std::move(value);
        return;
      }
    items.emplace_back(std::move(key), std::move(value));
  }
  bool has(std::string_view key) const {
    return std::any_of(items.begin(), items.end(), [&](const auto& kv) { return kv.first == key; });
  }
};

enum class HeaderError { none, empty, truncated, end_of_file, invalid };

struct Step {
  HeaderError error = HeaderError::none;  // from frombuf()/_proc_pax() of the header itself
  std::string read_error;                 // a ReadError (or other exception) TarFile.next() raises
  TarMember member;
  uint64_t next = 0;  // TarFile.offset afterwards
};

class TarWalker {
 public:
  explicit TarWalker(ByteSpan file) : b_(file) {}
  Step from_tarfile(uint64_t at, int depth);

 private:
  // Bytes fileobj.read(n) returns at `at` (fewer at the end of the file).
  ByteSpan read(uint64_t at, uint64_t n) const {
    if (at >= b_.size()) return {};
    return b_.subspan(at, std::min<uint64_t>(n, b_.size() - at));
  }
  Step subsequent(uint64_t at, int depth);
  std::optional<std::string> apply_pax(TarMember& m, const PaxHeaders& pax) const;

  ByteSpan b_;
  PaxHeaders global_;  // TarFile.pax_headers, updated by every 'g' header
};

// _apply_pax_info: later keys win in dict order; a bad number is 0, except
// for the GNU sparse sizes, whose ValueError escapes.
std::optional<std::string> TarWalker::apply_pax(TarMember& m, const PaxHeaders& pax) const {
  for (const auto& [key, value] : pax.items) {
    if (key == "GNU.sparse.name" || key == "path") {
      m.name = value;
      if (key == "path") rstrip_slashes(m.name);
      m.path_overridden = true;
    } else if (key == "linkpath") {
      m.linkname = value;
    } else if (key == "size" || key == "GNU.sparse.size" || key == "GNU.sparse.realsize") {
      auto v = pax_int(value);
      if (!v && key != "size") return "pax " + key + " is not an integer (tarfile raises ValueError)";
      const int64_t n = v.value_or(0);
      if (n < 0) return "pax " + key + "=" + value + " is negative: tarfile seeks backwards and re-reads headers";
      m.size = uint64_t(n);
      m.size_overridden = true;
    }
  }
  return std::nullopt;
}

// The header after an L/K/x/g header: any error there is a ReadError.
Step TarWalker::subsequent(uint64_t at, int depth) {
  if (depth >= kMaxHeaderChain) {
    Step s;
    s.read_error = "more than " + std::to_string(kMaxHeaderChain) + " extension headers in a row";
    return s;
  }
  Step s = from_tarfile(at, depth + 1);
  if (s.error != HeaderError::none && s.read_error.empty())
    s.read_error = "invalid header after an extension header at offset " + std::to_string(at) +
                   " (SubsequentHeaderError)";
  return s;
}

Step TarWalker::from_tarfile(uint64_t at, int depth) {
  Step s;
  // frombuf()
  if (at >= b_.size()) return s.error = HeaderError::empty, s;
  if (b_.size() - at < kBlock) return s.error = HeaderError::truncated, s;
  const uint8_t* h = b_.data() + at;
  if (std::all_of(h, h + kBlock, [](uint8_t c) { return c == 0; })) return s.error = HeaderError::end_of_file, s;
  if (!tar_header_valid(b_.subspan(at, kBlock))) return s.error = HeaderError::invalid, s;
  TarMember m;
  m.header_offset = at;
  m.name = nts(h, 100);
  const int64_t declared = tar_numeric_field(h + 124, 12).value_or(0);
  m.header_size = m.size = declared < 0 ? 0 : uint64_t(declared);
  m.type = char(h[156]);
  m.linkname = nts(h + 157, 100);
  const std::string prefix = nts(h + 345, 155);
  if (m.type == '\0' && ends_with_slash(m.name)) m.type = '5';
  if (m.type == '5') rstrip_slashes(m.name);
  if (!prefix.empty() && m.type != 'L' && m.type != 'K' && m.type != 'S') m.name = prefix + "/" + m.name;
  if (declared < 0 && m.has_data()) {
    s.read_error = "negative size field: tarfile seeks backwards and re-reads headers";
    return s;
  }
  const uint64_t data_at = at + kBlock;

  if (m.type == 'L' || m.type == 'K') {  // _proc_gnulong
    const ByteSpan buf = read(data_at, whole_blocks(m.size));
    Step next = subsequent(data_at + buf.size(), depth);
    if (!next.read_error.empty()) return next;
    next.member.header_offset = at;
    if (m.type == 'L') {
      next.member.name = nts(buf.data(), buf.size());
      next.member.path_overridden = true;
      if (next.member.type == '5' && ends_with_slash(next.member.name)) next.member.name.pop_back();
    } else {
      next.member.linkname = nts(buf.data(), buf.size());
    }
    return next;
  }

  if (m.type == 'x' || m.type == 'X' || m.type == 'g') {  // _proc_pax
    const ByteSpan buf = read(data_at, whole_blocks(m.size));
    PaxHeaders local;
    size_t pos = 0;
    while (pos < buf.size() && buf[pos] != 0) {
      // "%d %s=%s\n": 1-20 digits, a space, keyword=value, a newline ending the record
      size_t digits = 0;
      while (digits < 20 && pos + digits < buf.size() && buf[pos + digits] >= '0' && buf[pos + digits] <= '9')
        ++digits;
      if (digits == 0 || pos + digits >= buf.size() || buf[pos + digits] != ' ') return s.error = HeaderError::invalid, s;
      uint64_t length = 0;
      for (size_t i = 0; i < digits; ++i) length = add_sat(length > UINT64_MAX / 10 ? UINT64_MAX : length * 10,
                                                           uint64_t(buf[pos + i] - '0'));
      if (length < 5 || length > buf.size() - pos) return s.error = HeaderError::invalid, s;
      const size_t end = pos + length - 1;  // the record's newline
      const size_t kv_at = pos + digits + 1;
      if (kv_at > end || buf[end] != '\n') return s.error = HeaderError::invalid, s;
      const std::string_view kv(reinterpret_cast<const char*>(buf.data()) + kv_at, end - kv_at);
      const size_t eq = kv.find('=');
      if (eq == std::string_view::npos || eq == 0) return s.error = HeaderError::invalid, s;
      // Only the keywords that change a listing are kept: a dict of every
      // record, copied for each extended header, would make cost quadratic.
      const std::string_view key = kv.substr(0, eq);
      if (key == "path" || key == "linkpath" || key == "size" || key == "GNU.sparse.name" ||
          key == "GNU.sparse.size" || key == "GNU.sparse.realsize")
        local.set(std::string(key), std::string(kv.substr(eq + 1)));
      pos += length;
    }
    PaxHeaders merged;
    if (m.type == 'g') {
      for (auto& [k, v] : local.items) global_.set(k, v);
    } else {
      merged = global_;
      for (auto& [k, v] : local.items) merged.set(k, v);
    }
    Step next = subsequent(data_at + buf.size(), depth);
    if (!next.read_error.empty() || m.type == 'g') return next;
    if (auto bad = apply_pax(next.member, merged)) {
      next.read_error = *bad;
      return next;
    }
    next.member.header_offset = at;
    // the extended header may replace the size: only "size" moves the next header with it
    if (merged.has("size"))
      next.next = add_sat(next.member.data_offset, next.member.has_data() ? whole_blocks(next.member.size) : 0);
    next.member.available =
        next.member.data_offset < b_.size() ? std::min(next.member.size, b_.size() - next.member.data_offset) : 0;
    return next;
  }

  if (m.type == 'S') {  // _proc_sparse: extension blocks follow the header
    uint64_t pos = data_at;
    bool extended = h[482] != 0;
    for (int guard = 0; extended && guard < 100'000; ++guard) {
      const ByteSpan ext = read(pos, kBlock);
      pos += ext.size();
      extended = ext.size() > 504 && ext[504] != 0;
      if (ext.size() < kBlock) break;
    }
    m.data_offset = pos;
    s.next = add_sat(pos, whole_blocks(m.size));
  } else {  // _proc_builtin: the global pax headers apply, the offset does not move with them
    m.data_offset = data_at;
    s.next = add_sat(data_at, m.has_data() ? whole_blocks(m.size) : 0);
    if (auto bad = apply_pax(m, global_)) {
      s.read_error = *bad;
      return s;
    }
    if (m.type == '5') rstrip_slashes(m.name);
  }
  m.available = m.data_offset < b_.size() ? std::min(m.size, b_.size() - m.data_offset) : 0;
  s.member = std::move(m);
  return s;
}

}  // namespace

TarListing list_tar_members(ByteSpan file, size_t max_members) {
  TarListing out;
  TarWalker walker(file);
  uint64_t pos = 0;
  for (;;) {
    out.end_offset = pos;
    if (out.members.size() >= max_members) {
      out.end = TarListing::End::limit;
      return out;
    }
    // TarFile.next() seeks to offset - 1 and reads a byte first
    if (pos > file.size()) {
      out.end = TarListing::End::read_error;
      out.error = "unexpected end of data: the last member's data runs past the end of the file";
      return out;
    }
    Step s = walker.from_tarfile(pos, 0);
    if (!s.read_error.empty()) {
      out.end = TarListing::End::read_error;
      out.error = s.read_error;
      return out;
    }
    switch (s.error) {
      case HeaderError::none: break;
      case HeaderError::end_of_file: out.end = TarListing::End::zero_block; return out;
      case HeaderError::empty:
      case HeaderError::truncated: out.end = TarListing::End::end_of_file; return out;
      case HeaderError::invalid: out.end = TarListing::End::invalid_header; return out;
    }
    if (s.next <= pos) {
      out.end = TarListing::End::read_error;
      out.error = "the next header would not advance (tarfile loops)";
      return out;
    }
    out.members.push_back(std::move(s.member));
    pos = s.next;
  }
}

}  // namespace ptscope
