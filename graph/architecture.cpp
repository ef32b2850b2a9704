// Architecture family from the op graph: what the ops are, how data flows
// between them, their shapes and arguments. Class names are never read (a
// GPT block called "Block" is still a causal decoder; a ConvNeXt's Linear
// layers do not make it an MLP).
//
// Observations:
//  * attention sites: fused ops (scaled_dot_product_attention, the fused
//    MultiheadAttention / encoder-layer kernels), and explicit ones: a softmax
//    reached from an activation×activation product (QKᵀ) through elementwise,
//    view and masking ops;
//  * causality: is_causal=True, a triu/tril upstream of the mask, or a boolean
//    mask fixed by the model (built from its own buffers/constants, not from an
//    input) applied to the scores;
//  * cross-attention: a site whose query and key come from different streams
//    (their sets of upstream graph inputs and attention sites differ);
//  * convolutions split into patchify ones (kernel == stride, no padding: a
//    ViT/Swin patch embedding) and backbone ones;
//  * windowing: torch.roll (shifted windows) or 6-D permutes (window partition)
//    on an image stream;
//  * MAC shares of convolution, dense layers, attention and recurrent ops.
#include <algorithm>
#include <cstdio>

#include "graph/graph_analysis.h"

namespace ptscope::graph {
namespace {

bool has(const std::string& s, const char* word) { return s.find(word) != std::string::npos; }

// "1 attention site", "3 attention sites".
std::string count(size_t n, const std::string& what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

std::string percent(double part, double whole) {
  if (whole <= 0) return "0%";
  return std::to_string(int(100 * part / whole + 0.5)) + "%";
}

const ArgValue* attr(const Node& n, const char* name) {
  for (const auto& [k, v] : n.attrs)
    if (k == name) return &v;
  return nullptr;
}
std::vector<int64_t> attr_ints(const Node& n, const char* name) {
  const ArgValue* v = attr(n, name);
  if (!v) return {};
  if (auto* l = std::get_if<std::vector<int64_t>>(v)) return *l;
  if (auto* i = std::get_if<int64_t>(v)) return {*i};
  return {};
}
bool attr_true(const Node& n, const char* name) {
  const ArgValue* v = attr(n, name);
  return v && std::holds_alternative<bool>(*v) && std::get<bool>(*v);
}

bool is_fused_attention(const std::string& op) {
  return has(op, "scaled_dot_product") || has(op, "_native_multi_head_attention") ||
         has(op, "_transformer_encoder_layer_fwd") || has(op, "flash_attention") || has(op, "efficient_attention");
}
bool is_recurrent(const std::string& op) {
  return has(op, "lstm") || has(op, "gru") || has(op, "rnn_tanh") || has(op, "rnn_relu");
}
bool is_conv(const Node& n) { return n.category == OpCategory::conv; }

// A small bitset per value: which graph inputs and attention sites lie upstream.
class Ancestry {
 public:
  explicit Ancestry(size_t values, size_t bits) : words_((bits + 63) / 64), data_(values * words_, 0) {}
  void set(int value, size_t bit) {
    if (bit < words_ * 64) data_[size_t(value) * words_ + bit / 64] |= uint64_t(1) << (bit % 64);
  }
  void merge(int into, int from) {
    for (size_t w = 0; w < words_; ++w) data_[size_t(into) * words_ + w] |= data_[size_t(from) * words_ + w];
  }
  bool same(int a, int b) const {
    return std::equal(data_.begin() + long(size_t(a) * words_), data_.begin() + long(size_t(a + 1) * words_),
                      data_.begin() + long(size_t(b) * words_));
  }

 private:
  size_t words_;
  std::vector<uint64_t> data_;
};

struct Site {
  int node = -1;      // the node that mixes positions (fused op, or the QKᵀ product)
  int query = -1, key = -1;
  bool fused = false, causal = false, cross = false;
  int64_t seq = 0;    // query positions
};

// What classify_architecture gathers from the graph, one evidence family per
// step: value flow, attention sites (fused, then explicit), cross-attention,
// MAC shares and convolution kinds, the input's kind.
struct Evidence {
  explicit Evidence(const Graph& g) : graph(g), values(g.values), nodes(g.nodes) {}

  const Graph& graph;
  const std::vector<Value>& values;
  const std::vector<Node>& nodes;
  // Per value: depends on a graph input; has a triu/tril upstream.
  std::vector<char> from_input, from_triangle;
  std::vector<Site> sites;        // sorted by node
  std::vector<int> site_of_node;  // index into sites, or -1
  double total = 0, conv = 0, dense = 0, attention = 0, rnn = 0, backbone = 0, dense_on_maps = 0;
  int convs = 0, patchify = 0, backbone_convs = 0, rolls = 0, partitions = 0;
  bool image_input = false;

  bool valid(int id) const { return id >= 0 && size_t(id) < values.size(); }
  // An activation depends on a graph input; a weight transposed or sliced by the code does not.
  bool activation(int id) const { return valid(id) && from_input[size_t(id)]; }

  void trace_flow();
  void find_fused_sites();
  void find_explicit_sites();
  void mark_cross_attention();
  void measure_macs();
  void find_image_input();

  struct SiteCounts {
    int causal = 0, cross = 0, fused = 0;
  };
  SiteCounts count_sites() const {
    SiteCounts c;
    for (const Site& s : sites) c.causal += s.causal, c.cross += s.cross, c.fused += s.fused;
    return c;
  }
  void describe(Architecture& a) const;
  void decide(Architecture& a) const;
};

void Evidence::trace_flow() {
  from_input.assign(values.size(), 0);
  from_triangle.assign(values.size(), 0);
  for (int id : graph.inputs)
    if (valid(id)) from_input[size_t(id)] = 1;
  for (const Node& n : nodes) {
    const bool triangle = has(n.op, "aten::triu") || has(n.op, "aten::tril");
    char in = 0, tri = triangle;
    for (int id : n.inputs)
      if (valid(id)) in |= from_input[size_t(id)], tri |= from_triangle[size_t(id)];
    for (int id : n.outputs)
      if (valid(id)) from_input[size_t(id)] |= in, from_triangle[size_t(id)] |= tri;
  }
}

// Fused attention ops: scaled_dot_product_attention, the fused MHA / encoder-layer kernels.
void Evidence::find_fused_sites() {
  site_of_node.assign(nodes.size(), -1);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (!is_fused_attention(n.op) || n.inputs.empty()) continue;
    Site s;
    s.node = int(i);
    s.fused = true;
    s.query = n.inputs[0];
    s.key = has(n.op, "_transformer_encoder_layer_fwd") || n.inputs.size() < 2 ? n.inputs[0] : n.inputs[1];
    s.causal = attr_true(n, "is_causal");
    if (has(n.op, "scaled_dot_product") && n.inputs.size() >= 4 && valid(n.inputs[3]))  // attn_mask
      s.causal = s.causal || from_triangle[size_t(n.inputs[3])] ||
                 (values[size_t(n.inputs[3])].meta.dtype == DType::bool_ && !from_input[size_t(n.inputs[3])]);
    if (valid(s.query) && values[size_t(s.query)].meta.shape.size() >= 2)
      s.seq = values[size_t(s.query)].meta.shape[values[size_t(s.query)].meta.shape.size() - 2];
    site_of_node[i] = int(sites.size());
    sites.push_back(s);
  }
}

void Evidence::find_explicit_sites() {
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& sm = nodes[i];
    if (!has(sm.op, "softmax") || sm.inputs.empty()) continue;
    int v = sm.inputs[0];
    bool causal = false;
    for (int hop = 0; hop < 10 && valid(v); ++hop) {
      const int p = values[size_t(v)].producer;
      if (p < 0) break;
      const Node& pn = nodes[size_t(p)];
      const bool product = (pn.category == OpCategory::matmul || pn.category == OpCategory::attention) &&
                           pn.inputs.size() >= 2 && activation(pn.inputs[0]) && activation(pn.inputs[1]) &&
                           !has(pn.op, "linear") && !has(pn.op, "addmm");
      if (product) {
        if (site_of_node[size_t(p)] >= 0) break;
        Site s;
        s.node = p;
        s.query = pn.inputs[0];
        s.key = pn.inputs[1];
        s.causal = causal;
        const auto& shape = values[size_t(s.query)].meta.shape;
        if (shape.size() >= 2) s.seq = shape[shape.size() - 2];
        site_of_node[size_t(p)] = int(sites.size());
        sites.push_back(s);
        break;
      }
      // Follow the scores: the first input that is an activation on the chain; the others
      // are masks or biases.
      int next = -1;
      const bool masking = has(pn.op, "masked_fill") || has(pn.op, "aten::where");
      for (size_t k = 0; k < pn.inputs.size(); ++k) {
        const int in = pn.inputs[k];
        if (!valid(in)) continue;
        const Value& iv = values[size_t(in)];
        const bool is_bool = iv.meta.dtype == DType::bool_;
        if (next < 0 && activation(in) && !is_bool && from_input[size_t(in)]) {
          next = in;
          continue;
        }
        // A mask or bias beside the chain: triangular, or a boolean mask the model fixes itself.
        if (from_triangle[size_t(in)] || (masking && is_bool && !from_input[size_t(in)])) causal = true;
      }
      v = next;
    }
  }
  std::sort(sites.begin(), sites.end(), [](const Site& a, const Site& b) { return a.node < b.node; });
}

void Evidence::mark_cross_attention() {
  if (sites.empty()) return;
  Ancestry anc(values.size(), graph.inputs.size() + sites.size());
  for (size_t k = 0; k < graph.inputs.size(); ++k)
    if (valid(graph.inputs[k])) anc.set(graph.inputs[k], k);
  std::vector<int> site_index(nodes.size(), -1);
  for (size_t k = 0; k < sites.size(); ++k) site_index[size_t(sites[k].node)] = int(k);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (site_index[i] >= 0) {
      Site& s = sites[size_t(site_index[i])];
      s.cross = valid(s.query) && valid(s.key) && !anc.same(s.query, s.key);
    }
    for (int out : n.outputs) {
      if (!valid(out)) continue;
      for (int in : n.inputs)
        if (valid(in) && in != out) anc.merge(out, in);
      if (site_index[i] >= 0) anc.set(out, graph.inputs.size() + size_t(site_index[i]));
    }
  }
}

void Evidence::measure_macs() {
  const int first_site = sites.empty() ? int(nodes.size()) : sites.front().node;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    const double macs = n.cost.macs;
    total += macs;
    if (has(n.op, "aten::roll")) ++rolls;
    if ((has(n.op, "aten::permute") || has(n.op, "aten::view") || has(n.op, "aten::reshape")) && !n.outputs.empty() &&
        valid(n.outputs[0]) && values[size_t(n.outputs[0])].meta.shape.size() == 6)
      ++partitions;
    if (is_recurrent(n.op)) {
      rnn += macs;
    } else if (is_conv(n)) {
      conv += macs;
      ++convs;
      const auto stride = attr_ints(n, "stride"), padding = attr_ints(n, "padding");
      std::vector<int64_t> kernel;
      if (n.inputs.size() >= 2 && valid(n.inputs[1])) {
        const auto& w = values[size_t(n.inputs[1])].meta.shape;
        if (w.size() >= 3) kernel.assign(w.begin() + 2, w.end());
      }
      const bool no_pad = std::all_of(padding.begin(), padding.end(), [](int64_t p) { return p == 0; });
      bool patch = !kernel.empty() && no_pad;
      for (size_t d = 0; patch && d < kernel.size(); ++d) {
        const int64_t st = stride.empty() ? 1 : stride[std::min(d, stride.size() - 1)];
        patch = kernel[d] > 1 && kernel[d] == st;
      }
      if (patch) ++patchify;
      if (!patch && int(i) < first_site) backbone += macs, ++backbone_convs;
    } else if (site_of_node[i] >= 0 || n.category == OpCategory::attention ||
               (n.category == OpCategory::matmul && n.inputs.size() >= 2 && activation(n.inputs[0]) &&
                activation(n.inputs[1]) && !has(n.op, "linear") && !has(n.op, "addmm"))) {
      attention += macs;  // QKᵀ and the AV product that follows it (activation × activation)
    } else if (n.category == OpCategory::matmul) {
      dense += macs;
      if (!n.inputs.empty() && valid(n.inputs[0]) && values[size_t(n.inputs[0])].meta.shape.size() == 4) dense_on_maps += macs;
    }
  }
}

void Evidence::find_image_input() {
  image_input = false;
  for (int id : graph.inputs)
    if (valid(id) && values[size_t(id)].meta.shape.size() == 4 && dtype_info(values[size_t(id)].meta.dtype).is_floating)
      image_input = true;
}

void Evidence::describe(Architecture& a) const {
  auto note = [&](std::string line) { a.evidence.push_back(std::move(line)); };
  note("MACs: convolution " + percent(conv, total) + ", dense " + percent(dense, total) + ", attention " +
       percent(attention, total) + ", recurrent " + percent(rnn, total));
  if (image_input) note("a 4-D floating-point input (an image batch)");
  if (convs > 0)
    note(std::to_string(convs) + (convs == 1 ? " convolution (" : " convolutions (") + std::to_string(patchify) +
         " patchify: kernel = stride, no padding)");
  const auto [causal, cross, fused] = count_sites();
  if (!sites.empty()) {
    note(count(sites.size(), "attention site") + " (" + std::to_string(fused) + " fused, " +
         std::to_string(sites.size() - size_t(fused)) + " explicit softmax(QK\xE1\xB5\x80))");
    if (causal) note(std::to_string(causal) + " causal (is_causal, a triangular mask or a mask fixed by the model)");
    if (cross) note(std::to_string(cross) + " cross-attention (query and key from different streams)");
  }
  if (rolls) note(std::to_string(rolls) + " torch.roll (shifted windows)");
  if (partitions) note(std::to_string(partitions) + " 6-D reshapes/permutes (window partition)");
  if (dense_on_maps > 0) note("dense layers on 4-D feature maps (pointwise convolutions written as Linear)");
}

void Evidence::decide(Architecture& a) const {
  const auto [causal, cross, fused] = count_sites();
  const bool vision = image_input || convs > 0;
  if (rnn > 0 && rnn >= 0.3 * total) {
    a.kind = "RNN";
    a.reason = "recurrent ops (LSTM/GRU/RNN) do " + percent(rnn, total) + " of the MACs";
  } else if (!sites.empty()) {
    if (vision && backbone_convs >= 2 && backbone >= 0.1 * total) {
      a.kind = "hybrid (CNN + transformer)";
      a.reason = std::to_string(backbone_convs) + " backbone convolutions (" + percent(backbone, total) +
                 " of the MACs) feed " + count(sites.size(), "attention site") +
                 (cross ? " with cross-attention (an encoder-decoder head)" : "");
    } else if (vision && image_input && (rolls > 0 || partitions > 0)) {
      a.kind = "windowed vision transformer";
      a.reason = "attention inside windows of the feature map (" +
                 std::string(rolls ? std::to_string(rolls) + " shifted-window rolls" : "window partitions") + ")";
    } else if (vision && image_input) {
      a.kind = "vision transformer";
      a.reason = count(sites.size(), "attention site") + " over " +
                 (patchify ? "patch embeddings (kernel = stride convolution)" : "image tokens");
    } else if (cross) {
      a.kind = "transformer encoder-decoder";
      a.reason = count(size_t(cross), "cross-attention site") + " read a second stream" +
                 (causal ? "; " + count(size_t(causal), "causal self-attention site") : "");
    } else if (causal) {
      a.kind = "transformer decoder";
      a.reason = std::to_string(causal) + " of " + std::to_string(sites.size()) + " attention sites are causal";
    } else {
      a.kind = "transformer encoder";
      a.reason = count(sites.size(), "bidirectional self-attention site") + "; dense layers do " +
                 percent(dense, total) + " of the MACs";
    }
  } else if (conv > 0 && (image_input || conv >= 0.3 * total)) {
    a.kind = "CNN";
    a.reason = count(size_t(convs), "convolution") + (convs == 1 ? " does " : " do ") + percent(conv, total) + " of the MACs" +
               (dense_on_maps > 0 ? "; dense layers on the feature maps (ConvNeXt-style pointwise MLPs) " +
                                        percent(dense_on_maps, total)
                                  : "") +
               "; no attention";
  } else if (dense > 0 && dense >= 0.5 * total) {
    a.kind = "MLP";
    a.reason = "dense layers do " + percent(dense, total) + " of the MACs; no convolution, attention or recurrence";
  } else {
    a.kind = "other";
    a.reason = "no dominant layer type (conv " + percent(conv, total) + ", dense " + percent(dense, total) + ")";
  }
}

}  // namespace

Architecture classify_architecture(const Model&, const Graph& graph) {
  if (graph.nodes.empty()) return {"other", "no ops ran", {}};
  Evidence e(graph);
  e.trace_flow();
  e.find_fused_sites();
  e.find_explicit_sites();
  e.mark_cross_attention();
  e.measure_macs();
  e.find_image_input();
  Architecture a;
  e.describe(a);
  e.decide(a);
  return a;
}

}  // namespace ptscope::graph
