// Entry point of the reader: sniff the kind from the bytes (as torch.load does,
// never from the extension) and hand over to the reader for that kind.
#include <cstring>

#include "core/error.h"
#include "parser/loaders.h"

namespace ptscope {
namespace {
constexpr uint8_t kLegacyMagic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

bool is_tar(ByteSpan head) {
  return head.size() >= 262 && std::memcmp(head.data() + 257, "ustar", 5) == 0;
}
}  // namespace

FileKind sniff_kind(ByteSpan head) {
  if (head.size() >= 8 && std::memcmp(head.data() + 4, "PTMF", 4) == 0) return FileKind::mobile_flatbuffer;
  if (head.size() >= 4 && std::memcmp(head.data(), "PK\x03\x04", 4) == 0) return FileKind::unknown_zip;
  if (head.size() >= 4 && std::memcmp(head.data(), "PK\x05\x06", 4) == 0) return FileKind::unknown_zip;  // empty zip
  if (head.size() >= sizeof kLegacyMagic && std::memcmp(head.data(), kLegacyMagic, sizeof kLegacyMagic) == 0)
    return FileKind::legacy_stream;
  if (is_tar(head)) return FileKind::legacy_tar;
  // A pickle stream with another protocol may still be a legacy torch.save.
  if (!head.empty() && head[0] == 0x80) return FileKind::legacy_stream;
  throw Error(ErrorCode::not_pytorch, "not a PyTorch file (no zip, pickle or tar signature)");
}

std::unique_ptr<Model> load_model(std::shared_ptr<const MappedFile> file, const LoadOptions& options) {
  auto model = std::make_unique<Model>();
  model->path = file->path();
  model->file_size = file->size();
  if (file->size() == 0) throw Error(ErrorCode::not_pytorch, "file is empty");
  if (file->size() >= 8 && std::memcmp(file->data(), "PYTORCH1", 8) == 0)
    throw Error(ErrorCode::unsupported, "PYTORCH1 container from the 1.0 preview release is not supported (neither by PyTorch)");
  const FileKind kind = sniff_kind(file->bytes());
  switch (kind) {
    case FileKind::mobile_flatbuffer:
      model->kind = kind;
      throw Error(ErrorCode::unsupported, "mobile flatbuffer module (PTMF, bytecode v9) is recognised but not read");
    case FileKind::unknown_zip: load_zip_model(file, options, *model); break;
    case FileKind::legacy_stream: load_legacy_stream(file, options, *model); break;
    case FileKind::legacy_tar: load_legacy_tar(file, options, *model); break;
    default: break;
  }
  return model;
}

std::unique_ptr<Model> load_model(const std::string& path, const LoadOptions& options) {
  return load_model(MappedFile::open(path), options);
}

}  // namespace ptscope
