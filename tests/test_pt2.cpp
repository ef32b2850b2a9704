// torch.export archives (.pt2) against goldens torch computed
// (fixtures/make_pt2_fixtures.py): every weight and constant bit-exact and
// zero-copy, the graph's FLOPs equal to FlopCounterMode and its output shapes
// to torch's (also at other sizes of the GPT's dynamic sequence dim), the CPU
// executor within 1e-4 relative L2 of torch's output, and bad archives
// (truncated, oversized or corrupt JSON, out-of-range offsets, newer
// versions) giving one line and exit 2, never a crash.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "core/error.h"
#include "core/model.h"
#include "graph/input_inference.h"
#include "kernels/profile.h"
#include "parser/exported_program.h"
#include "parser/json_limited.h"
#include "parser/zip_reader.h"
#include "test_paths.h"
#include "torch_file_builder.h"

using namespace ptscope;

namespace {

nlohmann::json golden(const std::string& name) { return nlohmann::json::parse(test::read_bytes(test::fixture("pt2/" + name + ".json"))); }
std::string pt2(const std::string& name) { return test::fixture("pt2/" + name + ".pt2"); }

// Row-major bytes of a strided view.
std::vector<uint8_t> row_major_bytes(const Tensor& t) {
  const size_t item = itemsize(t.dtype);
  std::vector<uint8_t> out;
  out.reserve(size_t(t.numel()) * item);
  std::vector<int64_t> idx(t.shape.size(), 0);
  const uint8_t* base = t.data();
  for (int64_t n = 0; n < t.numel(); ++n) {
    int64_t off = 0;
    for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * t.strides[d];
    out.insert(out.end(), base + off * int64_t(item), base + (off + 1) * int64_t(item));
    for (size_t d = idx.size(); d-- > 0;) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

const NamedTensor* find_tensor(const Model& m, const std::string& name) {
  for (const auto& nt : m.tensors)
    if (nt.name == name) return &nt;
  return nullptr;
}

// The archive's members, to rebuild it with one member changed.
std::vector<std::pair<std::string, std::string>> members_of(const std::string& path) {
  auto zip = ZipArchive::open(MappedFile::open(path));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : zip.entries()) {
    Blob b = zip.read(e);
    out.emplace_back(e.name, std::string(reinterpret_cast<const char*>(b.data()), b.size()));
  }
  return out;
}

std::string write_temp(const std::string& tag, const std::vector<uint8_t>& bytes) {
  const std::string path = "/tmp/ptscope_pt2_" + std::to_string(::getpid()) + "_" + tag + ".pt2";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return path;
}

std::string with_member(const std::string& name, const std::string& member_suffix, const std::string& text,
                        const std::string& tag) {
  auto members = members_of(pt2(name));
  bool found = false;
  for (auto& [n, body] : members)
    if (n.size() >= member_suffix.size() && n.compare(n.size() - member_suffix.size(), member_suffix.size(), member_suffix) == 0) {
      body = text;
      found = true;
    }
  if (!found) members.emplace_back(name + "/" + member_suffix, text);
  return write_temp(tag, test::build_stored_zip(members));
}

std::string member_text(const std::string& name, const std::string& suffix) {
  for (const auto& [n, body] : members_of(pt2(name)))
    if (n.size() >= suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) return body;
  FAIL("no member " << suffix);
  return {};
}

// ||got - want|| / ||want|| of two raw float32 output files of equal size.
double relative_l2(const std::string& want, const std::string& got) {
  const float* w = reinterpret_cast<const float*>(want.data());
  const float* x = reinterpret_cast<const float*>(got.data());
  double num = 0, den = 0;
  for (size_t k = 0; k < want.size() / 4; ++k) {
    num += (double(x[k]) - w[k]) * (double(x[k]) - w[k]);
    den += double(w[k]) * w[k];
  }
  return std::sqrt(num / den);
}

}  // namespace

TEST_CASE("pt2: every weight and constant is bit-exact, zero-copy and named as in the state_dict", "[pt2]") {
  for (const char* name : {"cnn", "vit", "gpt", "cnn_legacy"}) {
    SECTION(name) {
      const auto g = golden(name);
      auto file = MappedFile::open(pt2(name));
      auto m = load_model(file);
      CHECK(m->kind == FileKind::exported_program);
      REQUIRE(m->exported);
      CHECK(m->tensors.size() == g["tensors"].size());
      for (const auto& want : g["tensors"]) {
        const NamedTensor* nt = find_tensor(*m, want["name"]);
        INFO(want["name"].get<std::string>());
        REQUIRE(nt);
        CHECK(dtype_name(nt->tensor->dtype) == want["dtype"].get<std::string>());
        CHECK(nt->tensor->shape == want["shape"].get<std::vector<int64_t>>());
        const auto bytes = row_major_bytes(*nt->tensor);
        CHECK(crc32_of(ByteSpan(bytes.data(), bytes.size())) == want["crc32"].get<uint32_t>());
        // Zero copy: the storage is a view of the file's mapping (the torch 2.1-2.5 layout nests
        // its state_dict as a torch.save archive, read from a copy of the member).
        if (std::string(name) != "cnn_legacy") CHECK(nt->tensor->storage->data.is_view_of(file->data(), file->size()));
      }
      for (const auto& p : g.value("parameters", nlohmann::json::array())) CHECK(find_tensor(*m, p)->role == TensorRole::parameter);
      for (const auto& b : g.value("buffers", nlohmann::json::array())) CHECK(find_tensor(*m, b)->role == TensorRole::buffer);
      // The module tree carries the state_dict's parameters.
      REQUIRE(m->root);
      const std::string n = name;
      CHECK(m->root->class_name.find(n.rfind("cnn", 0) == 0 ? "TinyCNN" : n == "vit" ? "TinyViT" : "TinyGPT") != std::string::npos);
      CHECK(m->exported->sample_inputs.size() == 1);
    }
  }
}

TEST_CASE("pt2: the GPT's dynamic batch and sequence dims and their declared ranges", "[pt2]") {
  const auto g = golden("gpt");
  auto m = load_model(pt2("gpt"));
  REQUIRE(m->exported->range_constraints.size() == g["range_constraints"].size());
  for (const auto& [sym, range] : m->exported->range_constraints) {
    INFO(sym);
    REQUIRE(g["range_constraints"].contains(sym));
    const auto want = g["range_constraints"][sym];
    CHECK(range.min == want[0].get<int64_t>());
    CHECK(range.max == want[1].get<int64_t>());
  }
  CHECK(m->exported->opset_version.count("aten"));
  // The non-persistent buffer lives among the constants and is still a buffer.
  CHECK(find_tensor(*m, "scale")->role == TensorRole::buffer);
}

TEST_CASE("pt2: graph FLOPs equal FlopCounterMode and output shapes equal torch's", "[pt2][graph]") {
  for (const char* name : {"cnn", "vit", "gpt", "cnn_legacy"}) {
    SECTION(name) {
      const auto g = golden(name);
      auto m = load_model(pt2(name));
      graph::Graph gr = graph::build_graph(*m);  // default: the sample input
      if (g.contains("nodes")) CHECK(gr.nodes.size() <= g["nodes"].get<size_t>());
      CHECK(gr.totals().flops == g["flops"].get<double>());
      REQUIRE(gr.outputs.size() == g["outputs"].size());
      CHECK(gr.values[size_t(gr.outputs[0])].meta.shape == g["outputs"][0]["shape"].get<std::vector<int64_t>>());
      for (const auto& note : gr.notes) CHECK(note.rfind("warning", 0) != 0);
      // Scopes and source lines come from the node metadata.
      bool scoped = false, sourced = false;
      for (const auto& n : gr.nodes) {
        scoped = scoped || n.scope.find('.') != std::string::npos || !n.scope.empty();
        sourced = sourced || n.source.find("make_pt2_fixtures.py:") != std::string::npos;
      }
      CHECK(scoped);
      CHECK(sourced);
    }
  }
  SECTION("gpt at other sequence lengths") {
    const auto g = golden("gpt");
    auto m = load_model(pt2("gpt"));
    for (const auto& v : g["variants"]) {
      graph::GraphOptions o;
      graph::InputSpec s;
      s.shape = v["inputs"][0]["shape"].get<std::vector<int64_t>>();
      s.dtype = DType::int64;
      o.inputs.push_back(s);
      graph::Graph gr = graph::build_graph(*m, o);
      CHECK(gr.totals().flops == v["flops"].get<double>());
      CHECK(gr.values[size_t(gr.outputs[0])].meta.shape == v["outputs"][0]["shape"].get<std::vector<int64_t>>());
    }
    graph::GraphOptions by_seq;
    by_seq.seq = 12;
    graph::Graph gr = graph::build_graph(*m, by_seq);
    CHECK(gr.totals().flops == g["variants"][0]["flops"].get<double>());
  }
}

TEST_CASE("pt2: sizes outside what the program declares are clear errors", "[pt2][graph]") {
  auto gpt = load_model(pt2("gpt"));
  auto cnn = load_model(pt2("cnn"));
  struct Case {
    const Model& model;
    std::optional<int64_t> batch, seq;
    const char* error;
  };
  for (const Case& c : {Case{*gpt, {}, 40, "outside the range [2, 32]"}, Case{*gpt, 9, {}, "outside the range [1, 8]"},
                        Case{*cnn, 3, {}, "is static (2)"}, Case{*cnn, {}, 8, "no dynamic sequence dim"}}) {
    INFO(c.error);
    graph::GraphOptions o;
    o.batch = c.batch;
    o.seq = c.seq;
    REQUIRE_THROWS_WITH(graph::build_graph(c.model, o), Catch::Contains(c.error));
  }
  graph::GraphOptions wrong_rank;
  graph::InputSpec s;
  s.shape = {3, 16, 16};
  wrong_rank.inputs.push_back(s);
  REQUIRE_THROWS_WITH(graph::build_graph(*cnn, wrong_rank), Catch::Contains("4-d tensor"));
}

TEST_CASE("pt2: the CPU executor matches torch's output", "[pt2][parity]") {
  for (const char* name : {"cnn", "vit", "gpt"}) {
    SECTION(name) {
      const auto g = golden(name);
      auto m = load_model(pt2(name));
      kernels::ProfileOptions o;
      o.threads = 1;
      o.warmup = 0;
      o.repeat = 1;
      o.input_files = {test::fixture("pt2/" + std::string(name) + ".in.bin")};
      o.output_file = "/tmp/ptscope_pt2_" + std::to_string(::getpid()) + "_" + name + ".out.bin";
      for (const auto& in : g["inputs"]) {
        graph::InputSpec s;
        s.shape = in["shape"].get<std::vector<int64_t>>();
        s.dtype = dtype_from_name(in["dtype"].get<std::string>());
        o.graph.inputs.push_back(s);
      }
      kernels::ProfileResult r = kernels::profile(*m, o);
      REQUIRE(r.output_shapes.size() == 1);
      const std::string want = test::read_bytes(test::fixture("pt2/" + std::string(name) + ".out.bin")), got = test::read_bytes(o.output_file);
      std::remove(o.output_file.c_str());
      REQUIRE(want.size() == got.size());
      CHECK(relative_l2(want, got) <= 1e-4);
    }
  }
}

TEST_CASE("pt2: profile runs the archive's sample input by default", "[pt2][parity]") {
  // The fixtures' sample input is the input torch's output was computed from.
  auto m = load_model(pt2("gpt"));
  kernels::ProfileOptions o;
  o.threads = 1;
  o.warmup = 0;
  o.repeat = 1;
  o.output_file = "/tmp/ptscope_pt2_" + std::to_string(::getpid()) + "_sample.out.bin";
  kernels::ProfileResult r = kernels::profile(*m, o);
  REQUIRE(r.inputs.size() == 1);
  CHECK(r.inputs[0].find("sample input") != std::string::npos);
  const std::string want = test::read_bytes(test::fixture("pt2/gpt.out.bin")), got = test::read_bytes(o.output_file);
  std::remove(o.output_file.c_str());
  REQUIRE(want.size() == got.size());
  CHECK(relative_l2(want, got) <= 1e-4);
  // Other sizes than the sample's: random inputs.
  o.graph.seq = 12;
  kernels::ProfileResult other = kernels::profile(*m, o);
  std::remove(o.output_file.c_str());
  CHECK(other.inputs[0].find("random") != std::string::npos);
}

TEST_CASE("pt2: tied weights stay one storage", "[pt2]") {
  // torch.export.save writes a tied head and embedding as one record named twice.
  const auto g = golden("tied");
  auto m = load_model(pt2("tied"));
  const NamedTensor* head = find_tensor(*m, "lm_head.weight");
  const NamedTensor* wte = find_tensor(*m, "wte.weight");
  REQUIRE(head);
  REQUIRE(wte);
  CHECK(head->tensor->storage == wte->tensor->storage);
  CHECK(m->tensor_bytes() == g["stored_bytes"].get<uint64_t>());
  for (const auto& w : m->warnings) CHECK(w.find("end-of-central-directory") == std::string::npos);
}

TEST_CASE("pt2: AOTInductor package lists its compiled artifacts and never runs them", "[pt2]") {
  auto m = load_model(pt2("cnn_aoti"));
  REQUIRE(m->exported);
  CHECK(m->exported->aot_inductor);
  bool so = false;
  for (const auto& [name, bytes] : m->exported->aot_artifacts) so = so || (name.find(".so") != std::string::npos && bytes > 0);
  CHECK(so);
  // Weights compiled into the .so are listed from the generated wrapper source, without data;
  // each is a state_dict entry of the model torch compiled, with its shape.
  const auto g = golden("cnn_aoti");
  REQUIRE(!m->tensors.empty());
  for (const auto& nt : m->tensors) {
    INFO(nt.name);
    CHECK(nt.tensor->storage->data_missing);
    bool found = false;
    for (const auto& want : g["tensors"])
      if (want["name"] == nt.name) {
        found = true;
        CHECK(nt.tensor->shape == want["shape"].get<std::vector<int64_t>>());
        CHECK(dtype_name(nt.tensor->dtype) == want["dtype"].get<std::string>());
      }
    CHECK(found);
  }
  for (const char* cmd : {"info", "stats", "audit"}) {
    auto c = test::run_ptscope(std::string(cmd) + " " + pt2("cnn_aoti"), true);
    INFO(cmd << ": " << c.out);
    CHECK((c.status == 0 || c.status == 1 || c.status == 2));
  }
  auto r = test::run_ptscope("graph " + pt2("cnn_aoti"), true);
  CHECK(r.status == 2);
  CHECK(r.out.find("never runs native code") != std::string::npos);
}

TEST_CASE("pt2: info and graph on the command line", "[pt2][cli]") {
  auto info = test::run_ptscope("info " + pt2("gpt"), true);
  CHECK(info.status == 0);
  CHECK(info.out.find("dynamic dim") != std::string::npos);
  CHECK(info.out.find("exported-program") != std::string::npos);
  auto js = test::run_ptscope("info --json " + pt2("gpt"), false);
  REQUIRE(js.status == 0);
  auto j = nlohmann::json::parse(js.out);
  CHECK(j["exported_program"]["inputs"].back()["kind"] == "user input");
  CHECK(j["exported_program"]["symbolic_dims"].size() == 2);
  auto gr = test::run_ptscope("graph " + pt2("gpt") + " --seq 16", true);
  CHECK(gr.status == 0);
  CHECK(gr.out.find("aten::scaled_dot_product_attention") != std::string::npos);
  auto bad_seq = test::run_ptscope("graph " + pt2("gpt") + " --seq 33", true);
  CHECK(bad_seq.status != 0);
  CHECK(bad_seq.out.find("outside the range") != std::string::npos);
}

TEST_CASE("pt2: bad archives give one line and exit 2", "[pt2][cli]") {
  const std::string json = member_text("cnn", "models/model.json");
  const std::string weights = member_text("cnn", "data/weights/model_weights_config.json");
  struct Case {
    std::string tag, member, text, expect;
  };
  std::string deep(200000, '[');
  std::string offset = weights;
  const size_t at = offset.find("\"storage_offset\": {\"as_int\": 0}");
  REQUIRE(at != std::string::npos);
  offset.replace(at, 31, "\"storage_offset\": {\"as_int\": 99999}");
  std::string huge = weights;
  const size_t st = huge.find("\"strides\": [{\"as_int\": 27}");
  REQUIRE(st != std::string::npos);
  huge.replace(st, std::string("\"strides\": [{\"as_int\": 27}").size(), "\"strides\": [{\"as_int\": 1152921504606846976}");  // 2^60
  // Sizes and strides each in range, their product past 2^64.
  std::string overflow = weights;
  const size_t sz = overflow.find("\"sizes\": [{\"as_int\": 8}");
  REQUIRE(sz != std::string::npos);
  overflow.replace(sz, std::string("\"sizes\": [{\"as_int\": 8}").size(), "\"sizes\": [{\"as_int\": 1048576}");
  const size_t st2 = overflow.find("\"strides\": [{\"as_int\": 27}");
  REQUIRE(st2 != std::string::npos);
  overflow.replace(st2, std::string("\"strides\": [{\"as_int\": 27}").size(), "\"strides\": [{\"as_int\": 72057594037927936}");  // 2^56
  std::string missing = weights;
  missing.replace(missing.find("weight_0"), 8, "weight_999");
  std::string traversal = weights;
  traversal.replace(traversal.find("weight_0"), 8, "../../etc");
  const std::vector<Case> cases = {
      {"truncated_json", "models/model.json", json.substr(0, json.size() / 2), "not valid JSON"},
      {"deep_json", "models/model.json", deep, "nests deeper"},
      {"not_object", "models/model.json", "[1, 2, 3]", "models/model.json"},
      {"offset", "data/weights/model_weights_config.json", offset, "needs"},
      {"huge_stride", "data/weights/model_weights_config.json", huge, "out of range"},
      {"extent_overflow", "data/weights/model_weights_config.json", overflow, "view extent overflows"},
      {"missing_record", "data/weights/model_weights_config.json", missing, "not in the archive"},
      {"traversal", "data/weights/model_weights_config.json", traversal, "not a record name"},
      {"format", "archive_format", "pt3", "not 'pt2'"},
      {"nested_program", "data/sample_inputs/model.pt", test::read_bytes(pt2("cnn")), "archive inside a nested archive"},
      {"sample_not_zip", "data/sample_inputs/model.pt", "garbage", "data/sample_inputs/model.pt: "},
  };
  for (const auto& c : cases) {
    SECTION(c.tag) {
      const std::string path = with_member("cnn", c.member, c.text, c.tag);
      auto r = test::run_ptscope("info " + path, true);
      std::remove(path.c_str());
      CHECK(r.status == 2);
      CHECK(r.out.find(c.expect) != std::string::npos);
      CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    }
  }
  SECTION("truncated file") {
    const std::string bytes = test::read_bytes(pt2("gpt"));
    const std::string path = write_temp("cut", std::vector<uint8_t>(bytes.begin(), bytes.begin() + long(bytes.size() / 2)));
    auto r = test::run_ptscope("info " + path, true);
    std::remove(path.c_str());
    CHECK(r.status == 2);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  }
}

TEST_CASE("pt2: a newer archive or schema version is read as far as known, with a warning", "[pt2]") {
  std::string json = member_text("cnn", "models/model.json");
  const size_t at = json.find("\"major\": 8");
  REQUIRE(at != std::string::npos);
  json.replace(at, 10, "\"major\": 9");
  auto members = members_of(pt2("cnn"));
  for (auto& [n, body] : members) {
    if (n.find("models/model.json") != std::string::npos) body = json;
    if (n.find("archive_version") != std::string::npos) body = "1";
  }
  const std::string path = write_temp("future", test::build_stored_zip(members));
  auto m = load_model(path);
  bool archive_warned = false, schema_warned = false;
  for (const auto& w : m->warnings) {
    archive_warned = archive_warned || w.find("archive version 1 is newer") != std::string::npos;
    schema_warned = schema_warned || w.find("schema version 9.20 is newer") != std::string::npos;
  }
  CHECK(archive_warned);
  CHECK(schema_warned);
  CHECK(m->tensors.size() == golden("cnn")["tensors"].size());
  CHECK(graph::build_graph(*m).totals().flops == golden("cnn")["flops"].get<double>());
  std::remove(path.c_str());
}

TEST_CASE("pt2: symbolic expressions and JSON limits", "[pt2]") {
  const std::map<std::string, int64_t> syms = {{"s0", 8}, {"s1", 3}};
  CHECK(export_plain_symbol("s0") == "s0");
  CHECK(export_plain_symbol("Symbol('s75', positive=True, integer=True)") == "s75");
  CHECK(export_plain_symbol("Add(Symbol('s0'), Integer(1))").empty());
  CHECK(export_eval_expr("Add(Symbol('s0', integer=True), Integer(1))", syms) == 9);
  CHECK(export_eval_expr("Mul(Integer(2), Symbol('s1'))", syms) == 6);
  CHECK(export_eval_expr("FloorDiv(Symbol('s0'), Integer(3))", syms) == 2);
  CHECK(export_eval_expr("s0*s1 + 2", syms) == 26);
  CHECK(export_eval_expr("(s0 - 10)//4", syms) == -1);
  CHECK(!export_eval_expr("s9 + 1", syms));
  CHECK(!export_eval_expr("Sin(s0)", syms));
  CHECK(!export_eval_expr(std::string(10000, '('), syms));
  const std::string big(100, ' ');
  REQUIRE_THROWS_WITH(parse_json_limited(ByteSpan(reinterpret_cast<const uint8_t*>(big.data()), big.size()), "x", JsonLimits{10, 4}),
                      Catch::Contains("over the 10-byte limit"));
}
