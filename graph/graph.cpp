#include "graph/graph.h"

namespace ptscope::graph {

int Graph::add_value(TensorMeta meta, Value::Kind kind, std::string name, int producer) {
  Value v;
  v.id = static_cast<int>(values.size());
  meta.value_id = v.id;
  v.meta = std::move(meta);
  v.kind = kind;
  v.name = std::move(name);
  v.producer = producer;
  values.push_back(std::move(v));
  return values.back().id;
}

OpCost Graph::totals() const {
  OpCost t;
  for (const auto& n : nodes) {
    t.flops += n.cost.flops;
    t.macs += n.cost.macs;
    t.extended_flops += n.cost.extended_flops;
    t.bytes_read += n.cost.bytes_read;
    t.bytes_written += n.cost.bytes_written;
  }
  return t;
}

BackwardFlops Graph::backward_totals() const {
  BackwardFlops t;
  for (const auto& n : nodes) {
    t.input_grad += n.backward.input_grad;
    t.weight_grad += n.backward.weight_grad;
  }
  return t;
}

bool Graph::is_parameter_view(int id) const {
  // view_of points at an earlier value; the step bound guards a malformed chain.
  for (size_t steps = 0; id >= 0 && size_t(id) < values.size() && steps <= values.size(); ++steps) {
    const Value& v = values[size_t(id)];
    if (v.kind == Value::Kind::parameter) return true;
    id = v.view_of;
  }
  return false;
}

}  // namespace ptscope::graph
