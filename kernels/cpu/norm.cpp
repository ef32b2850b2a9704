// Normalisation: batch_norm (running statistics in eval, batch statistics
// when training=True), layer_norm, group_norm, instance_norm, rms_norm.
// Statistics use two passes (mean, then squared deviations) over data that
// is still in cache, like ATen, so large means do not cancel.
#include <cmath>
#include <vector>

#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {

void layer_norm_rows(const float* x, float* y, int64_t rows, int64_t n, const float* weight, const float* bias,
                     float eps, float* mean, float* rstd) {
  parallel_rows(rows, n * 4, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * n;
      float* yr = y + r * n;
      const float mu = vsum(xr, n) / float(n);
      for (int64_t i = 0; i < n; ++i) yr[i] = xr[i] - mu;
      const float rs = 1.f / std::sqrt(vdot(yr, yr, n) / float(n) + eps);
      if (weight && bias)
        for (int64_t i = 0; i < n; ++i) yr[i] = yr[i] * rs * weight[i] + bias[i];
      else if (weight)
        for (int64_t i = 0; i < n; ++i) yr[i] = yr[i] * rs * weight[i];
      else
        for (int64_t i = 0; i < n; ++i) yr[i] = yr[i] * rs + (bias ? bias[i] : 0.f);
      if (mean) mean[r] = mu;
      if (rstd) rstd[r] = rs;
    }
  });
}

namespace {

const float* opt_f32(const CpuTensor* t, TensorBuffer& s) { return t ? dense_f32(*t, s).f32() : nullptr; }

// Mean and biased variance of `count` planes of `inner` contiguous floats, each `stride` apart.
void plane_stats(const float* x, int64_t count, int64_t stride, int64_t inner, double& mean, double& var) {
  double s = 0;
  for (int64_t p = 0; p < count; ++p) s += vsum(x + p * stride, inner);
  const double n = double(count * inner);
  mean = n > 0 ? s / n : 0;
  double ss = 0;
  const float mu = float(mean);
  for (int64_t p = 0; p < count; ++p) {
    const float* xp = x + p * stride;
    float acc = 0;
    for (int64_t i = 0; i < inner; ++i) acc += (xp[i] - mu) * (xp[i] - mu);
    ss += acc;
  }
  var = n > 0 ? ss / n : 0;
}

// y = x * scale[c] + shift[c] over [N, C, inner] contiguous data.
void channel_affine(const float* x, float* y, int64_t n, int64_t c, int64_t inner, const std::vector<float>& scale,
                    const std::vector<float>& shift) {
  parallel_rows(n * c, inner, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const float a = scale[size_t(p % c)], s = shift[size_t(p % c)];
      const float* xp = x + p * inner;
      float* yp = y + p * inner;
      for (int64_t i = 0; i < inner; ++i) yp[i] = xp[i] * a + s;
    }
  });
}

// Shared by batch_norm and its native forms. Returns per-channel (mean, invstd) used.
void batch_norm_impl(const CpuTensor& input, const CpuTensor* weight, const CpuTensor* bias, const CpuTensor* rmean,
                     const CpuTensor* rvar, bool training, double eps, const CpuTensor& out, std::vector<float>* save_mean,
                     std::vector<float>* save_invstd) {
  TensorBuffer xs, ws, bs, ms, vs;
  const CpuTensor x = dense_f32(input, xs);
  const int64_t n = x.dim() > 0 ? x.shape[0] : 1, c = x.dim() > 1 ? x.shape[1] : 1;
  const int64_t inner = n * c != 0 ? x.numel() / (n * c) : 0;
  const float* w = opt_f32(weight, ws);
  const float* b = opt_f32(bias, bs);
  std::vector<float> scale(static_cast<size_t>(c)), shift(static_cast<size_t>(c)), mean(static_cast<size_t>(c)), invstd(static_cast<size_t>(c));
  const bool batch_stats = training || !rmean || !rvar;
  const float* rm = batch_stats ? nullptr : dense_f32(*rmean, ms).f32();
  const float* rv = batch_stats ? nullptr : dense_f32(*rvar, vs).f32();
  parallel_rows(c, batch_stats ? n * inner : 1, [&](int64_t b0, int64_t b1) {
    for (int64_t ch = b0; ch < b1; ++ch) {
      double mu, var;
      if (batch_stats) plane_stats(x.f32() + ch * inner, n, c * inner, inner, mu, var);
      else mu = rm[ch], var = rv[ch];
      const double is = 1.0 / std::sqrt(var + eps);
      mean[size_t(ch)] = float(mu);
      invstd[size_t(ch)] = float(is);
      scale[size_t(ch)] = float(is * (w ? w[ch] : 1.0));
      shift[size_t(ch)] = float((b ? b[ch] : 0.0) - mu * is * (w ? w[ch] : 1.0));
    }
  });
  channel_affine(x.f32(), dense_out(out), n, c, inner, scale, shift);
  if (save_mean) *save_mean = mean;
  if (save_invstd) *save_invstd = invstd;
}

void write_vec(const KernelCall& c, size_t i, const std::vector<float>& v) {
  if (i >= c.outputs.size() || c.outputs[i].numel() == 0) return;  // eval mode returns empty tensors
  if (size_t(c.outputs[i].numel()) != v.size()) kernel_fail("batch_norm: statistics output has the wrong size");
  std::copy(v.begin(), v.end(), dense_out(c.outputs[i]));
}

void native_batch_norm(KernelCall& c, bool legit_no_training) {
  std::vector<float> mean, invstd;
  const bool training = legit_no_training ? false : c.bool_arg(5);
  const double eps = c.float_arg(legit_no_training ? 6 : 7);
  batch_norm_impl(c.tensor(0), c.opt_tensor(1), c.opt_tensor(2), c.opt_tensor(3), c.opt_tensor(4), training, eps,
                  c.out(0), &mean, &invstd);
  write_vec(c, 1, mean);
  write_vec(c, 2, invstd);
}

void layer_norm_kernel(KernelCall& c, bool native) {
  TensorBuffer xs, ws, bs;
  const CpuTensor x = dense_f32(c.tensor(0), xs);
  const std::vector<int64_t> norm_shape = c.ints(1);
  const int64_t n = shape_numel(norm_shape);
  if (norm_shape.size() > x.shape.size() ||
      !std::equal(norm_shape.begin(), norm_shape.end(), x.shape.end() - int64_t(norm_shape.size())))
    kernel_fail("layer_norm: normalized_shape " + shape_string(norm_shape) + " does not end " + shape_string(x.shape));
  const int64_t rows = n ? x.numel() / n : 0;
  const float* w = opt_f32(c.opt_tensor(2), ws);
  const float* b = opt_f32(c.opt_tensor(3), bs);
  const float eps = float(c.float_arg(4));
  float* mean = native && c.outputs.size() > 1 && c.outputs[1].numel() == rows ? dense_out(c.outputs[1]) : nullptr;
  float* rstd = native && c.outputs.size() > 2 && c.outputs[2].numel() == rows ? dense_out(c.outputs[2]) : nullptr;
  layer_norm_rows(x.f32(), dense_out(c.out()), rows, n, w, b, eps, mean, rstd);
}

void group_norm_kernel(KernelCall& c) {
  TensorBuffer xs, ws, bs;
  const CpuTensor x = dense_f32(c.tensor(0), xs);
  const int64_t groups = c.int_arg(1);
  const float* w = opt_f32(c.opt_tensor(2), ws);
  const float* b = opt_f32(c.opt_tensor(3), bs);
  const double eps = c.float_arg(4);
  const int64_t n = x.shape[0], ch = x.shape[1];
  if (groups <= 0 || ch % groups) kernel_fail("group_norm: channels must divide into num_groups");
  const int64_t inner = x.numel() / (n * ch), cg = ch / groups;
  float* y = dense_out(c.out());
  parallel_rows(n * groups, cg * inner * 3, [&](int64_t b0, int64_t b1) {
    for (int64_t p = b0; p < b1; ++p) {
      const float* xg = x.f32() + p * cg * inner;
      float* yg = y + p * cg * inner;
      double mu, var;
      plane_stats(xg, 1, 0, cg * inner, mu, var);
      const double is = 1.0 / std::sqrt(var + eps);
      for (int64_t k = 0; k < cg; ++k) {
        const int64_t chan = (p % groups) * cg + k;
        const float a = float(is * (w ? w[chan] : 1.0));
        const float s = float((b ? b[chan] : 0.0) - mu * is * (w ? w[chan] : 1.0));
        for (int64_t i = 0; i < inner; ++i) yg[k * inner + i] = xg[k * inner + i] * a + s;
      }
    }
  });
}

void instance_norm_kernel(KernelCall& c) {
  const bool use_input_stats = c.bool_arg(5);
  const double eps = c.float_arg(7);
  if (!use_input_stats) {
    batch_norm_impl(c.tensor(0), c.opt_tensor(1), c.opt_tensor(2), c.opt_tensor(3), c.opt_tensor(4), false, eps, c.out(),
                    nullptr, nullptr);
    return;
  }
  // Per-sample statistics: one group per channel.
  TensorBuffer xs, ws, bs;
  const CpuTensor x = dense_f32(c.tensor(0), xs);
  const float* w = opt_f32(c.opt_tensor(1), ws);
  const float* b = opt_f32(c.opt_tensor(2), bs);
  const int64_t n = x.shape[0], ch = x.shape[1], inner = x.numel() / (n * ch);
  float* y = dense_out(c.out());
  parallel_rows(n * ch, inner * 3, [&](int64_t b0, int64_t b1) {
    for (int64_t p = b0; p < b1; ++p) {
      double mu, var;
      plane_stats(x.f32() + p * inner, 1, 0, inner, mu, var);
      const double is = 1.0 / std::sqrt(var + eps);
      const int64_t chan = p % ch;
      const float a = float(is * (w ? w[chan] : 1.0)), s = float((b ? b[chan] : 0.0) - mu * is * (w ? w[chan] : 1.0));
      for (int64_t i = 0; i < inner; ++i) y[p * inner + i] = x.f32()[p * inner + i] * a + s;
    }
  });
}

void rms_norm_kernel(KernelCall& c) {
  TensorBuffer xs, ws;
  const CpuTensor x = dense_f32(c.tensor(0), xs);
  const int64_t n = shape_numel(c.ints(1));
  const float* w = opt_f32(c.opt_tensor(2), ws);
  const float eps = float(c.opt_float(3).value_or(1.1920928955078125e-07));  // torch.finfo(float32).eps
  const int64_t rows = n ? x.numel() / n : 0;
  float* y = dense_out(c.out());
  parallel_rows(rows, n * 3, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x.f32() + r * n;
      const float rs = 1.f / std::sqrt(vdot(xr, xr, n) / float(n) + eps);
      for (int64_t i = 0; i < n; ++i) y[r * n + i] = xr[i] * rs * (w ? w[i] : 1.f);
    }
  });
}

}  // namespace

void register_norm_kernels(KernelTable& t) {
  add_kernel(t, "aten::batch_norm", [](KernelCall& c) {
    batch_norm_impl(c.tensor(0), c.opt_tensor(1), c.opt_tensor(2), c.opt_tensor(3), c.opt_tensor(4), c.bool_arg(5),
                    c.float_arg(7), c.out(), nullptr, nullptr);
  });
  add_kernel(t, "aten::native_batch_norm", [](KernelCall& c) { native_batch_norm(c, false); });
  add_kernel(t, "aten::_native_batch_norm_legit_no_training", [](KernelCall& c) { native_batch_norm(c, true); });
  add_kernel(t, "aten::layer_norm", [](KernelCall& c) { layer_norm_kernel(c, false); });
  add_kernel(t, "aten::native_layer_norm", [](KernelCall& c) { layer_norm_kernel(c, true); });
  add_kernel(t, "aten::group_norm", group_norm_kernel);
  add_kernel(t, "aten::instance_norm", instance_norm_kernel);
  add_kernel(t, "aten::rms_norm", rms_norm_kernel);
}

}  // namespace ptscope::kernels
