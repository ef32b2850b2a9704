// Whether bytes start a tar archive the way Python's tarfile decides it, which
// is how torch.load picks its legacy tar path: the first 512-byte block is not
// all zeros, its numeric fields parse, and its checksum matches (no "ustar"
// magic is needed; v7 archives have none).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"

namespace ptscope {

// tarfile's nti(): a base-256 field (first byte 0x80 or 0xFF) or octal text,
// NUL-terminated, surrounded by whitespace. nullopt where tarfile raises
// "invalid header".
std::optional<int64_t> tar_numeric_field(const uint8_t* field, size_t len);

// True when `block` (at least 512 bytes) is a header tarfile.open accepts.
bool tar_header_valid(ByteSpan block);

// One member as Python's tarfile lists it (TarFile.next()): GNU long names
// and links (L/K), pax extended (x/X) and global (g) headers applied, with
// their path= and size= overrides, the ustar prefix joined, directory
// slashes stripped.
struct TarMember {
  std::string name;
  std::string linkname;
  char type = '0';             // header type byte after tarfile's fix-ups ('\0' + trailing '/' → '5')
  uint64_t header_offset = 0;  // of the first header that belongs to the member (L/K/x included)
  uint64_t data_offset = 0;    // where extractfile() starts reading
  uint64_t size = 0;           // TarInfo.size (pax size wins over the header's); negative pax sizes read as 0
  uint64_t header_size = 0;    // the size field of the member's own header
  uint64_t available = 0;      // bytes of its data inside the file: min(size, file end - data_offset)
  bool size_overridden = false;  // a pax (extended or global) size replaced the header's
  bool path_overridden = false;  // a pax path or a GNU long name replaced the header's name
  // tarfile reads the data of regular files and of unknown types; links,
  // directories and devices have none (their size field is not skipped).
  bool has_data() const;
  bool is_link() const { return type == '1' || type == '2'; }
};

struct TarListing {
  std::vector<TarMember> members;
  // Why listing ended: a zero block, the end of the file, an invalid header
  // (tarfile stops quietly there), or a ReadError tarfile raises (then
  // TarFile.getmembers() and so torch.load fail: `error` says why).
  enum class End { zero_block, end_of_file, invalid_header, read_error, limit } end = End::end_of_file;
  std::string error;
  uint64_t end_offset = 0;  // where the header that ended the listing was (or would be) read
};

// Lists members the way tarfile.open(mode="r:") does, without reading their
// data: linear in the file, nothing allocated from a declared size, at most
// `max_members` members and bounded header chains. Returns an empty listing
// with End::invalid_header when the first block is not a tar header.
TarListing list_tar_members(ByteSpan file, size_t max_members = 100'000);

}  // namespace ptscope
