// The executor interface every backend implements (CPU here, CUDA in
// kernels/cuda/), kept as narrow as ggml's backend: raw buffers, copies to
// and from the host, one node at a time, synchronise, time. Everything else
// (walking the graph, binding arguments, liveness, parameters, inputs,
// timing statistics) is backend-independent and lives in kernels/graph_runner.h
// and kernels/profile.h.
//
// Tensors on any backend are TensorView (= CpuTensor): a data pointer in the
// backend's memory, shape, element strides and dtype. Nothing in TensorView
// dereferences `data`, so a CUDA backend passes device pointers in it.
// Kernels are called with KernelCall (kernels/kernel_call.h): the
// arguments bound in schema order (defaults filled), tensors as TensorView.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph/op_registry.h"
#include "kernels/kernel_call.h"

namespace ptscope::kernels {

using TensorView = CpuTensor;

// Measures one interval of device work. start()/stop() enqueue markers (CUDA
// events) or read the clock (CPU); elapsed_us() waits for stop() to complete.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
  virtual double elapsed_us() = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // "cpu", "cuda"
  virtual std::string name() const = 0;
  // One line for reports: "CPU, 8 threads, AVX2/FMA", "NVIDIA H100 80GB HBM3 (sm_90)".
  virtual std::string description() const = 0;
  // Worker threads for the kernels (CPU); other backends may ignore it. n <= 0: all cores.
  virtual void set_threads(int n) { (void)n; }

  // ---- memory
  // An uninitialised device buffer of `bytes` bytes (at least 64-byte
  // aligned; bytes may be 0). Throws ptscope::Error(limit_exceeded) when the
  // device is out of memory; never returns nullptr for bytes > 0.
  virtual void* allocate(size_t bytes) = 0;
  virtual void free(void* ptr) = 0;
  // Contiguous copies between host memory and a device buffer (synchronous
  // with respect to the host: the host memory may be reused on return).
  virtual void upload(const void* host, void* device, size_t bytes) = 0;
  virtual void download(const void* device, void* host, size_t bytes) = 0;
  // True when kernels can read host memory directly (the CPU): parameters are
  // then used in place from the file's mapping instead of being uploaded.
  virtual bool reads_host_memory() const { return false; }

  // ---- kernels
  // Whether the backend has a kernel for an op (full name, "aten::add.Tensor").
  virtual bool supports(std::string_view op) const = 0;
  // How outputs are provided: preallocated by the runner (contiguous, the
  // shape and dtype of the op's shape rule) or set by the kernel (views,
  // in-place ops, alias-or-copy ops and lists; new storage through call.allocate).
  virtual OutputMode output_mode(std::string_view op) const = 0;
  // Runs one op. May be asynchronous (CUDA): the runner calls synchronize()
  // before it reads results on the host or frees buffers the op used.
  // Throws ptscope::Error naming the op when the kernel rejects its arguments.
  virtual void run(const graph::OpDef& op, KernelCall& call) = 0;
  virtual void synchronize() = 0;
  // Scratch bytes the last run() held while it ran (im2col columns, cuDNN
  // workspace): the memory plan's per-node workspace. 0 when not tracked.
  virtual uint64_t last_workspace_bytes() const { return 0; }

  // ---- timing
  virtual std::unique_ptr<Timer> make_timer() = 0;

  // ---- reports
  // Backend-specific facts for the profile's notes (the CUDA backend: allocator
  // peaks, cudaMemGetInfo, ops that ran off the device). Empty by default.
  virtual std::vector<std::string> report_notes() const { return {}; }
};

struct BackendOptions {
  int threads = 0;    // CPU worker threads; 0: all cores
  int device_index = 0;  // CUDA device
};

// "cpu" or "cuda". Throws ptscope::Error(unsupported) with a clear message
// when the backend is not built into this binary (CUDA without PTSCOPE_WITH_CUDA)
// and Error(usage) for unknown names.
std::unique_ptr<Backend> make_backend(std::string_view device, const BackendOptions& options = {});
// Whether make_backend(device) can succeed in this build (not whether a GPU is present).
bool backend_built(std::string_view device);

// Backend constructors. make_cuda_backend is defined in kernels/cuda/ and only
// linked when the build sets PTSCOPE_WITH_CUDA.
std::unique_ptr<Backend> make_cpu_backend(const BackendOptions& options = {});
std::unique_ptr<Backend> make_cuda_backend(const BackendOptions& options);

}  // namespace ptscope::kernels
