// Zip containers: torch.save (>= 1.6), torch.jit.save and lite-interpreter
// archives. Follows PyTorchStreamReader: the first member's folder is the
// archive name, records are looked up under it.
#include <charconv>

#include "core/error.h"
#include "parser/class_index.h"
#include "parser/loaders.h"
#include "parser/naming.h"
#include "parser/packed_params.h"
#include "parser/torch_rebuild.h"
#include "parser/zip_reader.h"

namespace ptscope {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string trim_text(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  return std::string(s);
}

class ZipModelReader {
 public:
  ZipModelReader(std::shared_ptr<const MappedFile> file, const LoadOptions& options, Model& model)
      : options_(options), model_(model), zip_(ZipArchive::open(std::move(file))) {}

  void run() {
    const auto& entries = zip_.entries();
    if (entries.empty()) throw Error(ErrorCode::not_pytorch, "zip archive has no members");
    for (const auto& w : zip_.warnings()) model_.warnings.push_back(w);
    const std::string& first = entries.front().name;
    const size_t slash = first.find('/');
    if (slash == std::string::npos) {
      // torch.export.save of torch 2.1-2.5 wrote a plain zip without the archive folder.
      if (zip_.find("serialized_exported_program.json")) {
        model_.kind = FileKind::exported_program;
        for (const auto& e : entries) model_.records.push_back(e.name);
        load_exported_program(zip_, "", options_, model_);
        return;
      }
      throw Error(ErrorCode::not_pytorch, "zip archive is not a PyTorch archive: member '" + first +
                                              "' is not inside a top-level folder");
    }
    prefix_ = first.substr(0, slash + 1);
    model_.archive_name = first.substr(0, slash);
    for (const auto& e : entries) {
      if (e.name.compare(0, prefix_.size(), prefix_) != 0) {
        model_.warnings.push_back("member '" + e.name + "' lies outside the archive folder '" + model_.archive_name + "'");
        continue;
      }
      model_.records.push_back(e.name.substr(prefix_.size()));
    }
    read_metadata_records();
    classify();
    switch (model_.kind) {
      case FileKind::torchscript:
      case FileKind::torchscript_mobile: read_torchscript(); break;
      case FileKind::torch_save_zip: read_torch_save(); break;
      case FileKind::legacy_torchscript: load_model_json_archive(zip_, prefix_, options_, model_); break;
      case FileKind::torch_package:
        throw Error(ErrorCode::unsupported, "torch.package archive is recognised but not read");
      case FileKind::exported_program: load_exported_program(zip_, prefix_, options_, model_); break;
      default:
        throw Error(ErrorCode::not_pytorch, "zip archive holds no data.pkl: not a PyTorch file");
    }
  }

 private:
  const ZipEntry* record(std::string_view name) const { return zip_.find(prefix_ + std::string(name)); }
  bool has(std::string_view name) const { return record(name) != nullptr; }

  std::string read_text(const ZipEntry& e) {
    if (e.uncompressed_size > (uint64_t(64) << 20)) throw Error(ErrorCode::limit_exceeded, "text record '" + e.name + "' is too large");
    Blob b = zip_.read(e, options_.verify_crc, &model_.warnings);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
  }

  void read_metadata_records() {
    const ZipEntry* version = record(".data/version");
    if (!version) version = record("version");
    if (version) {
      std::string v = trim_text(read_text(*version));
      int64_t n = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || p != v.data() + v.size())
        throw Error(ErrorCode::corrupt, "version record holds '" + v.substr(0, 40) + "', not a number");
      model_.format_version = n;
      if (n < 1) throw Error(ErrorCode::unsupported, "archive format version " + v + " is older than any PyTorch reads");
      if (n > 10) model_.warnings.push_back("archive format version " + v + " is newer than 10, the newest known; reading anyway");
    }
    if (const ZipEntry* e = record("byteorder")) {
      model_.byteorder = trim_text(read_text(*e));
      if (model_.byteorder != "little" && model_.byteorder != "big")
        throw Error(ErrorCode::corrupt, "byteorder record says '" + model_.byteorder.substr(0, 20) + "'");
      model_.producer_hints.push_back("byteorder record '" + model_.byteorder + "' (written by torch >= 2.1)");
    }
    if (const ZipEntry* e = record(".data/serialization_id")) {
      model_.serialization_id = trim_text(read_text(*e));
      model_.producer_hints.push_back("serialization id present (torch >= 2.2)");
    }
    if (const ZipEntry* e = record(".storage_alignment")) {
      std::string v = trim_text(read_text(*e));
      int64_t n = 0;
      if (std::from_chars(v.data(), v.data() + v.size(), n).ec == std::errc()) model_.storage_alignment = n;
      model_.producer_hints.push_back("storage alignment record " + v + " (torch >= 2.5)");
    }
    if (const ZipEntry* e = record(".format_version"))
      model_.producer_hints.push_back("torch.save format version " + trim_text(read_text(*e)) + " (torch >= 2.4)");
    // Data alignment of stored tensor records tells writers apart (64 B since 1.6).
    uint64_t aligned = 0, total = 0;
    for (const auto& e : zip_.entries())
      if (e.name.find("/data/") != std::string::npos && e.method == 0) {
        ++total;
        aligned += e.data_offset % 64 == 0;
      }
    if (total) model_.producer_hints.push_back(std::to_string(aligned) + " of " + std::to_string(total) +
                                              " tensor records are 64-byte aligned");
  }

  void classify() {
    data_pkl_ = record("data.pkl");
    if (!data_pkl_) {
      data_pkl_ = zip_.find_case_insensitive(prefix_ + "data.pkl");
      if (data_pkl_) model_.warnings.push_back("data.pkl found only case-insensitively as '" + data_pkl_->name + "'");
    }
    if (has("model.json")) model_.kind = FileKind::legacy_torchscript;
    else if (has("bytecode.pkl") && data_pkl_) model_.kind = FileKind::torchscript_mobile;
    else if (has("constants.pkl") && data_pkl_) model_.kind = FileKind::torchscript;
    else if (data_pkl_) model_.kind = FileKind::torch_save_zip;
    else if (has("serialized_exported_program.json") || has("archive_format") ||
             has("models/model.json") || has(".data/serialized_exported_program.json"))
      model_.kind = FileKind::exported_program;
    else if (has(".data/extern_modules") || has(".data/version") ) model_.kind = FileKind::torch_package;
    else model_.kind = FileKind::unknown_zip;
  }

  StorageResolver resolver_for(std::string tensor_prefix) {
    StorageResolver r;
    r.fetch = [this, tensor_prefix](const std::string& key, DType dtype, uint64_t declared,
                                    const std::string& location) {
      auto s = std::make_shared<Storage>();
      s->key = key;
      s->dtype = dtype;
      s->location = location;
      s->declared_bytes = declared;
      s->record = tensor_prefix + key;
      const ZipEntry* e = record(s->record);
      if (!e) {
        if (declared == 0) return s;
        throw Error(ErrorCode::corrupt, "storage record '" + s->record + "' is missing from the archive");
      }
      if (e->uncompressed_size < declared)
        throw Error(ErrorCode::corrupt, "storage record '" + s->record + "' holds " + std::to_string(e->uncompressed_size) +
                                            " bytes but the pickle declares " + std::to_string(declared));
      Blob b = zip_.read(*e, options_.verify_crc && e->method != 0, &model_.warnings);
      s->compressed = e->method != 0;
      s->file_offset = e->method == 0 ? e->data_offset : 0;
      s->data = Blob{b.bytes.subspan(0, declared), b.owner};
      return s;
    };
    return r;
  }

  PyRef unpickle_record(const ZipEntry& e, TorchRebuilder& rebuilder, const StorageResolver& resolver) {
    Blob bytes = zip_.read(e, options_.verify_crc, &model_.warnings);
    PickleOptions po;
    po.tracker = model_.pickle_nodes;
    po.persistent_load = [&](const PyRef& pid) { return rebuilder.load_storage_pid(pid, resolver); };
    PickleResult r;
    try {
      r = unpickle(bytes.bytes, po);
    } catch (const Error& err) {
      throw Error(err.code(), e.name + ": " + err.what());
    }
    if (!model_.pickle_protocol) model_.pickle_protocol = r.protocol;
    for (auto& w : r.warnings) model_.warnings.push_back(e.name + ": " + w);
    try {
      rebuilder.rebuild(r.value);
    } catch (const Error& err) {
      throw Error(err.code(), e.name + ": " + err.what());
    }
    return r.value;
  }

  void read_torch_save() {
    TorchRebuilder rebuilder(model_.byteorder == "big", &model_.warnings);
    model_.object = unpickle_record(*data_pkl_, rebuilder, resolver_for("data/"));
    model_.root = name_saved_object(model_.object, model_.tensors);
  }

  void read_torchscript() {
    ClassIndex classes;
    for (const auto& e : zip_.entries()) {
      if (e.name.compare(0, prefix_.size(), prefix_) != 0) continue;
      std::string rel = e.name.substr(prefix_.size());
      if (rel.rfind("code/", 0) != 0 || !ends_with(rel, ".py")) continue;
      std::string text = read_text(e);
      classes.add_source(rel, text);
      if (options_.decode_sources) model_.sources.emplace(rel, std::move(text));
    }
    const bool big = model_.byteorder == "big";
    if (const ZipEntry* c = record("constants.pkl")) {
      TorchRebuilder rebuilder(big, &model_.warnings);
      PyRef constants = unpickle_record(*c, rebuilder, resolver_for("constants/"));
      if (constants && (constants->kind == PyKind::tuple || constants->kind == PyKind::list)) {
        model_.constants = constants->items;
        for (size_t i = 0; i < constants->items.size(); ++i) {
          const PyRef& c = constants->items[i];
          const std::string name = "CONSTANTS.c" + std::to_string(i);
          if (c->kind == PyKind::tensor) {
            model_.tensors.push_back({name, TensorRole::constant, c->tensor});
          } else if (is_packed_weight_class(*c)) {
            // Frozen models (torch.jit.freeze, optimize_for_mobile) keep each layer's packed
            // weights as a constant object: they are the model's parameters.
            if (auto w = find_packed_weights(c->state)) {
              model_.tensors.push_back({name + ".weight", TensorRole::parameter, w->weight});
              if (w->bias) model_.tensors.push_back({name + ".bias", TensorRole::parameter, w->bias});
            }
          }
        }
      }
    }
    TorchRebuilder rebuilder(big, &model_.warnings);
    model_.object = unpickle_record(*data_pkl_, rebuilder, resolver_for("data/"));
    std::vector<NamedTensor> module_tensors;
    model_.root = name_script_module(model_.object, classes, module_tensors);
    // Module tensors first (they are what users look for), constants after.
    module_tensors.insert(module_tensors.end(), model_.tensors.begin(), model_.tensors.end());
    model_.tensors = std::move(module_tensors);
    if (model_.kind == FileKind::torchscript_mobile) {
      TorchRebuilder bc_rebuilder(big, &model_.warnings);
      PyRef bc = unpickle_record(*record("bytecode.pkl"), bc_rebuilder, resolver_for("constants/"));
      model_.bytecode = decode_mobile_bytecode(bc, model_.warnings);
    }
  }

  const LoadOptions& options_;
  Model& model_;
  ZipArchive zip_;
  std::string prefix_;
  const ZipEntry* data_pkl_ = nullptr;
};

}  // namespace

void load_zip_model(std::shared_ptr<const MappedFile> file, const LoadOptions& options, Model& model) {
  ZipModelReader reader(std::move(file), options, model);
  reader.run();
}

}  // namespace ptscope
