// Legacy stream scanning: torch.save <= 1.5 wrote five pickles then raw
// storages, and torch.load takes this path for any file that is neither a
// zip nor a tar, so every plain pickle is scanned here too.
#include <cstring>
#include <map>

#include "audit/container_scan_detail.h"
#include "audit/pickle_scan.h"

namespace ptscope::audit {
namespace {

constexpr uint8_t kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

std::string section_label(const std::string& label, int k, const char* what) {
  return label + "pickle " + std::to_string(k) + (k > 1 ? std::string(" (") + what + ")" : std::string());
}

bool is_magic(const PyRef& v) {
  return v && v->kind == PyKind::bigint && v->s.size() == sizeof kLegacyMagic &&
         std::memcmp(v->s.data(), kLegacyMagic, sizeof kLegacyMagic) == 0;
}

}  // namespace

// Pickles one after another, then raw storages (torch.save <= 1.5, or any
// pickle file: torch.load takes this path for everything not zip or tar).
// Returns how many bytes it accounted for.
// `secondary`: the file was recognised as another format first; a first
// pickle that does not parse then leaves no trace (returns 0).
uint64_t scan_legacy(Context& ctx, ByteSpan bytes, const std::string& label, bool top, bool secondary) {
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
}  // namespace ptscope::audit
