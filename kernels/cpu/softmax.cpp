// softmax / log_softmax over any dim, and _masked_softmax from the fused
// attention path. Rows along the last dim run as contiguous vectors; other
// dims vectorise across the trailing (inner) elements instead.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {

void softmax_row(const float* x, float* y, int64_t n, bool zero_masked_rows) {
  const float m = vmax(x, n);
  if (m == -std::numeric_limits<float>::infinity()) {
    std::fill(y, y + n, zero_masked_rows ? 0.f : std::numeric_limits<float>::quiet_NaN());
    return;
  }
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] - m;
  vexp(y, y, n);
  const float inv = 1.f / vsum(y, n);
  for (int64_t i = 0; i < n; ++i) y[i] *= inv;
}

void log_softmax_row(const float* x, float* y, int64_t n) {
  thread_local std::vector<float> tmp;
  tmp.resize(size_t(n));
  const float m = vmax(x, n);
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] - m;
  vexp(y, tmp.data(), n);
  const float ls = std::log(vsum(tmp.data(), n));
  for (int64_t i = 0; i < n; ++i) y[i] -= ls;
}

namespace {

// Softmax along `dim` of contiguous x into contiguous y (same shape).
void softmax_dim(const CpuTensor& x, float* y, int64_t dim, bool log) {
  const float* in = x.f32();
  const int64_t d = dim < 0 ? 0 : x.shape.empty() ? 1 : x.shape[size_t(dim)];
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < dim; ++i) outer *= x.shape[size_t(i)];
  for (int64_t i = dim + 1; i < x.dim(); ++i) inner *= x.shape[size_t(i)];
  if (d == 0 || outer * inner == 0) return;
  if (inner == 1) {
    parallel_rows(outer, d * 8, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        if (log) log_softmax_row(in + r * d, y + r * d, d);
        else softmax_row(in + r * d, y + r * d, d);
      }
    });
    return;
  }
  // Strided dim: each outer block is a [d, inner] matrix reduced down its columns.
  parallel_rows(outer, d * inner * 8, [&](int64_t b, int64_t e) {
    std::vector<float> mx(static_cast<size_t>(inner)), sum(static_cast<size_t>(inner));
    for (int64_t o = b; o < e; ++o) {
      const float* xi = in + o * d * inner;
      float* yo = y + o * d * inner;
      std::fill(mx.begin(), mx.end(), -std::numeric_limits<float>::infinity());
      std::fill(sum.begin(), sum.end(), 0.f);
      for (int64_t k = 0; k < d; ++k)
        for (int64_t i = 0; i < inner; ++i) mx[size_t(i)] = std::max(mx[size_t(i)], xi[k * inner + i]);
      for (int64_t k = 0; k < d; ++k) {
        float* row = yo + k * inner;
        for (int64_t i = 0; i < inner; ++i) row[i] = xi[k * inner + i] - mx[size_t(i)];
        if (log) {
          std::vector<float> e_row(static_cast<size_t>(inner));
          vexp(row, e_row.data(), inner);
          for (int64_t i = 0; i < inner; ++i) sum[size_t(i)] += e_row[size_t(i)];
        } else {
          vexp(row, row, inner);
          for (int64_t i = 0; i < inner; ++i) sum[size_t(i)] += row[i];
        }
      }
      for (int64_t i = 0; i < inner; ++i) sum[size_t(i)] = log ? std::log(sum[size_t(i)]) : 1.f / sum[size_t(i)];
      for (int64_t k = 0; k < d; ++k) {
        float* row = yo + k * inner;
        if (log)
          for (int64_t i = 0; i < inner; ++i) row[i] -= sum[size_t(i)];
        else
          for (int64_t i = 0; i < inner; ++i) row[i] *= sum[size_t(i)];
      }
    }
  });
}

void softmax_kernel(KernelCall& c, bool log) {
  TensorBuffer s;
  const CpuTensor x = dense_f32(c.tensor(0), s);
  const int64_t dim = x.dim() == 0 ? -1 : wrap_dim(c.int_arg(1), x.dim());
  float* y = dense_out(c.out());
  if (x.dim() == 0) {
    y[0] = log ? 0.f : 1.f;
    return;
  }
  softmax_dim(x, y, dim, log);
}

// _masked_softmax: mask true = excluded. mask_type 0 is a [L, S] attention
// mask for [B, H, L, S] scores, 1 a [B, S] key padding mask; anything else
// must broadcast to the input. Fully masked rows give NaN, as in ATen.
void masked_softmax_kernel(KernelCall& c) {
  const CpuTensor& in = c.tensor(0);
  CpuTensor mask = c.tensor(1);
  const int64_t dim = wrap_dim(c.opt_int(2).value_or(in.dim() - 1), in.dim());
  const std::optional<int64_t> mask_type = c.opt_int(3);
  if (in.dim() == 4 && mask.dim() == 2) {
    if (mask_type == 1) mask = mask.view({mask.shape[0], 1, 1, mask.shape[1]}, {mask.strides[0], 0, 0, mask.strides[1]});
    else mask = mask.view({1, 1, mask.shape[0], mask.shape[1]}, {0, 0, mask.strides[0], mask.strides[1]});
  }
  TensorBuffer xs, ms;
  const CpuTensor x = dense_f32(in, xs);
  const CpuTensor m = to_dtype(broadcast_to(mask, in.shape), DType::bool_, ms, true);
  float* y = dense_out(c.out());
  const bool* mb = m.ptr<bool>();
  const float* xp = x.f32();
  const int64_t n = x.numel();
  const float ninf = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) y[i] = mb[i] ? ninf : xp[i];
  CpuTensor yt = c.out();
  softmax_dim(yt, y, dim, false);
}

}  // namespace

void register_softmax_kernels(KernelTable& t) {
  add_kernel(t, "aten::softmax.int", [](KernelCall& c) { softmax_kernel(c, false); });
  add_kernel(t, "aten::_softmax", [](KernelCall& c) { softmax_kernel(c, false); });
  add_kernel(t, "aten::log_softmax.int", [](KernelCall& c) { softmax_kernel(c, true); });
  add_kernel(t, "aten::_masked_softmax", masked_softmax_kernel);
}

}  // namespace ptscope::kernels
