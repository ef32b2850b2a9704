#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {

float* dense_out(const CpuTensor& out) {
  if (!out.is_contiguous()) kernel_fail("kernel output must be contiguous, got strides " + shape_string(out.strides));
  return out.f32();
}

void broadcast_rows(const CpuTensor& v, float* out, int64_t rows, int64_t n) {
  CpuTensor dst;
  dst.data = out;
  dst.shape = {rows, n};
  dst.strides = {n, 1};
  dst.dtype = DType::float32;
  convert(broadcast_to(v, dst.shape), dst);
}

}  // namespace ptscope::kernels
