#include "kernels/cuda/cuda_executor.h"

#include <cudnn.h>

#include <cstdio>

#include "kernels/cuda/cuda_context.h"
#include "kernels/cuda/cuda_fallback.h"

namespace ptscope::kernels {
namespace {

// Times device work between two events recorded on the backend's stream.
class CudaEventTimer final : public Timer {
 public:
  explicit CudaEventTimer(cudaStream_t stream) : stream_(stream) {
    cuda::cuda_check(cudaEventCreate(&start_), "cudaEventCreate");
    cuda::cuda_check(cudaEventCreate(&stop_), "cudaEventCreate");
  }
  ~CudaEventTimer() override {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  void start() override { cuda::cuda_check(cudaEventRecord(start_, stream_), "cudaEventRecord"); }
  void stop() override { cuda::cuda_check(cudaEventRecord(stop_, stream_), "cudaEventRecord"); }
  double elapsed_us() override {
    cuda::cuda_check(cudaEventSynchronize(stop_), "cudaEventSynchronize");
    float ms = 0;
    cuda::cuda_check(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
    return double(ms) * 1000.0;
  }

 private:
  cudaStream_t stream_;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
};

std::string version_string(int v, int major_div, int minor_div) {
  return std::to_string(v / major_div) + "." + std::to_string((v % major_div) / minor_div);
}

}  // namespace

CudaBackend::CudaBackend(const BackendOptions& options)
    : ctx_(std::make_unique<cuda::CudaContext>(options.device_index)) {
  device_free_at_start_ = memory().device_free;
}

CudaBackend::~CudaBackend() = default;

std::string CudaBackend::description() const {
  cudaDeviceProp p{};
  cuda::cuda_check(cudaGetDeviceProperties(&p, ctx_->device), "cudaGetDeviceProperties");
  int runtime = 0, driver = 0;
  cudaRuntimeGetVersion(&runtime);
  cudaDriverGetVersion(&driver);
  const size_t cudnn = cudnnGetVersion();
  char mem[32];
  std::snprintf(mem, sizeof mem, "%.0f GiB", double(p.totalGlobalMem) / double(1ull << 30));
  return std::string(p.name) + " (sm_" + std::to_string(p.major) + std::to_string(p.minor) + ", " + mem +
         "), CUDA runtime " + version_string(runtime, 1000, 10) + ", driver " + version_string(driver, 1000, 10) +
         ", cuDNN " + std::to_string(cudnn / 10000) + "." + std::to_string((cudnn % 10000) / 100) +
         (ctx_->allow_tf32 ? ", TF32 allowed" : ", fp32 without TF32");
}

void* CudaBackend::allocate(size_t bytes) { return ctx_->allocator.allocate(bytes); }

void CudaBackend::free(void* ptr) { ctx_->allocator.free(ptr); }

void CudaBackend::upload(const void* host, void* device, size_t bytes) {
  if (!bytes) return;
  cuda::cuda_check(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, ctx_->stream), "upload");
  cuda::cuda_check(cudaStreamSynchronize(ctx_->stream), "upload");
}

void CudaBackend::download(const void* device, void* host, size_t bytes) {
  if (!bytes) return;
  cuda::cuda_check(cudaMemcpyAsync(host, device, bytes, cudaMemcpyDeviceToHost, ctx_->stream), "download");
  cuda::cuda_check(cudaStreamSynchronize(ctx_->stream), "download");
}

bool CudaBackend::supports(std::string_view op) const { return find_cpu_kernel(op) != nullptr; }

// The CPU kernel's contract: native kernels follow it, and the host fallback runs it.
OutputMode CudaBackend::output_mode(std::string_view op) const { return cpu_output_mode(op); }

void CudaBackend::run(const graph::OpDef& op, KernelCall& call) {
  const std::string name = op.schema.full_name();
  const CpuKernel* cpu = find_cpu_kernel(name);
  if (!cpu) throw Error(ErrorCode::unsupported, "no kernel for " + name + " (CPU or CUDA)");
  ctx_->op_workspace_bytes = 0;
  ctx_->op_note.clear();
  CudaOpCounts& counts = counts_[name];
  try {
    last_native_ = false;
    if (const cuda::CudaKernelFn* k = cuda::find_cuda_kernel(name)) {
      // A kernel that declines leaves the call as it found it.
      const std::vector<CpuTensor> outputs = call.outputs;
      last_native_ = (*k)(*ctx_, call);
      if (!last_native_) call.outputs = outputs;
    }
    if (last_native_) {
      cuda::cuda_check(cudaGetLastError(), name + " (kernel launch)");
      ++counts.native;
      if (!ctx_->op_note.empty()) algorithms_[name + " " + ctx_->op_note];
    } else {
      cuda::run_on_host(*ctx_, *cpu, call);
      ctx_->op_note = "host fallback (CPU kernel on host copies)";
      ++counts.host;
    }
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(name, 0) == 0) throw;
    throw Error(e, name + ": " + what);
  }
}

void CudaBackend::synchronize() { cuda::cuda_check(cudaStreamSynchronize(ctx_->stream), "synchronize"); }

std::unique_ptr<Timer> CudaBackend::make_timer() { return std::make_unique<CudaEventTimer>(ctx_->stream); }

CudaMemoryStats CudaBackend::memory() const {
  const cuda::AllocatorStats& a = ctx_->allocator.stats();
  CudaMemoryStats m;
  m.allocated = a.allocated;
  m.reserved = a.reserved;
  m.peak_allocated = a.peak_allocated;
  m.peak_reserved = a.peak_reserved;
  size_t free_b = 0, total_b = 0;
  if (cudaMemGetInfo(&free_b, &total_b) == cudaSuccess) {
    m.device_free = free_b;
    m.device_total = total_b;
  } else {
    cudaGetLastError();
  }
  return m;
}

static std::string mib(uint64_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f MiB", double(bytes) / double(1 << 20));
  return b;
}

std::vector<std::string> CudaBackend::report_notes() const {
  const CudaMemoryStats m = memory();
  std::vector<std::string> notes;
  notes.push_back("CUDA memory: caching allocator peak " + mib(m.peak_allocated) + " allocated, " +
                  mib(m.peak_reserved) + " reserved (now " + mib(m.allocated) + " / " + mib(m.reserved) +
                  "); cudaMemGetInfo free " + mib(device_free_at_start_) + " at start, " + mib(m.device_free) +
                  " now, of " + mib(m.device_total));
  std::string host;
  for (const auto& [op, c] : counts_)
    if (c.host) host += (host.empty() ? "" : ", ") + op + " x" + std::to_string(c.host);
  if (!host.empty())
    notes.push_back("ran the CPU kernel on host copies (no CUDA kernel for these calls; their times include "
                    "the transfers): " + host);
  for (const auto& [what, unused] : algorithms_) notes.push_back("algorithm: " + what);
  return notes;
}

void CudaBackend::reset_peaks() { ctx_->allocator.reset_peaks(); }
size_t CudaBackend::last_op_workspace_bytes() const { return ctx_->op_workspace_bytes; }
std::string CudaBackend::last_op_note() const { return ctx_->op_note; }
bool CudaBackend::tf32() const { return ctx_->allow_tf32; }

std::vector<std::string> cuda_native_kernel_names() { return cuda::native_kernel_names(); }

bool cuda_device_available(std::string* why) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    cudaGetLastError();
    if (why) *why = e != cudaSuccess ? std::string(cudaGetErrorString(e)) : std::string("no CUDA device");
    return false;
  }
  return true;
}

std::unique_ptr<Backend> make_cuda_backend(const BackendOptions& options) {
  return std::make_unique<CudaBackend>(options);
}

}  // namespace ptscope::kernels
