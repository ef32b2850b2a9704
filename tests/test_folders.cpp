// safetensors files, Hugging Face checkpoint folders and index files, tied
// weights and the one parameters-vs-buffers rule, and `ptscope diff`, checked
// against fixtures written by torch/safetensors/transformers and torch's own
// answers (fixtures/make_folder_fixtures.py → fixtures/folders/folders.golden.json).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "cli_run.h"
#include "core/error.h"
#include "core/model.h"
#include "core/weights.h"
#include "graph/training_memory.h"
#include "parser/safetensors.h"
#include "report/analysis.h"
#include "stats/model_diff.h"
#include "test_paths.h"

using namespace ptscope;
using nlohmann::json;

namespace {

std::string folder(const std::string& rel) { return test::fixture("folders/" + rel); }

const json& golden() {
  static const json g = [] {
    std::ifstream in(folder("folders.golden.json"));
    return json::parse(in);
  }();
  return g;
}

std::string bytes_sha(const Tensor& t) { return audit::sha256_hex(t.data() ? t.data() : nullptr, t.data() ? t.nbytes() : 0); }

// The loaded tensor table equals torch's state_dict: names, shapes, dtypes, bytes.
void check_tensors(const Model& m, const json& want) {
  std::set<std::string> names;
  for (const auto& nt : m.tensors) {
    INFO(nt.name);
    names.insert(nt.name);
    REQUIRE(want.contains(nt.name));
    const json& w = want[nt.name];
    CHECK(nt.tensor->shape == w["shape"].get<std::vector<int64_t>>());
    CHECK(std::string(dtype_name(nt.tensor->dtype)) == w["dtype"].get<std::string>());
    CHECK(nt.tensor->is_contiguous());
    CHECK(bytes_sha(*nt.tensor) == w["sha256"].get<std::string>());
  }
  CHECK(names.size() == want.size());
  CHECK(m.tensors.size() == want.size());
}

std::string error_of(const std::string& path) {
  try {
    load_model(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool close(double a, double b, double rel = 1e-9) { return std::fabs(a - b) <= rel * std::max({1.0, std::fabs(a), std::fabs(b)}); }

}  // namespace

TEST_CASE("safetensors: every dtype safetensors 0.8 knows, zero copy", "[safetensors]") {
  auto file = MappedFile::open(folder("all_dtypes.safetensors"));
  auto m = load_model(file);
  CHECK(m->kind == FileKind::safetensors);
  const json& want = golden()["all_dtypes"];
  std::map<std::string, const NamedTensor*> by_name;
  for (const auto& nt : m->tensors) by_name[nt.name] = &nt;
  for (const auto& [name, w] : want.items()) {
    INFO(name);
    REQUIRE(by_name.count(name));
    const Tensor& t = *by_name[name]->tensor;
    CHECK(std::string(dtype_name(t.dtype)) == w["dtype"].get<std::string>());
    CHECK(t.shape == w["shape"].get<std::vector<int64_t>>());
    CHECK(t.storage->data.is_view_of(file->data(), file->size()));
    std::vector<double> got;
    for_each_as_double(t, [&](double v) { got.push_back(v); });
    std::vector<double> expect = w["values"].get<std::vector<double>>();
    if (dtype_info(t.dtype).is_complex) {  // golden: real parts then imaginary; we interleave
      std::vector<double> inter;
      for (size_t i = 0; i < expect.size() / 2; ++i) inter.insert(inter.end(), {expect[i], expect[i + expect.size() / 2]});
      expect = inter;
    }
    REQUIRE(got.size() == expect.size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == expect[i]);
  }
  // The packed kinds torch has no numbers for: the bytes as written.
  for (const auto& [name, w] : golden()["all_dtypes_extra"].items()) {
    INFO(name);
    REQUIRE(by_name.count(name));
    const Tensor& t = *by_name[name]->tensor;
    std::string hex;
    for (size_t i = 0; i < t.nbytes(); ++i) {
      char b[3];
      std::snprintf(b, sizeof b, "%02x", t.data()[i]);
      hex += b;
    }
    CHECK(hex == w["bytes"].get<std::string>());
  }
  CHECK(by_name["f4"]->tensor->dtype == DType::float4_e2m1fn_x2);
  CHECK(by_name["f4"]->tensor->shape == std::vector<int64_t>{2, 2});  // torch's float4_e2m1fn_x2 shape
}

TEST_CASE("safetensors: a model's file, metadata and tensor bytes", "[safetensors]") {
  auto m = load_model(folder("gpt_tied.safetensors"));
  check_tensors(*m, golden()["gpt_tied_safetensors"]["tensors"]);
  for (const auto& [k, v] : golden()["gpt_tied_safetensors"]["metadata"].items()) CHECK(m->metadata[k] == v.get<std::string>());
  // save_model dropped one name of the tie and recorded it in the metadata.
  const auto dropped = golden()["diff_pth_vs_safetensors"]["only_in_a"][0].get<std::string>();
  bool hinted = false;
  for (const auto& h : m->producer_hints) hinted |= h.find("tied " + dropped + " → ") == 0;
  CHECK(hinted);
  CHECK(weight_totals(*m).parameter_elements == golden()["gpt_tied_safetensors"]["parameters"].get<int64_t>());
}

TEST_CASE("safetensors: malformed headers are one clear error, as the reference reader refuses them",
          "[safetensors][malformed]") {
  const std::map<std::string, std::string> expect = {
      {"overlap", "overlap"},
      {"gap", "gap"},
      {"out_of_range", "out of range"},
      {"uncovered_tail", "uncovered"},
      {"shape_mismatch", "needs 20"},
      {"unknown_dtype", "unknown dtype 'F128'"},
      {"negative_dim", "non-negative"},
      {"offsets_reversed", "end before"},
      {"metadata_not_string", "not a string"},
      {"f4_odd", "byte boundary"},
      {"shape_overflow", "overflow"},
      {"missing_field", "lacks"},
      {"truncated", "not a PyTorch file"},
      {"header_past_end", "not a PyTorch file"},
      {"header_too_large", "not a PyTorch file"},
      {"bad_json", "invalid JSON"},
      {"duplicate_key", "appears twice"},
      {"deep_nesting", "nested deeper"},
      {"not_object", "not a PyTorch file"},
  };
  std::set<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(folder("malformed"))) files.insert(e.path().stem().string());
  CHECK(files.size() == golden()["malformed"].size());
  for (const auto& name : files) {
    INFO(name);
    REQUIRE(expect.count(name));
    CHECK_THAT(error_of(folder("malformed/" + name + ".safetensors")), Catch::Contains(expect.at(name)));
  }
  // The header parser itself names the rule even where the sniff says "not safetensors".
  auto parse_error = [](const std::string& name) {
    std::ifstream in(folder("malformed/" + name + ".safetensors"), std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    try {
      parse_safetensors_header(ByteSpan(bytes.data(), bytes.size()));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK_THAT(parse_error("header_too_large"), Catch::Contains("exceeds the 100000000-byte limit"));
  CHECK_THAT(parse_error("header_past_end"), Catch::Contains("runs past the end"));
  CHECK_THAT(parse_error("truncated"), Catch::Contains("shorter than the 8-byte"));
  CHECK_THAT(parse_error("not_object"), Catch::Contains("not an object"));
  // On the command line: exit 2 and one line.
  const auto r = test::run_ptscope("info '" + folder("malformed/overlap.safetensors") + "'", true);
  CHECK(r.status == 2);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
}

TEST_CASE("checkpoint folders: the folder and its index give the union of the shards", "[folders]") {
  for (const char* kind : {"hf_safetensors", "hf_bin"}) {
    const json& want = golden()[kind];
    const std::string index = std::string(kind) == "hf_bin" ? "pytorch_model.bin.index.json" : "model.safetensors.index.json";
    for (const std::string& path : {folder(kind), folder(std::string(kind) + "/" + index)}) {
      INFO(path);
      auto m = load_model(path);
      CHECK(m->kind == FileKind::checkpoint_folder);
      CHECK(m->shards == want["shards"].get<std::vector<std::string>>());
      check_tensors(*m, want["tensors"]);
      CHECK(weight_totals(*m).parameter_elements == want["parameters"].get<int64_t>());
      CHECK(m->warnings.empty());  // incl. transformers' total_parameters agreeing with our count
      std::map<std::string, std::string> config(m->config.begin(), m->config.end());
      for (const auto& [k, v] : golden()["hf_safetensors"]["config"].items()) CHECK(config[k] == v.get<std::string>());
    }
  }
}

TEST_CASE("checkpoint folders: an index that disagrees with its shards names the shard or key", "[folders][malformed]") {
  const std::map<std::string, std::vector<std::string>> expect = {
      {"missing_shard", {"pytorch_model-00003-of-00002.bin", "missing"}},
      {"missing_key", {"transformer.h.9.attn.c_attn.weight", "missing from shard"}},
      {"wrong_shard", {"transformer.wte.weight", "the index names 'pytorch_model-00002-of-00002.bin'"}},
      {"duplicate_key", {"transformer.wte.weight", "two shards", "extra.bin"}},
      {"traversal", {"not a file name"}},
      {"twice", {"appears twice in the weight_map"}},
  };
  for (const auto& [name, parts] : expect) {
    INFO(name);
    const std::string err = error_of(folder("bad_index/" + name + ".index.json"));
    for (const auto& p : parts) CHECK_THAT(err, Catch::Contains(p));
  }
  // Loads, but says that transformers' total_parameters disagrees with the shards.
  auto m = load_model(folder("bad_index/wrong_total.index.json"));
  REQUIRE(m->warnings.size() == 1);
  CHECK_THAT(m->warnings[0], Catch::Contains("total_parameters " + std::to_string(golden()["gpt_tied"]["parameters"].get<int64_t>() + 1)));
  // A folder with no checkpoint in it.
  CHECK_THAT(error_of(folder("malformed")), Catch::Contains("directory without a checkpoint"));
  const auto r = test::run_ptscope("stats '" + folder("bad_index/missing_shard.index.json") + "'", true);
  CHECK(r.status == 2);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
}

TEST_CASE("tied weights are counted once, as model.parameters() does", "[weights]") {
  const json& want = golden()["gpt_tied"];
  for (const std::string& path : {folder("gpt_tied.pth"), folder("hf_bin")}) {
    INFO(path);
    auto m = load_model(path);
    const WeightTotals w = weight_totals(*m);
    CHECK(w.parameter_elements == want["parameters"].get<int64_t>());
    CHECK(w.parameter_bytes == want["parameter_bytes"].get<uint64_t>());
    CHECK(w.parameter_elements < want["state_dict_elements"].get<int64_t>());  // the tie is really there
    REQUIRE(w.ties.size() == 1);
    CHECK(w.ties[0].first == want["ties"][0][0].get<std::string>());
    CHECK(w.ties[0].second == want["ties"][0][1].get<std::string>());
    CHECK(graph::estimate_training_memory(*m, nullptr).trainable_params == want["parameters"].get<int64_t>());
  }
}

TEST_CASE("one parameter rule for info, analyze and training memory", "[weights][cli]") {
  const int64_t params = golden()["gpt_tied"]["parameters"].get<int64_t>();
  const auto info = test::run_ptscope("info --json '" + folder("gpt_tied.pth") + "'", false);
  REQUIRE(info.status == 0);
  const json j = json::parse(info.out);
  CHECK(j["n_parameters"].get<int64_t>() == params);
  REQUIRE(j["ties"].size() == 1);
  CHECK(j["ties"][0]["name"] == "lm_head.weight");
  CHECK(j["ties"][0]["tied_to"] == "transformer.wte.weight");
  const auto text = test::run_ptscope("info '" + folder("gpt_tied.pth") + "'", false);
  CHECK_THAT(text.out, Catch::Contains("lm_head.weight → transformer.wte.weight"));
  AnalysisOptions o;
  o.threads = 1;
  const json a = build_analysis(folder("gpt_tied.pth"), o);
  CHECK(a["summary"]["params"].get<int64_t>() == params);
  CHECK(a["summary"]["weight_bytes"].get<uint64_t>() == golden()["gpt_tied"]["parameter_bytes"].get<uint64_t>());
  CHECK(a["training_memory"]["parameters_trainable"].get<int64_t>() == params);
}

TEST_CASE("diff against torch-computed metrics", "[diff]") {
  auto a = load_model(folder("gpt_tied.pth"));
  auto b = load_model(folder("gpt_finetuned.safetensors"));
  const ModelDiff d = diff_models(*a, *b);
  const json& want = golden()["diff_pth_vs_finetuned"];
  auto sorted = [](std::vector<std::string> v) { return std::sort(v.begin(), v.end()), v; };
  CHECK(sorted(d.only_in_a) == want["only_in_a"].get<std::vector<std::string>>());  // golden: sorted
  CHECK(sorted(d.only_in_b) == want["only_in_b"].get<std::vector<std::string>>());
  REQUIRE(d.common.size() == want["common"].size());
  int changed_seen = 0;
  for (const auto& t : d.common) {
    INFO(t.name);
    REQUIRE(want["common"].contains(t.name));
    const json& w = want["common"][t.name];
    CHECK(t.shape_changed == (w["shape_a"] != w["shape_b"]));
    CHECK(t.dtype_changed == (w["dtype_a"] != w["dtype_b"]));
    if (!w.contains("max_abs")) {
      CHECK(!t.compared);
      continue;
    }
    REQUIRE(t.compared);
    CHECK(t.identical == w["identical"].get<bool>());
    CHECK(close(t.max_abs, w["max_abs"].get<double>()));
    CHECK(close(*t.rel_l2, w["rel_l2"].get<double>()));
    CHECK(close(*t.cosine, w["cosine"].get<double>()));
    CHECK(close(t.changed_fraction, w["changed_fraction"].get<double>()));
    changed_seen += !t.identical;
  }
  CHECK(changed_seen >= 3);
  // Most changed first: the shape change, then decreasing relative L2, identical last.
  CHECK(d.common.front().shape_changed);
  for (size_t i = 1; i < d.common.size(); ++i)
    if (d.common[i].compared && d.common[i - 1].compared && !d.common[i].identical && !d.common[i - 1].identical)
      CHECK(*d.common[i - 1].rel_l2 >= *d.common[i].rel_l2);
  CHECK(d.common.back().identical);
}

TEST_CASE("diff: a .pt and its safetensors conversion, and a file against itself", "[diff]") {
  auto a = load_model(folder("gpt_tied.pth"));
  auto b = load_model(folder("gpt_tied.safetensors"));
  const ModelDiff d = diff_models(*a, *b);
  const json& want = golden()["diff_pth_vs_safetensors"];
  CHECK(d.only_in_a == want["only_in_a"].get<std::vector<std::string>>());  // one name: the tie save_model dropped
  CHECK(d.only_in_b.empty());
  for (const auto& t : d.common) {
    INFO(t.name);
    CHECK(t.identical);
    CHECK(t.identical_by == "same bytes");
    CHECK(want["common"][t.name]["identical"].get<bool>());
  }
  // The same model on both sides: known identical without reading the pair.
  const ModelDiff self = diff_models(*a, *a);
  for (const auto& t : self.common) CHECK(t.identical_by == "same storage region");
  // Loaded twice from the same file: same offsets of the same file.
  auto a2 = load_model(folder("gpt_tied.pth"));
  for (const auto& t : diff_models(*a, *a2).common) CHECK(t.identical_by == "same storage region");
  // The folder against the single file it was saved from (safetensors shards vs .pth).
  auto f = load_model(folder("hf_safetensors"));
  const ModelDiff fd = diff_models(*a, *f);
  CHECK(fd.changed == 0);
  CHECK(fd.identical == int64_t(f->tensors.size()));
}

TEST_CASE("diff on the command line: text and JSON", "[diff][cli]") {
  const auto r = test::run_ptscope("diff --json '" + folder("gpt_tied.pth") + "' '" + folder("gpt_finetuned.safetensors") + "'", false);
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  CHECK(j["schema"] == "ptscope.diff/1");
  CHECK(j["only_in_b"] == golden()["diff_pth_vs_finetuned"]["only_in_b"]);
  CHECK(j["tensors"][0]["status"] == "shape");
  const auto t = test::run_ptscope("diff '" + folder("gpt_tied.pth") + "' '" + folder("gpt_finetuned.safetensors") + "'", false);
  REQUIRE(t.status == 0);
  CHECK_THAT(t.out, Catch::Contains("transformer.h.0.attn.c_attn.weight"));
  CHECK_THAT(t.out, Catch::Contains("only in B   1: adapter.lora_A.weight"));
  const auto bad = test::run_ptscope("diff '" + folder("gpt_tied.pth") + "' '" + folder("malformed/gap.safetensors") + "'", true);
  CHECK(bad.status == 2);
}

TEST_CASE("audit: safetensors cannot carry code; a malformed header is an error", "[safetensors][audit]") {
  const auto ok = audit::audit_file(folder("gpt_tied.safetensors"));
  CHECK(ok.kind == "safetensors");
  CHECK(ok.errors.empty());
  CHECK(!ok.contains_code);
  CHECK(ok.verdict() == "clean");
  bool noted = false;
  for (const auto& f : ok.findings) noted |= f.rule == "PTS230";
  CHECK(noted);
  for (const char* bad : {"overlap", "gap", "header_too_large", "header_past_end", "duplicate_key"}) {
    INFO(bad);
    const auto r = audit::audit_file(folder(std::string("malformed/") + bad + ".safetensors"));
    CHECK(r.verdict() == "error");
  }
}

TEST_CASE("audit of an index file audits the shards it names", "[folders][audit]") {
  const auto r = test::run_ptscope("audit --format json '" + folder("hf_safetensors/model.safetensors.index.json") + "'", false);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("model-00001-of-00002.safetensors"));
  CHECK_THAT(r.out, Catch::Contains("model-00002-of-00002.safetensors"));
  CHECK_THAT(r.out, Catch::Contains("PTS230"));
  const auto bad = test::run_ptscope("audit '" + folder("bad_index/traversal.index.json") + "'", false);
  CHECK(bad.status == 2);
}

TEST_CASE("stats computes a tied tensor once and uses the one role rule", "[weights][stats]") {
  const auto r = test::run_ptscope("stats --json --no-spectral --no-compress --threads 1 '" + folder("gpt_tied.pth") + "'", false);
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  REQUIRE(j["tied"].size() == 1);
  CHECK(j["tied"][0]["name"] == "lm_head.weight");
  CHECK(j["tensors"].size() == golden()["gpt_tied"]["tensors"].size() - 1);
  for (const auto& t : j["tensors"]) CHECK(t["role"] == "parameter");  // GPT-2 keeps no persistent buffers
}

TEST_CASE("one parameters-vs-buffers rule on a plain state_dict (BatchNorm statistics are buffers)", "[weights]") {
  const json& want = golden()["resnet_bn_state_dict"];
  auto m = load_model(folder("resnet_bn_state_dict.pth"));
  const WeightTotals w = weight_totals(*m);
  CHECK(!w.roles_declared);
  CHECK(w.parameter_elements == want["parameters"].get<int64_t>());
  CHECK(w.parameter_bytes == want["parameter_bytes"].get<uint64_t>());
  CHECK(w.buffer_tensors == want["buffer_tensors"].get<int64_t>());
  CHECK(w.buffer_bytes == want["buffer_bytes"].get<uint64_t>());
  CHECK(w.parameter_elements < want["floating_elements"].get<int64_t>());  // running stats are floating, not parameters
  // Every command reports that number.
  const auto info = test::run_ptscope("info --json '" + folder("resnet_bn_state_dict.pth") + "'", false);
  REQUIRE(info.status == 0);
  CHECK(json::parse(info.out)["n_parameters"].get<int64_t>() == want["parameters"].get<int64_t>());
  AnalysisOptions o;
  o.threads = 1;
  const json a = build_analysis(folder("resnet_bn_state_dict.pth"), o);
  CHECK(a["summary"]["params"].get<int64_t>() == want["parameters"].get<int64_t>());
  CHECK(a["summary"]["buffer_tensors"].get<int64_t>() == want["buffer_tensors"].get<int64_t>());
  CHECK(a["summary"]["weight_bytes"].get<uint64_t>() ==
        want["parameter_bytes"].get<uint64_t>() + want["buffer_bytes"].get<uint64_t>());
  CHECK(a["training_memory"]["parameters_trainable"].get<int64_t>() == want["parameters"].get<int64_t>());
}

TEST_CASE("analyze and `ptscope DIR` on a checkpoint folder", "[folders][cli]") {
  const std::string dir = folder("hf_safetensors");
  for (const std::string& cmd : {"analyze --no-save --format json --threads 1 '" + dir + "'",
                                 "'" + dir + "' --no-save --format json --threads 1"}) {
    INFO(cmd);
    const auto r = test::run_ptscope(cmd, false);
    REQUIRE(r.status == 0);
    const json a = json::parse(r.out);
    CHECK(a["file"]["kind"] == "checkpoint-folder");
    CHECK(a["summary"]["params"].get<int64_t>() == golden()["hf_safetensors"]["parameters"].get<int64_t>());
  }
}
