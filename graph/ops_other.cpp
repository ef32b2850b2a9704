// Tensor creation (zeros, full, arange, *_like, new_*), random fills,
// interpolation (upsample_*), einsum and the nested-tensor helpers of the
// transformer fast path.
#include <cmath>
#include <map>

#include "core/strings.h"
#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

const auto O = OpCategory::other;

// Creation writes its output and reads nothing.
OpCost write_only(const Args&, const Outs& o) {
  OpCost c;
  for (const auto& t : o) c.bytes_written += t.nbytes();
  return c;
}

Shape sizes(const Args& a, size_t i) {
  Shape s = ints(a, i);
  for (int64_t d : s)
    if (d < 0) fail("negative dimension " + std::to_string(d) + " in size " + shape_str(s));
  return s;
}

// The dtype a Python scalar gives a new tensor (torch.full(…, 1) is int64).
DType scalar_dtype(const ArgValue& v) {
  if (std::holds_alternative<bool>(v)) return DType::bool_;
  if (std::holds_alternative<int64_t>(v)) return DType::int64;
  return DType::float32;
}

double number(const ArgValue& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b;
  if (auto* i = std::get_if<int64_t>(&v)) return double(*i);
  if (auto* d = std::get_if<double>(&v)) return *d;
  fail("expected a number, got " + arg_to_string(v));
}

Outs arange_rule(const ArgValue& start, const ArgValue& end, const ArgValue& step, const Args& a, size_t dtype_pos) {
  const double s = number(start), e = number(end), st = number(step);
  if (st == 0) fail("step must be nonzero");
  if ((st > 0 && e < s) || (st < 0 && e > s)) fail("upper bound and larger bound inconsistent with step sign");
  const bool integral = !std::holds_alternative<double>(start) && !std::holds_alternative<double>(end) &&
                        !std::holds_alternative<double>(step);
  const DType d = dtype_or(a, dtype_pos, integral ? DType::int64 : DType::float32);
  const int64_t n = int64_t(std::ceil((e - s) / st));
  return one({std::max<int64_t>(n, 0)}, d);
}

// Interpolation: an explicit output size, or floor(input · scale) per spatial dim.
Outs upsample_vec(const Args& a, size_t spatial) {
  const TensorMeta& x = tensor(a, 0);
  if (x.shape.size() != spatial + 2)
    fail("expected a " + std::to_string(spatial + 2) + "-D input, got " + shape_str(x.shape));
  const size_t scales_pos = a.size() - 1;  // scale_factors is always last
  Shape out(x.shape.begin(), x.shape.begin() + 2);
  if (auto size = opt_ints(a, 1)) {
    if (!is_none(a, scales_pos)) fail("must specify exactly one of output_size and scale_factors");
    if (size->size() != spatial) fail("output_size must have " + std::to_string(spatial) + " entries");
    out.insert(out.end(), size->begin(), size->end());
  } else {
    if (is_none(a, scales_pos)) fail("must specify exactly one of output_size and scale_factors");
    const auto& scales = std::get<std::vector<double>>(a[scales_pos]);
    if (scales.size() != spatial) fail("scale_factors must have " + std::to_string(spatial) + " entries");
    for (size_t i = 0; i < spatial; ++i) out.push_back(int64_t(std::floor(double(x.shape[2 + i]) * scales[i])));
  }
  for (size_t i = 2; i < out.size(); ++i)
    if (out[i] <= 0) fail("input " + shape_str(x.shape) + " and output " + shape_str(out) + " sizes should be greater than 0");
  return one(out, x.dtype);
}

Outs upsample_sized(const Args& a, size_t spatial) {
  const TensorMeta& x = tensor(a, 0);
  if (x.shape.size() != spatial + 2)
    fail("expected a " + std::to_string(spatial + 2) + "-D input, got " + shape_str(x.shape));
  const Shape size = ints(a, 1);
  if (size.size() != spatial) fail("output_size must have " + std::to_string(spatial) + " entries");
  Shape out(x.shape.begin(), x.shape.begin() + 2);
  out.insert(out.end(), size.begin(), size.end());
  return one(out, x.dtype);
}

// einsum: operands' subscripts (with "..." for broadcast dims) → output.
struct EinsumPlan {
  std::vector<std::string> inputs;  // one letter per dim; '.' stands for each ellipsis dim
  std::string output;
  std::map<char, int64_t> size;
};

EinsumPlan einsum_plan(const std::string& equation, const std::vector<TensorMeta>& ts) {
  EinsumPlan p;
  std::string lhs = equation, rhs;
  const size_t arrow = equation.find("->");
  const bool explicit_out = arrow != std::string::npos;
  if (explicit_out) {
    lhs = equation.substr(0, arrow);
    rhs = equation.substr(arrow + 2);
  }
  const std::vector<std::string> terms = split_fields(lhs, ',');
  if (terms.size() != ts.size())
    fail("einsum(): " + std::to_string(terms.size()) + " subscripts but " + std::to_string(ts.size()) + " operands");
  // Ellipsis dims get private labels below ' ' (1, 2, ...), assigned once the widest ellipsis is known.
  size_t ellipsis_rank = 0;
  std::map<char, int> count;
  for (size_t k = 0; k < terms.size(); ++k) {
    std::string letters;
    for (char c : terms[k])
      if (c != ' ') letters += c;
    const size_t dots = letters.find("...");
    const size_t named = letters.size() - (dots == std::string::npos ? 0 : 3);
    const size_t rank = ts[k].shape.size();
    if ((dots == std::string::npos && named != rank) || named > rank)
      fail("einsum(): subscript '" + terms[k] + "' does not fit operand " + shape_str(ts[k].shape));
    const size_t ell = dots == std::string::npos ? 0 : rank - named;
    ellipsis_rank = std::max(ellipsis_rank, ell);
    std::string labels;
    for (size_t i = 0; i < letters.size(); ++i) {
      if (letters.compare(i, 3, "...") == 0) {
        labels.append(ell, '\x01');
        i += 2;
        continue;
      }
      const char c = letters[i];
      if (!std::isalpha(static_cast<unsigned char>(c))) fail("einsum(): invalid subscript '" + std::string(1, c) + "'");
      labels += c;
    }
    p.inputs.push_back(labels);
  }
  // Ellipsis dims align from the right across operands; relabel them now that the max rank is known.
  for (size_t k = 0; k < p.inputs.size(); ++k) {
    std::string& labels = p.inputs[k];
    size_t ell = 0;
    for (char c : labels) ell += (c > 0 && c < 32) ? 1 : 0;
    size_t j = 0;
    for (char& c : labels)
      if (c > 0 && c < 32) c = char(1 + (ellipsis_rank - ell) + j++);
    for (size_t i = 0; i < labels.size(); ++i) {
      const char c = labels[i];
      const int64_t n = ts[k].shape[i];
      auto it = p.size.find(c);
      if (it == p.size.end() || it->second == 1) p.size[c] = n;
      else if (n != 1 && n != it->second)
        fail("einsum(): operands do not broadcast for subscript '" + std::string(1, c) + "': " + std::to_string(n) +
             " vs " + std::to_string(it->second));
      ++count[c];
    }
  }
  if (explicit_out) {
    for (size_t i = 0; i < rhs.size(); ++i) {
      if (rhs.compare(i, 3, "...") == 0) {
        for (size_t j = 0; j < ellipsis_rank; ++j) p.output += char(1 + j);
        i += 2;
      } else if (rhs[i] != ' ') {
        if (!p.size.count(rhs[i])) fail("einsum(): output subscript '" + std::string(1, rhs[i]) + "' not in the inputs");
        p.output += rhs[i];
      }
    }
  } else {
    // Implicit mode: ellipsis dims, then labels seen once, alphabetically.
    for (size_t j = 0; j < ellipsis_rank; ++j) p.output += char(1 + j);
    for (const auto& [c, n] : count)
      if (n == 1 && c >= 32) p.output += c;
  }
  return p;
}

// Multiply-adds of a left-to-right pairwise contraction: a step that sums over
// a shared label costs the product of every label either operand carries; a
// step with nothing to sum is a broadcast multiply (no accumulation, like
// FlopCounterMode, which sees a `mul` there).
double einsum_macs(const EinsumPlan& p) {
  if (p.inputs.size() < 2) return 0;
  auto needed_after = [&](size_t k, char c) {
    if (p.output.find(c) != std::string::npos) return true;
    for (size_t j = k + 1; j < p.inputs.size(); ++j)
      if (p.inputs[j].find(c) != std::string::npos) return true;
    return false;
  };
  std::string acc = p.inputs[0];
  double macs = 0;
  for (size_t k = 1; k < p.inputs.size(); ++k) {
    std::string both = acc;
    for (char c : p.inputs[k])
      if (both.find(c) == std::string::npos) both += c;
    double product = 1;
    bool contracts = false;
    std::string next;
    for (char c : both) {
      product *= double(p.size.at(c));
      if (needed_after(k, c)) next += c;
      else if (acc.find(c) != std::string::npos && p.inputs[k].find(c) != std::string::npos) contracts = true;
    }
    if (contracts) macs += product;
    acc = next;
  }
  return macs;
}

}  // namespace

void register_other_ops(OpRegistry& r) {
  // Creation from a size.
  for (const char* s : {
           "aten::zeros(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
           "aten::ones(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
           "aten::rand(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
           "aten::randn(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
           "aten::empty.memory_format(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
       })
    def(r, s, O, [](const Args& a) { return one(sizes(a, 0), dtype_or(a, 1, DType::float32)); }, write_only);
  def(r, "aten::full(SymInt[] size, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      O, [](const Args& a) { return one(sizes(a, 0), dtype_or(a, 2, scalar_dtype(a[1]))); }, write_only);
  def(r, "aten::randint(SymInt high, SymInt[] size, *, ScalarType? dtype=4, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      O, [](const Args& a) { return one(sizes(a, 1), dtype_or(a, 2, DType::int64)); }, write_only);
  def(r, "aten::randint.low(SymInt low, SymInt high, SymInt[] size, *, ScalarType? dtype=4, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      O, [](const Args& a) { return one(sizes(a, 2), dtype_or(a, 3, DType::int64)); }, write_only);
  def(r, "aten::scalar_tensor(Scalar s, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      O, [](const Args& a) { return one({}, dtype_or(a, 1, DType::float32)); }, write_only);
  // bool before int and int before float: int accepts bool and float accepts int when binding.
  def(r, "aten::tensor.bool(bool t, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor", O,
      [](const Args& a) { return one({}, dtype_or(a, 1, DType::bool_)); }, write_only);
  def(r, "aten::tensor.int(int t, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor", O,
      [](const Args& a) { return one({}, dtype_or(a, 1, DType::int64)); }, write_only);
  def(r, "aten::tensor.float(float t, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor",
      O, [](const Args& a) { return one({}, dtype_or(a, 1, DType::float32)); }, write_only);
  // Creation like another tensor.
  for (const char* s : {
           "aten::zeros_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
           "aten::ones_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
           "aten::empty_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
           "aten::rand_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
           "aten::randn_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
       })
    def(r, s, O, [](const Args& a) { return one(tensor(a, 0).shape, dtype_or(a, 1, tensor(a, 0).dtype)); }, write_only);
  def(r, "aten::full_like(Tensor self, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
      O, [](const Args& a) { return one(tensor(a, 0).shape, dtype_or(a, 2, tensor(a, 0).dtype)); }, write_only);
  for (const char* s : {
           "aten::new_zeros(Tensor self, SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
           "aten::new_ones(Tensor self, SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
           "aten::new_empty(Tensor self, SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
       })
    def(r, s, O, [](const Args& a) { return one(sizes(a, 1), dtype_or(a, 2, tensor(a, 0).dtype)); }, write_only);
  def(r, "aten::new_full(Tensor self, SymInt[] size, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      O, [](const Args& a) { return one(sizes(a, 1), dtype_or(a, 3, tensor(a, 0).dtype)); }, write_only);
  // Ranges: integer bounds give int64, any float gives the default float.
  def(r, "aten::arange(Scalar end, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      O, [](const Args& a) { return arange_rule(int64_t(0), a[0], int64_t(1), a, 1); }, write_only);
  def(r, "aten::arange.start(Scalar start, Scalar end, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      O, [](const Args& a) { return arange_rule(a[0], a[1], int64_t(1), a, 2); }, write_only);
  def(r, "aten::arange.start_step(Scalar start, Scalar end, Scalar step=1, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      O, [](const Args& a) { return arange_rule(a[0], a[1], a[2], a, 3); }, write_only);
  def(r, "aten::linspace(Scalar start, Scalar end, int steps, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      O,
      [](const Args& a) {
        if (int_arg(a, 2) < 0) fail("number of steps must be non-negative");
        return one({int_arg(a, 2)}, dtype_or(a, 3, DType::float32));
      },
      write_only);
  def(r, "aten::logspace(Scalar start, Scalar end, int steps, float base=10.0, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
      O,
      [](const Args& a) {
        if (int_arg(a, 2) < 0) fail("number of steps must be non-negative");
        return one({int_arg(a, 2)}, dtype_or(a, 4, DType::float32));
      },
      write_only);
  // Random fills (stochastic depth and dropout masks in training branches).
  inplace(r, "aten::bernoulli_.float(Tensor(a!) self, float p=0.5, *, Generator? generator=None) -> Tensor(a!)", O,
          same_as_first, write_only);
  inplace(r, "aten::uniform_(Tensor(a!) self, float from=0., float to=1., *, Generator? generator=None) -> Tensor(a!)", O,
          same_as_first, write_only);
  inplace(r, "aten::normal_(Tensor(a!) self, float mean=0., float std=1., *, Generator? generator=None) -> Tensor(a!)", O,
          same_as_first, write_only);
  def(r, "aten::bernoulli.p(Tensor self, float p, *, Generator? generator=None) -> Tensor", O, same_as_first, write_only);

  // Interpolation. Extended FLOPs per output element follow thop: nearest 1,
  // linear 5, bilinear 11, bicubic 259, trilinear 31.
  struct Upsample { const char* sized; const char* vec; size_t spatial; double per_out; };
  for (const Upsample& u : {
           Upsample{"aten::upsample_nearest1d(Tensor self, SymInt[1] output_size, float? scales=None) -> Tensor",
                    "aten::upsample_nearest1d.vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> Tensor", 1, 1},
           Upsample{"aten::upsample_nearest2d(Tensor self, SymInt[2] output_size, float? scales_h=None, float? scales_w=None) -> Tensor",
                    "aten::upsample_nearest2d.vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> Tensor", 2, 1},
           Upsample{"aten::upsample_nearest3d(Tensor self, SymInt[3] output_size, float? scales_d=None, float? scales_h=None, float? scales_w=None) -> Tensor",
                    "aten::upsample_nearest3d.vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> Tensor", 3, 1},
           Upsample{"aten::upsample_linear1d(Tensor self, SymInt[1] output_size, bool align_corners, float? scales=None) -> Tensor",
                    "aten::upsample_linear1d.vec(Tensor input, SymInt[]? output_size, bool align_corners, float[]? scale_factors) -> Tensor", 1, 5},
           Upsample{"aten::upsample_bilinear2d(Tensor self, SymInt[2] output_size, bool align_corners, float? scales_h=None, float? scales_w=None) -> Tensor",
                    "aten::upsample_bilinear2d.vec(Tensor input, SymInt[]? output_size, bool align_corners, float[]? scale_factors) -> Tensor", 2, 11},
           Upsample{"aten::upsample_bicubic2d(Tensor self, SymInt[2] output_size, bool align_corners, float? scales_h=None, float? scales_w=None) -> Tensor",
                    "aten::upsample_bicubic2d.vec(Tensor input, SymInt[]? output_size, bool align_corners, float[]? scale_factors) -> Tensor", 2, 259},
           Upsample{"aten::upsample_trilinear3d(Tensor self, SymInt[3] output_size, bool align_corners, float? scales_d=None, float? scales_h=None, float? scales_w=None) -> Tensor",
                    "aten::upsample_trilinear3d.vec(Tensor input, SymInt[]? output_size, bool align_corners, float[]? scale_factors) -> Tensor", 3, 31},
       }) {
    const size_t n = u.spatial;
    // Interpolation backward needs only the sizes.
    def(r, u.sized, O, [n](const Args& a) { return upsample_sized(a, n); }, per_out(u.per_out)).saves = saves_nothing();
    def(r, u.vec, O, [n](const Args& a) { return upsample_vec(a, n); }, per_out(u.per_out)).saves = saves_nothing();
  }

  // einsum: contraction cost as pairwise products, left to right (2 FLOPs per multiply-add).
  OpDef& einsum = def(r, "aten::einsum(str equation, Tensor[] tensors, *, int[]? path=None) -> Tensor", OpCategory::matmul,
      [](const Args& a) {
        const auto& ts = tensors(a, 1);
        if (ts.empty()) fail("einsum(): must provide at least one operand");
        EinsumPlan p = einsum_plan(str_arg(a, 0), ts);
        Shape out;
        for (char c : p.output) out.push_back(p.size.at(c));
        DType d = ts[0].dtype;
        for (const auto& t : ts) d = promote(d, t.dtype);
        return one(out, d);
      },
      [](const Args& a, const Outs& o) {
        OpCost c = default_bytes(a, o);
        c.macs = einsum_macs(einsum_plan(str_arg(a, 0), tensors(a, 1)));
        c.flops = 2 * c.macs;
        return c;
      });
  einsum.saves = saves_args({1});  // the products' backward reads the operands
  einsum
      // The operands arrive as one list: with two (the common case, run as a
      // bmm) each gradient is a contraction of the forward's size; with more,
      // each operand's gradient contracts the others, approximated the same.
      .backward = [](const Args& a, const Outs&, const NeedsGrad& needs) {
        BackwardCost b;
        b.grads.assign(needs.size(), 0.0);
        if (needs[1])
          b.grads[1] = double(tensors(a, 1).size()) * 2 * einsum_macs(einsum_plan(str_arg(a, 0), tensors(a, 1)));
        return b;
      };

  // Nested tensors (TransformerEncoder fast path) are modelled by their padded shape.
  def(r, "aten::_nested_tensor_from_mask(Tensor t, Tensor mask, bool mask_check=True) -> Tensor", O, same_as_first);
  def(r, "aten::to_padded_tensor(Tensor self, float padding, SymInt[]? output_size=None) -> Tensor", O,
      [](const Args& a) {
        if (auto size = opt_ints(a, 2)) return one(*size, tensor(a, 0).dtype);
        return same_as_first(a);
      });
}

}  // namespace ptscope::graph::rules
