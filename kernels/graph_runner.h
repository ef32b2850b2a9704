// Backend-independent execution of graph ops on real tensors: the buffers of
// graph values (with shared ownership so that views keep their base alive),
// binding a node's schema-ordered arguments into a KernelCall, outputs
// preallocated or set by the kernel, and the parameters read from the file
// (fp16/bf16 upcast to fp32, resident for the whole run).
//
// ExecState is shared by GraphRunner (replays a recorded graph, frees each
// buffer after its last use, times nodes) and DataBackend (computes values
// while the interpreter runs, for data-dependent control flow).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "graph/graph.h"
#include "kernels/executor.h"

namespace ptscope::kernels {

// Kernels compute in float32: 16-bit floats are upcast at the edges.
DType exec_dtype(DType d);

// A block of device memory (or host memory the device reads in place), freed
// with the last value that shares it. Allocated bytes are counted in `counter`.
struct MemoryCounter {
  uint64_t current = 0, peak = 0;
  void add(uint64_t n) {
    current += n;
    if (current > peak) peak = current;
  }
};
struct DeviceBuffer {
  Backend* backend = nullptr;  // null: not owned (host memory kept alive by keep_alive)
  void* data = nullptr;
  size_t bytes = 0;
  std::shared_ptr<MemoryCounter> counter;
  std::shared_ptr<const void> keep_alive;
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer();
  bool contains(const void* p) const {
    auto* b = static_cast<const uint8_t*>(data);
    auto* q = static_cast<const uint8_t*>(p);
    return q >= b && q <= b + bytes;
  }
};

// A graph value with data: the view kernels see and the buffer holding it.
struct Slot {
  TensorView view;
  std::shared_ptr<DeviceBuffer> buffer;
  int buffer_value = -1;  // value id whose buffer this is (itself for fresh storage)
};

class ExecState {
 public:
  explicit ExecState(Backend& backend);
  Backend& backend() { return backend_; }

  // The graph whose leaves (inputs, parameters, constants) are materialised on
  // first use. `input_data` returns host data for a graph input (exec dtype).
  void attach(const graph::Graph* g) { graph_ = g; }
  std::function<TensorBuffer(int value_id)> input_data;

  const Slot* find(int value_id) const;
  const Slot& get(int value_id);  // materialises leaves; Error when an intermediate is missing
  void set(int value_id, Slot s) { slots_[value_id] = std::move(s); }
  void drop(int value_id) { slots_.erase(value_id); }
  void drop_activations();  // everything but parameters and constants
  void clear() { slots_.clear(); }

  // Runs one op on bound arguments (tensors by value id); `outs` are the
  // outputs' metadata (shape rule) and value ids. Returns the output slots
  // (not yet stored; the caller sets them).
  std::vector<Slot> execute(const graph::OpDef& def, const std::vector<graph::ArgValue>& args,
                            const std::vector<graph::TensorMeta>& outs);

  // A fresh device buffer of `shape` (contiguous).
  Slot allocate(const Shape& shape, DType dtype, int value_id);
  // Host copy (contiguous) of a value's data.
  TensorBuffer to_host(const TensorView& v);
  // Device copy of host data (the host memory itself when the device reads host memory).
  Slot upload(const TensorBuffer& host, int value_id);

  const std::shared_ptr<MemoryCounter>& memory() const { return counter_; }

 private:
  Slot materialise(int value_id);
  KernelArg to_kernel_arg(const graph::ArgValue& a);

  Backend& backend_;
  const graph::Graph* graph_ = nullptr;
  std::unordered_map<int, Slot> slots_;
  std::shared_ptr<MemoryCounter> counter_ = std::make_shared<MemoryCounter>();
};

// Replays a graph: one forward pass per run(), each buffer freed after its
// last consumer (graph outputs kept), parameters resident across runs.
class GraphRunner {
 public:
  GraphRunner(const graph::Graph& g, Backend& backend);

  // Host data of each graph input, in graph.inputs order (exec dtype, shapes as the graph's).
  void set_inputs(std::vector<TensorBuffer> inputs);
  // One forward pass. With node_us, each node is timed (size = nodes; the
  // backend is synchronised around every node).
  void run(std::vector<double>* node_us = nullptr);
  // Time of the last run from its first node to the end (synchronised), inputs already on the device.
  double last_run_us() const { return last_run_us_; }
  // Outputs of the last run, in graph.outputs order (host copies, contiguous).
  std::vector<TensorBuffer> outputs();
  // The aliasing the last run observed, for graph::plan_memory (per value id).
  const std::vector<int>& observed_alias() const { return alias_; }
  // Per node: the most scratch bytes its kernel held in any run so far (graph::plan_memory's workspace).
  const std::vector<uint64_t>& workspace_bytes() const { return workspace_; }
  // Peak bytes of buffers allocated in runs (activations, plus any copied parameters).
  uint64_t peak_allocated_bytes() const { return state_.memory()->peak; }
  ExecState& state() { return state_; }

 private:
  const graph::Graph& g_;
  ExecState state_;
  std::vector<TensorBuffer> inputs_;
  std::vector<std::vector<int>> free_after_;  // per node: values whose last use it is
  std::vector<int> alias_;
  std::vector<uint64_t> workspace_;
  double last_run_us_ = 0;
};

// Every op of the graph the backend has no kernel for (sorted, unique).
std::vector<std::string> unsupported_ops(const graph::Graph& g, const Backend& backend);

}  // namespace ptscope::kernels
