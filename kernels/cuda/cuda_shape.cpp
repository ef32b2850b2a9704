// Shape ops on the device. Views (permute, select, slice, split, expand ...)
// only compute pointers and strides, so the CPU kernel itself runs on the
// device pointers without touching memory. Alias-or-copy ops (reshape,
// flatten, contiguous, to) run the CPU kernel the same way; when it needs
// new storage it asks call.allocate, which here stops it before it copies
// (NeedsCopy) and the copy is done on the device. Copies (clone, cat, stack,
// flip, constant_pad_nd) and fills (zeros, ones, full) are device kernels.
#include <algorithm>

#include "kernels/cuda/cuda_context.h"

namespace ptscope::kernels::cuda {
namespace {

// Thrown by the allocator handed to a CPU view kernel: the op must copy.
struct NeedsCopy {
  Shape shape;
  DType dtype;
};

// Runs the CPU kernel on device pointers. Returns false when it asked for new storage (`copy` set).
bool run_metadata_only(const CpuKernel& k, KernelCall& c, std::optional<NeedsCopy>* copy) {
  KernelCall probe;
  probe.args = c.args;
  probe.outputs = c.outputs;
  probe.allocate = [](const Shape& s, DType d) -> CpuTensor { throw NeedsCopy{s, d}; };
  try {
    k.fn(probe);
  } catch (NeedsCopy& n) {
    if (copy) *copy = std::move(n);
    return false;
  }
  c.outputs = std::move(probe.outputs);
  return true;
}

CpuTensor narrowed(const CpuTensor& t, int64_t dim, int64_t start, int64_t len) {
  Shape s = t.shape;
  s[size_t(dim)] = len;
  return t.view(s, t.strides, start * t.strides[size_t(dim)]);
}

CpuTensor unsqueezed(const CpuTensor& t, int64_t dim) {
  Shape s = t.shape, st = t.strides;
  const int64_t stride = dim < t.dim() ? t.strides[size_t(dim)] * t.shape[size_t(dim)] : 1;
  s.insert(s.begin() + dim, 1);
  st.insert(st.begin() + dim, stride);
  return t.view(s, st);
}

void cat_into(CudaContext& ctx, const std::vector<CpuTensor>& ts, int64_t dim, const CpuTensor& out) {
  int64_t at = 0;
  for (const CpuTensor& x : ts) {
    // Legacy: 1-d empty tensors are skipped whatever the other shapes.
    if (x.dim() == 1 && x.numel() == 0 && out.dim() != 1) continue;
    if (x.dim() != out.dim()) kernel_fail("cat: tensors must have the same number of dimensions");
    device_copy(ctx, x, narrowed(out, dim, at, x.shape[size_t(dim)]));
    at += x.shape[size_t(dim)];
  }
  if (at != out.shape[size_t(dim)]) kernel_fail("cat: sizes do not add up to the output's");
}

}  // namespace

void register_cuda_shape(CudaKernelTable& t) {
  // Views: metadata only, any dtype.
  for (const char* n :
       {"aten::_reshape_alias", "aten::view.dtype", "aten::permute", "aten::transpose.int", "aten::swapaxes",
        "aten::transpose_", "aten::t", "aten::numpy_T", "aten::mT", "aten::movedim.int", "aten::movedim.intlist",
        "aten::select.int", "aten::slice.Tensor", "aten::narrow", "aten::diagonal", "aten::unfold", "aten::unsqueeze",
        "aten::unsqueeze_", "aten::squeeze", "aten::squeeze_", "aten::squeeze.dim", "aten::squeeze_.dim",
        "aten::squeeze.dims", "aten::expand", "aten::expand_as", "aten::split.Tensor", "aten::unsafe_split.Tensor",
        "aten::split", "aten::split.sizes", "aten::split_with_sizes", "aten::chunk", "aten::unsafe_chunk",
        "aten::tensor_split.sections", "aten::tensor_split.indices", "aten::unbind.int", "aten::alias", "aten::detach",
        "aten::lift_fresh", "aten::dropout", "aten::dropout_", "aten::feature_dropout", "aten::feature_dropout_",
        "aten::alpha_dropout"}) {
    const std::string name = n;
    t.emplace_back(name, [name](CudaContext&, KernelCall& c) {
      const CpuKernel* k = find_cpu_kernel(name);
      return k && run_metadata_only(*k, c, nullptr);
    });
  }
  // Alias when possible, else one device copy (with the dtype the CPU kernel asked for).
  for (const char* n :
       {"aten::view", "aten::reshape", "aten::_unsafe_view", "aten::view_as", "aten::reshape_as",
        "aten::flatten.using_ints", "aten::unflatten.int", "aten::contiguous", "aten::to.dtype", "aten::to.device",
        "aten::to.dtype_layout", "aten::to.other", "aten::to.prim_Device", "aten::to.prim_dtype", "aten::to.prim_other",
        "aten::type_as"}) {
    const std::string name = n;
    t.emplace_back(name, [name](CudaContext& ctx, KernelCall& c) {
      const CpuKernel* k = find_cpu_kernel(name);
      if (!k) return false;
      std::optional<NeedsCopy> copy;
      if (run_metadata_only(*k, c, &copy)) return true;
      const CpuTensor& x = c.tensor(0);
      if (shape_numel(copy->shape) != x.numel()) return false;
      const CpuTensor out = c.allocate_output(0, copy->shape, copy->dtype);
      device_copy(ctx, x, out.view(x.shape, contiguous_strides(x.shape)));
      return true;
    });
  }

  t.emplace_back("aten::clone", [](CudaContext& ctx, KernelCall& c) {
    device_copy(ctx, c.tensor(0), c.out());
    return true;
  });
  for (const char* n : {"aten::cat", "aten::concat", "aten::concatenate"})
    t.emplace_back(n, [](CudaContext& ctx, KernelCall& c) {
      const CpuTensor& out = c.out();
      cat_into(ctx, c.tensors(0), wrap_dim(c.int_arg(1), out.dim()), out);
      return true;
    });
  t.emplace_back("aten::stack", [](CudaContext& ctx, KernelCall& c) {
    const CpuTensor& out = c.out();
    const int64_t d = wrap_dim(c.int_arg(1), out.dim());
    std::vector<CpuTensor> parts;
    for (const CpuTensor& x : c.tensors(0)) parts.push_back(unsqueezed(x, d));
    cat_into(ctx, parts, d, out);
    return true;
  });
  t.emplace_back("aten::flip", [](CudaContext& ctx, KernelCall& c) {
    CpuTensor x = c.tensor(0);
    int64_t offset = 0;
    for (int64_t d : c.ints(1)) {
      const size_t k = size_t(wrap_dim(d, x.dim()));
      if (x.shape[k] > 0) offset += (x.shape[k] - 1) * x.strides[k];
      x.strides[k] = -x.strides[k];
    }
    device_copy(ctx, x.view(x.shape, x.strides, offset), c.out());
    return true;
  });
  t.emplace_back("aten::constant_pad_nd", [](CudaContext& ctx, KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const CpuTensor& out = c.out();
    const std::vector<int64_t> pad = c.ints(1);
    if (pad.size() % 2 || int64_t(pad.size() / 2) > x.dim()) return false;
    if (std::any_of(pad.begin(), pad.end(), [](int64_t p) { return p < 0; })) return false;  // cropping: host
    device_fill(ctx, out, c.num_args() > 2 ? c.float_arg(2) : 0.0);
    CpuTensor inner = out;
    int64_t offset = 0;
    for (size_t i = 0; i < pad.size() / 2; ++i) {
      const size_t d = size_t(x.dim()) - 1 - i;
      inner.shape[d] = x.shape[d];
      offset += pad[2 * i] * out.strides[d];
    }
    device_copy(ctx, x, out.view(inner.shape, out.strides, offset));
    return true;
  });

  // Factories: fills of the preallocated output.
  for (const char* n : {"aten::zeros", "aten::zeros_like", "aten::new_zeros", "aten::empty.memory_format",
                        "aten::empty_like", "aten::new_empty"})
    t.emplace_back(n, [](CudaContext& ctx, KernelCall& c) {
      device_fill(ctx, c.out(), 0);
      return true;
    });
  for (const char* n : {"aten::ones", "aten::ones_like", "aten::new_ones"})
    t.emplace_back(n, [](CudaContext& ctx, KernelCall& c) {
      device_fill(ctx, c.out(), 1);
      return true;
    });
  for (auto [n, pos] : {std::pair{"aten::full", 1}, {"aten::full_like", 1}, {"aten::new_full", 2}, {"aten::scalar_tensor", 0}})
    t.emplace_back(n, [pos = pos](CudaContext& ctx, KernelCall& c) {
      device_fill(ctx, c.out(), c.float_arg(size_t(pos)));
      return true;
    });
}

}  // namespace ptscope::kernels::cuda
