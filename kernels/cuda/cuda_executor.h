// The CUDA backend of the executor interface (kernels/executor.h): device
// memory through a caching allocator, one stream, CUDA-event timers, native
// kernels (kernels/cuda/*.cu, cuBLAS, cuDNN) for the ops that dominate
// models, and for every other op the CPU kernel run on host copies of its
// operands (counted per op, so reports can say which ops left the device).
//
// This header includes no CUDA header: tests and the CLI use it as is. It is
// only compiled into builds with PTSCOPE_WITH_CUDA.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kernels/executor.h"

namespace ptscope::kernels {

namespace cuda {
struct CudaContext;
}

struct CudaOpCounts {
  uint64_t native = 0;  // calls run by a CUDA kernel
  uint64_t host = 0;    // calls run by the CPU kernel on host copies
};

struct CudaMemoryStats {
  uint64_t allocated = 0, reserved = 0;            // caching allocator, now
  uint64_t peak_allocated = 0, peak_reserved = 0;  // since creation or reset_peaks()
  uint64_t device_free = 0, device_total = 0;      // cudaMemGetInfo
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(const BackendOptions& options);
  ~CudaBackend() override;
  std::string name() const override { return "cuda"; }
  std::string description() const override;

  void* allocate(size_t bytes) override;
  void free(void* ptr) override;
  void upload(const void* host, void* device, size_t bytes) override;
  void download(const void* device, void* host, size_t bytes) override;

  bool supports(std::string_view op) const override;
  OutputMode output_mode(std::string_view op) const override;
  void run(const graph::OpDef& op, KernelCall& call) override;
  void synchronize() override;
  uint64_t last_workspace_bytes() const override { return last_op_workspace_bytes(); }
  std::unique_ptr<Timer> make_timer() override;
  // Allocator peaks, cudaMemGetInfo, ops run off the device, cuDNN algorithms.
  std::vector<std::string> report_notes() const override;

  // ---- CUDA-specific reports
  const std::map<std::string, CudaOpCounts>& op_counts() const { return counts_; }
  CudaMemoryStats memory() const;
  void reset_peaks();
  // The last op run: whether a CUDA kernel ran it, its workspace, and a note ("cuDNN implicit_gemm fp32 ...").
  bool last_op_native() const { return last_native_; }
  size_t last_op_workspace_bytes() const;
  std::string last_op_note() const;
  bool tf32() const;

 private:
  std::unique_ptr<cuda::CudaContext> ctx_;
  std::map<std::string, CudaOpCounts> counts_;
  std::map<std::string, std::string> algorithms_;  // note per native op that chose one (cuDNN)
  uint64_t device_free_at_start_ = 0;
  bool last_native_ = false;
};

// Ops with a native CUDA kernel (sorted); every other op the CPU backend has runs on host copies.
std::vector<std::string> cuda_native_kernel_names();
// Whether a CUDA device can be used by this process; `why` says why not.
bool cuda_device_available(std::string* why = nullptr);

}  // namespace ptscope::kernels
