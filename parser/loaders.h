// One reader per file kind (internal to the parser; callers use load_model).
#pragma once
#include <memory>

#include "core/model.h"

namespace ptscope {

void load_zip_model(std::shared_ptr<const MappedFile> file, const LoadOptions& options, Model& model);
void load_legacy_stream(std::shared_ptr<const MappedFile> file, const LoadOptions& options, Model& model);
void load_legacy_tar(std::shared_ptr<const MappedFile> file, const LoadOptions& options, Model& model);
void load_safetensors(std::shared_ptr<const MappedFile> file, const LoadOptions& options, Model& model);

class ZipArchive;
// model.json-era TorchScript (format version 1), inside an opened zip.
void load_model_json_archive(const ZipArchive& zip, const std::string& prefix, const LoadOptions& options, Model& model);

// torch.export archive (.pt2), inside an opened zip (parser/load_pt2.cpp).
void load_exported_program(const ZipArchive& zip, const std::string& prefix, const LoadOptions& options, Model& model);

// bytecode.pkl of a lite-interpreter archive.
MobileBytecode decode_mobile_bytecode(const PyRef& root, std::vector<std::string>& warnings);

}  // namespace ptscope
