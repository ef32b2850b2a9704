// Container layer of the audit: decides the file kind from its bytes as
// torch.load does (PK\3\4 → zip, valid tar header → tar, anything else →
// pickle stream), then finds and scans every pickle torch or another tool
// might load, and reports the container tricks that make tools disagree.
#pragma once
#include <memory>
#include <string>

#include "audit/context.h"
#include "core/bytes.h"

namespace ptscope::audit {

// Scans `file` (the whole file, or bytes found inside another member).
// `label` prefixes member names ("" at top level); `top` says whether the
// report's kind and verdict fields describe these bytes.
void scan_container(Context& ctx, std::shared_ptr<const MappedFile> file, const std::string& label, bool top);

// A 512-byte block with a valid tar checksum, the test tarfile.open applies.
bool is_tar_header(ByteSpan bytes);

}  // namespace ptscope::audit
