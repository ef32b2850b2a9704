// Zip scanning: torch's view of the archive (parser/zip_reader.h models
// miniz), then a raw sweep of the bytes for what other readers see: further
// archives, unreferenced local headers, bytes outside every structure.
#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <tuple>

#include "audit/code_scan.h"
#include "audit/container_scan_detail.h"
#include "audit/pickle_scan.h"
#include "audit/sparse_check.h"
#include "core/error.h"
#include "parser/zip_reader.h"

namespace ptscope::audit {

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

namespace {

constexpr uint16_t kUnreadableFlags = 0x0001 | 0x0020 | 0x0040;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
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
      if (looks_like_pickle(prefix) || starts_zip(prefix))
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
  } else if (starts_zip(blob.bytes)) {
    // .pt2 archives embed torch.save files by design.
    ctx_.add("PTS314", kind_ == ZipKind::pt2 ? Severity::info : Severity::suspicious, name, e.local_header_offset,
             "the member is a zip archive (scanned)");
    if (ctx_.depth < ctx_.options().max_nesting) {
      scan_inner_file(ctx_, copy_of(blob.bytes, name), name + "!");
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
  if (starts_zip(data)) {
    scan_inner_file(ctx_, copy_of(data, label), label + "!");
  } else if (looks_like_pickle(data)) {
    ++ctx_.depth;
    scan_guessed_pickle(ctx_, data, label, what);
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
          (looks_like_pickle(prefix) || starts_zip(prefix)))
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
    if (looks_like_pickle(gap) || starts_zip(gap))
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
    if (looks_like_pickle(comment) || starts_zip(comment)) {
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
}  // namespace

void scan_zip(Context& ctx, std::shared_ptr<const MappedFile> file, const std::string& label, bool top) {
  std::set<std::pair<uint64_t, uint64_t>> scanned;  // shared with the archives found inside this file
  ZipScan scan(ctx, std::move(file), label, top, &scanned, 0);
  scan.run();
}

}  // namespace ptscope::audit
