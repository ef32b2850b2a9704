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

}  // namespace ptscope::graph
