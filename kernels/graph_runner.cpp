#include "kernels/graph_runner.h"

#include <algorithm>
#include <set>

#include "core/tensor.h"

namespace ptscope::kernels {

DType exec_dtype(DType d) { return d == DType::float16 || d == DType::bfloat16 ? DType::float32 : d; }

DeviceBuffer::~DeviceBuffer() {
  if (!backend) return;
  backend->free(data);
  if (counter) counter->current -= bytes;
}

ExecState::ExecState(Backend& backend) : backend_(backend) {}

const Slot* ExecState::find(int value_id) const {
  auto it = slots_.find(value_id);
  return it == slots_.end() ? nullptr : &it->second;
}

const Slot& ExecState::get(int value_id) {
  auto it = slots_.find(value_id);
  if (it != slots_.end()) return it->second;
  return slots_[value_id] = materialise(value_id);
}

void ExecState::drop_activations() {
  for (auto it = slots_.begin(); it != slots_.end();) {
    const auto kind = graph_ ? graph_->values[size_t(it->first)].kind : graph::Value::Kind::intermediate;
    if (kind == graph::Value::Kind::parameter || kind == graph::Value::Kind::constant) ++it;
    else it = slots_.erase(it);
  }
}

Slot ExecState::allocate(const Shape& shape, DType dtype, int value_id) {
  auto buf = std::make_shared<DeviceBuffer>();
  buf->bytes = size_t(shape_numel(shape)) * ptscope::itemsize(dtype);
  buf->data = backend_.allocate(buf->bytes);
  buf->backend = &backend_;
  buf->counter = counter_;
  counter_->add(buf->bytes);
  Slot s;
  s.view.data = buf->data;
  s.view.shape = shape;
  s.view.strides = contiguous_strides(shape);
  s.view.dtype = dtype;
  s.buffer = std::move(buf);
  s.buffer_value = value_id;
  return s;
}

Slot ExecState::upload(const TensorBuffer& host, int value_id) {
  const TensorView& h = host.tensor();
  if (backend_.reads_host_memory()) {
    auto buf = std::make_shared<DeviceBuffer>();
    buf->data = h.data;
    buf->bytes = size_t(h.numel()) * h.itemsize();
    buf->keep_alive = std::make_shared<TensorBuffer>(host);
    return Slot{h, std::move(buf), value_id};
  }
  Slot s = allocate(h.shape, h.dtype, value_id);
  backend_.upload(h.data, s.view.data, s.buffer->bytes);
  return s;
}

TensorBuffer ExecState::to_host(const TensorView& v) {
  TensorBuffer out(v.shape, v.dtype);
  if (backend_.reads_host_memory()) {
    backend_.synchronize();
    convert(v, out.tensor());
    return out;
  }
  TensorView src = v;
  Slot copy;
  if (!v.is_contiguous()) {
    // A contiguous copy on the device first (aten::clone), then one transfer.
    copy = allocate(v.shape, v.dtype, -1);
    static const graph::OpDef* clone = graph::op_registry().find("aten::clone");
    KernelCall call;
    call.args = {v, graph::NoneArg{}};
    call.outputs = {copy.view};
    if (backend_.output_mode("aten::clone") == OutputMode::by_kernel)
      call.allocate = [&](const Shape& s, DType d) { return (copy = allocate(s, d, -1)).view; };
    backend_.run(*clone, call);
    src = call.outputs.at(0);
  }
  backend_.synchronize();
  backend_.download(src.data, out.tensor().data, size_t(v.numel()) * v.itemsize());
  return out;
}

Slot ExecState::materialise(int value_id) {
  if (!graph_ || value_id < 0 || size_t(value_id) >= graph_->values.size())
    throw Error(ErrorCode::corrupt, "executor: unknown value %" + std::to_string(value_id));
  const graph::Value& v = graph_->values[size_t(value_id)];
  using K = graph::Value::Kind;
  if (v.kind == K::input) {
    if (!input_data) throw Error(ErrorCode::usage, "executor: no data for input '" + v.name + "'");
    TensorBuffer host = input_data(value_id);
    if (host.tensor().shape != v.meta.shape)
      throw Error(ErrorCode::usage, "input '" + v.name + "' has shape " + shape_string(host.tensor().shape) +
                                        ", the graph expects " + shape_string(v.meta.shape));
    return upload(host, value_id);
  }
  if (v.kind == K::parameter || v.kind == K::constant) {
    const DType want = exec_dtype(v.meta.dtype);
    if (v.tensor) {
      const Tensor& t = *v.tensor;
      const auto& info = dtype_info(t.dtype);
      if (info.is_quantized || info.is_complex || t.layout != Layout::strided)
        throw Error(ErrorCode::unsupported, "parameter '" + v.name + "' is " + std::string(dtype_name(t.dtype)) +
                                                " / non-strided; the executor runs float and integer tensors only");
      if (!t.data()) throw Error(ErrorCode::corrupt, "parameter '" + v.name + "' has no data in the file");
      TensorView file_view;
      file_view.data = const_cast<uint8_t*>(t.data());
      file_view.shape = t.shape;
      file_view.strides = t.strides;
      file_view.dtype = t.dtype;
      if (backend_.reads_host_memory() && want == t.dtype) {
        // Read in place from the file's mapping (zero copy).
        auto buf = std::make_shared<DeviceBuffer>();
        buf->data = file_view.data;
        buf->bytes = size_t(t.min_storage_bytes());
        buf->keep_alive = v.tensor;
        return Slot{file_view, std::move(buf), value_id};
      }
      TensorBuffer host(t.shape, want);
      convert(file_view, host.tensor());
      return upload(host, value_id);
    }
    if (v.elements) {
      TensorBuffer host(v.meta.shape, want);
      if (int64_t(v.elements->size()) != host.tensor().numel())
        throw Error(ErrorCode::corrupt, "constant %" + std::to_string(value_id) + " has the wrong element count");
      const TensorView& h = host.tensor();
      visit_dtype(want, [&](auto zero) {
        using T = decltype(zero);
        for (size_t k = 0; k < v.elements->size(); ++k) h.ptr<T>()[k] = cast_value<T>((*v.elements)[k]);
      });
      return upload(host, value_id);
    }
    throw Error(ErrorCode::unsupported, "constant '" + v.name + "' has no data the executor can read");
  }
  throw Error(ErrorCode::corrupt, "executor: value %" + std::to_string(value_id) + " used before it was computed");
}

KernelArg ExecState::to_kernel_arg(const graph::ArgValue& a) {
  return std::visit(
      [&](const auto& x) -> KernelArg {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, graph::TensorMeta>) {
          return get(x.value_id).view;
        } else if constexpr (std::is_same_v<T, std::vector<graph::TensorMeta>>) {
          std::vector<TensorView> list;
          for (const auto& t : x) list.push_back(t.dtype == DType::undefined ? TensorView{} : get(t.value_id).view);
          return list;
        } else {
          return x;
        }
      },
      a);
}

std::vector<Slot> ExecState::execute(const graph::OpDef& def, const std::vector<graph::ArgValue>& args,
                                     const std::vector<graph::TensorMeta>& outs) {
  const std::string op = def.schema.full_name();
  // In-place writes into a parameter read from the (read-only) file mapping need a private copy.
  if (def.is_inplace && !args.empty())
    if (auto* t = std::get_if<graph::TensorMeta>(&args[0])) {
      const Slot& s = get(t->value_id);
      if (!s.buffer->backend) {
        Slot copy = allocate(s.view.shape, s.view.dtype, t->value_id);
        TensorBuffer host = to_host(s.view);
        backend_.upload(host.tensor().data, copy.view.data, copy.buffer->bytes);
        slots_[t->value_id] = std::move(copy);
      }
    }

  KernelCall call;
  call.args.reserve(args.size());
  std::vector<const Slot*> input_slots;
  for (const auto& a : args) {
    call.args.push_back(to_kernel_arg(a));
    if (auto* t = std::get_if<graph::TensorMeta>(&a)) input_slots.push_back(find(t->value_id));
    if (auto* ts = std::get_if<std::vector<graph::TensorMeta>>(&a))
      for (const auto& t : *ts)
        if (t.dtype != DType::undefined) input_slots.push_back(find(t.value_id));
  }
  const OutputMode mode = backend_.output_mode(op);
  std::vector<Slot> result(outs.size());
  std::vector<Slot> fresh;
  for (size_t i = 0; i < outs.size(); ++i) {
    const DType d = exec_dtype(outs[i].dtype);
    if (mode == OutputMode::preallocated) {
      result[i] = allocate(outs[i].shape, d, outs[i].value_id);
      call.outputs.push_back(result[i].view);
    } else {
      TensorView hint;
      hint.shape = outs[i].shape;
      hint.strides = contiguous_strides(outs[i].shape);
      hint.dtype = d;
      call.outputs.push_back(hint);
    }
  }
  if (mode == OutputMode::by_kernel)
    call.allocate = [&](const Shape& shape, DType dtype) {
      fresh.push_back(allocate(shape, dtype, -1));
      return fresh.back().view;
    };
  backend_.run(def, call);
  if (mode == OutputMode::preallocated) return result;

  if (call.outputs.size() < outs.size())
    throw Error(ErrorCode::corrupt, op + ": the kernel returned " + std::to_string(call.outputs.size()) +
                                        " outputs, the shape rule " + std::to_string(outs.size()));
  for (size_t i = 0; i < outs.size(); ++i) {
    Slot& r = result[i];
    r.view = call.outputs[i];
    // Whose memory is it: storage the kernel allocated, or an input's (views, in-place).
    for (auto& f : fresh)
      if (f.buffer->contains(r.view.data)) {
        r.buffer = f.buffer;
        r.buffer_value = outs[i].value_id;
        break;
      }
    if (!r.buffer)
      for (const Slot* s : input_slots)
        if (s && s->buffer && s->buffer->contains(r.view.data)) {
          r.buffer = s->buffer;
          r.buffer_value = s->buffer_value;
          break;
        }
    if (!r.buffer) {
      if (r.view.numel() != 0)
        throw Error(ErrorCode::corrupt, op + ": output " + std::to_string(i) + " points at memory the executor does not own");
      r = allocate(outs[i].shape, exec_dtype(outs[i].dtype), outs[i].value_id);
    }
    // Fresh storage is owned by the value it was handed to first.
    for (auto& f : fresh)
      if (f.buffer == r.buffer && f.buffer_value < 0) f.buffer_value = outs[i].value_id;
    if (r.buffer_value < 0) r.buffer_value = outs[i].value_id;
  }
  return result;
}

// ---------------------------------------------------------------- runner

GraphRunner::GraphRunner(const graph::Graph& g, Backend& backend) : g_(g), state_(backend) {
  state_.attach(&g_);
  state_.input_data = [this](int value_id) {
    for (size_t k = 0; k < g_.inputs.size(); ++k)
      if (g_.inputs[k] == value_id && k < inputs_.size()) {
        // A private copy per run: in-place ops on inputs must not leak into the next run.
        const TensorView& h = inputs_[k].tensor();
        TensorBuffer copy(h.shape, h.dtype);
        std::memcpy(copy.tensor().data, h.data, size_t(h.numel()) * h.itemsize());
        return copy;
      }
    throw Error(ErrorCode::usage, "no data given for input '" + g_.values[size_t(value_id)].name + "'");
  };
  // Last use of every value: the node after which its slot is dropped. Graph
  // outputs are never dropped; views keep their base alive through the buffer.
  std::vector<int> last(g_.values.size(), -1);
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    for (int v : g_.nodes[i].inputs) last[size_t(v)] = int(i);
    for (int v : g_.nodes[i].outputs) last[size_t(v)] = std::max(last[size_t(v)], int(i));
  }
  for (int v : g_.outputs) last[size_t(v)] = -2;
  free_after_.resize(g_.nodes.size());
  for (size_t v = 0; v < last.size(); ++v) {
    const auto kind = g_.values[v].kind;
    if (last[v] >= 0 && kind != graph::Value::Kind::parameter && kind != graph::Value::Kind::constant)
      free_after_[size_t(last[v])].push_back(int(v));
  }
  alias_.assign(g_.values.size(), -1);
  workspace_.assign(g_.nodes.size(), 0);
}

void GraphRunner::set_inputs(std::vector<TensorBuffer> inputs) {
  if (inputs.size() != g_.inputs.size())
    throw Error(ErrorCode::usage, "the graph has " + std::to_string(g_.inputs.size()) + " tensor inputs, " +
                                      std::to_string(inputs.size()) + " given");
  inputs_ = std::move(inputs);
}

void GraphRunner::run(std::vector<double>* node_us) {
  Backend& b = state_.backend();
  state_.drop_activations();
  // Inputs are uploaded before the first node (not part of any node's time).
  for (int v : g_.inputs) state_.get(v);
  std::unique_ptr<Timer> timer = node_us ? b.make_timer() : nullptr;
  std::unique_ptr<Timer> whole = b.make_timer();
  if (node_us) node_us->assign(g_.nodes.size(), 0.0);
  b.synchronize();
  whole->start();
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    const graph::Node& n = g_.nodes[i];
    std::vector<graph::TensorMeta> outs;
    for (int o : n.outputs) {
      graph::TensorMeta m = g_.values[size_t(o)].meta;
      m.value_id = o;
      outs.push_back(std::move(m));
    }
    // Leaves first, so that timing covers the kernel only.
    for (int v : n.inputs) state_.get(v);
    if (timer) timer->start();
    std::vector<Slot> results;
    try {
      results = state_.execute(*n.def, n.args, outs);
    } catch (const Error& e) {
      throw Error(e, "node " + std::to_string(i) + " (" + n.op + (n.scope.empty() ? "" : " in " + n.scope) +
                                ", " + n.source + "): " + e.what());
    }
    if (timer) {
      timer->stop();
      (*node_us)[i] = timer->elapsed_us();
    }
    workspace_[i] = std::max(workspace_[i], b.last_workspace_bytes());
    for (size_t k = 0; k < results.size(); ++k) {
      alias_[size_t(n.outputs[k])] = results[k].buffer_value == n.outputs[k] ? -1 : results[k].buffer_value;
      state_.set(n.outputs[k], std::move(results[k]));
    }
    for (int v : free_after_[i]) state_.drop(v);
  }
  whole->stop();
  b.synchronize();
  last_run_us_ = whole->elapsed_us();
}

std::vector<TensorBuffer> GraphRunner::outputs() {
  std::vector<TensorBuffer> out;
  for (int v : g_.outputs) out.push_back(state_.to_host(state_.get(v).view));
  return out;
}

std::vector<std::string> unsupported_ops(const graph::Graph& g, const Backend& backend) {
  std::set<std::string> missing;
  for (const auto& n : g.nodes)
    if (!n.def || !backend.supports(n.op)) missing.insert(n.op);
  return {missing.begin(), missing.end()};
}

}  // namespace ptscope::kernels
