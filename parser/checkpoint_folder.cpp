#include "parser/checkpoint_folder.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/weights.h"

namespace ptscope {
namespace {

namespace fs = std::filesystem;

// transformers' preference when a folder holds several layouts.
constexpr const char* kCheckpointNames[] = {
    "model.safetensors.index.json", "model.safetensors", "pytorch_model.bin.index.json", "pytorch_model.bin",
};
constexpr uint64_t kMaxIndexBytes = uint64_t(64) << 20;   // a 1T-parameter model's index is a few MB
constexpr uint64_t kMaxConfigBytes = uint64_t(16) << 20;
constexpr int kMaxJsonDepth = 16;
constexpr size_t kMaxShards = 100000;

bool is_json_text(ByteSpan b) {
  for (uint8_t c : b) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    return c == '{';
  }
  return false;
}

// Parses JSON with a depth limit; the weight_map (depth 2) must not name a key twice.
nlohmann::json parse_json(ByteSpan bytes, const std::string& what) {
  std::set<std::string> weight_keys;
  bool in_weight_map = false;
  nlohmann::json::parser_callback_t guard = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& v) {
    if (depth > kMaxJsonDepth) throw Error(ErrorCode::limit_exceeded, what + ": JSON nested too deeply");
    if (event == nlohmann::json::parse_event_t::key && depth == 1) in_weight_map = v.get<std::string>() == "weight_map";
    if (event == nlohmann::json::parse_event_t::key && depth == 2 && in_weight_map &&
        !weight_keys.insert(v.get<std::string>()).second)
      throw Error(ErrorCode::corrupt, what + ": key '" + v.get<std::string>() + "' appears twice in the weight_map");
    return true;
  };
  try {
    return nlohmann::json::parse(bytes.begin(), bytes.end(), guard, true);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::corrupt, what + ": invalid JSON (" + e.what() + ")");
  }
}

// A shard name from an index: a plain file name beside the index, never a
// path that could leave the folder.
void check_shard_name(const std::string& shard, const std::string& index) {
  if (shard.empty() || shard == "." || shard == ".." || shard.find('/') != std::string::npos ||
      shard.find('\\') != std::string::npos || shard.find('\0') != std::string::npos)
    throw Error(ErrorCode::corrupt, index + ": shard name '" + shard + "' is not a file name in the index's folder");
}

std::string scalar_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + scalar_text(x);
    return s;
  }
  return v.dump();
}

// The facts of config.json worth showing, under transformers' names and the
// GPT-2 style aliases.
std::vector<std::pair<std::string, std::string>> summarize_config(const nlohmann::json& c) {
  static const std::vector<std::pair<const char*, std::vector<const char*>>> kFields = {
      {"architectures", {"architectures"}},
      {"model_type", {"model_type"}},
      {"dtype", {"torch_dtype", "dtype"}},
      {"hidden_size", {"hidden_size", "n_embd", "d_model", "dim"}},
      {"num_hidden_layers", {"num_hidden_layers", "n_layer", "num_layers", "n_layers"}},
      {"num_attention_heads", {"num_attention_heads", "n_head", "num_heads", "n_heads"}},
      {"num_key_value_heads", {"num_key_value_heads"}},
      {"intermediate_size", {"intermediate_size", "n_inner", "ffn_dim", "d_ff"}},
      {"vocab_size", {"vocab_size"}},
      {"max_position_embeddings", {"max_position_embeddings", "n_positions", "n_ctx"}},
      {"tie_word_embeddings", {"tie_word_embeddings"}},
      {"transformers_version", {"transformers_version"}},
  };
  std::vector<std::pair<std::string, std::string>> out;
  if (!c.is_object()) return out;
  for (const auto& [label, keys] : kFields)
    for (const char* k : keys)
      if (auto it = c.find(k); it != c.end() && !it->is_null() && !it->is_object()) {
        out.emplace_back(label, scalar_text(*it));
        break;
      }
  return out;
}

struct Plan {
  fs::path folder;
  std::string index;                           // index file, or empty for one file
  std::vector<std::string> shards;             // file names in the folder, load order
  std::map<std::string, std::string> weight_map;
  std::map<std::string, std::string> metadata;
};

Plan plan_from_index(const fs::path& index_path, ByteSpan bytes) {
  const std::string label = index_path.string();
  const nlohmann::json doc = parse_json(bytes, label);
  if (!doc.is_object() || !doc.contains("weight_map"))
    throw Error(ErrorCode::not_pytorch, "'" + label + "' is JSON but not a checkpoint index (no weight_map)");
  const auto& wm = doc["weight_map"];
  if (!wm.is_object()) throw Error(ErrorCode::corrupt, label + ": weight_map is not an object");
  Plan p;
  p.folder = index_path.parent_path();
  if (p.folder.empty()) p.folder = ".";
  p.index = index_path.filename().string();
  std::set<std::string> seen;
  for (const auto& [key, shard] : wm.items()) {
    if (!shard.is_string()) throw Error(ErrorCode::corrupt, label + ": weight_map entry '" + key + "' is not a file name");
    const std::string name = shard.get<std::string>();
    check_shard_name(name, label);
    p.weight_map.emplace(key, name);
    if (seen.insert(name).second) p.shards.push_back(name);
    if (p.shards.size() > kMaxShards) throw Error(ErrorCode::limit_exceeded, label + ": more than 100000 shards");
  }
  if (p.shards.empty()) throw Error(ErrorCode::corrupt, label + ": the weight_map names no tensors");
  std::sort(p.shards.begin(), p.shards.end());
  if (auto md = doc.find("metadata"); md != doc.end() && md->is_object())
    for (const auto& [k, v] : md->items())
      if (!v.is_object() && !v.is_array()) p.metadata.emplace(k, scalar_text(v));
  return p;
}

std::shared_ptr<const MappedFile> map_checked(const fs::path& p, uint64_t limit, const std::string& what) {
  auto file = MappedFile::open(p.string());
  if (file->size() > limit)
    throw Error(ErrorCode::limit_exceeded, what + " '" + p.string() + "' is larger than " + std::to_string(limit) + " bytes");
  return file;
}

std::unique_ptr<Model> load_plan(const Plan& plan, const std::string& display_path, const LoadOptions& options) {
  const std::string index_label = plan.index.empty() ? display_path : (plan.folder / plan.index).string();
  // Shards are opened in parallel: mapping is lazy, and the pickle of a .bin
  // shard or the header of a safetensors shard is parsed on its own thread.
  const size_t n = plan.shards.size();
  std::vector<std::unique_ptr<Model>> parts(n);
  std::vector<std::exception_ptr> errors(n);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) {
      try {
        const fs::path shard = plan.folder / plan.shards[i];
        std::error_code ec;
        if (!fs::is_regular_file(shard, ec))
          throw Error(ErrorCode::io, index_label + ": shard '" + plan.shards[i] + "' is missing");
        parts[i] = load_model(MappedFile::open(shard.string()), options);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  const size_t threads = std::min<size_t>({n, std::max(1u, std::thread::hardware_concurrency()), 8});
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (size_t i = 0; i < n; ++i) {
    if (!errors[i]) continue;
    try {
      std::rethrow_exception(errors[i]);
    } catch (const Error& e) {
      const std::string what = e.what();
      if (what.find(plan.shards[i]) != std::string::npos) throw;
      throw Error(e.code(), "shard '" + plan.shards[i] + "': " + what);
    }
  }

  auto model = std::make_unique<Model>();
  model->path = display_path;
  model->kind = FileKind::checkpoint_folder;
  model->shards = plan.shards;
  model->metadata = plan.metadata;
  // Every key once across the shards, then in the shard the index names.
  std::map<std::string, size_t> owner;  // key → shard index
  for (size_t i = 0; i < n; ++i)
    for (const auto& nt : parts[i]->tensors)
      if (auto [it, inserted] = owner.emplace(nt.name, i); !inserted)
        throw Error(ErrorCode::corrupt, index_label + ": key '" + nt.name + "' is in two shards, '" +
                                            plan.shards[it->second] + "' and '" + plan.shards[i] + "'");
  for (size_t i = 0; i < n; ++i) {
    Model& part = *parts[i];
    const std::string& shard = plan.shards[i];
    model->file_size += part.file_size;
    model->records.push_back(shard + " (" + file_kind_name(part.kind) + ", " + std::to_string(part.tensors.size()) +
                             " tensors)");
    if (model->byteorder.empty()) model->byteorder = part.byteorder;
    if (i == 0 && plan.index.empty()) model->metadata.insert(part.metadata.begin(), part.metadata.end());
    for (const auto& w : part.warnings) model->warnings.push_back(shard + ": " + w);
    for (auto& nt : part.tensors) {
      if (!plan.index.empty()) {
        auto named = plan.weight_map.find(nt.name);
        if (named == plan.weight_map.end())
          model->warnings.push_back("key '" + nt.name + "' in shard '" + shard + "' is not in the index's weight_map");
        else if (named->second != shard)
          throw Error(ErrorCode::corrupt, index_label + ": key '" + nt.name + "' is in shard '" + shard +
                                              "' but the index names '" + named->second + "'");
      }
      model->tensors.push_back(std::move(nt));
    }
  }
  for (const auto& [key, shard] : plan.weight_map)
    if (!owner.count(key))
      throw Error(ErrorCode::corrupt, index_label + ": key '" + key + "' named by the index is missing from shard '" +
                                          shard + "'");
  if (!plan.index.empty()) model->producer_hints.push_back("index " + plan.index + " over " + std::to_string(n) + " shard" +
                                                           (n == 1 ? "" : "s"));
  if (auto total = plan.metadata.find("total_size"); total != plan.metadata.end())
    model->producer_hints.push_back("index metadata total_size " + total->second + " bytes");
  // transformers >= 5 records model.num_parameters() (tied weights once): it must agree with ours.
  if (auto total = plan.metadata.find("total_parameters"); total != plan.metadata.end()) {
    const int64_t ours = weight_totals(*model).parameter_elements;
    if (total->second != std::to_string(ours))
      model->warnings.push_back("index metadata total_parameters " + total->second + " differs from the " +
                                std::to_string(ours) + " parameters counted in the shards");
  }

  // config.json beside the shards: shown, never required.
  const fs::path config = plan.folder / "config.json";
  std::error_code ec;
  if (fs::is_regular_file(config, ec)) {
    try {
      auto file = map_checked(config, kMaxConfigBytes, "config");
      model->config = summarize_config(parse_json(file->bytes(), config.string()));
    } catch (const Error& e) {
      model->warnings.push_back(std::string("config.json not read: ") + e.what());
    }
  }
  return model;
}

}  // namespace

std::unique_ptr<Model> open_checkpoint(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return nullptr;  // MappedFile::open gives the error
  if (fs::is_directory(st)) {
    const fs::path folder(path);
    for (const char* name : kCheckpointNames) {
      const fs::path candidate = folder / name;
      if (!fs::is_regular_file(candidate, ec)) continue;
      Plan plan;
      if (std::string_view(name).ends_with(".json")) {
        auto file = map_checked(candidate, kMaxIndexBytes, "index file");
        plan = plan_from_index(candidate, file->bytes());
      } else {
        plan.folder = folder;
        plan.shards = {name};
      }
      auto model = load_plan(plan, path, options);
      auto safetensors = [](std::string_view n) { return n.find(".safetensors") != std::string_view::npos; };
      for (const char* other : kCheckpointNames)
        if (safetensors(other) != safetensors(name) && fs::is_regular_file(folder / other, ec))
          model->producer_hints.push_back(std::string("also present, not read: ") + other);
      return model;
    }
    throw Error(ErrorCode::io, "'" + path + "' is a directory without a checkpoint (looked for "
                                        "model.safetensors[.index.json] and pytorch_model.bin[.index.json])");
  }
  if (!fs::is_regular_file(st)) return nullptr;
  auto file = MappedFile::open(path);
  if (!is_json_text(file->bytes().subspan(0, std::min<size_t>(file->size(), 4096)))) return nullptr;
  if (file->size() > kMaxIndexBytes)
    throw Error(ErrorCode::limit_exceeded, "index file '" + path + "' is larger than " + std::to_string(kMaxIndexBytes) + " bytes");
  return load_plan(plan_from_index(fs::path(path), file->bytes()), path, options);
}

std::vector<std::string> checkpoint_index_shards(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return {};
  auto file = MappedFile::open(path);
  if (!is_json_text(file->bytes().subspan(0, std::min<size_t>(file->size(), 4096))) || file->size() > kMaxIndexBytes)
    return {};
  Plan plan;
  try {
    plan = plan_from_index(fs::path(path), file->bytes());
  } catch (const Error& e) {
    if (e.code() == ErrorCode::not_pytorch) return {};  // JSON, but no weight_map
    throw;
  }
  std::vector<std::string> out;
  for (const auto& s : plan.shards) out.push_back((plan.folder / s).string());
  return out;
}

}  // namespace ptscope
