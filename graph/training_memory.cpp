#include "graph/training_memory.h"

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
  for (const auto& nt : model.tensors) {
    if (!nt.tensor || !nt.is_parameter() || !is_floating(nt.tensor->dtype)) continue;
    t.weight_bytes += nt.tensor->nbytes();
    if (nt.tensor->requires_grad) {  // frozen parameters get no gradient and no optimizer state
      t.trainable_params += nt.tensor->numel();
      t.trainable_bytes += nt.tensor->nbytes();
      param_bytes[nt.name] = nt.tensor->nbytes();
    }
    if (first) t.dtype_bytes = itemsize(nt.tensor->dtype);
    first = false;
  }
  // A state_dict (no module tree) marks nothing as a parameter: count its floating tensors.
  if (t.weight_bytes == 0 && !model.root) {
    for (const auto& nt : model.tensors) {
      if (!nt.tensor || !is_floating(nt.tensor->dtype) || nt.is_buffer()) continue;
      t.trainable_params += nt.tensor->numel();
      t.weight_bytes += nt.tensor->nbytes();
      t.trainable_bytes += nt.tensor->nbytes();
    }
  }
  if (!graph) {
    t.timeline.push_back({0, false, -1, 0, 0});
    finish(t);
    return t;
  }
  const Graph& g = *graph;
  // Which values own a buffer: views and in-place results alias their first input.
  std::vector<char> aliases(g.values.size(), 0);
  for (const Node& n : g.nodes)
    if (n.def && (n.def->is_view || n.def->is_inplace) && !n.inputs.empty())
      for (int o : n.outputs) aliases[size_t(o)] = 1;
  std::vector<uint64_t> saved(g.nodes.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (int o : g.nodes[i].outputs)
      if (!aliases[size_t(o)]) saved[i] += g.values[size_t(o)].meta.nbytes();
  uint64_t inputs = 0;
  for (int v : g.inputs) inputs += g.values[size_t(v)].meta.nbytes();

  uint64_t act = inputs;
  t.timeline.push_back({0, false, -1, 0, act});
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    act += saved[i];
    t.timeline.push_back({int(i) + 1, false, int(i), 0, act});
  }
  t.boundary = int(g.nodes.size());
  t.saved_activation_bytes = act;
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
    if (k == 0) act -= std::min(act, inputs);
    t.timeline.push_back({int(t.timeline.size()), true, int(k), grads, act});
  }
  finish(t);
  return t;
}

}  // namespace ptscope::graph
