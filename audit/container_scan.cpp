// Container scanning driver: decides the file kind as torch.load does and
// hands the bytes to the zip (zip_scan.cpp), legacy stream (legacy_scan.cpp)
// or tar (tar_scan.cpp) scanner; the other kinds (gzip, safetensors, .npy)
// are small enough to live here, with the bounded inflation they all share.
#include "audit/container_scan.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "audit/container_scan_detail.h"
#include "audit/pickle_scan.h"
#include "core/error.h"
#include "parser/safetensors.h"
#include "parser/tar_header.h"

namespace ptscope::audit {

std::shared_ptr<const MappedFile> copy_of(ByteSpan bytes, const std::string& name) {
  return MappedFile::from_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()), name);
}

void scan_inner_file(Context& ctx, std::shared_ptr<const MappedFile> file, const std::string& label) {
  ++ctx.depth;
  scan_container(ctx, std::move(file), label, false);
  --ctx.depth;
}

Inflated inflate_stream(ByteSpan in, uint64_t keep, uint64_t limit, bool stop_when_kept, int window_bits) {
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

namespace {

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
  scan_inner_file(ctx, MappedFile::from_bytes(std::move(inf.bytes), label), label + "gunzip!");
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
  if (starts(b, "PK\x03\x04")) return scan_zip(ctx, file, label, top);
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
      scan_inner_file(ctx, copy_of(b.subspan(begin, end.end - begin), sub), sub);
    }
  }
}

}  // namespace ptscope::audit
