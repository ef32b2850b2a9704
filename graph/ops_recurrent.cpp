// Recurrent ops: aten::lstm / gru / rnn_tanh / rnn_relu (padded and packed
// forms) and their single-step cells. FLOPs count the matmuls the CPU
// implementation runs when it decomposes the op (one input projection and one
// hidden projection per step, plus LSTM's output projection), which is what
// FlopCounterMode sees on that path: 2 per multiply-add. Gate nonlinearities,
// biases and state updates go to extended FLOPs (docs/flops.md).
#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

enum class Cell { lstm, gru, rnn_tanh, rnn_relu };

int64_t gates(Cell c) { return c == Cell::lstm ? 4 : c == Cell::gru ? 3 : 1; }

// Extended FLOPs per hidden unit per step after the two projections are summed.
double gate_flops(Cell c) {
  switch (c) {
    case Cell::lstm: return 3 * 4 + 2 * 5 + 3 + 1;  // 3 sigmoids, 2 tanh, c = f*c + i*g, h = o*tanh(c)
    case Cell::gru: return 2 * 4 + 5 + 1 + 1 + 3;   // 2 sigmoids, tanh, r*hn, add, h = (1-z)*n + z*h
    case Cell::rnn_tanh: return 5;
    case Cell::rnn_relu: return 1;
  }
  return 0;
}

const char* cell_name(Cell c) {
  switch (c) {
    case Cell::lstm: return "lstm";
    case Cell::gru: return "gru";
    case Cell::rnn_tanh: return "rnn_tanh";
    case Cell::rnn_relu: return "rnn_relu";
  }
  return "";
}

// The layer stack read from the flat weight list: per layer and direction
// w_ih [G*H, in], w_hh [G*H, H_out], optional b_ih, b_hh, optional w_hr [H_out, H].
struct Stack {
  int64_t layers = 0, directions = 1, hidden = 0, out_hidden = 0;
  bool biases = false, proj = false;
  std::vector<int64_t> layer_inputs;  // input features of each layer
};

Stack read_stack(Cell cell, const std::vector<TensorMeta>& params, bool has_biases, int64_t layers,
                 bool bidirectional, int64_t input_features) {
  Stack s;
  s.layers = layers;
  s.directions = bidirectional ? 2 : 1;
  s.biases = has_biases;
  if (layers <= 0) fail("num_layers must be positive, got " + std::to_string(layers));
  const int64_t groups = layers * s.directions;
  const int64_t base = has_biases ? 4 : 2;
  if (params.size() % size_t(groups) != 0)
    fail(std::to_string(params.size()) + " weights do not split into " + std::to_string(groups) +
         " layers x directions");
  const int64_t per = int64_t(params.size()) / groups;
  if (per != base && !(cell == Cell::lstm && per == base + 1))
    fail("expected " + std::to_string(base) + " weights per layer and direction, got " + std::to_string(per));
  s.proj = per == base + 1;
  const TensorMeta& w_ih0 = params[0];
  if (w_ih0.shape.size() != 2 || w_ih0.shape[0] % gates(cell) != 0)
    fail("w_ih " + shape_str(w_ih0.shape) + " is not [" + std::to_string(gates(cell)) + "*hidden, input]");
  s.hidden = w_ih0.shape[0] / gates(cell);
  s.out_hidden = s.proj ? params[size_t(per - 1)].shape.at(0) : s.hidden;
  int64_t in = input_features;
  for (int64_t l = 0; l < layers; ++l) {
    s.layer_inputs.push_back(in);
    for (int64_t d = 0; d < s.directions; ++d) {
      const size_t at = size_t((l * s.directions + d) * per);
      const Shape ih{gates(cell) * s.hidden, in}, hh{gates(cell) * s.hidden, s.out_hidden};
      if (params[at].shape != ih || params[at + 1].shape != hh)
        fail("layer " + std::to_string(l) + " weights " + shape_str(params[at].shape) + ", " +
             shape_str(params[at + 1].shape) + " do not fit input size " + std::to_string(in) + " and hidden size " +
             std::to_string(s.hidden) + " (expected " + shape_str(ih) + ", " + shape_str(hh) + ")");
    }
    in = s.directions * s.out_hidden;
  }
  return s;
}

// MACs and extended FLOPs over `rows` (steps x batch) per layer and direction.
OpCost stack_cost(Cell cell, const Stack& s, double rows, const Args& a, const Outs& o) {
  OpCost c = default_bytes(a, o);
  const double g = double(gates(cell)), h = double(s.hidden), ho = double(s.out_hidden);
  for (int64_t in : s.layer_inputs) {
    double per_row = g * h * (double(in) + ho) + (s.proj ? h * ho : 0);
    c.macs += s.directions * rows * per_row;
    c.extended_flops += s.directions * rows * h * ((s.biases ? 2 * g : 0) + g + gate_flops(cell));
  }
  c.flops = 2 * c.macs;
  return c;
}

// Backward of a stack as autograd runs it on CPU (each layer's input projection
// as one product over all steps, then one hidden product per step): every
// product's weight gradient when the parameters need one; input gradients
// for layer 0 only when its input needs one (deeper layers' inputs always
// do), hidden gradients for every step but the first unless the initial
// state needs one. `steps` 0: unknown (packed), every step counted.
BackwardCost stack_backward(Cell cell, const Stack& s, double rows, double steps, const NeedsGrad& needs,
                            size_t input_pos, size_t hx_pos, size_t params_pos) {
  BackwardCost b;
  b.grads.assign(needs.size(), 0.0);
  const double g = double(gates(cell)), h = double(s.hidden), ho = double(s.out_hidden);
  const double hidden_rows = steps > 0 && !needs[hx_pos] ? rows * (steps - 1) / steps : rows;
  for (size_t l = 0; l < s.layer_inputs.size(); ++l) {
    const double in = double(s.layer_inputs[l]);
    const double ih = 2 * rows * g * h * in, hh = 2 * rows * g * h * ho, proj = s.proj ? 2 * rows * h * ho : 0;
    if (needs[params_pos]) b.grads[params_pos] += s.directions * (ih + hh + proj);
    const double input_grad = s.directions * (2 * hidden_rows * g * h * ho + proj);
    if (l == 0) {
      if (needs[input_pos]) b.grads[input_pos] += s.directions * ih;
    } else {
      b.shared += s.directions * ih;
    }
    b.shared += input_grad;
  }
  return b;
}

void check_state(const char* what, const TensorMeta& t, const Shape& expected) {
  if (t.shape != expected)
    fail(std::string(what) + " " + shape_str(t.shape) + " does not match the expected " + shape_str(expected));
}

// Padded form: (input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first).
Outs padded_rule(Cell cell, const Args& a, Stack* out_stack = nullptr) {
  const TensorMeta& in = tensor(a, 0);
  if (in.shape.size() != 3) fail("expected a 3-D input (seq, batch, feature), got " + shape_str(in.shape));
  const bool batch_first = bool_arg(a, 8);
  const int64_t steps = batch_first ? in.shape[1] : in.shape[0], batch = batch_first ? in.shape[0] : in.shape[1];
  Stack s = read_stack(cell, tensors(a, 2), bool_arg(a, 3), int_arg(a, 4), bool_arg(a, 7), in.shape[2]);
  if (out_stack) *out_stack = s;
  const int64_t states = s.layers * s.directions;
  Outs out = one(batch_first ? Shape{batch, steps, s.directions * s.out_hidden}
                             : Shape{steps, batch, s.directions * s.out_hidden},
                 in.dtype);
  if (cell == Cell::lstm) {
    const auto& hx = tensors(a, 1);
    if (hx.size() != 2) fail("lstm expects hx = [h0, c0], got " + std::to_string(hx.size()) + " tensors");
    check_state("h0", hx[0], {states, batch, s.out_hidden});
    check_state("c0", hx[1], {states, batch, s.hidden});
    out.push_back(meta(hx[0].shape, in.dtype));
    out.push_back(meta(hx[1].shape, in.dtype));
  } else {
    check_state("h0", tensor(a, 1), {states, batch, s.hidden});
    out.push_back(meta(tensor(a, 1).shape, in.dtype));
  }
  return out;
}

OpCost padded_cost(Cell cell, const Args& a, const Outs& o) {
  Stack s;
  padded_rule(cell, a, &s);
  const TensorMeta& in = tensor(a, 0);
  return stack_cost(cell, s, double(in.shape[0]) * double(in.shape[1]), a, o);
}

// Packed form: (data [T, in], batch_sizes, hx, params, has_biases, num_layers, dropout, train,
// bidirectional). T, the total number of steps over the batch, is all the cost needs.
Outs packed_rule(Cell cell, const Args& a, Stack* out_stack = nullptr) {
  const TensorMeta& data = tensor(a, 0);
  if (data.shape.size() != 2) fail("expected packed 2-D data (steps, feature), got " + shape_str(data.shape));
  if (tensor(a, 1).shape.size() != 1) fail("batch_sizes must be 1-D, got " + shape_str(tensor(a, 1).shape));
  Stack s = read_stack(cell, tensors(a, 3), bool_arg(a, 4), int_arg(a, 5), bool_arg(a, 8), data.shape[1]);
  if (out_stack) *out_stack = s;
  Outs out = one({data.shape[0], s.directions * s.out_hidden}, data.dtype);
  if (cell == Cell::lstm) {
    const auto& hx = tensors(a, 2);
    if (hx.size() != 2) fail("lstm expects hx = [h0, c0], got " + std::to_string(hx.size()) + " tensors");
    out.push_back(meta(hx[0].shape, data.dtype));
    out.push_back(meta(hx[1].shape, data.dtype));
  } else {
    out.push_back(meta(tensor(a, 2).shape, data.dtype));
  }
  return out;
}

OpCost packed_cost(Cell cell, const Args& a, const Outs& o) {
  Stack s;
  packed_rule(cell, a, &s);
  return stack_cost(cell, s, double(tensor(a, 0).shape[0]), a, o);
}

// What autograd keeps for a stack run the decomposed CPU way (ATen's
// LSTMCell/GRUCell/SimpleCell over the steps, the input projection of each
// layer as one product), in elements per step of one direction, beside the
// layer inputs and initial states (graph values, kept by the saves rule):
//  LSTM: the gates (4H, sigmoid_/tanh_ keep their results in place), tanh(c)
//        (H), the previous c (H) and h (Ho) after the first step, the
//        pre-projection h (H) with proj_size;
//  GRU:  the hidden gates (3H), the new gate (H), copies of the two operands
//        mul_ overwrites (2H), the previous h (H) after the first step;
//  RNN:  the activation's result (H), which is the next step's h.
// Deeper layers also keep their input, the previous layer's output (D·Ho per row).
uint64_t stack_saved_elements(Cell cell, const Stack& s, double steps, double batch) {
  const double h = double(s.hidden), ho = double(s.out_hidden), later = std::max(0.0, steps - 1);
  double per_direction = 0;
  switch (cell) {
    case Cell::lstm: per_direction = steps * (5 * h + (s.proj ? h : 0)) + later * (h + ho); break;
    case Cell::gru: per_direction = steps * 6 * h + later * h; break;
    case Cell::rnn_tanh:
    case Cell::rnn_relu: per_direction = steps * h; break;
  }
  const double layer_inputs = double(s.layers - 1) * steps * double(s.directions) * ho;
  return uint64_t(batch * (double(s.layers) * double(s.directions) * per_direction + layer_inputs));
}

SavedTensors padded_saves(Cell cell, const Args& a) {
  Stack s;
  padded_rule(cell, a, &s);
  const TensorMeta& in = tensor(a, 0);
  const bool batch_first = bool_arg(a, 8);
  const double steps = double(batch_first ? in.shape[1] : in.shape[0]), batch = double(batch_first ? in.shape[0] : in.shape[1]);
  return SavedTensors{{0, 1}, {}, stack_saved_elements(cell, s, steps, batch) * itemsize(in.dtype)};
}

// One step: the input and state (graph values) and, in elements per row,
// LSTM the four gate activations and tanh(c) (5H); GRU the two gate
// activations, the hidden gates, the new gate and h − n (7H); RNN the result (H).
SavedTensors cell_saves(Cell cell, const Args& a) {
  const TensorMeta &in = tensor(a, 0), &w_ih = tensor(a, 2);
  const double rows = in.shape.size() == 2 ? double(in.shape[0]) : 1.0;
  const double h = double(w_ih.shape[0]) / double(gates(cell));
  const double per_row = cell == Cell::lstm ? 5 * h : cell == Cell::gru ? 7 * h : h;
  return SavedTensors{{0, 1}, {}, uint64_t(rows * per_row) * itemsize(in.dtype)};
}

BackwardCost padded_backward(Cell cell, const Args& a, const NeedsGrad& needs) {
  Stack s;
  padded_rule(cell, a, &s);
  const TensorMeta& in = tensor(a, 0);
  const double steps = double(bool_arg(a, 8) ? in.shape[1] : in.shape[0]);
  return stack_backward(cell, s, double(in.shape[0]) * double(in.shape[1]), steps, needs, 0, 1, 2);
}

BackwardCost packed_backward(Cell cell, const Args& a, const NeedsGrad& needs) {
  Stack s;
  packed_rule(cell, a, &s);
  return stack_backward(cell, s, double(tensor(a, 0).shape[0]), 0, needs, 0, 2, 3);
}

// One step: (input [N, in] or [in], hx, w_ih [G*H, in], w_hh [G*H, H], b_ih?, b_hh?).
Shape cell_state_shape(Cell cell, const Args& a) {
  const TensorMeta &in = tensor(a, 0), &w_ih = tensor(a, 2), &w_hh = tensor(a, 3);
  if (in.shape.size() != 1 && in.shape.size() != 2)
    fail("expected a 1-D or 2-D input, got " + shape_str(in.shape));
  if (w_ih.shape.size() != 2 || w_ih.shape[0] % gates(cell) != 0 || w_ih.shape[1] != in.shape.back())
    fail("w_ih " + shape_str(w_ih.shape) + " does not fit input " + shape_str(in.shape));
  const int64_t hidden = w_ih.shape[0] / gates(cell);
  if (w_hh.shape != Shape{w_ih.shape[0], hidden})
    fail("w_hh " + shape_str(w_hh.shape) + " must be [" + std::to_string(w_ih.shape[0]) + ", " +
         std::to_string(hidden) + "]");
  Shape state = in.shape;
  state.back() = hidden;
  return state;
}

Outs cell_rule(Cell cell, const Args& a) {
  const Shape state = cell_state_shape(cell, a);
  if (cell == Cell::lstm) {
    const auto& hx = tensors(a, 1);
    if (hx.size() != 2) fail("lstm_cell expects hx = [h, c], got " + std::to_string(hx.size()) + " tensors");
    check_state("h", hx[0], state);
    check_state("c", hx[1], state);
    return {meta(state, tensor(a, 0).dtype), meta(state, tensor(a, 0).dtype)};
  }
  check_state("hx", tensor(a, 1), state);
  return one(state, tensor(a, 0).dtype);
}

OpCost cell_cost(Cell cell, const Args& a, const Outs& o) {
  OpCost c = default_bytes(a, o);
  const TensorMeta &in = tensor(a, 0), &w_ih = tensor(a, 2);
  const double rows = in.shape.size() == 2 ? double(in.shape[0]) : 1.0;
  const double gh = double(w_ih.shape[0]), h = gh / double(gates(cell));
  c.macs = rows * gh * (double(in.shape.back()) + h);
  c.flops = 2 * c.macs;
  const double biases = (opt_tensor(a, 4) ? 1 : 0) + (opt_tensor(a, 5) ? 1 : 0);
  c.extended_flops = rows * h * (biases * double(gates(cell)) + double(gates(cell)) + gate_flops(cell));
  return c;
}

// (input, hx, w_ih, w_hh, b_ih, b_hh): each product's two gradients.
BackwardCost cell_backward(Cell cell, const Args& a, const NeedsGrad& needs) {
  const TensorMeta &in = tensor(a, 0), &w_ih = tensor(a, 2);
  const double rows = in.shape.size() == 2 ? double(in.shape[0]) : 1.0;
  const double gh = double(w_ih.shape[0]), h = gh / double(gates(cell));
  const double ih = 2 * rows * gh * double(in.shape.back()), hh = 2 * rows * gh * h;
  return grads_of(needs, {{0, ih}, {1, hh}, {2, ih}, {3, hh}});
}

}  // namespace

void register_recurrent_ops(OpRegistry& r) {
  const auto M = OpCategory::matmul;
  for (Cell cell : {Cell::lstm, Cell::gru, Cell::rnn_tanh, Cell::rnn_relu}) {
    const std::string name = cell_name(cell);
    const std::string hx = cell == Cell::lstm ? "Tensor[] hx" : "Tensor hx";
    const std::string returns = cell == Cell::lstm ? "(Tensor, Tensor, Tensor)" : "(Tensor, Tensor)";
    OpDef& padded = def(r, "aten::" + name + ".input(Tensor input, " + hx +
                               ", Tensor[] params, bool has_biases, int num_layers, float dropout, bool train, "
                               "bool bidirectional, bool batch_first) -> " + returns,
                        M, [cell](const Args& a) { return padded_rule(cell, a); },
                        [cell](const Args& a, const Outs& o) { return padded_cost(cell, a, o); });
    padded.backward = [cell](const Args& a, const Outs&, const NeedsGrad& n) { return padded_backward(cell, a, n); };
    padded.saves = [cell](const Args& a, const Outs&, const NeedsGrad&) { return padded_saves(cell, a); };
    // Packed sequences: no saves rule (steps per sequence are data); they keep their outputs.
    def(r, "aten::" + name + ".data(Tensor data, Tensor batch_sizes, " + hx +
               ", Tensor[] params, bool has_biases, int num_layers, float dropout, bool train, bool bidirectional) -> " +
               returns,
        M, [cell](const Args& a) { return packed_rule(cell, a); },
        [cell](const Args& a, const Outs& o) { return packed_cost(cell, a, o); })
        .backward = [cell](const Args& a, const Outs&, const NeedsGrad& n) { return packed_backward(cell, a, n); };
    OpDef& one_step = def(r, "aten::" + name + "_cell(Tensor input, " + hx +
                                 ", Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None) -> " +
                                 (cell == Cell::lstm ? "(Tensor, Tensor)" : "Tensor"),
                          M, [cell](const Args& a) { return cell_rule(cell, a); },
                          [cell](const Args& a, const Outs& o) { return cell_cost(cell, a, o); });
    one_step.backward = [cell](const Args& a, const Outs&, const NeedsGrad& n) { return cell_backward(cell, a, n); };
    one_step.saves = [cell](const Args& a, const Outs&, const NeedsGrad&) { return cell_saves(cell, a); };
  }
}

}  // namespace ptscope::graph::rules
