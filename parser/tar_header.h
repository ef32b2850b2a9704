// Whether bytes start a tar archive the way Python's tarfile decides it, which
// is how torch.load picks its legacy tar path: the first 512-byte block is not
// all zeros, its numeric fields parse, and its checksum matches (no "ustar"
// magic is needed; v7 archives have none).
#pragma once
#include <cstdint>
#include <optional>

#include "core/bytes.h"

namespace ptscope {

// tarfile's nti(): a base-256 field (first byte 0x80 or 0xFF) or octal text,
// NUL-terminated, surrounded by whitespace. nullopt where tarfile raises
// "invalid header".
std::optional<int64_t> tar_numeric_field(const uint8_t* field, size_t len);

// True when `block` (at least 512 bytes) is a header tarfile.open accepts.
bool tar_header_valid(ByteSpan block);

}  // namespace ptscope
