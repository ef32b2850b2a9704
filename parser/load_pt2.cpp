// torch.export archives (.pt2, torch.export.save / torch._inductor
// aoti_compile_and_package), read after the layout of
// torch/export/pt2_archive/_package.py and the schema of
// torch/_export/serde/schema.py:
//   archive_format ("pt2"), archive_version ("0"), byteorder,
//   models/<model>.json                 the serialized ExportedProgram,
//   data/weights/<model>_weights_config.json + data/weights/weight_<k>
//   data/constants/<model>_constants_config.json + data/constants/tensor_<k>
//   data/sample_inputs/<model>.pt        torch.save((args, kwargs))
//   data/aotinductor/<model>/...         AOTInductor code (never loaded)
// Raw weight records are the untyped storage bytes of a tensor (shared by
// every tensor that aliases it, so ties survive): they become zero-copy
// storages. Pickled records (tensor subclasses, AOTInductor weights) are
// torch.save archives read by our own reader. JSON is parsed with size and
// depth limits; the program's schema is decoded by pt2_schema.cpp.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "core/error.h"
#include "core/tensor.h"
#include "parser/exported_program.h"
#include "parser/json_limited.h"
#include "parser/loaders.h"
#include "parser/pt2_schema.h"
#include "parser/zip_reader.h"

namespace ptscope {

using nlohmann::json;

namespace {

using namespace pt2;

constexpr int64_t kNewestArchiveVersion = 0;
constexpr uint64_t kMaxProgramJson = uint64_t(256) << 20;
constexpr uint64_t kMaxConfigJson = uint64_t(64) << 20;
constexpr uint64_t kMaxNestedArchive = uint64_t(1) << 30;

// A .pt2 holds torch.save archives (sample inputs, pickled weights); those
// must not hold further programs.
thread_local int nested_loads = 0;

// ---- archive reading

class Pt2Reader {
 public:
  Pt2Reader(const ZipArchive& zip, std::string prefix, const LoadOptions& options, Model& model)
      : zip_(zip), prefix_(std::move(prefix)), options_(options), model_(model) {}

  void run() {
    auto program = std::make_shared<ExportedProgram>();
    p_ = program.get();
    if (has("serialized_exported_program.json")) {
      read_legacy_archive();
      model_.exported = std::move(program);
      return;
    }
    read_format_records();
    for (const auto& r : model_.records) {
      if (r.rfind("data/aotinductor/", 0) == 0) {
        p_->aot_inductor = true;
        if (const ZipEntry* e = record(r)) p_->aot_artifacts.emplace_back(r, e->uncompressed_size);
      }
    }
    choose_model();
    if (!p_->model_name.empty() && has("models/" + p_->model_name + ".json")) {
      const json j = read_json("models/" + p_->model_name + ".json", kMaxProgramJson);
      parse_program(j, "models/" + p_->model_name + ".json", *p_, model_.warnings);
    } else if (!p_->aot_inductor) {
      throw Error(ErrorCode::corrupt, "torch.export archive has no models/*.json program");
    }
    read_payloads("data/weights/", "weights");
    read_payloads("data/constants/", "constants");
    if (p_->aot_inductor) read_aoti_weights();
    if (p_->aot_inductor && model_.tensors.empty()) read_aoti_constants_info();
    read_sample_inputs();
    assign_roles();
    build_module_tree();
    add_hints();
    drop_nested_eocd_warnings();
    model_.exported = std::move(program);
  }

  // The zip reader notes an inner end-of-central-directory record (a possible
  // concatenated archive); inside a data/ or .pt member (sample inputs, pickled
  // weights, the 2.1-2.5 layout's members are torch.save archives) that is the
  // expected layout, not a finding.
  void drop_nested_eocd_warnings() {
    static const std::string prefix = "another end-of-central-directory signature at offset ";
    auto& w = model_.warnings;
    w.erase(std::remove_if(w.begin(), w.end(),
                           [&](const std::string& text) {
                             if (text.rfind(prefix, 0) != 0) return false;
                             uint64_t at = 0;
                             const char* b = text.data() + prefix.size();
                             if (std::from_chars(b, text.data() + text.size(), at).ec != std::errc()) return false;
                             for (const auto& e : zip_.entries())
                               if (e.method == 0 && at >= e.data_offset && at < e.data_offset + e.compressed_size &&
                                   (e.name.rfind(prefix_ + "data/", 0) == 0 ||
                                    (e.name.size() > 3 && e.name.compare(e.name.size() - 3, 3, ".pt") == 0)))
                                 return true;
                             return false;
                           }),
            w.end());
  }

 private:
  const ZipEntry* record(const std::string& name) const { return zip_.find(prefix_ + name); }
  bool has(const std::string& name) const { return record(name) != nullptr; }

  Blob read_member(const ZipEntry& e, uint64_t limit, const std::string& what) {
    if (e.uncompressed_size > limit)
      throw Error(ErrorCode::limit_exceeded, what + " is " + std::to_string(e.uncompressed_size) + " bytes, over the " +
                                                 std::to_string(limit) + "-byte limit");
    return zip_.read(e, options_.verify_crc, &model_.warnings);
  }
  json read_json(const std::string& name, uint64_t limit) {
    const ZipEntry* e = record(name);
    if (!e) throw Error(ErrorCode::corrupt, "torch.export archive lacks " + name);
    Blob b = read_member(*e, limit, name);
    return parse_json_limited(b.bytes, name, JsonLimits{size_t(limit), 64});
  }
  std::string read_small_text(const std::string& name) {
    const ZipEntry* e = record(name);
    if (!e) return {};
    Blob b = read_member(*e, 4096, name);
    std::string s(reinterpret_cast<const char*>(b.data()), b.size());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
  }

  void read_format_records() {
    const std::string format = read_small_text("archive_format");
    if (!format.empty() && format != "pt2")
      throw Error(ErrorCode::unsupported, "archive_format record says '" + format.substr(0, 40) + "', not 'pt2'");
    const std::string version = read_small_text("archive_version");
    if (!version.empty()) {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(version.data(), version.data() + version.size(), v);
      if (ec != std::errc() || ptr != version.data() + version.size() || v < 0)
        throw Error(ErrorCode::corrupt, "archive_version record holds '" + version.substr(0, 40) + "', not a version number");
      p_->archive_version = v;
      if (v > kNewestArchiveVersion)
        model_.warnings.push_back("pt2 archive version " + version + " is newer than " +
                                  std::to_string(kNewestArchiveVersion) + ", the newest known; reading what is known");
    }
  }

  // torch.export.save writes one program, "model"; packages may hold several.
  void choose_model() {
    std::vector<std::string> names;
    for (const auto& r : model_.records)
      if (r.rfind("models/", 0) == 0 && r.size() > 12 && r.compare(r.size() - 5, 5, ".json") == 0 &&
          r.find('/', 7) == std::string::npos)
        names.push_back(r.substr(7, r.size() - 12));
    if (names.empty()) {
      // AOTInductor packages name their model by the folder under data/aotinductor/.
      for (const auto& r : model_.records)
        if (r.rfind("data/aotinductor/", 0) == 0) {
          const size_t slash = r.find('/', 17);
          if (slash != std::string::npos) {
            p_->model_name = r.substr(17, slash - 17);
            break;
          }
        }
      return;
    }
    auto it = std::find(names.begin(), names.end(), "model");
    p_->model_name = it != names.end() ? *it : names.front();
    if (names.size() > 1) {
      std::string others;
      for (const auto& n : names)
        if (n != p_->model_name) others += (others.empty() ? "" : ", ") + n;
      model_.warnings.push_back("archive holds " + std::to_string(names.size()) + " programs; reading '" +
                                p_->model_name + "' (also: " + others + ")");
    }
  }

  // torch 2.1-2.5 (torch.export.save before the pt2 archive format): a plain
  // zip with serialized_exported_program.json, serialized_state_dict.pt,
  // serialized_constants.pt and serialized_example_inputs.pt (torch.save
  // archives of a dict, a dict and (args, kwargs)) and a "major.minor" version.
  void read_legacy_archive() {
    p_->model_name = "model";
    p_->archive_version = -1;  // before archive versions existed
    const std::string version = read_small_text("version");
    if (!version.empty()) model_.producer_hints.push_back("torch.export archive of torch 2.1-2.5, schema version record " + version.substr(0, 20));
    const json j = read_json("serialized_exported_program.json", kMaxProgramJson);
    parse_program(j, "serialized_exported_program.json", *p_, model_.warnings);
    for (const char* name : {"serialized_state_dict.pt", "serialized_constants.pt"}) {
      const ZipEntry* e = record(name);
      if (!e) continue;
      auto nested = load_nested(*e, name);
      for (auto& nt : nested->tensors)
        model_.tensors.push_back({nt.name, std::string(name) == "serialized_state_dict.pt" ? TensorRole::parameter : TensorRole::constant, nt.tensor});
    }
    if (const ZipEntry* e = record("serialized_example_inputs.pt")) {
      auto nested = load_nested(*e, "serialized_example_inputs.pt");
      for (const auto& nt : nested->tensors)
        if (nt.name.rfind("0.", 0) == 0) p_->sample_inputs.push_back(nt.tensor);
    }
    assign_roles();
    build_module_tree();
    add_hints();
    drop_nested_eocd_warnings();
  }

  // A torch.save archive inside the .pt2, read by our own reader.
  std::unique_ptr<Model> load_nested(const ZipEntry& e, const std::string& what) {
    if (nested_loads > 0) throw Error(ErrorCode::corrupt, what + " is an archive inside a nested archive");
    Blob b = read_member(e, kMaxNestedArchive, what);
    auto file = MappedFile::from_bytes(std::vector<uint8_t>(b.data(), b.data() + b.size()), what);
    struct Depth {  // counts this load while it runs, however it ends
      Depth() { ++nested_loads; }
      ~Depth() { --nested_loads; }
    };
    std::unique_ptr<Model> m;
    try {
      Depth depth;
      m = load_model(file, options_);
    } catch (const Error& err) {
      throw Error(err.code(), what + ": " + err.what());
    }
    if (m->kind != FileKind::torch_save_zip && m->kind != FileKind::legacy_stream)
      throw Error(ErrorCode::corrupt, what + " is a " + std::string(file_kind_name(m->kind)) + ", not a torch.save archive");
    for (const auto& w : m->warnings) model_.warnings.push_back(what + ": " + w);
    return m;
  }

  // A raw record: the untyped storage of one or more tensors (shared by name).
  std::shared_ptr<Storage> raw_storage(const std::string& dir, const std::string& path_name, DType dtype,
                                       const std::string& device, const std::string& owner) {
    auto it = storages_.find(dir + path_name);
    if (it != storages_.end()) return it->second;
    if (path_name.empty() || path_name.find('/') != std::string::npos || path_name.find("..") != std::string::npos)
      throw Error(ErrorCode::corrupt, owner + ": payload path '" + path_name.substr(0, 60) + "' is not a record name");
    const ZipEntry* e = record(dir + path_name);
    if (!e) throw Error(ErrorCode::corrupt, owner + " is stored in " + dir + path_name + ", which is not in the archive");
    auto s = std::make_shared<Storage>();
    s->key = path_name;
    s->record = dir + path_name;
    s->location = device;
    s->dtype = dtype;
    s->compressed = e->method != 0;
    if (!s->compressed) s->file_offset = e->data_offset;
    // Stored records are views of the mapping, not hashed (as for torch.save archives: listing a
    // model reads no tensor byte); deflated ones are checked as they inflate.
    s->data = zip_.read(*e, options_.verify_crc && s->compressed, &model_.warnings);
    s->declared_bytes = s->data.size();
    storages_.emplace(dir + path_name, s);
    return s;
  }

  static void check_view(const Tensor& t, const std::string& owner) {
    if (t.storage_offset < 0) throw Error(ErrorCode::corrupt, owner + ": negative storage offset");
    uint64_t numel = 1;
    for (size_t d = 0; d < t.shape.size(); ++d) {
      if (t.shape[d] < 0 || t.strides[d] < 0) throw Error(ErrorCode::corrupt, owner + ": negative size or stride");
      if (__builtin_mul_overflow(numel, uint64_t(t.shape[d]), &numel) || numel > (uint64_t(1) << 56))
        throw Error(ErrorCode::corrupt, owner + ": element count overflows");
      if (t.shape[d] > 0 && uint64_t(t.strides[d]) > (uint64_t(1) << 56))
        throw Error(ErrorCode::corrupt, owner + ": stride out of range");
    }
    if (uint64_t(t.storage_offset) > (uint64_t(1) << 56)) throw Error(ErrorCode::corrupt, owner + ": storage offset out of range");
    if (numel == 0) return;
    // Last element's offset, computed unsigned with overflow checks (a hostile
    // size x stride must not overflow before it is compared with the record).
    uint64_t last = uint64_t(t.storage_offset), need = 0;
    for (size_t d = 0; d < t.shape.size(); ++d) {
      uint64_t step = 0;
      if (__builtin_mul_overflow(uint64_t(t.shape[d] - 1), uint64_t(t.strides[d]), &step) ||
          __builtin_add_overflow(last, step, &last))
        throw Error(ErrorCode::corrupt, owner + ": view extent overflows");
    }
    if (__builtin_mul_overflow(last + 1, uint64_t(itemsize(t.dtype)), &need))
      throw Error(ErrorCode::corrupt, owner + ": view extent overflows");
    if (t.storage && need > t.storage->data.size())
      throw Error(ErrorCode::corrupt, owner + " needs " + std::to_string(need) + " bytes of " + t.storage->record +
                                          ", which holds " + std::to_string(t.storage->data.size()));
  }

  static std::vector<int64_t> concrete(const std::vector<ExportSymInt>& dims, const std::string& owner, const char* what) {
    std::vector<int64_t> out;
    for (const auto& d : dims) {
      if (!d.value) throw Error(ErrorCode::corrupt, owner + ": " + what + " is symbolic for a stored tensor");
      out.push_back(*d.value);
    }
    return out;
  }

  // data/<kind>/<model>_<kind>_config.json: name → PayloadMeta.
  void read_payloads(const std::string& dir, const std::string& kind) {
    const std::string config = dir + p_->model_name + "_" + kind + "_config.json";
    if (!has(config)) {
      if (kind == "weights" && has("data/weights/" + p_->model_name + ".pt"))
        read_legacy_weights("data/weights/" + p_->model_name + ".pt");
      return;
    }
    const json j = read_json(config, kMaxConfigJson);
    const json& entries = field(j, "config", config);
    if (!entries.is_object()) bad(config, "'config' is not an object");
    const TensorRole role = kind == "weights" ? TensorRole::parameter : TensorRole::constant;
    for (auto it = entries.begin(); it != entries.end(); ++it) {
      const std::string name = it.key();
      const std::string owner = kind.substr(0, kind.size() - 1) + " '" + name + "'";
      const std::string where = config + "." + name;
      const std::string path_name = get_string(field(*it, "path_name", where), where + ".path_name");
      bool use_pickle = false;
      if (const json* up = opt_field(*it, "use_pickle")) use_pickle = get_bool(*up, where);
      if (path_name.rfind("custom_obj_", 0) == 0 || path_name.rfind("opaque_obj_", 0) == 0) {
        custom_objects_.push_back(name);
        continue;  // a pickled TorchBind object: scanned by audit, not a tensor
      }
      std::shared_ptr<Tensor> t;
      if (use_pickle) {
        const ZipEntry* e = record(dir + path_name);
        if (!e) throw Error(ErrorCode::corrupt, owner + " is stored in " + dir + path_name + ", which is not in the archive");
        auto nested = load_nested(*e, dir + path_name);
        if (nested->tensors.empty()) throw Error(ErrorCode::corrupt, owner + ": " + dir + path_name + " holds no tensor");
        t = nested->tensors.front().tensor;
      } else {
        const ExportTensorMeta meta = parse_tensor_meta(field(*it, "tensor_meta", where), where + ".tensor_meta");
        const json& tm = field(*it, "tensor_meta", where);
        t = std::make_shared<Tensor>();
        t->dtype = meta.dtype;
        t->requires_grad = meta.requires_grad;
        t->shape = concrete(meta.sizes, owner, "size");
        std::vector<ExportSymInt> strides;
        for (const auto& s : get_array(field(tm, "strides", where), where + ".strides"))
          strides.push_back(parse_sym_int(s, where + ".strides"));
        t->strides = concrete(strides, owner, "stride");
        if (t->strides.size() != t->shape.size())
          throw Error(ErrorCode::corrupt, owner + ": " + std::to_string(t->shape.size()) + " sizes but " +
                                              std::to_string(t->strides.size()) + " strides");
        if (const json* so = opt_field(tm, "storage_offset")) {
          const ExportSymInt off = parse_sym_int(*so, where + ".storage_offset");
          if (!off.value) throw Error(ErrorCode::corrupt, owner + ": storage offset is symbolic");
          t->storage_offset = *off.value;
        }
        if (const json* lay = opt_field(tm, "layout"); lay && get_int(*lay, where + ".layout") != 7)
          throw Error(ErrorCode::unsupported, owner + " has a non-strided layout (" + std::to_string(get_int(*lay, where)) + ")");
        t->storage = raw_storage(dir, path_name, meta.dtype, meta.device, owner);
        if (t->storage->data.size() % itemsize(meta.dtype) != 0)
          throw Error(ErrorCode::corrupt, owner + ": " + t->storage->record + " holds " +
                                              std::to_string(t->storage->data.size()) + " bytes, not a whole number of " +
                                              std::string(dtype_name(meta.dtype)) + " elements");
        t->rebuild = "pt2 " + kind + " record";
        check_view(*t, owner);
      }
      bool is_param = false;
      if (const json* ip = opt_field(*it, "is_param")) is_param = get_bool(*ip, where);
      model_.tensors.push_back({name, kind == "weights" ? (is_param ? TensorRole::parameter : TensorRole::buffer) : role, t});
    }
  }

  // Earlier pt2 archives stored the whole state_dict as one torch.save archive
  // (torch's _load_state_dict still reads it).
  void read_legacy_weights(const std::string& name) {
    auto nested = load_nested(*record(name), name);
    for (auto& nt : nested->tensors) model_.tensors.push_back({nt.name, TensorRole::parameter, nt.tensor});
  }

  // AOTInductor packages without models/*.json: data/aotinductor/<m>/weights_config.json
  // maps each weight to a pickled record with its view (file, shape, stride, offset).
  void read_aoti_weights() {
    const std::string config = "data/aotinductor/" + p_->model_name + "/weights_config.json";
    if (!has(config)) return;
    if (!model_.tensors.empty()) return;  // a models/*.json program's own configs already named them
    const json j = read_json(config, kMaxConfigJson);
    if (!j.is_object()) bad(config, "expected an object");
    std::map<std::string, std::shared_ptr<Tensor>> bases;
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string owner = "AOTInductor weight '" + it.key() + "'";
      const json& v = get_array(*it, config);
      if (v.size() != 4) bad(config + "." + it.key(), "expected [file, shape, stride, offset]");
      const std::string file = get_string(v[0], config);
      if (file.find('/') != std::string::npos || file.find("..") != std::string::npos)
        bad(config + "." + it.key(), "record name '" + file.substr(0, 60) + "' is not a plain name");
      auto b = bases.find(file);
      if (b == bases.end()) {
        const ZipEntry* e = record("data/weights/" + file);
        if (!e) throw Error(ErrorCode::corrupt, owner + " is stored in data/weights/" + file + ", which is not in the archive");
        auto nested = load_nested(*e, "data/weights/" + file);
        if (nested->tensors.empty()) throw Error(ErrorCode::corrupt, owner + ": data/weights/" + file + " holds no tensor");
        b = bases.emplace(file, nested->tensors.front().tensor).first;
      }
      auto t = std::make_shared<Tensor>(*b->second);
      t->shape.clear();
      t->strides.clear();
      for (const auto& d : get_array(v[1], config)) t->shape.push_back(get_int(d, config));
      for (const auto& d : get_array(v[2], config)) t->strides.push_back(get_int(d, config));
      t->storage_offset = get_int(v[3], config);
      if (t->shape.size() != t->strides.size()) bad(config + "." + it.key(), "shape and stride ranks differ");
      check_view(*t, owner);
      model_.tensors.push_back({it.key(), TensorRole::parameter, t});
    }
  }

  // AOTInductor packages whose weights are compiled into the .so: the
  // generated wrapper source declares each constant (constants_info_[i].name,
  // dtype, shape, stride, original_fqn, type). Listed with their metadata;
  // the bytes stay inside the shared object, which is never opened.
  void read_aoti_constants_info() {
    const std::string dir = "data/aotinductor/" + p_->model_name + "/";
    for (const auto& r : model_.records) {
      if (r.rfind(dir, 0) != 0 || r.size() < 12 || r.compare(r.size() - 12, 12, ".wrapper.cpp") != 0) continue;
      const ZipEntry* e = record(r);
      Blob b = read_member(*e, kMaxConfigJson, r);
      const std::string_view text(reinterpret_cast<const char*>(b.data()), b.size());
      struct Info {
        std::string name, fqn, dtype, type;
        std::vector<int64_t> shape, stride;
        bool has_shape = false;
      };
      std::map<uint64_t, Info> infos;
      static constexpr std::string_view key = "constants_info_[";
      size_t at = 0;
      while ((at = text.find(key, at)) != std::string_view::npos) {
        at += key.size();
        uint64_t idx = 0;
        auto [ptr, ec] = std::from_chars(text.data() + at, text.data() + text.size(), idx);
        if (ec != std::errc() || idx > (1u << 20)) continue;
        size_t pos = size_t(ptr - text.data());
        if (text.substr(pos, 2) != "].") continue;
        pos += 2;
        const size_t eq = text.find(" = ", pos), end = text.find(';', pos);
        if (eq == std::string_view::npos || end == std::string_view::npos || eq > end || end - pos > 4096) continue;
        const std::string_view field = text.substr(pos, eq - pos), value = text.substr(eq + 3, end - eq - 3);
        Info& info = infos[idx];
        auto quoted = [&] { return value.size() >= 2 && value.front() == '"' ? std::string(value.substr(1, value.size() - 2)) : std::string(); };
        auto ints = [&] {
          std::vector<int64_t> v;
          size_t i = 0;
          while (i < value.size()) {
            while (i < value.size() && !(std::isdigit(static_cast<unsigned char>(value[i])))) ++i;
            if (i >= value.size()) break;
            int64_t x = 0;
            auto [p2, ec2] = std::from_chars(value.data() + i, value.data() + value.size(), x);
            if (ec2 != std::errc()) break;
            v.push_back(x);
            i = size_t(p2 - value.data());
          }
          return v;
        };
        if (field == "name") info.name = quoted();
        else if (field == "original_fqn") info.fqn = quoted();
        else if (field == "dtype") info.dtype = std::string(value);
        else if (field == "type") info.type = std::string(value);
        else if (field == "shape") info.shape = ints(), info.has_shape = true;
        else if (field == "stride") info.stride = ints();
        at = end;
      }
      for (const auto& [idx, info] : infos) {
        if (!info.has_shape) continue;
        auto t = std::make_shared<Tensor>();
        static constexpr std::string_view dtype_prefix = "cached_torch_dtype_";
        const size_t dp = info.dtype.find(dtype_prefix);
        auto d = dp == std::string::npos ? std::nullopt : dtype_from_name(info.dtype.substr(dp + dtype_prefix.size()));
        t->dtype = d.value_or(DType::uint8);
        t->shape = info.shape;
        t->strides = info.stride.size() == info.shape.size() ? info.stride : contiguous_strides(info.shape);
        auto storage = std::make_shared<Storage>();
        storage->key = info.name;
        storage->record = r;
        storage->data_missing = true;  // compiled into the shared object
        t->storage = storage;
        t->rebuild = "AOTInductor constant (data in the compiled .so, not read)";
        const TensorRole role = info.type.find("Parameter") != std::string::npos ? TensorRole::parameter
                                : info.type.find("Buffer") != std::string::npos  ? TensorRole::buffer
                                                                                 : TensorRole::constant;
        model_.tensors.push_back({info.fqn.empty() ? info.name : info.fqn, role, t});
      }
      if (!infos.empty())
        model_.warnings.push_back(std::to_string(infos.size()) + " AOTInductor constants are compiled into the package's "
                                  "shared object: listed from " + r + " without their data");
      return;
    }
  }

  void read_sample_inputs() {
    const std::string name = "data/sample_inputs/" + p_->model_name + ".pt";
    const ZipEntry* e = record(name);
    if (!e) return;
    auto nested = load_nested(*e, name);
    // torch.save((args, kwargs)): args' tensors are named "0.<k>".
    for (const auto& nt : nested->tensors)
      if (nt.name.rfind("0.", 0) == 0) p_->sample_inputs.push_back(nt.tensor);
  }

  // Roles and names from the signature: parameters, buffers (persistent or
  // not), lifted constants. The configs' names are the state_dict names.
  void assign_roles() {
    std::map<std::string, TensorRole> roles;
    for (const auto& s : p_->input_specs) {
      switch (s.kind) {
        case ExportInputSpec::Kind::parameter: roles[s.target] = TensorRole::parameter; break;
        case ExportInputSpec::Kind::buffer: roles[s.target] = TensorRole::buffer; break;
        case ExportInputSpec::Kind::tensor_constant: roles[s.target] = TensorRole::constant; break;
        default: break;
      }
    }
    std::set<std::string> seen;
    for (auto& nt : model_.tensors) {
      if (!seen.insert(nt.name).second)
        throw Error(ErrorCode::corrupt, "tensor '" + nt.name + "' is listed twice in the weights and constants configs");
      auto it = roles.find(nt.name);
      if (it != roles.end()) nt.role = it->second;
    }
    // The configs are JSON objects (no order kept): list tensors in the signature's order,
    // which is the module's registration order (parameters, then buffers, then constants).
    std::map<std::string, size_t> order;
    for (const auto& spec : p_->input_specs)
      if (!spec.target.empty()) order.emplace(spec.target, order.size());
    std::stable_sort(model_.tensors.begin(), model_.tensors.end(), [&](const NamedTensor& a, const NamedTensor& b) {
      auto ia = order.find(a.name), ib = order.find(b.name);
      const size_t ka = ia == order.end() ? order.size() : ia->second, kb = ib == order.end() ? order.size() : ib->second;
      return ka < kb;
    });
    if (p_->aot_inductor && p_->input_specs.empty()) return;
    for (const auto& [name, role] : roles)
      if (!seen.count(name))
        throw Error(ErrorCode::corrupt, "the program's signature names " + std::string(tensor_role_name(role)) + " '" + name +
                                            "', which no weights or constants record holds");
  }

  // The module tree from nn_module_stack ("key,path,class;..." per node) and
  // the state_dict names.
  void build_module_tree() {
    std::map<std::string, std::string> classes;  // path → class
    for (const auto& n : p_->nodes) {
      size_t at = 0;
      const std::string& s = n.nn_module_stack;
      while (at < s.size()) {
        size_t end = s.find(';', at);
        if (end == std::string::npos) end = s.size();
        const std::string entry = s.substr(at, end - at);
        const size_t c1 = entry.find(','), c2 = entry.rfind(',');
        if (c1 != std::string::npos && c2 != c1) {
          const std::string path = entry.substr(c1 + 1, c2 - c1 - 1), cls = entry.substr(c2 + 1);
          if (path.find("_empty_nn_module_stack") == std::string::npos) classes.emplace(path, cls);
        }
        at = end + 1;
      }
    }
    if (classes.empty() && model_.tensors.empty()) return;
    auto root = std::make_unique<ModuleNode>();
    root->class_name = classes.count("") ? classes[""] : "torch.export.ExportedProgram";
    auto node_at = [&](const std::string& path) {
      ModuleNode* cur = root.get();
      size_t at = 0;
      while (at < path.size()) {
        size_t dot = path.find('.', at);
        if (dot == std::string::npos) dot = path.size();
        const std::string part = path.substr(at, dot - at), full = path.substr(0, dot);
        ModuleNode* next = nullptr;
        for (auto& c : cur->children)
          if (c->name == part) next = c.get();
        if (!next) {
          auto child = std::make_unique<ModuleNode>();
          child->name = part;
          child->path = full;
          auto cl = classes.find(full);
          child->class_name = cl != classes.end() ? cl->second : "torch.nn.Module";
          next = child.get();
          cur->children.push_back(std::move(child));
        }
        cur = next;
        at = dot + 1;
      }
      return cur;
    };
    for (const auto& [path, cls] : classes)
      if (!path.empty()) node_at(path);
    for (const auto& nt : model_.tensors) {
      const size_t dot = nt.name.rfind('.');
      ModuleNode* owner = dot == std::string::npos ? root.get() : node_at(nt.name.substr(0, dot));
      const std::string leaf = dot == std::string::npos ? nt.name : nt.name.substr(dot + 1);
      if (nt.role == TensorRole::parameter) owner->parameters.push_back(leaf);
      else if (nt.role == TensorRole::buffer) owner->buffers.push_back(leaf);
    }
    model_.root = std::move(root);
  }

  void add_hints() {
    auto& h = model_.producer_hints;
    if (p_->archive_version >= 0)
      h.push_back("torch.export archive version " + std::to_string(p_->archive_version) + ", program '" + p_->model_name + "'");
    if (p_->schema_major)
      h.push_back("export schema " + std::to_string(p_->schema_major) + "." + std::to_string(p_->schema_minor) +
                  (p_->torch_version.empty() ? "" : ", written by torch " + p_->torch_version));
    if (!p_->opset_version.empty()) {
      std::string s;
      for (const auto& [ns, v] : p_->opset_version) s += (s.empty() ? "" : ", ") + ns + " " + std::to_string(v);
      h.push_back("opsets: " + s);
    }
    if (!p_->verifiers.empty()) {
      std::string s;
      for (const auto& v : p_->verifiers) s += (s.empty() ? "" : ", ") + v;
      h.push_back("dialect: " + s);
    }
    if (p_->aot_inductor)
      h.push_back("AOTInductor package: " + std::to_string(p_->aot_artifacts.size()) +
                  " compiled artifacts (native code, never loaded by ptscope)");
    if (!custom_objects_.empty())
      h.push_back(std::to_string(custom_objects_.size()) + " pickled custom objects (TorchBind) in data/constants/");
  }

  const ZipArchive& zip_;
  std::string prefix_;
  const LoadOptions& options_;
  Model& model_;
  ExportedProgram* p_ = nullptr;
  std::map<std::string, std::shared_ptr<Storage>> storages_;
  std::vector<std::string> custom_objects_;
};

}  // namespace

const char* export_input_kind_name(ExportInputSpec::Kind kind) {
  switch (kind) {
    case ExportInputSpec::Kind::user_input: return "user input";
    case ExportInputSpec::Kind::parameter: return "parameter";
    case ExportInputSpec::Kind::buffer: return "buffer";
    case ExportInputSpec::Kind::tensor_constant: return "constant";
    case ExportInputSpec::Kind::custom_obj: return "custom object";
    case ExportInputSpec::Kind::token: return "effect token";
    case ExportInputSpec::Kind::constant_input: return "constant input";
  }
  return "?";
}

void load_exported_program(const ZipArchive& zip, const std::string& prefix, const LoadOptions& options, Model& model) {
  Pt2Reader(zip, prefix, options, model).run();
}

}  // namespace ptscope
