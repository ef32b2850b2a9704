// TorchScript archives of PyTorch 1.0-1.2 (format version 1): model.json is
// the JSON form of the ModelDef protobuf, tensors live in tensors/<n>, and
// attributes.pkl holds tensor attributes by id into that table.
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "parser/loaders.h"
#include "parser/torch_rebuild.h"
#include "parser/zip_reader.h"

namespace ptscope {
namespace {

// caffe2::TensorProto::DataType names as they appear in model.json.
DType dtype_from_caffe2(const std::string& name) {
  static const std::pair<const char*, DType> table[] = {
      {"FLOAT", DType::float32}, {"UINT8", DType::uint8}, {"INT8", DType::int8}, {"UINT16", DType::uint16},
      {"INT16", DType::int16}, {"INT32", DType::int32}, {"INT64", DType::int64}, {"BOOL", DType::bool_},
      {"FLOAT16", DType::float16}, {"DOUBLE", DType::float64}};
  for (auto& [n, d] : table)
    if (name == n) return d;
  throw Error(ErrorCode::unsupported, "model.json tensor data type '" + name + "' is not supported");
}

int64_t json_int(const nlohmann::json& j) {
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_string()) return std::stoll(j.get<std::string>());  // protobuf JSON writes int64 as strings
  throw Error(ErrorCode::corrupt, "model.json: expected an integer");
}

struct JsonModuleWalker {
  const std::vector<std::shared_ptr<Tensor>>& tensors;
  const std::vector<std::shared_ptr<Tensor>>& attribute_tensors;
  Model& model;

  std::unique_ptr<ModuleNode> walk(const nlohmann::json& m, const std::string& name, const std::string& path, int depth) {
    if (depth > 256) throw Error(ErrorCode::limit_exceeded, "model.json: module nesting too deep");
    auto node = std::make_unique<ModuleNode>();
    node->name = name;
    node->path = path;
    node->class_name = m.value("name", std::string("Module"));
    auto join = [&](const std::string& n) { return path.empty() ? n : path + "." + n; };
    for (const auto& p : m.value("parameters", nlohmann::json::array())) {
      const std::string pname = p.value("name", std::string());
      const int64_t id = json_int(p.at("tensorId"));
      if (id < 0 || size_t(id) >= tensors.size()) throw Error(ErrorCode::corrupt, "model.json: parameter id out of range");
      const bool buffer = p.value("isBuffer", false);
      (buffer ? node->buffers : node->parameters).push_back(pname);
      model.tensors.push_back({join(pname), buffer ? TensorRole::buffer : TensorRole::parameter, tensors[size_t(id)]});
    }
    for (const auto& a : m.value("attributes", nlohmann::json::array())) {
      const std::string aname = a.value("name", std::string());
      const std::string type = a.value("type", std::string());
      if (type == "Tensor" && a.contains("id")) {
        const int64_t id = json_int(a.at("id"));
        if (id >= 0 && size_t(id) < attribute_tensors.size() && attribute_tensors[size_t(id)])
          model.tensors.push_back({join(aname), TensorRole::attribute, attribute_tensors[size_t(id)]});
      } else {
        node->attributes.emplace_back(aname, type);
      }
    }
    for (const auto& sub : m.value("submodules", nlohmann::json::array())) {
      const std::string sname = sub.value("name", std::string());
      node->children.push_back(walk(sub, sname, join(sname), depth + 1));
    }
    return node;
  }
};

}  // namespace

void load_model_json_archive(const ZipArchive& zip, const std::string& prefix, const LoadOptions& options, Model& model) {
  model.kind = FileKind::torchscript;
  model.producer_hints.push_back("model.json archive (TorchScript of PyTorch 1.0-1.2)");
  auto read = [&](const std::string& rel) -> Blob {
    const ZipEntry* e = zip.find(prefix + rel);
    if (!e) throw Error(ErrorCode::corrupt, "model.json archive lacks '" + rel + "'");
    return zip.read(*e, options.verify_crc, &model.warnings);
  };
  Blob json_bytes = read("model.json");
  nlohmann::json def = nlohmann::json::parse(json_bytes.data(), json_bytes.data() + json_bytes.size(), nullptr, false);
  if (def.is_discarded() || !def.is_object()) throw Error(ErrorCode::corrupt, "model.json is not valid JSON");
  if (def.contains("producerVersion"))
    model.producer_hints.push_back("producer " + def.value("producerName", std::string("?")) + " " +
                                   def["producerVersion"].get<std::string>());

  std::vector<std::shared_ptr<Tensor>> tensors;
  std::map<std::string, std::shared_ptr<Storage>> storages;
  for (const auto& tj : def.value("tensors", nlohmann::json::array())) {
    auto t = std::make_shared<Tensor>();
    t->dtype = dtype_from_caffe2(tj.value("dataType", std::string("FLOAT")));
    for (const auto& d : tj.value("dims", nlohmann::json::array())) t->shape.push_back(json_int(d));
    for (const auto& s : tj.value("strides", nlohmann::json::array())) t->strides.push_back(json_int(s));
    t->storage_offset = tj.contains("offset") ? json_int(tj["offset"]) : 0;
    t->requires_grad = tj.value("requiresGrad", false);
    t->rebuild = "model.json";
    // torch 1.3 TensorDef fields 8-10: a per-tensor affine quantized tensor stored as its integers.
    if (tj.value("isQuantized", false)) {
      if (t->dtype == DType::uint8) t->dtype = DType::quint8;
      else if (t->dtype == DType::int8) t->dtype = DType::qint8;
      else if (t->dtype == DType::int32) t->dtype = DType::qint32;
      else throw Error(ErrorCode::corrupt, "model.json: quantized tensor of data type " + tj.value("dataType", std::string("FLOAT")));
      t->quant.scheme = QScheme::per_tensor_affine;
      const auto& scale = tj.contains("scale") ? tj["scale"] : nlohmann::json();
      if (!scale.is_number()) throw Error(ErrorCode::corrupt, "model.json: quantized tensor without a numeric scale");
      t->quant.scale = scale.get<double>();
      t->quant.zero_point = tj.contains("zeroPoint") ? json_int(tj["zeroPoint"]) : 0;
    }
    const std::string key = tj.at("data").value("key", std::string());
    auto& storage = storages[key];
    if (!storage) {
      const ZipEntry* e = zip.find(prefix + key);
      if (!e) throw Error(ErrorCode::corrupt, "model.json tensor record '" + key + "' is missing");
      storage = std::make_shared<Storage>();
      storage->key = key;
      storage->record = key;
      storage->dtype = t->dtype;
      storage->location = tj.value("device", std::string("cpu"));
      storage->data = zip.read(*e, options.verify_crc && e->method != 0, &model.warnings);
      storage->declared_bytes = storage->data.size();
      storage->file_offset = e->method == 0 ? e->data_offset : 0;
    }
    t->storage = storage;
    bool ok = t->shape.size() == t->strides.size() && t->storage_offset >= 0;
    for (size_t d = 0; ok && d < t->shape.size(); ++d) ok = t->shape[d] >= 0 && t->strides[d] >= 0;
    if (!ok || t->min_storage_bytes() > storage->data.size())
      throw Error(ErrorCode::corrupt, "model.json tensor on '" + key + "' does not fit its record");
    tensors.push_back(t);
  }

  // attributes.pkl: attribute values; tensors are build_tensor_from_id(i).
  std::vector<std::shared_ptr<Tensor>> attribute_tensors;
  if (const ZipEntry* e = zip.find(prefix + "attributes.pkl")) {
    Blob bytes = zip.read(*e, options.verify_crc, &model.warnings);
    PickleOptions po;
    po.tracker = model.pickle_nodes;
    PickleResult r = unpickle(bytes.bytes, po);
    TorchRebuilder rebuilder(false, &model.warnings);
    rebuilder.set_tensor_table(tensors);
    rebuilder.rebuild(r.value);
    model.pickle_protocol = r.protocol;
    if (r.value)
      for (const auto& v : r.value->items) attribute_tensors.push_back(v->kind == PyKind::tensor ? v->tensor : nullptr);
  }
  if (!def.contains("mainModule")) throw Error(ErrorCode::corrupt, "model.json has no mainModule");
  JsonModuleWalker walker{tensors, attribute_tensors, model};
  model.root = walker.walk(def["mainModule"], "", "", 0);
  for (const auto& entry : zip.entries()) {
    if (entry.name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rel = entry.name.substr(prefix.size());
    if (rel.rfind("code/", 0) == 0 && rel.size() > 3 && rel.compare(rel.size() - 3, 3, ".py") == 0 && options.decode_sources) {
      Blob b = zip.read(entry, options.verify_crc, &model.warnings);
      model.sources.emplace(rel, std::string(reinterpret_cast<const char*>(b.data()), b.size()));
    }
  }
}

}  // namespace ptscope
