// Zip, legacy stream and tar scanning. The zip view that matters first is
// torch's (parser/zip_reader.h models miniz); on top of it a raw sweep of the
// bytes finds what other readers see: further archives, unreferenced local
// headers, bytes outside every structure.
#include "audit/container_scan.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "audit/code_scan.h"
#include "audit/pickle_scan.h"
#include "audit/sparse_check.h"
#include "core/dtype.h"
#include "core/error.h"
#include "parser/safetensors.h"
#include "parser/tar_header.h"
#include "parser/zip_reader.h"

namespace ptscope::audit {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50, kDescriptorSig = 0x08074b50;
constexpr uint16_t kUnreadableFlags = 0x0001 | 0x0020 | 0x0040;
constexpr uint8_t kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool has_sig(ByteSpan b, uint64_t pos, uint32_t sig) { return pos + 4 <= b.size() && load_le32(b.data() + pos) == sig; }

std::shared_ptr<const MappedFile> copy_of(ByteSpan bytes, const std::string& name) {
  return MappedFile::from_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()), name);
}

// ---------------------------------------------------------------- bounded inflation

// Largest member content kept in memory (a pickle or nested archive).
constexpr uint64_t kKeepMax = uint64_t(256) << 20;
// What is kept of a member no loader reads: enough to recognise a pickle or an archive.
constexpr uint64_t kSniffBytes = uint64_t(64) << 10;

struct Inflated {
  std::vector<uint8_t> bytes;  // the first `keep` bytes of the output
  uint64_t produced = 0;
  uint32_t crc = 0;            // of everything produced (valid when complete)
  bool complete = false;       // reached the end of the deflate stream
  bool over_budget = false;    // stopped: the output passed `limit`
  bool corrupt = false;
};

// Streams a deflate stream (raw, or gzip with window_bits 16+15) through a
// fixed scratch buffer: memory is `keep` bytes whatever the stream declares,
// and work stops after `limit` output bytes (or once `keep` bytes are there
// when `stop_when_kept`).
Inflated inflate_stream(ByteSpan in, uint64_t keep, uint64_t limit, bool stop_when_kept, int window_bits = -15) {
  Inflated r;
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) {
    r.corrupt = true;
    return r;
  }
  std::vector<uint8_t> scratch(uint64_t(256) << 10);
  uint64_t fed = 0;
  uLong crc = crc32(0L, Z_NULL, 0);
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (zs.avail_in == 0 && fed < in.size()) {
      const uint64_t n = std::min<uint64_t>(in.size() - fed, uint64_t(1) << 30);
      zs.next_in = const_cast<Bytef*>(in.data() + fed);
      zs.avail_in = uInt(n);
      fed += n;
    }
    zs.next_out = scratch.data();
    zs.avail_out = uInt(scratch.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    const uint64_t got = scratch.size() - zs.avail_out;
    if (got) {
      crc = crc32(crc, scratch.data(), uInt(got));
      const uint64_t room = keep > r.bytes.size() ? keep - r.bytes.size() : 0;
      r.bytes.insert(r.bytes.end(), scratch.begin(), scratch.begin() + std::min(room, got));
      r.produced += got;
    }
    if (rc == Z_STREAM_END) {
      r.complete = true;
      break;
    }
    if (r.produced > limit) {
      r.over_budget = true;
      break;
    }
    if (stop_when_kept && r.bytes.size() >= keep) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && fed >= in.size()) break;  // truncated stream
    if (rc == Z_BUF_ERROR) rc = Z_OK;
  }
  if (!r.complete && !r.over_budget && !(stop_when_kept && r.bytes.size() >= keep)) r.corrupt = true;
  inflateEnd(&zs);
  r.crc = uint32_t(crc);
  return r;
}

// ---------------------------------------------------------------- end records

struct EndRecord {
  uint64_t pos = 0;               // PK\5\6
  uint64_t end = 0;               // past the record and its comment
  uint64_t structures_begin = 0;  // zip64 end record if any, else pos
  uint64_t cd_field = 0;          // central directory offset as recorded
  uint64_t cd_size = 0;
  uint64_t base = 0;              // bytes prepended to this archive (its offsets are relative to base)
};

// Every plausible end-of-central-directory record in the file. A record is
// plausible when a central directory starts where it says, either taken
// literally (torch, miniz) or relative to where the directory really is
// (Python's zipfile corrects offsets for prepended data).
std::vector<EndRecord> find_end_records(ByteSpan b) {
  std::vector<EndRecord> found;
  const uint64_t size = b.size();
  if (size < 22) return found;
  const uint8_t* p = b.data();
  for (uint64_t pos = 0; pos + 22 <= size;) {
    const void* hit = std::memchr(p + pos, 'P', size_t(size - 22 + 1 - pos));
    if (!hit) break;
    pos = uint64_t(static_cast<const uint8_t*>(hit) - p);
    if (load_le32(p + pos) != kEndSig) {
      ++pos;
      continue;
    }
    EndRecord r;
    r.pos = pos;
    const uint16_t comment = load_le16(p + pos + 20);
    r.end = pos + 22 + comment;
    r.structures_begin = pos;
    r.cd_size = load_le32(p + pos + 12);
    r.cd_field = load_le32(p + pos + 16);
    ++pos;
    if (r.end > size) continue;
    if (r.pos >= 20 && load_le32(p + r.pos - 20) == kZip64LocatorSig) {
      const uint64_t adjacent = r.pos >= 76 ? r.pos - 76 : UINT64_MAX;
      const uint64_t recorded = load_le64(p + r.pos - 12);
      uint64_t z = UINT64_MAX;
      if (adjacent != UINT64_MAX && has_sig(b, adjacent, kZip64EndSig)) z = adjacent;
      else if (recorded + 56 <= size && has_sig(b, recorded, kZip64EndSig)) z = recorded;
      if (z != UINT64_MAX && z + 56 <= size) {
        r.structures_begin = z;
        r.cd_size = load_le64(p + z + 40);
        r.cd_field = load_le64(p + z + 48);
      }
    }
    const bool literal = r.cd_size == 0 ? r.cd_field <= r.structures_begin
                                        : r.cd_field <= size && r.cd_size <= size - r.cd_field &&
                                              has_sig(b, r.cd_field, kCentralSig);
    const uint64_t actual = r.cd_size <= r.structures_begin ? r.structures_begin - r.cd_size : UINT64_MAX;
    const bool shifted = r.cd_size > 0 && actual != UINT64_MAX && actual != r.cd_field && actual >= r.cd_field &&
                         has_sig(b, actual, kCentralSig);
    if (shifted) r.base = actual - r.cd_field;
    else if (!literal) continue;
    found.push_back(r);
  }
  return found;
}

// ---------------------------------------------------------------- zip

enum class ZipKind { torch_save, torchscript, torchscript_mobile, legacy_torchscript, torch_package, pt2, unknown };

const char* zip_kind_name(ZipKind k) {
  switch (k) {
    case ZipKind::torch_save: return "torch.save-zip";
    case ZipKind::torchscript: return "torchscript";
    case ZipKind::torchscript_mobile: return "torchscript-mobile";
    case ZipKind::legacy_torchscript: return "legacy-torchscript";
    case ZipKind::torch_package: return "torch.package";
    case ZipKind::pt2: return "exported-program";
    case ZipKind::unknown: return "zip";
  }
  return "zip";
}

bool is_torchscript(ZipKind k) {
  return k == ZipKind::torchscript || k == ZipKind::torchscript_mobile || k == ZipKind::legacy_torchscript;
}

class ZipScan {
 public:
  ZipScan(Context& ctx, std::shared_ptr<const MappedFile> file, std::string label, bool top,
          std::set<std::pair<uint64_t, uint64_t>>* scanned, uint64_t absolute_base)
      : ctx_(ctx), file_(std::move(file)), label_(std::move(label)), top_(top), scanned_(scanned),
        abs_base_(absolute_base) {}
  void run();

 private:
  std::string member_label(const std::string& name) const { return label_ + printable(name, 200); }
  std::string file_label() const { return label_.empty() ? std::string() : label_.substr(0, label_.size() - 1); }
  void classify();
  void check_names();
  void check_headers_and_overlaps();
  void scan_members();
  void scan_member(const ZipEntry& e);
  void check_storages(const ZipEntry& pickle_entry, const std::string& rel, const PickleOutcome& out);
  void check_sparse(const std::string& dir, const std::string& member, const PickleOutcome& out);
  void check_layout();
  void scan_hidden(uint64_t begin, uint64_t end);
  void scan_loose_bytes(ByteSpan data, uint64_t offset, const std::string& what);
  uint64_t descriptor_length(const ZipEntry& e) const;

  Context& ctx_;
  std::shared_ptr<const MappedFile> file_;
  std::string label_;
  bool top_;
  std::set<std::pair<uint64_t, uint64_t>>* scanned_;
  uint64_t abs_base_;
  std::optional<ZipArchive> zip_;
  std::vector<EndRecord> ends_;
  std::string prefix_;  // archive_name + "/"
  bool prefix_ok_ = true;
  ZipKind kind_ = ZipKind::unknown;
  std::vector<const ZipEntry*> data_pkls_;
  bool loadable_ = true;  // torch.load(weights_only=True) would get through
  int hidden_scanned_ = 0;
  static constexpr int kMaxHidden = 256;
  bool loaded_ok_ = false;
};

std::string rel_name(const std::string& name, const std::string& prefix) {
  return name.compare(0, prefix.size(), prefix) == 0 ? name.substr(prefix.size()) : name;
}

void ZipScan::classify() {
  const auto& entries = zip_->entries();
  if (entries.empty()) {
    prefix_ok_ = false;
    return;
  }
  const std::string& first = entries.front().name;
  const size_t slash = first.find('/');
  if (slash == std::string::npos) {
    prefix_ok_ = false;
  } else {
    prefix_ = first.substr(0, slash + 1);
  }
  bool constants = false, bytecode = false, model_json = false, package = false, pt2 = false, version = false;
  for (const auto& e : entries) {
    const std::string rel = rel_name(e.name, prefix_);
    const std::string low = lower(rel);
    if (rel == "constants.pkl") constants = true;  // exact: get_all_records() is case-sensitive
    if (low == "bytecode.pkl") bytecode = true;
    if (low == "model.json") model_json = true;
    if (low == ".data/extern_modules") package = true;
    if (low == "archive_format" || low == "serialized_exported_program.json") pt2 = true;
    if (low == "version" || low == ".data/version") version = true;
    if (low == "data.pkl" && e.name.compare(0, prefix_.size(), prefix_) == 0) data_pkls_.push_back(&e);
  }
  if (constants) kind_ = bytecode ? ZipKind::torchscript_mobile : ZipKind::torchscript;
  else if (model_json) kind_ = ZipKind::legacy_torchscript;
  else if (package) kind_ = ZipKind::torch_package;
  else if (pt2) kind_ = ZipKind::pt2;
  else if (!data_pkls_.empty()) kind_ = ZipKind::torch_save;

  if (!top_) return;
  AuditReport& r = ctx_.report();
  r.kind = zip_kind_name(kind_);
  const std::string fl = file_label();
  switch (kind_) {
    case ZipKind::torchscript: case ZipKind::torchscript_mobile: case ZipKind::legacy_torchscript:
      r.contains_code = true;
      ctx_.add("PTS200", Severity::suspicious, fl, std::nullopt,
               std::string(kind_ == ZipKind::legacy_torchscript ? "legacy (model.json) " : "") + "TorchScript " +
                   (kind_ == ZipKind::torchscript_mobile ? "lite-interpreter " : "") +
                   "archive: torch.jit.load runs its code; " +
                   (ctx_.policy().refuses_torchscript()
                        ? "torch.load(weights_only=True) of torch " + ctx_.policy().version().str() + " refuses it"
                        : "torch.load(weights_only=True) of torch " + ctx_.policy().version().str() +
                              " dispatches to torch.jit.load and runs it (CVE-2025-32434)"));
      break;
    case ZipKind::torch_package:
      r.contains_code = true;
      ctx_.add("PTS201", Severity::suspicious, fl, std::nullopt,
               "torch.package archive: loading it imports the Python modules it contains");
      break;
    case ZipKind::pt2:
      r.contains_code = true;
      ctx_.add("PTS202", Severity::suspicious, fl, std::nullopt, "torch.export archive (.pt2): a serialized program");
      break;
    case ZipKind::unknown:
      ctx_.add("PTS205", Severity::info, fl, std::nullopt, "zip archive without " + prefix_ + "data.pkl: torch.load fails");
      break;
    case ZipKind::torch_save:
      break;
  }
  if (kind_ != ZipKind::torch_save) loadable_ = false;
  if (!prefix_ok_) {
    loadable_ = false;
    ctx_.add("PTS205", Severity::info, fl, std::nullopt,
             "the first zip entry is not in a folder: torch.load fails (\"file in archive is not in a subdirectory\")");
  }
  if (!version) {
    loadable_ = false;
    ctx_.add("PTS205", Severity::info, fl, std::nullopt, "no version record: torch.load fails");
  }
}

void ZipScan::check_names() {
  const auto& entries = zip_->entries();
  std::map<std::string, std::vector<size_t>> exact, folded;
  for (size_t i = 0; i < entries.size(); ++i) {
    const ZipEntry& e = entries[i];
    exact[e.name].push_back(i);
    folded[lower(e.name)].push_back(i);
    if (e.local_name != e.name)
      ctx_.add("PTS300", Severity::dangerous, member_label(e.name), e.local_header_offset,
               "the local header names this member '" + printable(e.local_name, 120) +
                   "': torch reads it by its central name, Python's zipfile refuses it (CVE-2025-1944)",
               {}, {});
    const bool unsafe = (!e.name.empty() && (e.name[0] == '/' || e.name[0] == '\\')) ||
                        (e.name.size() > 1 && e.name[1] == ':') || e.name == ".." || e.name.rfind("../", 0) == 0 ||
                        e.name.find("/../") != std::string::npos || ends_with(e.name, "/..") ||
                        e.name.find("..\\") != std::string::npos;
    if (unsafe)
      ctx_.add("PTS304", Severity::suspicious, member_label(e.name), e.local_header_offset,
               "absolute path or '..' segment: extracting the archive writes outside its folder");
    if (prefix_ok_ && e.name.compare(0, prefix_.size(), prefix_) != 0) {
      if (top_) loadable_ = false;
      ctx_.add("PTS303", Severity::suspicious, member_label(e.name), e.local_header_offset,
               "outside the archive folder '" + printable(prefix_, 80) +
                   "' (taken from the first entry): torch does not read it, and torch.load fails listing records");
    }
  }
  auto is_pickle_name = [](const std::string& n) {
    const std::string l = lower(n);
    return ends_with(l, ".pkl") || ends_with(l, ".debug_pkl");
  };
  for (const auto& [name, idx] : exact) {
    if (idx.size() < 2) continue;
    ctx_.add("PTS301", Severity::dangerous, member_label(name), entries[idx[1]].local_header_offset,
             std::to_string(idx.size()) + " members share this name; readers disagree on which one they load "
             "(all are scanned)");
  }
  for (const auto& [low, idx] : folded) {
    std::set<std::string> distinct;
    for (size_t i : idx) distinct.insert(entries[i].name);
    if (distinct.size() < 2) continue;
    std::string names;
    for (const auto& n : distinct) names += (names.empty() ? "'" : ", '") + printable(n, 80) + "'";
    const bool pickle = is_pickle_name(low);
    ctx_.add("PTS302", pickle ? Severity::dangerous : Severity::suspicious, member_label(entries[idx[0]].name),
             entries[idx[0]].local_header_offset,
             "names differing only in case: " + names +
                 "; torch looks records up case-insensitively, so which one it loads depends on the directory order");
  }
  for (const ZipEntry* e : data_pkls_) {
    if (rel_name(e->name, prefix_) != "data.pkl")
      ctx_.add("PTS302", Severity::suspicious, member_label(e->name), e->local_header_offset,
               "torch loads this member as data.pkl (case-insensitive lookup); scanners matching 'data.pkl' exactly "
               "skip it");
  }
}

void ZipScan::check_headers_and_overlaps() {
  const ByteSpan b = file_->bytes();
  const auto& entries = zip_->entries();
  struct Span {
    uint64_t begin, end;
    const ZipEntry* e;
  };
  std::vector<Span> spans;
  for (const auto& e : entries) {
    const uint8_t* lh = b.data() + e.local_header_offset;  // validated by ZipArchive::open
    const uint16_t local_flags = load_le16(lh + 6), local_method = load_le16(lh + 8);
    if (local_method != e.method)
      ctx_.add("PTS313", Severity::suspicious, member_label(e.name), e.local_header_offset,
               "compression method " + std::to_string(local_method) + " in the local header, " +
                   std::to_string(e.method) + " in the central directory (torch trusts the central one)");
    if ((local_flags ^ e.flags) & kUnreadableFlags)
      ctx_.add("PTS313", Severity::suspicious, member_label(e.name), e.local_header_offset,
               "encryption flags differ between local (" + std::to_string(local_flags) + ") and central (" +
                   std::to_string(e.flags) + ") headers: readers trusting the local header fail on it");
    spans.push_back({e.local_header_offset, e.data_offset + e.compressed_size, &e});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& x, const Span& y) { return x.begin < y.begin; });
  const Span* reach = nullptr;
  for (const Span& s : spans) {
    if (reach && s.begin < reach->end && s.end > s.begin)
      ctx_.add("PTS305", Severity::suspicious, member_label(s.e->name), s.begin,
               "overlaps member '" + printable(reach->e->name, 120) + "' (bytes " + std::to_string(s.begin) + "-" +
                   std::to_string(std::min(s.end, reach->end)) + ")");
    if (!reach || s.end > reach->end) reach = &s;
  }
}

uint64_t ZipScan::descriptor_length(const ZipEntry& e) const {
  if (!(e.flags & 0x0008)) return 0;
  const ByteSpan b = file_->bytes();
  const uint64_t at = e.data_offset + e.compressed_size;
  const bool sig = has_sig(b, at, kDescriptorSig);
  // The descriptor is followed by the next structure, which starts with "PK".
  for (uint64_t len : {sig ? 16u : 12u, sig ? 24u : 20u}) {
    if (at + len == b.size()) return len;
    if (at + len + 2 <= b.size() && b[at + len] == 'P' && b[at + len + 1] == 'K') return len;
  }
  return sig ? 16 : 12;
}

void ZipScan::scan_members() {
  for (const auto& e : zip_->entries()) scan_member(e);
}

void ZipScan::scan_member(const ZipEntry& e) {
  const std::string name = member_label(e.name);
  if (scanned_ && !scanned_->insert({abs_base_ + e.data_offset, e.compressed_size}).second) return;
  const std::string rel = rel_name(e.name, prefix_);
  const std::string low = lower(rel);
  const bool is_data_pkl = std::find(data_pkls_.begin(), data_pkls_.end(), &e) != data_pkls_.end();
  const bool torchscript = is_torchscript(kind_);
  // Unreadable members: torch cannot read them either, but other tools may,
  // so the scan is incomplete (fail closed).
  if (e.flags & kUnreadableFlags) {
    ctx_.add("PTS309", Severity::suspicious, name, e.local_header_offset,
             "general-purpose flags " + std::to_string(e.flags) + " mark the member encrypted or patched");
    ctx_.error(name, "encrypted member cannot be scanned");
    if (is_data_pkl && top_) loadable_ = false;
    return;
  }
  if (e.method != 0 && e.method != 8) {
    ctx_.add("PTS312", Severity::suspicious, name, e.local_header_offset,
             "compression method " + std::to_string(e.method) + ": torch reads only stored and deflate");
    ctx_.error(name, "compression method " + std::to_string(e.method) + " cannot be scanned");
    if (is_data_pkl && top_) loadable_ = false;
    return;
  }
  const double ratio = double(e.uncompressed_size) / double(std::max<uint64_t>(e.compressed_size, 1));
  if (e.method == 8 && e.uncompressed_size > (uint64_t(1) << 20) && ratio > 1000) {
    ctx_.add("PTS310", Severity::suspicious, name, e.local_header_offset,
             "declares " + std::to_string(e.uncompressed_size) + " bytes from " + std::to_string(e.compressed_size) +
                 " compressed (a decompression bomb)");
    ctx_.error(name, "not inflated: compression ratio above the bound");
    return;
  }
  // Inflate only what a loader reads, streamed and within the file's budget;
  // of anything else only a prefix, to recognise a pickle or an archive.
  const bool loader_reads = is_data_pkl || ends_with(low, ".pkl") || ends_with(low, ".debug_pkl") ||
                            low.rfind("data/", 0) == 0 || low.rfind("constants/", 0) == 0 ||
                            low.rfind(".data/", 0) == 0 || low.rfind("code/", 0) == 0 || low.rfind("extra/", 0) == 0;
  Blob blob;
  bool crc_known = true;
  uint32_t crc = 0;
  if (e.method == 0) {
    try {
      blob = zip_->read(e, false);
    } catch (const Error& err) {
      ctx_.error(name, err.what());
      if (is_data_pkl && top_) loadable_ = false;
      return;
    }
    crc = crc32_of(blob.bytes);
  } else {
    const ByteSpan raw = file_->bytes().subspan(e.data_offset, e.compressed_size);
    const uint64_t budget_left = ctx_.inflated < ctx_.inflate_budget() ? ctx_.inflate_budget() - ctx_.inflated : 0;
    auto inflate_all = [&]() { return inflate_stream(raw, kKeepMax, std::min(budget_left, kKeepMax), false); };
    Inflated inf = loader_reads ? inflate_all() : inflate_stream(raw, kSniffBytes, budget_left, true);
    if (!loader_reads && !inf.complete && !inf.over_budget && !inf.corrupt) {
      ByteSpan prefix(inf.bytes.data(), inf.bytes.size());
      if (looks_like_pickle(prefix) || (prefix.size() >= 4 && std::memcmp(prefix.data(), "PK\x03\x04", 4) == 0))
        inf = inflate_all();
      else
        crc_known = false;  // no loader reads it: not inflated past the prefix
    }
    ctx_.inflated += inf.produced;
    if (inf.over_budget || (inf.complete && inf.produced > kKeepMax)) {
      ctx_.add("PTS310", Severity::suspicious, name, e.local_header_offset,
               "inflates past " + std::to_string(std::min(budget_left, kKeepMax)) +
                   " bytes (the scan's budget for this file): a decompression bomb for whoever reads it");
      ctx_.error(name, "not inflated completely: output above the bound");
      if (is_data_pkl && top_) loadable_ = false;
      return;
    }
    if (inf.corrupt || (inf.complete && inf.produced != e.uncompressed_size)) {
      ctx_.error(name, inf.corrupt ? "invalid or truncated deflate stream"
                                   : "inflates to " + std::to_string(inf.produced) + " bytes, not the " +
                                         std::to_string(e.uncompressed_size) + " the central directory gives");
      if (is_data_pkl && top_) loadable_ = false;
      return;
    }
    crc = inf.crc;
    blob = Blob::from_vector(std::move(inf.bytes));
  }
  // torch may write no CRC at all (set_crc32_options(False)); only a wrong one counts.
  if (crc_known && crc != e.crc32 && !(e.crc32 == 0 && !blob.bytes.empty()))
    ctx_.add("PTS311", Severity::suspicious, name, e.local_header_offset,
             "stored CRC-32 does not match the data: torch ignores it, Python's zipfile refuses the member "
             "(CVE-2025-10156)");

  if (torchscript) {
    // The code that torch.jit.load runs while loading (__setstate__ and what it calls).
    const std::string_view text(reinterpret_cast<const char*>(blob.data()), blob.size());
    std::vector<CodeHazard> hazards;
    if (low.rfind("code/", 0) == 0 && ends_with(low, ".py")) hazards = scan_torchscript_source(text);
    else if (low == "bytecode.pkl") hazards = scan_mobile_bytecode(text);
    for (const auto& h : hazards)
      ctx_.add("PTS210", Severity::dangerous, name, h.offset,
               "code run by torch.jit.load: " + h.where + " " + h.what);
  }

  PickleJob job;
  job.bytes = blob.bytes;
  job.member = name;
  bool scan = false;
  if (is_data_pkl) {
    scan = true;
    job.loader = torchscript ? Loader::torchscript : Loader::weights_only;
    job.role = kind_ == ZipKind::torch_save ? "data.pkl (torch.load)" : torchscript ? "data.pkl (torch.jit.load)"
                                                                                     : "data.pkl";
  } else if (torchscript && (ends_with(low, ".pkl") || ends_with(low, ".debug_pkl"))) {
    scan = true;
    job.loader = Loader::torchscript;
    job.role = "TorchScript pickle";
  } else if (ends_with(low, ".pkl")) {
    scan = true;
    job.role = kind_ == ZipKind::torch_package ? "torch.package pickle" : "pickle member (not read by torch.load)";
  } else if (blob.size() >= 4 && std::memcmp(blob.data(), "PK\x03\x04", 4) == 0) {
    // .pt2 archives embed torch.save files by design.
    ctx_.add("PTS314", kind_ == ZipKind::pt2 ? Severity::info : Severity::suspicious, name, e.local_header_offset,
             "the member is a zip archive (scanned)");
    if (ctx_.depth < ctx_.options().max_nesting) {
      ++ctx_.depth;
      scan_container(ctx_, copy_of(blob.bytes, name), name + "!", false);
      --ctx_.depth;
    } else {
      ctx_.error(name, "nested archives deeper than the limit");
    }
    return;
  } else if (looks_like_pickle(blob.bytes)) {
    scan = true;
    job.designated = false;
    job.role = "member that starts like a pickle";
  }
  if (!scan) return;
  PickleOutcome out = scan_pickle_with_trailer(ctx_, job);
  if (job.designated || out.is_pickle) check_storages(e, rel, out);
  if (is_data_pkl && top_) {
    if (!out.parsed || !out.weights_only_ok) loadable_ = false;
    else loaded_ok_ = true;
  }
}

// Storage records must hold what the pickle's persistent ids declare.
void ZipScan::check_storages(const ZipEntry& pickle_entry, const std::string& rel, const PickleOutcome& out) {
  if (out.storages.empty() || kind_ == ZipKind::legacy_torchscript) return;
  std::string dir = rel;
  if (ends_with(lower(dir), ".pkl")) dir.resize(dir.size() - 4);
  const bool torchscript = is_torchscript(kind_);
  // TorchScript reads tensors only for these; traced_inputs.pkl and the debug
  // pickles may reference storages whose data was deliberately skipped.
  if (torchscript && dir != "data" && dir != "constants" && dir != "bytecode") return;
  struct Need {
    uint64_t bytes = 0;
    uint64_t offset = 0;
    bool known = false;
  };
  std::map<std::string, Need> needs;
  for (const auto& s : out.storages) {
    Need& n = needs[s.key];
    if (!n.known) n.offset = s.offset;
    if (s.itemsize == 0) continue;
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(uint64_t(s.numel), s.itemsize, &bytes)) bytes = UINT64_MAX;
    n.bytes = std::max(n.bytes, bytes);
    n.known = true;
  }
  const std::string member = member_label(pickle_entry.name);
  check_sparse(dir, member, out);
  const bool weights_only = !torchscript;
  for (const auto& [key, need] : needs) {
    if (!need.known) continue;
    const std::string record = kind_ == ZipKind::torch_package ? prefix_ + ".data/" + key + ".storage"
                                                               : prefix_ + dir + "/" + key;
    const ZipEntry* rec = zip_->find_case_insensitive(record);
    // Lite-interpreter archives keep every tensor under constants/ (storage context).
    if (!rec && torchscript) rec = zip_->find_case_insensitive(prefix_ + "constants/" + key);
    if (!rec) {
      if (need.bytes == 0) continue;
      if (pickle_entry.name.compare(0, prefix_.size(), prefix_) == 0 && top_ && !data_pkls_.empty() &&
          &pickle_entry == data_pkls_.front())
        loadable_ = false;
      ctx_.add("PTS115", Severity::suspicious, member, need.offset,
               "storage '" + printable(key) + "' has no record " + printable(record, 120) + ": loading fails");
      continue;
    }
    if (rec->uncompressed_size < need.bytes) {
      if (top_) loadable_ = loadable_ && !ctx_.policy().checks_storage_size();
      ctx_.add("PTS115", Severity::dangerous, member, need.offset,
               "storage '" + printable(key) + "' claims " + std::to_string(need.bytes) + " bytes but its record " +
                   printable(record, 120) + " holds " + std::to_string(rec->uncompressed_size) +
                   " (out-of-bounds read in torch <= 2.9, CVE-2026-24747)");
    } else if (rec->uncompressed_size > need.bytes && weights_only) {
      const bool refused = ctx_.policy().checks_storage_size();
      if (refused && top_) loadable_ = false;
      ctx_.add("PTS115", refused ? Severity::suspicious : Severity::info, member, need.offset,
               "storage '" + printable(key) + "' uses " + std::to_string(need.bytes) + " of the " +
                   std::to_string(rec->uncompressed_size) + " bytes of its record" +
                   (refused ? " (torch >= 2.10 refuses the mismatch)" : ""));
    }
  }
}

// Sparse indices against the declared sizes, read from the storage records
// (torch builds sparse tensors with check_invariants=False).
void ZipScan::check_sparse(const std::string& dir, const std::string& member, const PickleOutcome& out) {
  if (out.sparse.empty()) return;
  std::map<std::string, Blob> read;  // records already read, by key
  auto record = [&](const std::string& key) -> std::optional<ByteSpan> {
    if (auto it = read.find(key); it != read.end()) return it->second.bytes;
    const ZipEntry* rec = zip_->find_case_insensitive(prefix_ + dir + "/" + key);
    if (!rec || rec->encrypted() || (rec->method != 0 && rec->method != 8)) return std::nullopt;
    Blob blob;
    if (rec->method == 0) {
      try {
        blob = zip_->read(*rec, false);
      } catch (const Error&) {
        return std::nullopt;
      }
    } else {
      // Only what the record declares, within the file's inflation budget.
      const uint64_t budget_left = ctx_.inflated < ctx_.inflate_budget() ? ctx_.inflate_budget() - ctx_.inflated : 0;
      const uint64_t cap = std::min({rec->uncompressed_size, budget_left, kKeepMax});
      Inflated inf = inflate_stream(file_->bytes().subspan(rec->data_offset, rec->compressed_size), cap, cap, false);
      ctx_.inflated += inf.produced;
      if (!inf.complete || inf.corrupt) return std::nullopt;
      blob = Blob::from_vector(std::move(inf.bytes));
    }
    return read.emplace(key, std::move(blob)).first->second.bytes;
  };
  for (const auto& ref : out.sparse) {
    const SparseVerdict v = check_sparse_indices(ref, record);
    if (v.kind == SparseVerdict::Kind::violation) {
      if (top_) loadable_ = false;
      ctx_.add("PTS116", Severity::dangerous, member, ref.offset,
               "torch._utils._rebuild_sparse_tensor (" + ref.layout + "): " + printable(v.message, 200) +
                   "; torch builds it with check_invariants=False, so using it reads and writes out of bounds "
                   "(CVE-2025-62164: torch.load skips the check in torch 2.8 until pytorch/pytorch#184750, "
                   "and with weights_only=False in every version)");
    } else if (v.kind == SparseVerdict::Kind::unchecked) {
      ctx_.add("PTS116", Severity::suspicious, member, ref.offset,
               "torch._utils._rebuild_sparse_tensor (" + ref.layout + "): indices not checked: " +
                   printable(v.message, 200));
    }
  }
}

void ZipScan::scan_loose_bytes(ByteSpan data, uint64_t offset, const std::string& what) {
  if (data.empty() || ctx_.depth >= ctx_.options().max_nesting) return;
  const std::string label = label_ + what + "@" + std::to_string(abs_base_ + offset);
  if (data.size() >= 4 && std::memcmp(data.data(), "PK\x03\x04", 4) == 0) {
    ++ctx_.depth;
    scan_container(ctx_, copy_of(data, label), label + "!", false);
    --ctx_.depth;
  } else if (looks_like_pickle(data)) {
    PickleJob job;
    job.bytes = data;
    job.member = label;
    job.role = what;
    job.designated = false;
    ++ctx_.depth;
    scan_pickle_with_trailer(ctx_, job);
    --ctx_.depth;
  }
}

// Local headers that no central entry points at, inside [begin, end).
void ZipScan::scan_hidden(uint64_t begin, uint64_t end) {
  const ByteSpan b = file_->bytes();
  bool any = false;
  for (uint64_t pos = begin; pos + 30 <= end; ++pos) {
    const void* hit = std::memchr(b.data() + pos, 'P', size_t(end - 30 + 1 - pos));
    if (!hit) break;
    pos = uint64_t(static_cast<const uint8_t*>(hit) - b.data());
    if (load_le32(b.data() + pos) != kLocalSig) continue;
    const uint16_t flags = load_le16(b.data() + pos + 6), method = load_le16(b.data() + pos + 8);
    const uint64_t csize = load_le32(b.data() + pos + 18);
    const uint16_t nlen = load_le16(b.data() + pos + 26), xlen = load_le16(b.data() + pos + 28);
    const uint64_t data_at = pos + 30 + nlen + xlen;
    if (nlen == 0 || data_at > end) continue;
    std::string_view name(reinterpret_cast<const char*>(b.data() + pos + 30), nlen);
    if (std::any_of(name.begin(), name.end(), [](char c) { return uint8_t(c) < 0x20 || c == 0x7f; })) continue;
    any = true;
    uint64_t len = csize;
    if ((flags & 0x0008) && csize == 0) len = end - data_at;  // sizes follow in a descriptor
    len = std::min(len, end - data_at);
    ctx_.add("PTS308", Severity::dangerous, member_label(std::string(name)), abs_base_ + pos,
             "local header at offset " + std::to_string(abs_base_ + pos) +
                 " is not in the central directory: tools that walk local headers see a member torch does not");
    ByteSpan data = b.subspan(data_at, len);
    if (method == 0) {
      scan_loose_bytes(data, data_at, "hidden:" + printable(name, 60));
    } else if (method == 8) {
      // The declared size is attacker-chosen: stream with the file's budget,
      // keeping at most what is needed to scan a pickle or archive.
      const uint64_t budget_left = ctx_.inflated < ctx_.inflate_budget() ? ctx_.inflate_budget() - ctx_.inflated : 0;
      Inflated inf = inflate_stream(data, kSniffBytes, budget_left, true);
      ByteSpan prefix(inf.bytes.data(), inf.bytes.size());
      if (!inf.complete && !inf.over_budget && !inf.corrupt &&
          (looks_like_pickle(prefix) || (prefix.size() >= 4 && std::memcmp(prefix.data(), "PK\x03\x04", 4) == 0)))
        inf = inflate_stream(data, kKeepMax, std::min(budget_left, kKeepMax), false);
      ctx_.inflated += inf.produced;
      if (inf.over_budget) {
        ctx_.error(member_label(std::string(name)), "hidden member not inflated completely: output above the bound");
      } else {
        scan_loose_bytes(ByteSpan(inf.bytes.data(), inf.bytes.size()), data_at, "hidden:" + printable(name, 60));
      }
    }
    if (++hidden_scanned_ > kMaxHidden) {
      ctx_.error(file_label(), "more than " + std::to_string(kMaxHidden) +
                                   " unreferenced local headers: the rest were not scanned");
      return;
    }
    pos = data_at + len - 1;
  }
  if (!any && end > begin) {
    ByteSpan gap = b.subspan(begin, end - begin);
    if (looks_like_pickle(gap) || (gap.size() >= 4 && std::memcmp(gap.data(), "PK\x03\x04", 4) == 0))
      scan_loose_bytes(gap, begin, "unreferenced");
  }
}

void ZipScan::check_layout() {
  const ByteSpan b = file_->bytes();
  const uint64_t size = b.size();
  std::vector<std::pair<uint64_t, uint64_t>> covered;
  std::vector<std::pair<uint64_t, uint64_t>> member_data;
  if (zip_) {
    for (const auto& e : zip_->entries()) {
      covered.emplace_back(e.local_header_offset, e.data_offset + e.compressed_size + descriptor_length(e));
      member_data.emplace_back(e.data_offset, e.data_offset + e.compressed_size);
    }
  }
  // End records inside member data belong to stored nested archives. Copies
  // of one end record (same directory, same base) describe one archive: it is
  // scanned once, and past kMaxArchives distinct ones the scan gives up
  // (fail closed) instead of re-reading the file once per record.
  constexpr size_t kMaxArchives = 16;
  std::vector<EndRecord> archives;
  std::set<std::tuple<uint64_t, uint64_t, uint64_t>> distinct;
  size_t copies = 0;
  std::sort(member_data.begin(), member_data.end());
  for (const auto& r : ends_) {
    auto it = std::upper_bound(member_data.begin(), member_data.end(), std::make_pair(r.pos, UINT64_MAX));
    bool inside = false;
    // Members may overlap; look back over the few that start before r.pos.
    for (int back = 0; it != member_data.begin() && back < 64; ++back) {
      --it;
      if (r.pos >= it->first && r.pos < it->second) {
        inside = true;
        break;
      }
    }
    if (inside) continue;
    if (!distinct.insert({r.base, r.cd_field, r.cd_size}).second) {
      ++copies;
      continue;
    }
    archives.push_back(r);
  }
  if (copies > 0)
    ctx_.add("PTS307", Severity::suspicious, file_label(), std::nullopt,
             std::to_string(copies) + " further end-of-central-directory records repeat one already seen");
  if (archives.size() > kMaxArchives) {
    ctx_.error(file_label(), std::to_string(archives.size()) + " distinct zip archives in one file: only the first " +
                                 std::to_string(kMaxArchives) + " are scanned");
    archives.resize(kMaxArchives);
  }
  const EndRecord* torch_end = nullptr;
  for (const auto& r : archives)
    if (zip_ && r.end == zip_->archive_end()) torch_end = &r;
  if (torch_end) {
    covered.emplace_back(torch_end->cd_field, torch_end->cd_field + torch_end->cd_size);
    covered.emplace_back(torch_end->structures_begin, torch_end->end);
  }
  if (archives.size() > 1) {
    std::string where;
    for (const auto& r : archives)
      where += (where.empty() ? "" : ", ") + std::to_string(abs_base_ + r.base) + "-" + std::to_string(abs_base_ + r.end);
    ctx_.add("PTS306", Severity::dangerous, file_label(), abs_base_ + archives.front().end,
             std::to_string(archives.size()) + " zip archives in one file (byte ranges " + where +
                 "): torch reads the first archive's data through the last end record, Python's zipfile reads "
                 "the last archive; every archive is scanned");
  }
  for (const auto& r : archives) {
    if (&r == torch_end && r.base == 0) continue;
    covered.emplace_back(r.base, r.end);
    if (ctx_.depth >= ctx_.options().max_nesting) continue;
    // As an offset-correcting reader (Python's zipfile) sees this archive.
    const std::string sub = label_ + "zip@" + std::to_string(abs_base_ + r.base) + "!";
    auto bytes = copy_of(b.subspan(r.base, r.end - r.base), sub);
    ++ctx_.depth;
    ZipScan inner(ctx_, bytes, sub, false, scanned_, abs_base_ + r.base);
    inner.run();
    --ctx_.depth;
  }
  if (torch_end && torch_end->base != 0)
    ctx_.add("PTS307", Severity::suspicious, file_label(), abs_base_ + torch_end->cd_field,
             "the central directory is " + std::to_string(torch_end->base) +
                 " bytes away from where the end record says: data was prepended or archives concatenated, and "
                 "torch does not correct offsets as Python's zipfile does");

  // Whatever no structure covers.
  std::sort(covered.begin(), covered.end());
  uint64_t at = 0;
  int gaps = 0;
  auto gap = [&](uint64_t begin, uint64_t end) {
    if (end <= begin || ++gaps > 20) return;
    const char* where = begin == 0 ? "before the first zip structure" : end == size ? "after the end record"
                                                                                    : "between zip structures";
    ctx_.add("PTS307", Severity::suspicious, file_label(), abs_base_ + begin,
             std::to_string(end - begin) + " bytes " + where + " that no zip structure references");
    scan_hidden(begin, end);
  };
  for (const auto& [begin, end] : covered) {
    if (begin > at) gap(at, std::min(begin, size));
    at = std::max(at, end);
  }
  if (at < size) gap(at, size);
  if (zip_ && !zip_->comment().empty()) {
    ByteSpan comment(reinterpret_cast<const uint8_t*>(zip_->comment().data()), zip_->comment().size());
    if (looks_like_pickle(comment) || (comment.size() >= 4 && std::memcmp(comment.data(), "PK\x03\x04", 4) == 0)) {
      ctx_.add("PTS307", Severity::suspicious, file_label(), std::nullopt, "the zip comment holds a pickle or archive");
      scan_loose_bytes(comment, zip_->archive_end() - comment.size(), "comment");
    }
  }
}

void ZipScan::run() {
  ends_ = find_end_records(file_->bytes());
  try {
    ZipLimits limits;
    limits.max_inflated_bytes = ctx_.options().max_member_bytes;
    zip_.emplace(ZipArchive::open(file_, limits));
  } catch (const Error& e) {
    ctx_.error(file_label(), std::string("zip archive unreadable: ") + e.what());
    if (top_) {
      ctx_.report().kind = "zip";
      ctx_.report().weights_only_loadable = false;
    }
    check_layout();  // still sweep for local headers and other archives
    return;
  }
  for (const auto& w : zip_->warnings()) ctx_.note(label_ + "zip: " + w);
  classify();
  check_names();
  check_headers_and_overlaps();
  scan_members();
  check_layout();
  if (top_) {
    AuditReport& r = ctx_.report();
    if (!data_pkls_.empty()) r.loaded_pickle = data_pkls_.front()->name;
    r.weights_only_loadable = kind_ == ZipKind::torch_save && loadable_ && loaded_ok_;
  }
}

// ---------------------------------------------------------------- legacy stream

std::string section_label(const std::string& label, int k, const char* what) {
  return label + "pickle " + std::to_string(k) + (k > 1 ? std::string(" (") + what + ")" : std::string());
}

bool is_magic(const PyRef& v) {
  return v && v->kind == PyKind::bigint && v->s.size() == sizeof kLegacyMagic &&
         std::memcmp(v->s.data(), kLegacyMagic, sizeof kLegacyMagic) == 0;
}

// Pickles one after another, then raw storages (torch.save <= 1.5, or any
// pickle file: torch.load takes this path for everything not zip or tar).
// Returns how many bytes it accounted for.
// `secondary`: the file was recognised as another format first; a first
// pickle that does not parse then leaves no trace (returns 0).
uint64_t scan_legacy(Context& ctx, ByteSpan bytes, const std::string& label, bool top, bool secondary = false) {
  static const char* const kSections[] = {"magic number", "protocol version", "sys_info", "object", "storage keys"};
  uint64_t pos = 0;
  bool loadable = true, failed = false, torch_stream = false;
  std::map<std::string, std::pair<uint64_t, int64_t>> storages;  // key → (itemsize, numel)
  PyRef keys;
  const std::string file = label.empty() ? label : label.substr(0, label.size() - 1);
  for (int k = 0; k < 5; ++k) {
    if (pos >= bytes.size()) {
      ctx.add("PTS205", Severity::info, file, pos,
              "the stream ends after " + std::to_string(k) + " pickle(s); torch.load needs 5");
      loadable = false;
      break;
    }
    PickleJob job;
    job.bytes = bytes.subspan(pos);
    job.base_offset = pos;
    job.member = section_label(label, k + 1, kSections[k]);
    job.role = std::string("legacy stream: ") + kSections[k];
    // The first pickle is only presumed to be one; a PROTO opcode settles it.
    job.designated = k > 0 || (bytes.size() >= 2 && bytes[0] == 0x80 && bytes[1] <= 5);
    PickleOutcome out = scan_pickle(ctx, job);
    if (k == 0 && !out.is_pickle) {
      if (secondary) return 0;
      if (top) {
        AuditReport& r = ctx.report();
        r.is_model = false;
        r.kind = "not-a-model";
        ctx.add("PTS207", Severity::info, file, std::nullopt,
                "not a zip, tar or pickle: torch.load fails on the first byte");
      }
      return 0;
    }
    if (k == 0 && top) ctx.report().kind = "pickle";
    if (!out.parsed) {
      loadable = false;
      failed = true;
      break;
    }
    if (!out.weights_only_ok) loadable = false;
    pos += out.end;
    if (k == 0) {
      torch_stream = is_magic(out.value);
      if (!torch_stream && out.imports && pos < bytes.size() && looks_like_pickle(bytes.subspan(pos))) {
        // torch runs this pickle and compares its result with the magic: a
        // computed value may well pass, and the stream goes on (GHSA-97f8-7cmv-76j2).
        torch_stream = true;
        ctx.add("PTS206", Severity::suspicious, file, 0,
                "the magic-number pickle is computed by a call; torch.load runs it before checking the result");
      } else if (!torch_stream) {
        loadable = false;
        if (top)
          ctx.add("PTS206", Severity::info, file, 0,
                  "a plain pickle, not torch's legacy stream: torch.load runs it, then fails on the magic check");
        break;
      }
      if (top) ctx.report().kind = "legacy-stream";
    } else if (k == 1 && !(out.value && out.value->kind == PyKind::integer && out.value->i == 1001)) {
      loadable = false;
      ctx.add("PTS206", Severity::info, file, job.base_offset, "the protocol version pickle is not 1001");
    } else if (k == 3) {
      for (const auto& s : out.storages) storages[s.key] = {s.itemsize, s.numel};
    } else if (k == 4) {
      keys = out.value;
    }
  }
  if (torch_stream && keys) {
    // Raw storages, in the order of the keys list: int64 numel, then the bytes.
    if (keys->kind != PyKind::list) {
      ctx.add("PTS209", Severity::suspicious, file, pos, "the storage keys pickle is not a list");
      loadable = false;
    } else {
      for (const auto& key : keys->items) {
        const std::string k = key && key->kind == PyKind::string ? key->s : std::string();
        auto it = storages.find(k);
        if (it == storages.end() || it->second.first == 0) {
          ctx.add("PTS209", Severity::suspicious, file, pos,
                  "storage key '" + printable(k) + "' is not declared by the object pickle (or has an unknown type); "
                  "the rest of the stream cannot be laid out");
          loadable = false;
          failed = true;
          break;
        }
        if (pos + 8 > bytes.size()) {
          ctx.add("PTS209", Severity::suspicious, file, pos, "the stream ends inside the raw storages");
          loadable = false;
          failed = true;
          break;
        }
        const int64_t numel = int64_t(load_le64(bytes.data() + pos));
        uint64_t nbytes = 0;
        if (numel < 0 || __builtin_mul_overflow(uint64_t(numel), it->second.first, &nbytes) ||
            nbytes > bytes.size() - pos - 8) {
          ctx.add("PTS209", Severity::suspicious, file, pos,
                  "storage '" + printable(k) + "' declares " + std::to_string(numel) + " elements, past the end of the file");
          loadable = false;
          failed = true;
          break;
        }
        if (numel != it->second.second) {
          ctx.add("PTS209", Severity::suspicious, file, pos,
                  "storage '" + printable(k) + "' holds " + std::to_string(numel) + " elements but the pickle declares " +
                      std::to_string(it->second.second));
          loadable = false;
        }
        pos += 8 + nbytes;
      }
    }
  }
  if (!failed && pos < bytes.size()) {
    ByteSpan rest = bytes.subspan(pos);
    const bool pickle = looks_like_pickle(rest);
    ctx.add("PTS122", Severity::suspicious, file, pos,
            std::to_string(rest.size()) + " bytes after the " + (torch_stream ? "stream" : "pickle") +
                (pickle ? "; they start another pickle (scanned)" : ""));
    // Keep reading pickles: other loaders do.
    for (int n = 0; n < 64 && pos < bytes.size() && looks_like_pickle(bytes.subspan(pos)); ++n) {
      PickleJob job;
      job.bytes = bytes.subspan(pos);
      job.base_offset = pos;
      job.member = label + "pickle@" + std::to_string(pos);
      job.role = "pickle after the stream";
      job.designated = false;
      PickleOutcome out = scan_pickle(ctx, job);
      if (!out.parsed) break;
      pos += out.end;
    }
  }
  if (top) ctx.report().weights_only_loadable = torch_stream && loadable;
  return failed ? bytes.size() : pos;
}

// ---------------------------------------------------------------- tar

// Pickles interleaved with raw data, as legacy_load reads 'storages' and 'tensors'.
void scan_tar_records(Context& ctx, ByteSpan data, const std::string& member, bool storages) {
  auto pickle_at = [&](uint64_t pos, const char* role) {
    PickleJob job;
    job.bytes = data.subspan(pos);
    job.base_offset = pos;
    job.member = member;
    job.role = role;
    job.report_member = false;
    return scan_pickle(ctx, job);
  };
  PickleOutcome count = pickle_at(0, "count");
  if (!count.parsed) return;
  uint64_t pos = count.end;
  const int64_t n = count.value && count.value->kind == PyKind::integer ? count.value->i : -1;
  if (n < 0 || n > 10'000'000) {
    ctx.add("PTS209", Severity::suspicious, member, 0, "the record count is not a plausible integer");
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    if (pos >= data.size()) {
      ctx.add("PTS209", Severity::suspicious, member, pos, "ends before all " + std::to_string(n) + " records");
      return;
    }
    PickleOutcome rec = pickle_at(pos, storages ? "storage record" : "tensor record");
    if (!rec.parsed) return;
    pos += rec.end;
    if (storages) {
      // (key, location, storage_type), then int64 numel and the data
      uint64_t item = 0;
      if (rec.value && rec.value->kind == PyKind::tuple && rec.value->items.size() == 3 && rec.value->items[2] &&
          rec.value->items[2]->kind == PyKind::global)
        if (auto dt = dtype_from_storage_class(rec.value->items[2]->name)) item = itemsize(*dt);
      if (item == 0 || pos + 8 > data.size()) {
        ctx.add("PTS209", Severity::suspicious, member, pos, "storage record " + std::to_string(i) + " cannot be sized");
        return;
      }
      const uint64_t numel = load_le64(data.data() + pos);
      uint64_t nbytes = 0;
      if (__builtin_mul_overflow(numel, item, &nbytes) || nbytes > data.size() - pos - 8) {
        ctx.add("PTS209", Severity::suspicious, member, pos, "storage " + std::to_string(i) + " runs past the member");
        return;
      }
      pos += 8 + nbytes;
    } else {
      // int32 ndim, 4 bytes padding, sizes, strides, int64 storage offset
      if (pos + 8 > data.size()) return;
      const int32_t ndim = int32_t(load_le32(data.data() + pos));
      const uint64_t need = ndim >= 0 ? 8 + 16 * uint64_t(ndim) + 8 : UINT64_MAX;
      if (ndim < 0 || need > data.size() - pos) {
        ctx.add("PTS209", Severity::suspicious, member, pos, "tensor record " + std::to_string(i) + " is malformed");
        return;
      }
      pos += need;
    }
  }
  if (storages && pos < data.size()) {
    PickleOutcome views = pickle_at(pos, "storage views");
    if (!views.parsed) return;
    pos += views.end;
  }
  if (pos < data.size())
    ctx.add("PTS122", Severity::suspicious, member, pos, std::to_string(data.size() - pos) + " bytes after the last record");
}

void scan_tar(Context& ctx, ByteSpan bytes, const std::string& label, bool top) {
  if (top) {
    ctx.report().kind = "legacy-tar";
    ctx.report().weights_only_loadable = false;
    ctx.add("PTS203", Severity::suspicious, label, std::nullopt,
            "legacy tar checkpoint: weights_only=True refuses it; an unrestricted torch.load unpickles its members");
  }
  // Members exactly as Python's tarfile lists them (pax size/path overrides,
  // GNU long names, link and directory types): parser/tar_header.h.
  const TarListing listing = list_tar_members(bytes);
  std::map<std::string, int> seen;
  for (const auto& m : listing.members) {
    const std::string member = label + printable(m.name, 200);
    const bool torch_reads = m.name == "pickle" || m.name == "sys_info" || m.name == "storages" || m.name == "tensors";
    if (m.size_overridden && m.size != m.header_size)
      ctx.add("PTS209", Severity::suspicious, label, m.header_offset,
              "member '" + printable(m.name, 200) + "': a pax size of " + std::to_string(m.size) + " replaces the header's " + std::to_string(m.header_size) +
                  ": readers that ignore pax headers see other members");
    if (torch_reads && ++seen[m.name] == 2)
      ctx.add("PTS209", Severity::suspicious, label, m.header_offset,
              "member '" + m.name + "' appears more than once: torch reads the last one (all are scanned)");
    if (m.is_link()) {
      if (torch_reads)
        ctx.add("PTS209", Severity::dangerous, label, m.header_offset,
                std::string(m.type == '2' ? "symbolic" : "hard") + " link '" + m.name + "' -> '" +
                    printable(m.linkname, 200) + "': torch.load extracts it and reads the link target " +
                    (m.type == '2' ? "(any file on the loading machine)" : "(another member)"));
      continue;
    }
    if (!m.has_data()) continue;
    const ByteSpan data = bytes.subspan(m.data_offset, m.available);
    if (m.name == "pickle" || m.name == "sys_info") {
      PickleJob job;
      job.bytes = data;
      job.member = member;
      job.role = "legacy tar: " + m.name;
      job.table_pids = m.name == "pickle";
      scan_pickle_with_trailer(ctx, job);
    } else if (m.name == "storages" || m.name == "tensors") {
      scan_tar_records(ctx, data, member, m.name == "storages");
    } else if (data.size() >= 4 && std::memcmp(data.data(), "PK\x03\x04", 4) == 0 &&
               ctx.depth < ctx.options().max_nesting) {
      ctx.add("PTS314", Severity::suspicious, member, m.header_offset, "the tar member is a zip archive (scanned)");
      ++ctx.depth;
      scan_container(ctx, copy_of(data, member), member + "!", false);
      --ctx.depth;
    } else if (looks_like_pickle(data)) {
      PickleJob job;
      job.bytes = data;
      job.member = member;
      job.role = "tar member that starts like a pickle";
      job.designated = false;
      scan_pickle_with_trailer(ctx, job);
    }
  }
  const uint64_t end_at = std::min<uint64_t>(listing.end_offset, bytes.size());
  switch (listing.end) {
    case TarListing::End::zero_block:
    case TarListing::End::end_of_file: break;
    case TarListing::End::invalid_header:
      ctx.add("PTS209", Severity::suspicious, label, end_at,
              "invalid tar header: tarfile stops reading here");
      break;
    case TarListing::End::read_error:
      ctx.add("PTS209", Severity::suspicious, label, end_at,
              "Python's tarfile raises ReadError here (" + listing.error + "): torch.load fails");
      ctx.error(label, "tar archive cannot be listed to its end: " + listing.error);
      break;
    case TarListing::End::limit:
      ctx.error(label, "more tar members than the scan's limit");
      break;
  }
}

// ---------------------------------------------------------------- other kinds

bool starts(ByteSpan b, std::string_view magic) {
  return b.size() >= magic.size() && std::memcmp(b.data(), magic.data(), magic.size()) == 0;
}

// gzip: decompressed (bounded) and scanned, since pickle files are often
// shipped gzipped and joblib writes them that way.
void scan_gzip(Context& ctx, ByteSpan bytes, const std::string& label) {
  const uint64_t budget_left = ctx.inflated < ctx.inflate_budget() ? ctx.inflate_budget() - ctx.inflated : 0;
  const uint64_t max_out = std::min({kKeepMax, ctx.options().max_member_bytes, budget_left});
  Inflated inf = inflate_stream(bytes, max_out, max_out, false, 16 + 15);
  ctx.inflated += inf.produced;
  if (!inf.complete) {
    ctx.error(label, inf.over_budget ? "gzip content larger than " + std::to_string(max_out) + " bytes not scanned"
                                     : "corrupt gzip stream");
    return;
  }
  if (ctx.depth >= ctx.options().max_nesting) return;
  ++ctx.depth;
  scan_container(ctx, MappedFile::from_bytes(std::move(inf.bytes), label), label + "gunzip!", false);
  --ctx.depth;
}

// safetensors: no pickle anywhere, so nothing can run; the header is held to
// the reference reader's rules so that a malformed file is never "clean".
void scan_safetensors(Context& ctx, ByteSpan bytes, const std::string& label, bool top) {
  AuditReport& r = ctx.report();
  if (top) {
    r.kind = "safetensors";
    r.is_model = true;
    r.contains_code = false;
    r.weights_only_loadable = false;
  }
  const std::string member = label.empty() ? label : label.substr(0, label.size() - 1);
  try {
    const SafetensorsHeader h = parse_safetensors_header(bytes);
    ctx.add("PTS230", Severity::info, member, std::nullopt,
            "safetensors file with " + std::to_string(h.tensors.size()) + " tensors: cannot carry code");
  } catch (const Error& e) {
    ctx.error(member, e.what());
  }
}

// .npy with an object dtype holds a pickle after its header.
void scan_npy(Context& ctx, ByteSpan bytes, const std::string& label) {
  if (bytes.size() < 10) return;
  const int major = bytes[6];
  const uint64_t header_len = major == 1 ? load_le16(bytes.data() + 8) : bytes.size() >= 12 ? load_le32(bytes.data() + 8) : 0;
  const uint64_t data_at = (major == 1 ? 10 : 12) + header_len;
  if (data_at >= bytes.size()) return;
  std::string_view header(reinterpret_cast<const char*>(bytes.data() + (major == 1 ? 10 : 12)), header_len);
  if (header.find("'|O'") == std::string_view::npos && header.find("'O'") == std::string_view::npos) return;
  PickleJob job;
  job.bytes = bytes.subspan(data_at);
  job.base_offset = data_at;
  job.member = label + "npy object array";
  job.role = "numpy object array (np.load with allow_pickle unpickles it)";
  scan_pickle_with_trailer(ctx, job);
}

}  // namespace

// Python's tarfile rules (checksum, numeric fields), as torch.load applies them.
bool is_tar_header(ByteSpan b) { return tar_header_valid(b); }

void scan_container(Context& ctx, std::shared_ptr<const MappedFile> file, const std::string& label, bool top) {
  const ByteSpan b = file->bytes();
  AuditReport& r = ctx.report();
  auto not_model = [&](const std::string& kind, const char* rule, const std::string& message) {
    if (top) {
      r.is_model = false;
      r.kind = kind;
    }
    ctx.add(rule, Severity::info, label.empty() ? label : label.substr(0, label.size() - 1), std::nullopt, message);
  };
  if (b.empty()) return not_model("empty", "PTS207", "empty file");
  const bool flatbuffer = b.size() >= 8 && std::memcmp(b.data() + 4, "PTMF", 4) == 0;
  if (flatbuffer && (starts(b, "PK\x03\x04") || is_tar_header(b)))
    ctx.add("PTS204", Severity::suspicious, label.empty() ? label : label.substr(0, label.size() - 1), 4,
            "bytes 4-7 are the mobile flatbuffer magic: torch.jit.load and _load_for_lite_interpreter read this "
            "file as a flatbuffer module (its bytecode is not analysed), torch.load as a zip or tar");
  if (starts(b, "PK\x03\x04")) {
    std::set<std::pair<uint64_t, uint64_t>> scanned;  // shared with the archives found inside this file
    ZipScan scan(ctx, file, label, top, &scanned, 0);
    scan.run();
    return;
  }
  if (is_tar_header(b)) return scan_tar(ctx, b, label, top);
  // Other formats' magic bytes decide nothing for torch.load: whatever is not
  // a zip or a tar goes to its pickle path, so these files are scanned as
  // pickles as well (a bzip2 "BZh" header is a BINBYTES opcode to pickle).
  bool other_format = true;
  if (b.size() >= 8 && std::memcmp(b.data() + 4, "PTMF", 4) == 0) {
    if (top) {
      r.kind = "mobile-flatbuffer";
      r.contains_code = true;
    }
    ctx.add("PTS204", Severity::suspicious, label, std::nullopt,
            "mobile flatbuffer module: torch.jit.load and _load_for_lite_interpreter run its bytecode; "
            "torch.load reads it as a pickle stream (scanned as one too)");
  } else if (starts(b, "\x1f\x8b")) {
    not_model("gzip", "PTS208", "gzip file: torch.load cannot read it; its content is scanned");
    if (top) r.is_model = true;  // what is inside may well be a model
    scan_gzip(ctx, b, label);
  } else if (starts(b, "BZh") || starts(b, "\xfd" "7zXZ") || starts(b, "\x28\xb5\x2f\xfd") ||
             starts(b, "7z\xbc\xaf\x27\x1c")) {
    not_model("compressed", "PTS208", "bzip2/xz/zstd/7z file: torch.load cannot read it; not decompressed");
  } else if (starts(b, "\x93NUMPY")) {
    not_model("numpy", "PTS207", "numpy .npy file: torch.load cannot read it");
    scan_npy(ctx, b, label);
  } else {
    other_format = false;
  }
  if (other_format) {
    const bool was_model = r.is_model;
    const std::string kind = r.kind;
    const uint64_t parsed = scan_legacy(ctx, b, label, top, /*secondary=*/true);
    if (parsed > 0 && top) {
      r.is_model = true;
      if (r.kind != kind) r.kind = kind + "+" + r.kind;
      else if (!was_model) r.kind = kind + "+pickle";
      ctx.add("PTS207", Severity::suspicious, label.empty() ? label : label.substr(0, label.size() - 1), 0,
              "the file starts like a " + kind + " file but torch.load reads it as a pickle stream (scanned)");
    }
    return;
  }
  // An 8-byte length then '{': safetensors, also when the length is wrong
  // (its top bytes zero: no pickle opcode stream starts with three NULs there).
  if (looks_like_safetensors(b) || (b.size() > 8 && b[8] == '{' && b[5] == 0 && b[6] == 0 && b[7] == 0))
    return scan_safetensors(ctx, b, label, top);
  const uint64_t parsed = scan_legacy(ctx, b, label, top);
  // A zip that does not start the file: torch takes the pickle path, while
  // offset-correcting zip readers still open it. (Zips inside the pickles'
  // own constants were scanned as nested payloads already.)
  if (ctx.depth < ctx.options().max_nesting) {
    for (const auto& end : find_end_records(b)) {
      const uint64_t begin = end.base;
      if (begin < parsed || begin >= b.size() || end.end <= begin || !has_sig(b, begin, kLocalSig)) continue;
      const std::string sub = label + "zip@" + std::to_string(begin) + "!";
      ctx.add("PTS307", Severity::suspicious, label.empty() ? label : label.substr(0, label.size() - 1), begin,
              "a zip archive starts at offset " + std::to_string(begin) +
                  ": torch.load does not read it as a zip, Python's zipfile does (scanned)");
      if (top) r.is_model = true;
      ++ctx.depth;
      scan_container(ctx, copy_of(b.subspan(begin, end.end - begin), sub), sub, false);
      --ctx.depth;
    }
  }
}

}  // namespace ptscope::audit
