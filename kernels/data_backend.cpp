#include "kernels/data_backend.h"

namespace ptscope::kernels {

DataBackend::DataBackend(Backend& backend, InputSource input_data)
    : backend_(backend), input_data_(std::move(input_data)) {}

void DataBackend::reset(graph::Graph& g) {
  graph_ = &g;
  pending_.clear();
  inputs_used_.clear();
  state_ = std::make_unique<ExecState>(backend_);
  state_->attach(graph_);
  state_->input_data = [this](int value_id) {
    int64_t bound = 0;
    if (current_op_ && current_op_->schema.name == "aten::embedding" && current_args_->size() >= 2)
      if (auto* w = std::get_if<graph::TensorMeta>(&(*current_args_)[0]))
        if (auto* ids = std::get_if<graph::TensorMeta>(&(*current_args_)[1]); ids && ids->value_id == value_id && !w->shape.empty())
          bound = w->shape[0];
    TensorBuffer host = input_data_(*graph_, value_id, bound);
    inputs_used_.emplace_back(value_id, host);
    return host;
  };
}

std::vector<graph::TensorMeta> DataBackend::run(const graph::OpDef& def, const std::vector<graph::ArgValue>& args) {
  if (!state_) throw Error(ErrorCode::usage, "data backend used before reset()");
  if (!def.shape) throw Error(ErrorCode::unsupported, def.schema.full_name() + " has no shape rule");
  std::vector<graph::TensorMeta> outs = def.shape(args);
  current_op_ = &def;
  current_args_ = &args;
  try {
    pending_ = state_->execute(def, args, outs);
  } catch (...) {
    current_op_ = nullptr;
    throw;
  }
  current_op_ = nullptr;
  return outs;
}

void DataBackend::bind_outputs(const std::vector<graph::TensorMeta>& outputs) {
  for (size_t k = 0; k < outputs.size() && k < pending_.size(); ++k) {
    Slot s = std::move(pending_[k]);
    if (s.buffer_value < 0 || s.buffer_value == -1) s.buffer_value = outputs[k].value_id;
    state_->set(outputs[k].value_id, std::move(s));
  }
  pending_.clear();
}

std::optional<std::vector<double>> DataBackend::values(const graph::TensorMeta& tensor) {
  if (!state_ || tensor.value_id < 0) return std::nullopt;
  const Slot* s = state_->find(tensor.value_id);
  if (!s) {
    // Leaves (inputs, parameters) are materialised on demand.
    const auto kind = graph_->values[size_t(tensor.value_id)].kind;
    if (kind == graph::Value::Kind::intermediate) return std::nullopt;
    s = &state_->get(tensor.value_id);
  }
  TensorBuffer host = state_->to_host(s->view);
  std::vector<double> out(size_t(host.tensor().numel()));
  for (size_t k = 0; k < out.size(); ++k) out[k] = load_as_double(host.tensor(), int64_t(k));
  return out;
}

TensorBuffer DataBackend::value(int value_id) {
  if (!state_) throw Error(ErrorCode::usage, "data backend has not run");
  return state_->to_host(state_->get(value_id).view);
}

graph::Graph build_graph_with_data(const Model& model, graph::GraphOptions options, DataBackend& data) {
  options.full_run_backend = [&data](graph::Graph& g) -> graph::TensorBackend* {
    data.reset(g);
    return &data;
  };
  return graph::build_graph(model, options);
}

}  // namespace ptscope::kernels
