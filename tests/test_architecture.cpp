// Architecture classification from the op graph (graph/architecture.cpp) on a
// fixture of every class. fixtures/arch/ models have neutral class names
// (Block, Mixer, Net), so nothing but the ops and their data flow can decide;
// the expected class in each golden is what the generator wrote the model as
// (fixtures/make_arch_fixtures.py). Graph-fixture models (torchvision and the
// hand-written language models of fixtures/graph/) are checked too.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/model.h"
#include "graph/graph_analysis.h"
#include "graph/input_inference.h"
#include "graph_golden.h"
#include "test_paths.h"

using namespace ptscope;
using namespace ptscope::graph;

namespace {

nlohmann::json golden_of(const std::string& path) {
  std::ifstream in(path + ".golden.json");
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

Architecture classify(const std::string& rel) {
  const std::string path = test::fixture(rel);
  const auto golden = golden_of(path);
  auto model = load_model(path);
  Graph g = build_graph(*model, test::golden_graph_options(golden));
  return classify_architecture(*model, g);
}

}  // namespace

TEST_CASE("architecture: every class from the op graph, class names neutral", "[graph][architecture]") {
  for (const char* name : {"gpt_sdpa_causal", "gpt_explicit_deep", "bert_sdpa", "seq2seq_sdpa", "vit_tiny", "swin_tiny",
                           "convnext_tiny", "resnet_small", "lstm_lm", "mlp", "detr_like"}) {
    const std::string rel = std::string("arch/") + name + ".pt";
    const auto golden = golden_of(test::fixture(rel));
    const Architecture a = classify(rel);
    INFO(name << ": " << a.kind << " (" << a.reason << ")");
    CHECK(a.kind == golden["class"].get<std::string>());
    CHECK(!a.reason.empty());
    CHECK(!a.evidence.empty());
  }
}

TEST_CASE("architecture: the evidence names what decided", "[graph][architecture]") {
  auto joined = [](const Architecture& a) {
    std::string s = a.reason;
    for (const auto& e : a.evidence) s += "\n" + e;
    return s;
  };
  const Architecture gpt = classify("arch/gpt_sdpa_causal.pt");
  CHECK(joined(gpt).find("causal") != std::string::npos);
  CHECK(joined(gpt).find("2 fused") != std::string::npos);  // two blocks, one SDPA each
  const Architecture deep = classify("arch/gpt_explicit_deep.pt");
  CHECK(joined(deep).find("80 attention sites (0 fused, 80 explicit") != std::string::npos);
  const Architecture s2s = classify("arch/seq2seq_sdpa.pt");
  // Two decoder blocks with one cross-attention each; their self-attention is causal.
  CHECK(joined(s2s).find("2 cross-attention") != std::string::npos);
  CHECK(joined(s2s).find("2 causal") != std::string::npos);
  const Architecture bert = classify("arch/bert_sdpa.pt");
  CHECK(joined(bert).find("causal") == std::string::npos);  // the padding mask comes from an input
  const Architecture swin = classify("arch/swin_tiny.pt");
  CHECK(joined(swin).find("torch.roll") != std::string::npos);
  const Architecture next = classify("arch/convnext_tiny.pt");
  CHECK(joined(next).find("4-D feature maps") != std::string::npos);
  const Architecture detr = classify("arch/detr_like.pt");
  CHECK(joined(detr).find("cross-attention") != std::string::npos);
  const Architecture vit = classify("arch/vit_tiny.pt");
  CHECK(joined(vit).find("1 patchify") != std::string::npos);
}

TEST_CASE("architecture: torchvision and hand-written graph fixtures", "[graph][architecture]") {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"graph/gpt2_scripted.pt", "transformer decoder"},  // masked_fill with its own tril buffer
      {"graph/gpt2_traced.pt", "transformer decoder"},
      {"graph/convnext_tiny_scripted.pt", "CNN"},
      {"graph/swin_t_scripted.pt", "windowed vision transformer"},
      {"graph/vit_b_16_scripted.pt", "vision transformer"},
      {"graph/bert_scripted.pt", "transformer encoder"},
      {"graph/t5_scripted.pt", "transformer encoder"},
      {"graph/seq2seq_scripted.pt", "transformer encoder-decoder"},
      {"graph/recurrent_scripted.pt", "RNN"},
      {"graph/densenet121_scripted.pt", "CNN"},
      {"graph/mobilenet_v2_scripted.pt", "CNN"},
      {"graph/sdpa_scripted_t2.pt", "transformer decoder"},  // one of its four SDPA calls is is_causal
  };
  for (const auto& [rel, kind] : cases) {
    const Architecture a = classify(rel);
    INFO(rel << ": " << a.kind << " (" << a.reason << ")");
    CHECK(a.kind == kind);
  }
}
