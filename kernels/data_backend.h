// A TensorBackend for the interpreter that computes real values with an
// executor backend as the model's code runs, so that control flow on tensor
// values (`if x.sum() > 0`, `.item()`, `.tolist()`) resolves. It produces
// the same Graph as the shape-only pass, for the branch this input takes.
// Plug it into graph::GraphOptions::full_run_backend (see run_with_data).
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "graph/input_inference.h"
#include "graph/interpreter.h"
#include "kernels/graph_runner.h"

namespace ptscope::kernels {

class DataBackend final : public graph::TensorBackend {
 public:
  // `input_data(graph, value_id, id_bound)` gives host data for a graph input
  // when an op first reads it (shape and dtype of the input's metadata);
  // id_bound > 0 when that op is an embedding lookup with this many rows.
  using InputSource = std::function<TensorBuffer(const graph::Graph&, int value_id, int64_t id_bound)>;
  DataBackend(Backend& backend, InputSource input_data);

  // Starts over on a new graph (GraphOptions::full_run_backend calls this per run).
  void reset(graph::Graph& g);

  const char* name() const override { return "data"; }
  std::vector<graph::TensorMeta> run(const graph::OpDef& def, const std::vector<graph::ArgValue>& args) override;
  void bind_outputs(const std::vector<graph::TensorMeta>& outputs) override;
  std::optional<std::vector<double>> values(const graph::TensorMeta& tensor) override;

  // Host data of the inputs the last run used, by value id.
  const std::vector<std::pair<int, TensorBuffer>>& inputs_used() const { return inputs_used_; }
  // Host copy of a value computed in the last run.
  TensorBuffer value(int value_id);
  // Frees every buffer of the last run (inputs_used stays).
  void release() {
    pending_.clear();
    state_.reset();
  }

 private:
  std::unique_ptr<ExecState> state_;
  Backend& backend_;
  InputSource input_data_;
  graph::Graph* graph_ = nullptr;
  std::vector<Slot> pending_;
  const graph::OpDef* current_op_ = nullptr;  // the op whose arguments are being bound
  const std::vector<graph::ArgValue>* current_args_ = nullptr;
  std::vector<std::pair<int, TensorBuffer>> inputs_used_;
};

// build_graph with a DataBackend: the graph of the branch `input_data` takes.
graph::Graph build_graph_with_data(const Model& model, graph::GraphOptions options, DataBackend& data);

}  // namespace ptscope::kernels
