#include "kernels/cpu/cpu_executor.h"

#include <chrono>
#include <cstring>
#include <new>

#include "core/isa.h"
#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/scratch.h"

namespace ptscope::kernels {
namespace {

class SteadyTimer final : public Timer {
 public:
  void start() override { t0_ = std::chrono::steady_clock::now(); }
  void stop() override { t1_ = std::chrono::steady_clock::now(); }
  double elapsed_us() override { return std::chrono::duration<double, std::micro>(t1_ - t0_).count(); }

 private:
  std::chrono::steady_clock::time_point t0_, t1_;
};

}  // namespace

CpuBackend::CpuBackend(const BackendOptions& options) { set_threads(options.threads); }

std::string CpuBackend::description() const {
  return "CPU, " + std::to_string(num_threads()) + " thread" + (num_threads() == 1 ? "" : "s") + ", " + isa_description(active_isa());
}

void CpuBackend::set_threads(int n) { set_num_threads(n); }

void* CpuBackend::allocate(size_t bytes) {
  try {
    return ::operator new(bytes ? bytes : 1, std::align_val_t(64));
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::limit_exceeded, "out of host memory allocating " + std::to_string(bytes) + " bytes");
  }
}

void CpuBackend::free(void* ptr) {
  if (ptr) ::operator delete(ptr, std::align_val_t(64));
}

void CpuBackend::upload(const void* host, void* device, size_t bytes) {
  if (bytes) std::memcpy(device, host, bytes);
}

void CpuBackend::download(const void* device, void* host, size_t bytes) {
  if (bytes) std::memcpy(host, device, bytes);
}

bool CpuBackend::supports(std::string_view op) const { return find_cpu_kernel(op) != nullptr; }

OutputMode CpuBackend::output_mode(std::string_view op) const { return cpu_output_mode(op); }

void CpuBackend::run(const graph::OpDef& op, KernelCall& call) {
  const std::string name = op.schema.full_name();
  const CpuKernel* k = find_cpu_kernel(name);
  if (!k) throw Error(ErrorCode::unsupported, "no CPU kernel for " + name);
  scratch_reset();
  try {
    k->fn(call);
  } catch (const Error& e) {
    throw Error(e, name + ": " + e.what());
  }
  last_workspace_ = scratch_peak_bytes();
}

std::unique_ptr<Timer> CpuBackend::make_timer() { return std::make_unique<SteadyTimer>(); }

std::unique_ptr<Backend> make_cpu_backend(const BackendOptions& options) {
  return std::make_unique<CpuBackend>(options);
}

}  // namespace ptscope::kernels
