// Runs a CPU kernel for an op the CUDA kernels do not cover (or a call
// outside what they implement): the device memory every tensor argument
// spans is copied to the host (overlapping spans once, so views keep
// aliasing each other), the CPU kernel runs on host views with the same
// strides, and results go back: preallocated outputs are uploaded, outputs
// in storage the kernel allocated are uploaded into device storage from
// call.allocate, and outputs that alias an argument (views, in-place ops)
// are mapped back to the device address and their span written back.
#include "kernels/cuda/cuda_fallback.h"

#include <algorithm>

namespace ptscope::kernels::cuda {
namespace {

struct Span {
  uintptr_t lo = 0, hi = 0;  // device byte range [lo, hi)
  TensorBuffer host;          // its host copy
  bool write_back = false;
};

// The device bytes a view spans (empty for empty tensors).
std::pair<uintptr_t, uintptr_t> extent(const CpuTensor& t) {
  if (!t.defined() || t.numel() == 0 || !t.data) return {0, 0};
  int64_t lo = 0, hi = 0;
  for (int64_t d = 0; d < t.dim(); ++d) {
    const int64_t reach = (t.shape[size_t(d)] - 1) * t.strides[size_t(d)];
    (reach < 0 ? lo : hi) += reach;
  }
  const auto base = reinterpret_cast<uintptr_t>(t.data);
  const auto size = int64_t(t.itemsize());
  return {base + uintptr_t(lo * size), base + uintptr_t((hi + 1) * size)};
}

}  // namespace

void run_on_host(CudaContext& ctx, const CpuKernel& k, KernelCall& call) {
  cuda_check(cudaStreamSynchronize(ctx.stream), "host fallback (synchronize)");
  // Every tensor argument's span, overlapping spans merged.
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges;
  auto note = [&](const CpuTensor& t) {
    auto e = extent(t);
    if (e.second > e.first) ranges.push_back(e);
  };
  for (const KernelArg& a : call.args) {
    if (auto* t = std::get_if<CpuTensor>(&a)) note(*t);
    if (auto* ts = std::get_if<std::vector<CpuTensor>>(&a))
      for (const CpuTensor& t : *ts) note(t);
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<Span> spans;
  for (const auto& r : ranges) {
    if (!spans.empty() && r.first <= spans.back().hi) spans.back().hi = std::max(spans.back().hi, r.second);
    else spans.push_back(Span{r.first, r.second, {}, false});
  }
  for (Span& s : spans) {
    s.host = TensorBuffer({int64_t(s.hi - s.lo)}, DType::uint8);
    cuda_check(cudaMemcpyAsync(s.host.tensor().data, reinterpret_cast<const void*>(s.lo), s.hi - s.lo,
                               cudaMemcpyDeviceToHost, ctx.stream),
               "host fallback (download)");
  }
  cuda_check(cudaStreamSynchronize(ctx.stream), "host fallback (download)");
  auto span_of_device = [&](const void* p) -> Span* {
    const auto a = reinterpret_cast<uintptr_t>(p);
    for (Span& s : spans)
      if (a >= s.lo && a < s.hi) return &s;
    return nullptr;
  };
  auto to_host = [&](const CpuTensor& t) {
    CpuTensor h = t;
    if (!t.defined() || !t.data) return h;
    if (Span* s = span_of_device(t.data))
      h.data = static_cast<uint8_t*>(s->host.tensor().data) + (reinterpret_cast<uintptr_t>(t.data) - s->lo);
    else
      h.data = nullptr;  // an empty tensor: nothing to read
    return h;
  };

  KernelCall host;
  host.args.reserve(call.args.size());
  for (const KernelArg& a : call.args) {
    if (auto* t = std::get_if<CpuTensor>(&a)) {
      host.args.emplace_back(to_host(*t));
    } else if (auto* ts = std::get_if<std::vector<CpuTensor>>(&a)) {
      std::vector<CpuTensor> list;
      for (const CpuTensor& t : *ts) list.push_back(to_host(t));
      host.args.emplace_back(std::move(list));
    } else {
      host.args.push_back(a);
    }
  }
  // Outputs: host buffers for preallocated ones, shape/dtype hints otherwise.
  const bool preallocated = k.outputs == OutputMode::preallocated;
  std::vector<TensorBuffer> host_out, host_alloc;
  for (const CpuTensor& o : call.outputs) {
    if (preallocated) {
      host_out.emplace_back(o.shape, o.dtype);
      host.outputs.push_back(host_out.back().tensor());
    } else {
      CpuTensor hint;
      hint.shape = o.shape;
      hint.strides = o.strides.empty() ? contiguous_strides(o.shape) : o.strides;
      hint.dtype = o.dtype;
      host.outputs.push_back(hint);
    }
  }
  host.allocate = [&](const Shape& s, DType d) {
    host_alloc.emplace_back(s, d);
    return host_alloc.back().tensor();
  };
  k.fn(host);

  if (preallocated) {
    if (host.outputs.size() != call.outputs.size()) kernel_fail("host fallback: the kernel changed its output count");
    for (size_t i = 0; i < call.outputs.size(); ++i) {
      const CpuTensor& d = call.outputs[i];
      const size_t bytes = size_t(d.numel()) * d.itemsize();
      if (!bytes) continue;
      if (d.is_contiguous()) {
        cuda_check(cudaMemcpyAsync(d.data, host_out[i].tensor().data, bytes, cudaMemcpyHostToDevice, ctx.stream),
                   "host fallback (upload)");
      } else {
        Scratch s(ctx);
        const CpuTensor tmp = s.tensor(d.shape, d.dtype);
        cuda_check(cudaMemcpyAsync(tmp.data, host_out[i].tensor().data, bytes, cudaMemcpyHostToDevice, ctx.stream),
                   "host fallback (upload)");
        device_copy(ctx, tmp, d);
        cuda_check(cudaStreamSynchronize(ctx.stream), "host fallback (upload)");
      }
    }
    cuda_check(cudaStreamSynchronize(ctx.stream), "host fallback (upload)");
    return;
  }

  // by_kernel: map each output back to device memory.
  std::vector<std::pair<const TensorBuffer*, CpuTensor>> uploaded;  // host allocation → its device copy
  call.outputs.resize(host.outputs.size());
  for (size_t i = 0; i < host.outputs.size(); ++i) {
    const CpuTensor& h = host.outputs[i];
    CpuTensor d = h;
    if (!h.data) {
      call.outputs[i] = d;
      continue;
    }
    const auto hp = reinterpret_cast<uintptr_t>(h.data);
    bool mapped = false;
    for (Span& s : spans) {
      const auto base = reinterpret_cast<uintptr_t>(s.host.tensor().data);
      if (hp >= base && hp < base + (s.hi - s.lo)) {
        d.data = reinterpret_cast<void*>(s.lo + (hp - base));
        s.write_back = true;
        mapped = true;
        break;
      }
    }
    for (size_t a = 0; !mapped && a < host_alloc.size(); ++a) {
      const TensorBuffer& buf = host_alloc[a];
      const auto base = reinterpret_cast<uintptr_t>(buf.tensor().data);
      const size_t bytes = size_t(buf.tensor().numel()) * buf.tensor().itemsize();
      if (hp < base || hp >= base + std::max<size_t>(bytes, 1)) continue;
      auto it = std::find_if(uploaded.begin(), uploaded.end(), [&](const auto& u) { return u.first == &buf; });
      if (it == uploaded.end()) {
        if (!call.allocate) kernel_fail("host fallback: the op needs new storage but the call has no allocator");
        const CpuTensor dev = call.allocate(buf.tensor().shape, buf.tensor().dtype);
        if (bytes)
          cuda_check(cudaMemcpyAsync(dev.data, buf.tensor().data, bytes, cudaMemcpyHostToDevice, ctx.stream),
                     "host fallback (upload)");
        uploaded.emplace_back(&buf, dev);
        it = uploaded.end() - 1;
      }
      d.data = static_cast<uint8_t*>(it->second.data) + (hp - base);
      mapped = true;
    }
    if (!mapped) kernel_fail("host fallback: output " + std::to_string(i) + " points at memory of unknown origin");
    call.outputs[i] = d;
  }
  for (const Span& s : spans)
    if (s.write_back)
      cuda_check(cudaMemcpyAsync(reinterpret_cast<void*>(s.lo), s.host.tensor().data, s.hi - s.lo,
                                 cudaMemcpyHostToDevice, ctx.stream),
                 "host fallback (write back)");
  cuda_check(cudaStreamSynchronize(ctx.stream), "host fallback (upload)");
}

}  // namespace ptscope::kernels::cuda
