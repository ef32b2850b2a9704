// Native elementwise ops on float32 (bool conditions and comparison
// outputs): activations, unary math, arithmetic with alpha/Scalar/in-place
// forms, comparisons, where / clamp / masked_fill / addcmul / addcdiv /
// lerp, and fills and copies of any dtype. Other dtypes (integer
// arithmetic, bitwise ops) return false and run on the host fallback.
#include <cmath>

#include "kernels/cuda/cuda_context.h"

namespace ptscope::kernels::cuda {
namespace {

bool is_f32(const KernelCall& c, size_t i) {
  if (i >= c.args.size()) return true;
  if (auto* t = std::get_if<CpuTensor>(&c.args[i]); t && t->defined()) return t->dtype == DType::float32;
  return true;  // scalars and None
}

bool is_bool_tensor(const KernelCall& c, size_t i) {
  auto* t = i < c.args.size() ? std::get_if<CpuTensor>(&c.args[i]) : nullptr;
  return t && t->defined() && t->dtype == DType::bool_;
}

using Params = std::function<std::array<float, 3>(const KernelCall&)>;

std::array<float, 3> no_params(const KernelCall&) { return {0, 0, 0}; }

// Registers `name` and, when the CPU has it, the in-place `name_`.
void reg_unary(CudaKernelTable& t, const std::string& name, MapOp op, Params params = no_params, bool with_inplace = true) {
  t.emplace_back(name, [op, params](CudaContext& ctx, KernelCall& c) {
    if (!is_f32(c, 0) || c.out().dtype != DType::float32) return false;
    const auto p = params(c);
    device_map(ctx, op, {MapSrc::of(c, 0)}, c.out(), p[0], p[1], p[2]);
    return true;
  });
  if (with_inplace && find_cpu_kernel(name + "_"))
    t.emplace_back(name + "_", [op, params](CudaContext& ctx, KernelCall& c) {
      if (!is_f32(c, 0)) return false;
      c.set_output(0, c.tensor(0));
      const auto p = params(c);
      device_map(ctx, op, {MapSrc::of(c, 0)}, c.out(), p[0], p[1], p[2]);
      return true;
    });
}

// out = op(arg a, arg b) with float32 operands; comparisons write bool.
void reg_binary(CudaKernelTable& t, const std::string& name, MapOp op, bool alpha, bool inplace, size_t a = 0, size_t b = 1) {
  t.emplace_back(name, [=](CudaContext& ctx, KernelCall& c) {
    const bool compare = op >= MapOp::eq && op <= MapOp::ge;
    if (!is_f32(c, a) || !is_f32(c, b)) return false;
    if (inplace) c.set_output(0, c.tensor(0));
    if (c.out().dtype != (compare ? DType::bool_ : DType::float32)) return false;
    // A comparison of two scalars or of non-float values is left to the host.
    const float al = alpha && c.num_args() > 2 ? float(c.float_arg(2)) : 1.f;
    device_map(ctx, op, {MapSrc::of(c, a), MapSrc::of(c, b)}, c.out(), al);
    return true;
  });
}

float bound_or(const KernelCall& c, size_t i, float fallback) {
  return c.is_none(i) ? fallback : float(c.float_arg(i));
}

}  // namespace

void register_cuda_elementwise(CudaKernelTable& t) {
  // Activations.
  reg_unary(t, "aten::relu", MapOp::relu);
  reg_unary(t, "aten::relu6", MapOp::hardtanh, [](const KernelCall&) { return std::array<float, 3>{0.f, 6.f, 0.f}; });
  reg_unary(t, "aten::hardtanh", MapOp::hardtanh,
            [](const KernelCall& c) { return std::array<float, 3>{float(c.float_arg(1)), float(c.float_arg(2)), 0.f}; });
  for (const std::string& n : {std::string("aten::gelu"), std::string("aten::gelu_")}) {
    const bool inplace = n.back() == '_';
    if (!find_cpu_kernel(n)) continue;
    t.emplace_back(n, [inplace](CudaContext& ctx, KernelCall& c) {
      if (!is_f32(c, 0)) return false;
      const std::string mode = c.num_args() > 1 ? c.str_arg(1) : "none";
      if (mode != "none" && mode != "tanh") return false;  // the CPU kernel reports the error
      if (inplace) c.set_output(0, c.tensor(0));
      if (c.out().dtype != DType::float32) return false;
      device_map(ctx, mode == "tanh" ? MapOp::gelu_tanh : MapOp::gelu, {MapSrc::of(c, 0)}, c.out());
      return true;
    });
  }
  reg_unary(t, "aten::sigmoid", MapOp::sigmoid);
  reg_unary(t, "aten::tanh", MapOp::tanh);
  reg_unary(t, "aten::silu", MapOp::silu);
  reg_unary(t, "aten::hardswish", MapOp::hardswish);
  reg_unary(t, "aten::hardsigmoid", MapOp::hardsigmoid);
  reg_unary(t, "aten::leaky_relu", MapOp::leaky_relu,
            [](const KernelCall& c) { return std::array<float, 3>{float(c.float_arg(1)), 0.f, 0.f}; });
  reg_unary(t, "aten::elu", MapOp::elu, [](const KernelCall& c) {
    return std::array<float, 3>{float(c.float_arg(1)), float(c.float_arg(2)), float(c.float_arg(3))};
  });
  reg_unary(t, "aten::celu", MapOp::elu, [](const KernelCall& c) {
    const float alpha = float(c.float_arg(1));
    return std::array<float, 3>{alpha, 1.f, 1.f / alpha};
  }, false);
  reg_unary(t, "aten::selu", MapOp::elu,
            [](const KernelCall&) { return std::array<float, 3>{1.6732632423543772f, 1.0507009873554805f, 1.f}; });
  reg_unary(t, "aten::softplus", MapOp::softplus,
            [](const KernelCall& c) { return std::array<float, 3>{float(c.float_arg(1)), float(c.float_arg(2)), 0.f}; }, false);
  reg_unary(t, "aten::mish", MapOp::mish);
  reg_unary(t, "aten::threshold", MapOp::threshold,
            [](const KernelCall& c) { return std::array<float, 3>{float(c.float_arg(1)), float(c.float_arg(2)), 0.f}; });

  // Unary math (float32 in and out; integer inputs go to the host).
  const std::pair<const char*, MapOp> math[] = {
      {"aten::exp", MapOp::exp},     {"aten::expm1", MapOp::expm1}, {"aten::log", MapOp::log},
      {"aten::log1p", MapOp::log1p}, {"aten::log2", MapOp::log2},   {"aten::sqrt", MapOp::sqrt},
      {"aten::rsqrt", MapOp::rsqrt}, {"aten::sin", MapOp::sin},     {"aten::cos", MapOp::cos},
      {"aten::erf", MapOp::erf},     {"aten::reciprocal", MapOp::reciprocal}, {"aten::neg", MapOp::neg},
      {"aten::abs", MapOp::abs},     {"aten::square", MapOp::square}, {"aten::floor", MapOp::floor},
      {"aten::ceil", MapOp::ceil},   {"aten::trunc", MapOp::trunc}, {"aten::round", MapOp::round}};
  for (const auto& [name, op] : math) reg_unary(t, name, op);
#define PTSCOPE_REG_UNARY(name, aten, expr) reg_unary(t, aten, MapOp::name);
  PTSCOPE_CUDA_UNARY_OPS(PTSCOPE_REG_UNARY)
#undef PTSCOPE_REG_UNARY

  // Arithmetic.
  for (const char* s : {".Tensor", ".Scalar"}) {
    const std::string sfx = s;
    reg_binary(t, "aten::add" + sfx, MapOp::add, true, false);
    reg_binary(t, "aten::add_" + sfx, MapOp::add, true, true);
    reg_binary(t, "aten::sub" + sfx, MapOp::sub, true, false);
    reg_binary(t, "aten::sub_" + sfx, MapOp::sub, true, true);
    reg_binary(t, "aten::rsub" + sfx, MapOp::rsub, true, false);
    reg_binary(t, "aten::mul" + sfx, MapOp::mul, false, false);
    reg_binary(t, "aten::mul_" + sfx, MapOp::mul, false, true);
    reg_binary(t, "aten::div" + sfx, MapOp::div, false, false);
    reg_binary(t, "aten::div_" + sfx, MapOp::div, false, true);
    for (auto [n, op] : {std::pair{"aten::eq", MapOp::eq}, {"aten::ne", MapOp::ne}, {"aten::lt", MapOp::lt},
                         {"aten::le", MapOp::le}, {"aten::gt", MapOp::gt}, {"aten::ge", MapOp::ge}})
      reg_binary(t, n + sfx, op, false, false);
  }
  for (const char* n : {"aten::maximum", "aten::max.other"}) reg_binary(t, n, MapOp::maximum, false, false);
  for (const char* n : {"aten::minimum", "aten::min.other"}) reg_binary(t, n, MapOp::minimum, false, false);
  for (const char* n : {"aten::pow.Tensor_Tensor", "aten::pow.Tensor_Scalar", "aten::pow.Scalar"})
    reg_binary(t, n, MapOp::pow, false, false);

  // Selection and clamping.
  for (const char* n : {"aten::where.self", "aten::where.ScalarOther", "aten::where.ScalarSelf", "aten::where.Scalar"})
    t.emplace_back(n, [](CudaContext& ctx, KernelCall& c) {
      if (!is_bool_tensor(c, 0) || !is_f32(c, 1) || !is_f32(c, 2) || c.out().dtype != DType::float32) return false;
      device_map(ctx, MapOp::where, {MapSrc::of(c, 0), MapSrc::of(c, 1), MapSrc::of(c, 2)}, c.out());
      return true;
    });
  for (const char* n : {"aten::masked_fill.Scalar", "aten::masked_fill.Tensor", "aten::masked_fill_.Scalar",
                        "aten::masked_fill_.Tensor"}) {
    const bool inplace = std::string(n).find("fill_") != std::string::npos;
    t.emplace_back(n, [inplace](CudaContext& ctx, KernelCall& c) {
      if (!is_f32(c, 0) || !is_bool_tensor(c, 1) || !is_f32(c, 2)) return false;
      if (inplace) c.set_output(0, c.tensor(0));
      if (c.out().dtype != DType::float32) return false;
      device_map(ctx, MapOp::where, {MapSrc::of(c, 1), MapSrc::of(c, 2), MapSrc::of(c, 0)}, c.out());
      return true;
    });
  }
  const std::tuple<const char*, int, bool> clamps[] = {{"aten::clamp", 0, false},     {"aten::clamp_", 0, true},
                                                       {"aten::clamp_min", 1, false}, {"aten::clamp_min_", 1, true},
                                                       {"aten::clamp_max", 2, false}, {"aten::clamp_max_", 2, true}};
  for (const auto& [n, kind, inplace] : clamps)
    t.emplace_back(n, [kind = kind, inplace = inplace](CudaContext& ctx, KernelCall& c) {
      if (!is_f32(c, 0)) return false;
      float lo = -INFINITY, hi = INFINITY;
      if (kind == 0) {
        lo = bound_or(c, 1, -INFINITY);
        hi = bound_or(c, 2, INFINITY);
      } else if (kind == 1) {
        lo = float(c.float_arg(1));
      } else {
        hi = float(c.float_arg(1));
      }
      if (inplace) c.set_output(0, c.tensor(0));
      if (c.out().dtype != DType::float32) return false;
      device_map(ctx, MapOp::clamp, {MapSrc::of(c, 0)}, c.out(), lo, hi);
      return true;
    });
  for (auto [n, op] : {std::pair{"aten::addcmul", MapOp::addcmul}, {"aten::addcdiv", MapOp::addcdiv}})
    t.emplace_back(n, [op = op](CudaContext& ctx, KernelCall& c) {
      if (!all_f32(c)) return false;
      device_map(ctx, op, {MapSrc::of(c, 0), MapSrc::of(c, 1), MapSrc::of(c, 2)}, c.out(), float(c.float_arg(3)));
      return true;
    });
  for (const char* n : {"aten::lerp.Scalar", "aten::lerp.Tensor"})
    t.emplace_back(n, [](CudaContext& ctx, KernelCall& c) {
      if (!all_f32(c)) return false;
      device_map(ctx, MapOp::lerp, {MapSrc::of(c, 0), MapSrc::of(c, 1), MapSrc::of(c, 2)}, c.out());
      return true;
    });

  // Writes into self, any dtype.
  t.emplace_back("aten::fill_.Scalar", [](CudaContext& ctx, KernelCall& c) {
    c.set_output(0, c.tensor(0));
    device_fill(ctx, c.out(), c.float_arg(1));
    return true;
  });
  t.emplace_back("aten::fill_.Tensor", [](CudaContext& ctx, KernelCall& c) {
    const CpuTensor& v = c.tensor(1);
    if (v.numel() != 1) return false;  // the CPU kernel reports the error
    c.set_output(0, c.tensor(0));
    device_copy(ctx, v.view({}, {}), c.out());
    return true;
  });
  t.emplace_back("aten::zero_", [](CudaContext& ctx, KernelCall& c) {
    c.set_output(0, c.tensor(0));
    device_fill(ctx, c.out(), 0);
    return true;
  });
  t.emplace_back("aten::copy_", [](CudaContext& ctx, KernelCall& c) {
    c.set_output(0, c.tensor(0));
    const CpuTensor& src = c.tensor(1);
    if (src.data == c.out().data && src.strides != c.out().strides) {
      Scratch s(ctx);
      const CpuTensor tmp = s.tensor(src.shape, src.dtype);
      device_copy(ctx, src, tmp);
      device_copy(ctx, tmp, c.out());
    } else {
      device_copy(ctx, src, c.out());
    }
    return true;
  });
}

}  // namespace ptscope::kernels::cuda
