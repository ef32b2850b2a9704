// What the reader recovers from a file: kind, version, producer hints, the
// module tree, a flat tensor table and the TorchScript sources. Everything
// downstream (graph, stats, audit, reports) reads this.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/pyobject.h"
#include "core/tensor.h"

namespace ptscope {

enum class FileKind {
  torchscript,         // torch.jit.save archive
  torchscript_mobile,  // lite-interpreter archive (bytecode.pkl)
  torch_save_zip,      // torch.save, zip container (>= 1.6)
  legacy_stream,       // torch.save, pickle stream (<= 1.5)
  legacy_tar,          // torch.save, ancient tar
  legacy_torchscript,  // model.json era TorchScript (1.0-1.2)
  torch_package,       // torch.package archive
  exported_program,    // .pt2 / torch.export
  mobile_flatbuffer,   // bytecode v9 flatbuffer (PTMF)
  unknown_zip,         // a zip that is not a PyTorch archive
  safetensors,         // safetensors file (JSON header + raw tensors)
  checkpoint_folder,   // Hugging Face checkpoint: a folder or index file over shards
};
const char* file_kind_name(FileKind kind);

// Why a tensor is in the table.
enum class TensorRole { parameter, buffer, attribute, constant, state, other };
const char* tensor_role_name(TensorRole role);

struct NamedTensor {
  std::string name;  // dotted path as in a state_dict ("layer1.0.conv1.weight")
  TensorRole role = TensorRole::other;
  std::shared_ptr<Tensor> tensor;
  bool is_parameter() const { return role == TensorRole::parameter; }
  bool is_buffer() const { return role == TensorRole::buffer; }
};

struct ModuleNode {
  std::string name;        // attribute name in the parent ("" for the root)
  std::string path;        // dotted path from the root
  std::string class_name;  // "__torch__.torch.nn.modules.conv.Conv2d" or "torch.nn.modules.conv.Conv2d"
  std::vector<std::string> parameters;  // names declared as parameters
  std::vector<std::string> buffers;     // names declared as buffers
  std::vector<std::pair<std::string, std::string>> attributes;  // non-tensor attribute name → repr
  std::vector<std::unique_ptr<ModuleNode>> children;
  PyRef object;            // the unpickled object (TorchScript) or nullptr

  // Short class name without module path and mangling ("Conv2d").
  std::string short_class_name() const;
};

// Lite-interpreter bytecode (bytecode.pkl), decoded.
struct MobileFunction {
  std::string qualname;
  std::vector<std::tuple<std::string, int64_t, int64_t>> instructions;  // (op, X, N)
  std::vector<std::string> operators;  // "aten::conv2d" or "aten::add.Tensor"
  size_t n_constants = 0;
  std::vector<std::string> types;
  int64_t register_size = 0;
};
struct MobileBytecode {
  int64_t version = 0;
  std::vector<MobileFunction> functions;
};

struct ExportedProgram;  // parser/exported_program.h

struct Model {
  // Declared first so it is destroyed last: it breaks reference cycles among
  // the pickled values below once nothing else holds them.
  std::shared_ptr<PyNodeTracker> pickle_nodes = std::make_shared<PyNodeTracker>();
  std::string path;
  uint64_t file_size = 0;
  FileKind kind = FileKind::unknown_zip;
  std::optional<int64_t> format_version;  // archive version record; 1001 for legacy streams
  std::string archive_name;               // top-level folder of a zip archive
  std::string byteorder;                  // "little"/"big" if recorded
  std::string serialization_id;
  std::optional<int64_t> storage_alignment;
  int pickle_protocol = 0;
  std::vector<std::string> producer_hints;  // human-readable observations about the writer

  std::vector<NamedTensor> tensors;       // flat table, file order
  std::unique_ptr<ModuleNode> root;       // module tree (TorchScript and pickled modules)
  std::map<std::string, std::string> sources;  // "code/__torch__/a.py" → text (TorchScript)
  std::vector<PyRef> constants;           // constants.pkl entries (TorchScript)
  PyRef object;                           // the unpickled root object (torch.save / data.pkl)
  std::optional<MobileBytecode> bytecode;
  std::shared_ptr<const ExportedProgram> exported;  // .pt2 programs (torch.export)
  std::vector<std::string> records;       // archive members or stream sections
  std::vector<std::string> warnings;
  // safetensors "__metadata__", or a checkpoint index's "metadata" (strings).
  std::map<std::string, std::string> metadata;
  // Checkpoint folders: the shard files in load order, and the summary of the
  // config.json beside them (architecture, dtype, sizes) as (key, value) text.
  std::vector<std::string> shards;
  std::vector<std::pair<std::string, std::string>> config;

  // Raw totals over the tensor table, by the roles the file declares (every
  // entry counted). What commands report goes through core/weights.h: one
  // rule for parameters vs buffers in a plain state_dict, ties counted once.
  int64_t n_parameter_elements() const;
  int64_t n_buffers() const;           // buffer tensors
  int64_t n_buffer_elements() const;   // elements of those tensors
  uint64_t tensor_bytes() const;  // sum of distinct storages' bytes
};

struct LoadOptions {
  bool verify_crc = true;
  bool decode_sources = true;   // read code/**.py into Model::sources
};

// Opens any PyTorch file kind. Never executes anything from the file.
// Throws Error with a one-line reason on unreadable input.
std::unique_ptr<Model> load_model(const std::string& path, const LoadOptions& options = {});
std::unique_ptr<Model> load_model(std::shared_ptr<const MappedFile> file, const LoadOptions& options = {});

// Format sniffing from the first bytes (and, for zips, the member names).
FileKind sniff_kind(ByteSpan head);

}  // namespace ptscope
