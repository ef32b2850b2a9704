// Entry point of the reader: sniff the kind from the bytes (as torch.load does,
// never from the extension) and hand over to the reader for that kind.
#include <cstring>
#include <string_view>

#include "core/error.h"
#include "parser/checkpoint_folder.h"
#include "parser/loaders.h"
#include "parser/safetensors.h"
#include "parser/tar_header.h"

namespace ptscope {
namespace {
constexpr uint8_t kLegacyMagic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

bool starts_with(ByteSpan head, std::string_view magic) {
  return head.size() >= magic.size() && std::memcmp(head.data(), magic.data(), magic.size()) == 0;
}
}  // namespace

// torch.load's order: a zip only when the file starts with a local header
// (torch's _is_zipfile), then whatever tarfile.open accepts, then a pickle
// stream. The flatbuffer check is torch.jit.load's (bytes 4-8), after zip.
FileKind sniff_kind(ByteSpan head) {
  if (starts_with(head, "PK\x03\x04")) return FileKind::unknown_zip;
  if (tar_header_valid(head)) return FileKind::legacy_tar;
  if (head.size() >= 8 && std::memcmp(head.data() + 4, "PTMF", 4) == 0) return FileKind::mobile_flatbuffer;
  if (starts_with(head, "PK\x05\x06")) return FileKind::unknown_zip;  // empty zip: no PyTorch file, said by the zip reader
  if (head.size() >= sizeof kLegacyMagic && std::memcmp(head.data(), kLegacyMagic, sizeof kLegacyMagic) == 0)
    return FileKind::legacy_stream;
  // Not a torch.load format: an 8-byte header length then '{' (safetensors).
  if (looks_like_safetensors(head)) return FileKind::safetensors;
  // Another pickle protocol may still be a legacy torch.save (the magic
  // number as a protocol 0/1 LONG, or any protocol 2+ stream).
  if (starts_with(head, "L119547037146038801333356L\n") || (!head.empty() && head[0] == 0x80))
    return FileKind::legacy_stream;
  throw Error(ErrorCode::not_pytorch, "not a PyTorch file (no zip, tar or pickle signature)");
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
    case FileKind::safetensors: load_safetensors(file, options, *model); break;
    default: break;
  }
  return model;
}

std::unique_ptr<Model> load_model(const std::string& path, const LoadOptions& options) {
  // A Hugging Face checkpoint folder, or the index file of a sharded one.
  if (auto checkpoint = open_checkpoint(path, options)) return checkpoint;
  return load_model(MappedFile::open(path), options);
}

}  // namespace ptscope
