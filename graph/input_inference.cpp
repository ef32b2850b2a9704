#include "graph/input_inference.h"
#include "core/format.h"
#include "core/shape.h"
#include "core/strings.h"
#include "graph/input_search.h"
#include "graph/interpreter.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace ptscope::graph::inference {
namespace {

// ---------------------------------------------------------------- specs

std::vector<int64_t> parse_shape(std::string_view text, bool* ok) {
  std::vector<int64_t> shape;
  *ok = false;
  if (text == "[]" || text == "()" || text == "scalar") {
    *ok = true;
    return shape;
  }
  if (!text.empty() && (text.front() == '[' || text.front() == '(')) text = text.substr(1, text.size() - 2);
  std::string cur;
  for (size_t k = 0; k <= text.size(); ++k) {
    char c = k < text.size() ? text[k] : 'x';
    if (c == 'x' || c == 'X' || c == ',' || c == '*') {
      if (cur.empty()) return {};
      for (char d : cur)
        if (!std::isdigit(static_cast<unsigned char>(d))) return {};
      shape.push_back(std::stoll(cur));
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  *ok = !shape.empty();
  return shape;
}

bool same(const Candidate& a, const Candidate& b) { return a.shape == b.shape && a.dtype == b.dtype; }

struct ProbeStop {};

// Shape transforms a placeholder went through before its first real consumer.
struct Transform {
  enum Kind { unsqueeze, squeeze, transpose, permute, select, index_select } kind;
  std::vector<int64_t> dims;
};

// The dim index, or -1 (which every caller rejects) when out of range.
int64_t wrap_dim(int64_t d, size_t rank) { return wrapped_dim(d, int64_t(rank)).value_or(-1); }

// Inserts a dim of `size` at `dim` of the longer shape (negative counts from
// its end); false when out of range.
bool insert_dim(std::vector<int64_t>& shape, int64_t dim, int64_t size) {
  const int64_t d = wrap_dim(dim, shape.size() + 1);
  if (d < 0 || d > int64_t(shape.size())) return false;
  shape.insert(shape.begin() + d, size);
  return true;
}

// The index of an existing `dim` of `shape`, -1 when out of range.
int64_t existing_dim(const std::vector<int64_t>& shape, int64_t dim) {
  const int64_t d = wrap_dim(dim, shape.size());
  return d < int64_t(shape.size()) ? d : -1;
}

// Removes an existing `dim`; false when out of range.
bool erase_dim(std::vector<int64_t>& shape, int64_t dim) {
  const int64_t d = existing_dim(shape, dim);
  if (d < 0) return false;
  shape.erase(shape.begin() + d);
  return true;
}

// Applies a transpose (swaps two dims: its own inverse) or a permute (output
// dim i is input dim dims[i]), or undoes it when `inverse`; false when the
// dims do not fit the shape.
bool move_dims_in_place(const Transform& t, std::vector<int64_t>& shape, bool inverse) {
  if (t.kind == Transform::transpose) {
    int64_t a = wrap_dim(t.dims[0], shape.size()), b = wrap_dim(t.dims[1], shape.size());
    if (a < 0 || b < 0 || a >= int64_t(shape.size()) || b >= int64_t(shape.size())) return false;
    std::swap(shape[size_t(a)], shape[size_t(b)]);
    return true;
  }
  if (t.dims.size() != shape.size()) return false;
  std::vector<int64_t> out(shape.size());
  for (size_t i = 0; i < t.dims.size(); ++i) {
    int64_t d = wrap_dim(t.dims[i], shape.size());
    if (d < 0 || d >= int64_t(shape.size())) return false;
    if (inverse) out[size_t(d)] = shape[i];
    else out[i] = shape[size_t(d)];
  }
  shape = out;
  return true;
}

// Applies one transform to a shape, or undoes it when `inverse` (the shape
// its input must have for the given output); false when the dims do not fit.
bool apply_transform(const Transform& t, std::vector<int64_t>& shape, bool inverse) {
  switch (t.kind) {
    case Transform::unsqueeze:  // output rank = input rank + 1
      return inverse ? erase_dim(shape, t.dims[0]) : insert_dim(shape, t.dims[0], 1);
    case Transform::select: {  // undone: the smallest size that has the selected index
      const int64_t i = t.dims[1];
      return inverse ? insert_dim(shape, t.dims[0], i >= 0 ? i + 1 : -i) : erase_dim(shape, t.dims[0]);
    }
    case Transform::squeeze: {
      if (inverse) return insert_dim(shape, t.dims[0], 1);
      const int64_t d = existing_dim(shape, t.dims[0]);
      if (d < 0) return false;
      if (shape[size_t(d)] == 1) shape.erase(shape.begin() + d);
      return true;
    }
    case Transform::index_select: {
      const int64_t d = existing_dim(shape, t.dims[0]);
      if (d < 0) return false;
      if (!inverse) shape[size_t(d)] = 1;
      return true;
    }
    case Transform::transpose:
    case Transform::permute:
      return move_dims_in_place(t, shape, inverse);
  }
  return false;
}

// The shape a transform chain makes of an input shape (for answering size queries).
bool apply_chain(const std::vector<Transform>& chain, std::vector<int64_t>& shape) {
  for (const Transform& t : chain)
    if (!apply_transform(t, shape, false)) return false;
  return true;
}

std::vector<int64_t> meta_shape(const Val& v) { return v.is_tensor() ? v.as<TensorBox>().meta.shape : std::vector<int64_t>{}; }

int64_t int_at(const Vals& a, size_t i, const Kwargs& kw, std::string_view name, int64_t dflt) {
  if (i < a.size() && a[i].kind == VKind::integer) return a[i].i;
  for (const auto& [k, v] : kw)
    if (k == name && v.kind == VKind::integer) return v.i;
  return dflt;
}

bool bool_at(const Vals& a, size_t i, const Kwargs& kw, std::string_view name, bool dflt) {
  if (i < a.size() && a[i].kind == VKind::boolean) return a[i].b;
  for (const auto& [k, v] : kw)
    if (k == name && v.kind == VKind::boolean) return v.b;
  return dflt;
}

void conv_candidates(const std::vector<int64_t>& w, int64_t groups, bool transposed, std::vector<Candidate>& out,
                     const std::string& why) {
  if (w.size() < 3) return;
  const int64_t c = transposed ? w[0] : w[1] * groups;
  std::vector<std::vector<int64_t>> spatial;
  switch (w.size()) {
    case 3: spatial = {{128}, {1024}, {16000}, {64}, {32}}; break;
    case 4:
      if (c == 1) spatial = {{28, 28}, {224, 224}, {32, 32}, {64, 64}, {128, 128}};
      else if (c == 3) spatial = {{224, 224}, {32, 32}, {256, 256}, {299, 299}, {300, 300}, {320, 320}, {64, 64}, {512, 512}, {640, 640}};
      else spatial = {{224, 224}, {32, 32}, {56, 56}, {64, 64}, {128, 128}};
      break;
    case 5: spatial = {{16, 112, 112}, {8, 64, 64}, {16, 224, 224}}; break;
    default: return;
  }
  // A kernel that is 1 along some dims and wider along others (1x9 over IMU or
  // audio frames) means those dims are 1.
  const std::vector<int64_t> kernel(w.begin() + 2, w.end());
  const bool asymmetric = std::count(kernel.begin(), kernel.end(), 1) > 0 &&
                          std::count(kernel.begin(), kernel.end(), 1) < int64_t(kernel.size());
  for (const auto& s : spatial) {
    Candidate cand;
    cand.shape = {1, c};
    for (size_t k = 0; k < s.size(); ++k) {
      const bool unit = asymmetric && kernel[k] == 1;
      cand.shape.push_back(unit ? 1 : asymmetric ? s.back() : s[k]);
      if (!unit) cand.free_dims.push_back(int(2 + k));
    }
    cand.why = why;
    out.push_back(cand);
  }
}

void features_candidates(int64_t features, std::vector<Candidate>& out, const std::string& why) {
  Candidate flat;
  flat.shape = {1, features};
  flat.why = why;
  out.push_back(flat);
  Candidate seq;
  seq.shape = {1, 128, features};
  seq.seq_dim = 1;
  seq.why = why;
  out.push_back(seq);
}

// Sequence lengths from the usual 128 down, for models with short position tables.
void token_candidates(std::vector<Candidate>& out, const std::string& why) {
  for (int64_t seq : {128, 64, 32, 16, 8}) {
    Candidate c;
    c.shape = {1, seq};
    c.dtype = DType::int64;
    c.seq_dim = 1;
    c.why = why;
    out.push_back(c);
  }
}

void rnn_candidates(int64_t input_size, bool batch_first, std::vector<Candidate>& out, const std::string& why) {
  Candidate c;
  c.why = why;
  if (batch_first) {
    c.shape = {1, 128, input_size};
    c.seq_dim = 1;
  } else {
    c.shape = {128, 1, input_size};
    c.seq_dim = 0;
    c.batch_dim = 1;
  }
  out.push_back(c);
}

void channel_candidates(int64_t c, std::vector<Candidate>& out, const std::string& why) {
  for (auto s : std::vector<std::vector<int64_t>>{{1, c, 224, 224}, {1, c}, {1, c, 128}, {1, c, 32, 32}}) {
    Candidate cand;
    cand.shape = s;
    cand.why = why;
    out.push_back(cand);
  }
}

// What shape the op's placeholder argument (at `pos`) should have.
std::vector<Candidate> op_hints(const std::string& op, const Vals& a, const Kwargs& kw, size_t pos,
                                const std::string& why) {
  std::vector<Candidate> out;
  auto tensor_shape = [&](size_t i) { return i < a.size() && a[i].is_tensor() ? meta_shape(a[i]) : std::vector<int64_t>{}; };
  const std::string base = op.substr(op.find("::") + 2);
  if (base == "conv1d" || base == "conv2d" || base == "conv3d") {
    if (pos == 0) conv_candidates(tensor_shape(1), int_at(a, 6, kw, "groups", 1), false, out, why);
  } else if (base == "_convolution" || base == "convolution") {
    if (pos == 0) conv_candidates(tensor_shape(1), int_at(a, 8, kw, "groups", 1), bool_at(a, 6, kw, "transposed", false), out, why);
  } else if (base.rfind("conv_transpose", 0) == 0) {
    if (pos == 0) conv_candidates(tensor_shape(1), int_at(a, 6, kw, "groups", 1), true, out, why);
  } else if (base == "linear") {
    auto w = tensor_shape(1);
    if (pos == 0 && w.size() == 2) features_candidates(w[1], out, why);
  } else if (base == "addmm") {
    auto w = tensor_shape(2);
    if (pos == 1 && w.size() == 2) features_candidates(w[0], out, why);
  } else if (base == "matmul" || base == "mm") {
    auto w = tensor_shape(1);
    if (pos == 0 && w.size() == 2) features_candidates(w[0], out, why);
  } else if (base == "embedding" || base == "embedding_bag") {
    if (pos == 1) token_candidates(out, why);
  } else if (base == "lstm" || base == "gru" || base == "rnn_tanh" || base == "rnn_relu") {
    // (input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
    if (pos == 0 && a.size() > 2 && a[2].is_sequence() && !a[2].items().empty()) {
      auto w = meta_shape(a[2].items()[0]);
      if (w.size() == 2) rnn_candidates(w[1], bool_at(a, 8, kw, "batch_first", false), out, why);
    }
  } else if (base == "layer_norm") {
    if (pos == 0 && a.size() > 1 && a[1].is_sequence()) {
      std::vector<int64_t> ns;
      for (const auto& d : a[1].items()) ns.push_back(d.kind == VKind::integer ? d.i : 1);
      Candidate seq;
      seq.shape = {1, 128};
      seq.shape.insert(seq.shape.end(), ns.begin(), ns.end());
      seq.seq_dim = 1;
      seq.why = why;
      out.push_back(seq);
      Candidate flat;
      flat.shape = {1};
      flat.shape.insert(flat.shape.end(), ns.begin(), ns.end());
      flat.why = why;
      out.push_back(flat);
    }
  } else if (base == "batch_norm" || base == "instance_norm") {
    for (size_t i : {1, 3}) {
      auto s = tensor_shape(i);
      if (pos == 0 && s.size() == 1) {
        channel_candidates(s[0], out, why);
        break;
      }
    }
  } else if (base == "group_norm") {
    auto s = tensor_shape(2);
    if (pos == 0 && s.size() == 1) channel_candidates(s[0], out, why);
  } else if (base == "prelu") {
    auto s = tensor_shape(1);
    if (pos == 0 && s.size() == 1 && s[0] > 1) channel_candidates(s[0], out, why);
  } else if (base == "cat" || base == "stack") {
    if (!a.empty() && a[0].is_sequence())
      for (const auto& x : a[0].items())
        if (x.is_tensor() && x.as<TensorBox>().placeholder < 0) {
          Candidate c;
          c.shape = meta_shape(x);
          c.dtype = x.as<TensorBox>().meta.dtype;
          c.why = why;
          out.push_back(c);
          break;
        }
  } else {
    // Elementwise with a real tensor (a positional embedding, a mean): the same shape.
    for (size_t i = 0; i < a.size() && i < 2; ++i)
      if (i != pos && a[i].is_tensor() && a[i].as<TensorBox>().placeholder < 0 && meta_shape(a[i]).size() >= 2) {
        Candidate c;
        c.shape = meta_shape(a[i]);
        c.why = why;
        out.push_back(c);
        break;
      }
  }
  return out;
}

// Ops whose output has the input's shape: the placeholder flows through them.
// Registry ops say so in their declaration (OpDef::keeps_shape); the casts
// below are run by the interpreter itself (graph/builtins*.cpp), not declared.
bool passes_through(const std::string& op) {
  const auto& defs = op_registry().overloads(op);
  if (!defs.empty())
    return std::all_of(defs.begin(), defs.end(), [](const OpDef* d) { return d->keeps_shape; });
  static const char* const kInterpreterCasts[] = {"float", "half", "_cast_Float", "quantize_per_tensor",
                                                  "dequantize"};
  const std::string base = op.substr(op.find("::") + 2);
  for (const char* k : kInterpreterCasts)
    if (base == k) return true;
  return false;
}

}  // namespace

class Probe : public PlaceholderObserver {
 public:
  // `guess`: the input shape size queries are answered from (the best fallback),
  // so probing gets past `x.size(0)` to the first op with weights.
  Probe(Interpreter& in, std::vector<int64_t> guess) : in_(in), guess_(std::move(guess)) {}

  Val make(int index, std::vector<Transform> chain) {
    Val v = in_.new_placeholder(index);
    chains_[&v.as<TensorBox>()] = std::move(chain);
    return v;
  }

  Val consumed(const std::string& op, const Vals& args, const Kwargs& kwargs) override {
    size_t pos = 0;
    const TensorBox* box = nullptr;
    for (size_t k = 0; k < args.size() && !box; ++k) {
      if (args[k].is_tensor() && args[k].as<TensorBox>().placeholder >= 0) {
        box = &args[k].as<TensorBox>();
        pos = k;
      } else if (args[k].is_sequence()) {
        for (const auto& x : args[k].items())
          if (x.is_tensor() && x.as<TensorBox>().placeholder >= 0) {
            box = &x.as<TensorBox>();
            pos = k;
            break;
          }
      }
    }
    for (const auto& [k, v] : kwargs)
      if (!box && v.is_tensor() && v.as<TensorBox>().placeholder >= 0) box = &v.as<TensorBox>();
    if (!box) throw ProbeStop{};
    const int index = box->placeholder;
    std::vector<Transform> chain = chains_[box];

    // Shape-preserving ops and invertible reshapes: follow the placeholder.
    const bool single = pos == 0 && args[0].is_tensor();
    bool other_placeholder_free = true;
    for (size_t k = 1; k < args.size(); ++k)
      if (args[k].is_tensor() && meta_shape(args[k]).size() > 1) other_placeholder_free = false;
    if (single && passes_through(op) && other_placeholder_free) return make(index, chain);
    const std::string base = op.substr(op.find("::") + 2);
    if (single && (base == "size" || base == "sym_size" || base == "dim" || base == "len" || base == "numel")) {
      std::vector<int64_t> shape = guess_;
      if (!apply_chain(chain, shape)) stop(index, {});
      if (base == "dim") return Val::integer(int64_t(shape.size()));
      if (base == "numel") {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        return Val::integer(n);
      }
      if (shape.empty()) stop(index, {});
      if (base == "len") return Val::integer(shape[0]);
      if (args.size() > 1 && args[1].kind == VKind::integer) {
        int64_t d = wrap_dim(args[1].i, shape.size());
        if (d < 0 || d >= int64_t(shape.size())) stop(index, {});
        return Val::integer(shape[size_t(d)]);
      }
      Vals sizes;
      for (int64_t d : shape) sizes.push_back(Val::integer(d));
      return Val::list(std::move(sizes));
    }
    if (single && (base == "select" || base == "index_select") && args.size() > 1 && args[1].kind == VKind::integer) {
      Transform t{base == "select" ? Transform::select : Transform::index_select, {args[1].i}};
      if (base == "select") t.dims.push_back(args.size() > 2 && args[2].kind == VKind::integer ? args[2].i : 0);
      chain.push_back(t);
      return make(index, chain);
    }
    if (single && (base == "unsqueeze" || base == "squeeze" || base == "transpose" || base == "permute")) {
      Transform t;
      if (base == "unsqueeze" && args.size() > 1 && args[1].kind == VKind::integer) {
        t = {Transform::unsqueeze, {args[1].i}};
      } else if (base == "squeeze" && args.size() > 1 && args[1].kind == VKind::integer) {
        t = {Transform::squeeze, {args[1].i}};
      } else if (base == "transpose" && args.size() > 2 && args[1].kind == VKind::integer && args[2].kind == VKind::integer) {
        t = {Transform::transpose, {args[1].i, args[2].i}};
      } else if (base == "permute" && args.size() > 1 && args[1].is_sequence()) {
        std::vector<int64_t> p;
        for (const auto& d : args[1].items()) p.push_back(d.kind == VKind::integer ? d.i : 0);
        t = {Transform::permute, p};
      } else {
        stop(index, {});
      }
      chain.push_back(t);
      return make(index, chain);
    }
    std::string why = op + (in_.scope().empty() ? "" : " in " + in_.scope()) + " at " + in_.where();
    std::vector<Candidate> hints;
    for (auto& c : op_hints(op, args, kwargs, pos, why))
      if (invert(chain, c.shape)) hints.push_back(std::move(c));
    stop(index, std::move(hints));
  }

  [[noreturn]] void stop(int index, std::vector<Candidate> hints) {
    stopped = index;
    this->hints = std::move(hints);
    throw ProbeStop{};
  }

  int stopped = -1;
  std::vector<Candidate> hints;

 private:
  // Turns the shape the consumer needs into the shape the input must have.
  static bool invert(const std::vector<Transform>& chain, std::vector<int64_t>& shape) {
    for (size_t k = chain.size(); k-- > 0;)
      if (!apply_transform(chain[k], shape, true)) return false;
    return true;
  }

  Interpreter& in_;
  std::vector<int64_t> guess_;
  std::unordered_map<const TensorBox*, std::vector<Transform>> chains_;
};

namespace {

// The first weighted module in definition order, read from the tensor table:
// a fallback when probing finds no consumer with weights.
std::vector<Candidate> static_hints(const Model& model) {
  std::vector<Candidate> out;
  if (!model.root) return out;
  std::unordered_map<std::string, const NamedTensor*> by_name;
  for (const auto& t : model.tensors) by_name.emplace(t.name, &t);
  std::vector<const ModuleNode*> order;
  std::vector<const ModuleNode*> stack{model.root.get()};
  while (!stack.empty()) {
    const ModuleNode* n = stack.back();
    stack.pop_back();
    order.push_back(n);
    for (auto it = n->children.rbegin(); it != n->children.rend(); ++it) stack.push_back(it->get());
  }
  for (const ModuleNode* n : order) {
    const std::string cls = n->short_class_name();
    auto weight = [&](const std::string& name) -> std::vector<int64_t> {
      auto it = by_name.find(n->path.empty() ? name : n->path + "." + name);
      return it == by_name.end() || !it->second->tensor ? std::vector<int64_t>{} : it->second->tensor->shape;
    };
    const std::string why = "first " + cls + " module (" + (n->path.empty() ? "root" : n->path) + ")";
    std::vector<int64_t> w = weight("weight");
    if (cls.rfind("Conv", 0) == 0 && w.size() >= 3) {
      conv_candidates(w, 1, cls.find("Transpose") != std::string::npos, out, why);
    } else if ((cls == "Linear" || cls == "Bilinear") && w.size() == 2) {
      features_candidates(w[1], out, why);
    } else if (cls == "Embedding" || cls == "EmbeddingBag") {
      token_candidates(out, why);
    } else if ((cls == "LSTM" || cls == "GRU" || cls == "RNN") && weight("weight_ih_l0").size() == 2) {
      rnn_candidates(weight("weight_ih_l0")[1], true, out, why);
      rnn_candidates(weight("weight_ih_l0")[1], false, out, why);
    } else if (cls.rfind("BatchNorm", 0) == 0 && w.size() == 1) {
      channel_candidates(w[0], out, why);
    } else if (cls == "LayerNorm" && !w.empty()) {
      features_candidates(w.back(), out, why);
    } else {
      continue;
    }
    break;
  }
  return out;
}

std::vector<Candidate> generic_candidates() {
  std::vector<Candidate> out;
  auto add = [&](std::vector<int64_t> s, DType d, int seq_dim) {
    Candidate c;
    c.shape = std::move(s);
    c.dtype = d;
    c.seq_dim = seq_dim;
    c.why = "a common input shape";
    out.push_back(c);
  };
  add({1, 3, 224, 224}, DType::float32, -1);
  add({1, 128}, DType::int64, 1);
  add({1, 1, 28, 28}, DType::float32, -1);
  add({1, 3, 32, 32}, DType::float32, -1);
  add({1, 128}, DType::float32, -1);
  return out;
}

Candidate adjust(Candidate c, const GraphOptions& o) {
  if (o.batch && c.batch_dim >= 0 && size_t(c.batch_dim) < c.shape.size()) c.shape[size_t(c.batch_dim)] = *o.batch;
  if (o.seq && c.seq_dim >= 0 && size_t(c.seq_dim) < c.shape.size()) c.shape[size_t(c.seq_dim)] = *o.seq;
  return c;
}

}  // namespace

TensorMeta to_meta(const Candidate& c) {
  TensorMeta m;
  m.shape = c.shape;
  m.dtype = c.dtype;
  return m;
}

// Whether the input's free dims should grow (+1) or shrink (-1) for the op
// that failed: a dense layer's in_features against what reached it, or a
// window larger than its input. 0 when the failure says nothing about size.
int size_direction(const Interpreter::FailedOp& f) {
  auto shape = [&](size_t i) {
    const auto* t = i < f.args.size() ? std::get_if<TensorMeta>(&f.args[i]) : nullptr;
    return t ? t->shape : std::vector<int64_t>{};
  };
  auto sign = [](int64_t d) { return d > 0 ? 1 : d < 0 ? -1 : 0; };
  const std::string base = f.op.substr(f.op.find("::") + 2);
  if (base == "linear") {
    auto x = shape(0), w = shape(1);
    if (!x.empty() && w.size() == 2) return sign(w[1] - x.back());
  } else if (base == "addmm") {
    auto m1 = shape(1), m2 = shape(2);
    if (m1.size() == 2 && m2.size() == 2) return sign(m2[0] - m1[1]);
  } else if (base == "matmul" || base == "mm") {
    auto a = shape(0), b = shape(1);
    if (!a.empty() && b.size() >= 2) return sign(b[b.size() - 2] - a.back());
  } else if (f.message.find("do not broadcast") != std::string::npos) {
    // x + pos_embedding in a ViT: the activation (first operand) has more
    // (or fewer) tokens than the parameter; the first dim that differs, with
    // neither side 1, says which way the input size must move.
    auto a = shape(0), b = shape(1);
    if (a.size() == b.size())
      for (size_t d = 0; d < a.size(); ++d)
        if (a[d] != b[d] && a[d] != 1 && b[d] != 1) return sign(b[d] - a[d]);
  }
  if (f.message.find("too small") != std::string::npos) return 1;
  return 0;
}

bool is_retryable(const Error& e) {
  if (e.code() == ErrorCode::limit_exceeded) return false;
  return e.condition() != ErrorCondition::data_dependent && e.condition() != ErrorCondition::unknown_op &&
         e.condition() != ErrorCondition::unsupported_builtin;
}

std::string shape_text(const std::vector<int64_t>& s) { return format_shape_dims(s, "[]"); }

// The method's keyword arguments for one run.
Kwargs make_args(Interpreter& in, const std::vector<ParamPlan>& plan, const std::vector<Slot>& slots,
                 const std::vector<Candidate*>& chosen, Probe* probe) {
  Kwargs kwargs;
  auto tensor_for = [&](size_t s) {
    if (chosen[s]) return in.new_input(slots[s].name, to_meta(*chosen[s]));
    return probe->make(int(s), {});
  };
  for (const auto& pp : plan) {
    switch (pp.kind) {
      case ParamPlan::tensor: kwargs.emplace_back(pp.name, tensor_for(pp.slots[0])); break;
      case ParamPlan::tensor_list: {
        Val l = Val::list({tensor_for(pp.slots[0])});
        l.as<SeqBox>().elem_type = "Tensor";
        kwargs.emplace_back(pp.name, l);
        break;
      }
      case ParamPlan::tensor_tuple: {
        Vals items;
        for (size_t s : pp.slots) items.push_back(tensor_for(s));
        kwargs.emplace_back(pp.name, Val::tuple(std::move(items)));
        break;
      }
      case ParamPlan::scalar: kwargs.emplace_back(pp.name, pp.scalar_value); break;
      case ParamPlan::none: kwargs.emplace_back(pp.name, Val()); break;
      case ParamPlan::omit: break;
    }
  }
  return kwargs;
}

void find_candidates(const Model& model, const GraphOptions& options, const std::shared_ptr<SourceCache>& cache,
                     const std::vector<ParamPlan>& plan, std::vector<Slot>& slots) {
  // Probe runs: each stops at the first op that consumes an unknown input.
  std::vector<Candidate> fallback;
  bool fallback_ready = false;
  auto fallbacks = [&]() -> const std::vector<Candidate>& {
    if (!fallback_ready) {
      fallback = static_hints(model);
      for (auto& c : generic_candidates()) fallback.push_back(std::move(c));
      fallback_ready = true;
    }
    return fallback;
  };
  for (size_t round = 0; round < slots.size() * 2 + 2; ++round) {
    std::vector<Candidate*> chosen(slots.size(), nullptr);
    bool pending = false;
    for (size_t s = 0; s < slots.size(); ++s) {
      if (slots[s].fixed) chosen[s] = &*slots[s].fixed;
      else if (!slots[s].candidates.empty()) chosen[s] = &slots[s].candidates[0];
      else pending = true;
    }
    if (!pending) break;
    Graph g;
    ShapeBackend backend;
    Interpreter in(model, g, backend, options.limits, cache);
    Probe probe(in, fallbacks().front().shape);
    in.set_observer(&probe);
    bool finished = false, finished_cleanly = false;
    try {
      in.call_method(in.root(), options.method, {}, make_args(in, plan, slots, chosen, &probe));
      finished = finished_cleanly = true;
    } catch (const ProbeStop&) {
    } catch (const Error&) {
      finished = true;  // the probe cannot get further; fallbacks decide
    }
    if (finished || probe.stopped < 0) {
      for (auto& slot : slots) {
        if (slot.fixed || !slot.candidates.empty()) continue;
        if (finished_cleanly) {
          // Never consumed: any tensor will do.
          Candidate c;
          c.shape = {1};
          c.why = "nothing (" + options.method + "() does not use it)";
          slot.candidates.push_back(c);
        }
        for (const auto& c : fallbacks()) slot.candidates.push_back(c);
      }
      break;
    }
    Slot& slot = slots[size_t(probe.stopped)];
    slot.probed = true;
    slot.candidates = probe.hints;
    for (const auto& c : fallbacks())
      if (std::none_of(slot.candidates.begin(), slot.candidates.end(), [&](const Candidate& x) { return same(x, c); }))
        slot.candidates.push_back(c);
  }
  for (auto& slot : slots) {
    if (!slot.fixed && slot.candidates.empty()) slot.candidates = fallbacks();
    for (auto& c : slot.candidates) c = adjust(c, options);
  }
}

}  // namespace ptscope::graph::inference

namespace ptscope::graph {

using inference::parse_shape;
using inference::shape_text;

InputSpec parse_input_spec(std::string_view text) {
  InputSpec spec;
  const std::string original(text);
  auto bad = [&](const std::string& why) {
    throw Error(ErrorCode::usage, "bad --input '" + original + "': " + why +
                                      " (expected SHAPE, NAME:SHAPE, NAME:SHAPE:DTYPE or NAME=VALUE, e.g. 1x3x224x224)");
  };
  if (size_t eq = text.find('='); eq != std::string_view::npos) {
    spec.name = std::string(text.substr(0, eq));
    std::string value(text.substr(eq + 1));
    if (spec.name.empty() || value.empty()) bad("empty name or value");
    if (value == "True" || value == "true" || value == "False" || value == "false") {
      spec.scalar = (value[0] == 'T' || value[0] == 't') ? 1.0 : 0.0;
      spec.scalar_is_bool = true;
      return spec;
    }
    try {
      size_t used = 0;
      spec.scalar = std::stod(value, &used);
      if (used != value.size()) bad("not a number");
    } catch (const std::invalid_argument&) {
      bad("not a number");
    } catch (const std::out_of_range&) {
      bad("number out of range");
    }
    spec.scalar_is_int = value.find_first_of(".eE") == std::string::npos;
    return spec;
  }
  const std::vector<std::string> parts = split_fields(text, ':');
  if (parts.empty() || parts.size() > 3) bad("too many ':' fields");
  bool ok = false;
  size_t shape_at = 0;
  std::vector<int64_t> shape = parse_shape(parts[0], &ok);
  if (!ok) {
    if (parts.size() < 2) bad("no shape");
    spec.name = parts[0];
    shape = parse_shape(parts[1], &ok);
    shape_at = 1;
    if (!ok) bad("'" + parts[1] + "' is not a shape");
  }
  spec.shape = shape;
  if (parts.size() > shape_at + 2) bad("too many ':' fields");
  if (parts.size() == shape_at + 2) {
    auto d = dtype_from_name(parts[shape_at + 1]);
    if (!d) bad("unknown dtype '" + parts[shape_at + 1] + "'");
    spec.dtype = *d;
  }
  for (int64_t d : spec.shape)
    if (d < 0) bad("negative size");
  return spec;
}

std::string input_spec_string(const InputSpec& spec) {
  std::string out = spec.name.empty() ? "" : spec.name + (spec.scalar ? "=" : ":");
  if (spec.scalar) {
    if (spec.scalar_is_bool) return out + (*spec.scalar != 0 ? "True" : "False");
    return out + (spec.scalar_is_int ? std::to_string(int64_t(*spec.scalar)) : std::to_string(*spec.scalar));
  }
  out += shape_text(spec.shape);
  if (spec.dtype) out += ":" + std::string(dtype_name(*spec.dtype));
  return out;
}

std::vector<const InputSpec*> match_input_specs(const std::vector<InputSpec>& specs,
                                                const std::vector<std::string>& names,
                                                const std::function<std::string(const InputSpec&)>& unknown_name,
                                                const std::function<std::string()>& too_many) {
  std::vector<const InputSpec*> given(names.size(), nullptr);
  std::vector<const InputSpec*> positional;
  for (const auto& spec : specs) {
    if (spec.name.empty()) {
      positional.push_back(&spec);
      continue;
    }
    size_t k = 0;
    while (k < names.size() && names[k] != spec.name) ++k;
    if (k == names.size()) throw Error(ErrorCode::usage, unknown_name(spec));
    given[k] = &spec;
  }
  for (size_t k = 0, next = 0; k < names.size() && next < positional.size(); ++k)
    if (!given[k]) given[k] = positional[next++];
  size_t used = 0;
  for (const auto* g : given) used += g != nullptr;
  if (used < specs.size()) throw Error(ErrorCode::usage, too_many());
  return given;
}

}  // namespace ptscope::graph
