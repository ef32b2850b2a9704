// Legacy tar checkpoints (torch.save before 1.0): members listed exactly as
// Python's tarfile lists them, then the pickles and raw records torch's
// legacy_load reads from them.
#include <cstring>
#include <map>

#include "audit/container_scan_detail.h"
#include "audit/pickle_scan.h"
#include "core/dtype.h"
#include "parser/tar_header.h"

namespace ptscope::audit {
namespace {

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
}  // namespace

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
    } else if (starts_zip(data) && ctx.depth < ctx.options().max_nesting) {
      ctx.add("PTS314", Severity::suspicious, member, m.header_offset, "the tar member is a zip archive (scanned)");
      scan_inner_file(ctx, copy_of(data, member), member + "!");
    } else if (looks_like_pickle(data)) {
      scan_guessed_pickle(ctx, data, member, "tar member that starts like a pickle");
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
}  // namespace ptscope::audit
