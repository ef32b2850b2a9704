#include "graph/training_memory.h"
#include "core/trainable.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace ptscope::graph {
namespace {

bool is_floating(DType d) {
  return d == DType::float32 || d == DType::float64 || d == DType::float16 || d == DType::bfloat16;
}

void finish(TrainingMemory& t) {
  uint64_t max_dynamic = 0;  // gradients + activations, the part that moves
  for (const TrainingPoint& p : t.timeline) max_dynamic = std::max(max_dynamic, p.gradients + p.activations);
  const uint64_t w = t.weight_bytes, g = t.trainable_bytes;
  auto make = [&](uint64_t state) {
    OptimizerMemory m;
    m.weights = w;
    m.gradients = g;
    m.optimizer_state = state;
    m.activations = t.saved_activation_bytes;
    m.peak = w + state + max_dynamic;
    return m;
  };
  t.sgd = make(0);
  t.sgd_momentum = make(g);
  t.adam = make(2 * g);
}

}  // namespace

TrainingMemory estimate_training_memory(const Model& model, const Graph* graph) {
  TrainingMemory t;
  std::unordered_map<std::string, uint64_t> param_bytes;
  bool first = true;
  // core/weights.h decides what is a parameter (also in a plain state_dict)
  // and core/trainable.h which of them train; a tied parameter has one
  // gradient and one optimizer state, so it counts once.
  const auto trains = trainable_entries(model);
  for (size_t i = 0; i < model.tensors.size(); ++i) {
    const NamedTensor& nt = model.tensors[i];
    if (trains[i] == Trains::not_a_parameter || !is_floating(nt.tensor->dtype)) continue;
    t.weight_bytes += nt.tensor->nbytes();
    if (trains[i] == Trains::yes) {  // frozen parameters get no gradient and no optimizer state
      t.trainable_params += nt.tensor->numel();
      t.trainable_bytes += nt.tensor->nbytes();
      param_bytes[nt.name] = nt.tensor->nbytes();
    }
    if (first) t.dtype_bytes = itemsize(nt.tensor->dtype);
    first = false;
  }
  if (!graph) {
    t.timeline.push_back({0, false, -1, 0, 0});
    finish(t);
    return t;
  }
  const Graph& g = *graph;
  // The buffer each value lives in: views and in-place results share their base's.
  std::vector<int> base(g.values.size());
  for (size_t v = 0; v < g.values.size(); ++v) base[v] = int(v);
  for (const Node& n : g.nodes) {
    if (n.inputs.empty() || n.outputs.empty() || size_t(n.inputs[0]) >= g.values.size()) continue;
    bool aliases = n.is_view || (n.def && n.def->is_inplace);
    // An op that moves no bytes and returns a tensor like its input returns
    // that input: conversions to the same dtype, dropout outside training,
    // _unsafe_view (their cost rules say so by counting no bytes).
    const TensorMeta &in = g.values[size_t(n.inputs[0])].meta, &out = g.values[size_t(n.outputs[0])].meta;
    if (!aliases && n.cost.bytes_read == 0 && n.cost.bytes_written == 0 && in.dtype == out.dtype &&
        in.numel() == out.numel())
      aliases = true;
    if (aliases)
      for (int o : n.outputs) base[size_t(o)] = base[size_t(n.inputs[0])];
  }
  // Saved activations: each buffer once, from the first node that saves it for
  // backward (freed when that node's backward, the last of its savers', has run).
  // Parameters and buffers are weights, not activations.
  std::vector<uint64_t> saved(g.nodes.size(), 0);
  std::vector<char> counted(g.values.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (!n.requires_grad) continue;
    for (int v : n.saved) {
      if (v < 0 || size_t(v) >= g.values.size()) continue;
      const size_t b = size_t(base[size_t(v)]);
      const Value& bv = g.values[b];
      if (counted[b] || bv.kind == Value::Kind::parameter || bv.kind == Value::Kind::constant) continue;
      counted[b] = 1;
      saved[i] += bv.meta.nbytes();
    }
    saved[i] += n.saved_extra_bytes;
  }

  uint64_t act = 0;
  t.timeline.push_back({0, false, -1, 0, act});
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    act += saved[i];
    t.timeline.push_back({int(i) + 1, false, int(i), 0, act});
  }
  t.boundary = int(g.nodes.size());
  t.saved_activation_bytes = act;
  t.saved_by_node = saved;
  uint64_t grads = 0;
  std::unordered_set<std::string> seen;
  for (size_t k = g.nodes.size(); k-- > 0;) {
    act -= saved[k];
    for (int id : g.nodes[k].inputs) {
      const Value& v = g.values[size_t(id)];
      if (v.kind != Value::Kind::parameter || !seen.insert(v.name).second) continue;
      auto it = param_bytes.find(v.name);
      if (it != param_bytes.end()) grads += it->second;
    }
    t.timeline.push_back({int(t.timeline.size()), true, int(k), grads, act});
  }
  finish(t);
  return t;
}

}  // namespace ptscope::graph
