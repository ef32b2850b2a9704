// Activations over float tensors: ReLU family, GELU (exact and tanh),
// SiLU, hard-swish/-sigmoid, sigmoid, tanh, ELU family, softplus, mish,
// threshold, GLU, PReLU, and dropout as the identity (eval graphs).
// Transcendentals run on blocks through the vectorised exp/tanh/erf.
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {
namespace {

constexpr int64_t kBlock = 1024;  // elements per block: stack scratch, L1-resident

using BlockFn = std::function<void(const float* x, float* y, int64_t n)>;

// Per-thread scratch of kBlock floats for the transcendental's argument.
float* scratch() {
  thread_local std::vector<float> s(kBlock);
  return s.data();
}

// y = act(x) for any input layout; out may be strided (in-place on a view).
void apply(const CpuTensor& x, const CpuTensor& out, const BlockFn& fn) {
  TensorBuffer xs;
  const CpuTensor in = dense_f32(x, xs);
  auto run = [&](float* y) {
    const float* xp = in.f32();
    const int64_t n = in.numel(), blocks = (n + kBlock - 1) / kBlock;
    parallel_rows(blocks, kBlock * 4, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const int64_t off = i * kBlock;
        fn(xp + off, y + off, std::min(kBlock, n - off));
      }
    });
  };
  if (out.dtype == DType::float32 && out.is_contiguous()) {
    run(out.f32());
  } else {
    TensorBuffer tmp(out.shape, DType::float32);
    run(tmp.tensor().f32());
    convert(tmp.tensor(), out);
  }
}

// Registers `name` and, when given, its in-place form `name_`.
void reg(KernelTable& t, const std::string& name, std::function<BlockFn(const KernelCall&)> make, bool with_inplace = true) {
  add_kernel(t, name, [make](KernelCall& c) { apply(c.tensor(0), c.out(), make(c)); });
  if (with_inplace)
    add_kernel(t, name + "_", [make](KernelCall& c) {
      c.set_output(0, c.tensor(0));
      apply(c.tensor(0), c.out(), make(c));
    }, OutputMode::by_kernel);
}

BlockFn gelu_fn(bool tanh_approx) {
  if (tanh_approx)
    return [](const float* x, float* y, int64_t n) {
      float* t = scratch();
      const float k = 0.7978845608028654f;  // sqrt(2 / pi)
      for (int64_t i = 0; i < n; ++i) t[i] = k * (x[i] + 0.044715f * x[i] * x[i] * x[i]);
      vtanh(t, t, n);
      for (int64_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.f + t[i]);
    };
  return [](const float* x, float* y, int64_t n) {
    float* t = scratch();
    for (int64_t i = 0; i < n; ++i) t[i] = x[i] * 0.7071067811865476f;
    verf(t, t, n);
    for (int64_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.f + t[i]);
  };
}

// ELU with ATen's parameters: x > 0 ? scale * x : scale * alpha * (exp(input_scale * x) - 1).
BlockFn elu_fn(float alpha, float scale, float input_scale) {
  return [=](const float* x, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0 ? x[i] * scale : std::expm1(x[i] * input_scale) * alpha * scale;
  };
}

void dropout_kernel(KernelCall& c) {
  const double p = c.float_arg(1);
  if (c.bool_arg(2) && p > 0)
    kernel_unsupported("dropout with train=True is random; run the model in eval mode");
  c.set_output(0, c.tensor(0));  // ATen returns the input itself in eval
}

}  // namespace

void gelu_inplace(float* x, int64_t n, bool tanh_approx) {
  const BlockFn fn = gelu_fn(tanh_approx);
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  parallel_rows(blocks, kBlock * 4, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) fn(x + i * kBlock, x + i * kBlock, std::min(kBlock, n - i * kBlock));
  });
}

void relu_inplace(float* x, int64_t n) {
  parallel_rows(n, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) x[i] = x[i] < 0 ? 0.f : x[i];
  });
}

void register_activation_kernels(KernelTable& t) {
  reg(t, "aten::relu", [](const KernelCall&) -> BlockFn {
    return [](const float* x, float* y, int64_t n) {
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0 ? 0.f : x[i];  // NaN passes through
    };
  });
  auto hardtanh = [](float lo, float hi) -> BlockFn {
    return [=](const float* x, float* y, int64_t n) {
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] < lo ? lo : (x[i] > hi ? hi : x[i]);
    };
  };
  reg(t, "aten::relu6", [=](const KernelCall&) { return hardtanh(0.f, 6.f); });
  reg(t, "aten::hardtanh", [=](const KernelCall& c) { return hardtanh(float(c.float_arg(1)), float(c.float_arg(2))); });
  reg(t, "aten::gelu", [](const KernelCall& c) {
    const std::string mode = c.num_args() > 1 ? c.str_arg(1) : "none";
    if (mode != "none" && mode != "tanh") kernel_fail("gelu: approximate must be 'none' or 'tanh', got '" + mode + "'");
    return gelu_fn(mode == "tanh");
  });
  reg(t, "aten::sigmoid", [](const KernelCall&) -> BlockFn { return vsigmoid; });
  reg(t, "aten::tanh", [](const KernelCall&) -> BlockFn { return vtanh; });
  reg(t, "aten::silu", [](const KernelCall&) -> BlockFn {
    return [](const float* x, float* y, int64_t n) {
      float* s = scratch();
      vsigmoid(x, s, n);
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] * s[i];
    };
  });
  reg(t, "aten::hardswish", [](const KernelCall&) -> BlockFn {
    return [](const float* x, float* y, int64_t n) {
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] * std::min(std::max(x[i] + 3.f, 0.f), 6.f) / 6.f;
    };
  });
  reg(t, "aten::hardsigmoid", [](const KernelCall&) -> BlockFn {
    return [](const float* x, float* y, int64_t n) {
      for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(x[i] + 3.f, 0.f), 6.f) / 6.f;
    };
  });
  reg(t, "aten::leaky_relu", [](const KernelCall& c) -> BlockFn {
    const float slope = float(c.float_arg(1));
    return [=](const float* x, float* y, int64_t n) {
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0 ? x[i] : x[i] * slope;
    };
  });
  reg(t, "aten::elu", [](const KernelCall& c) {
    return elu_fn(float(c.float_arg(1)), float(c.float_arg(2)), float(c.float_arg(3)));
  });
  reg(t, "aten::celu", [](const KernelCall& c) {
    const float alpha = float(c.float_arg(1));
    return elu_fn(alpha, 1.f, 1.f / alpha);
  }, false);
  reg(t, "aten::selu", [](const KernelCall&) { return elu_fn(1.6732632423543772f, 1.0507009873554805f, 1.f); });
  reg(t, "aten::softplus", [](const KernelCall& c) -> BlockFn {
    const float beta = float(c.float_arg(1)), threshold = float(c.float_arg(2));
    return [=](const float* x, float* y, int64_t n) {
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] * beta > threshold ? x[i] : std::log1p(std::exp(x[i] * beta)) / beta;
    };
  }, false);
  reg(t, "aten::mish", [](const KernelCall&) -> BlockFn {
    return [](const float* x, float* y, int64_t n) {
      float* s = scratch();
      for (int64_t i = 0; i < n; ++i) s[i] = x[i] > 20.f ? x[i] : std::log1p(std::exp(x[i]));
      vtanh(s, s, n);
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] * s[i];
    };
  });
  // ATen's stable form: min(x, 0) - log1p(exp(-|x|)).
  reg(t, "aten::log_sigmoid", [](const KernelCall&) -> BlockFn {
    return [](const float* x, float* y, int64_t n) {
      float* s = scratch();
      for (int64_t i = 0; i < n; ++i) s[i] = -std::fabs(x[i]);
      vexp(s, s, n);
      for (int64_t i = 0; i < n; ++i) y[i] = std::min(x[i], 0.f) - std::log1p(s[i]);
    };
  }, false);
  reg(t, "aten::threshold", [](const KernelCall& c) -> BlockFn {
    const float th = float(c.float_arg(1)), v = float(c.float_arg(2));
    return [=](const float* x, float* y, int64_t n) {
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] <= th ? v : x[i];
    };
  });

  add_kernel(t, "aten::glu", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t dim = wrap_dim(c.int_arg(1), x.dim());
    const int64_t h = x.shape[size_t(dim)] / 2;
    if (x.shape[size_t(dim)] % 2) kernel_fail("glu: halving dimension must be even");
    Shape hs = x.shape;
    hs[size_t(dim)] = h;
    const CpuTensor a = x.view(hs, x.strides), b = x.view(hs, x.strides, h * x.strides[size_t(dim)]);
    TensorBuffer sig(hs, DType::float32);
    apply(b, sig.tensor(), vsigmoid);
    std::vector<TensorBuffer> keep;
    const CpuTensor af = typed_input(Src{&a, 0, false}, DType::float32, hs, keep);
    map2<float, float, float>(c.out(), af, sig.tensor(), [](float p, float q) { return p * q; });
  });
  add_kernel(t, "aten::prelu", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    TensorBuffer ws;
    CpuTensor w = dense_f32(c.tensor(1), ws);
    // One weight per channel (dim 1, or dim 0 of a 1-D input), or one for all.
    if (w.numel() > 1 && x.dim() >= 2) {
      Shape s(size_t(x.dim()), 1), st(size_t(x.dim()), 0);
      s[1] = w.numel();
      st[1] = 1;
      w = w.view(s, st);
    } else if (w.numel() == 1) {
      w = w.view({}, {});
    }
    std::vector<TensorBuffer> keep;
    const CpuTensor xf = typed_input(Src{&x, 0, false}, DType::float32, c.out().shape, keep);
    map2<float, float, float>(c.out(), xf, broadcast_to(w, c.out().shape), [](float v, float a) { return v > 0 ? v : a * v; });
  });

  for (const char* n : {"aten::dropout", "aten::dropout_", "aten::feature_dropout", "aten::feature_dropout_", "aten::alpha_dropout"})
    add_kernel(t, n, dropout_kernel, OutputMode::by_kernel);
}

}  // namespace ptscope::kernels
