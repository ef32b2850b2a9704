// The CPU backend of the executor interface: host memory, the kernels of
// kernels/cpu (find_cpu_kernel), the thread pool of kernels/cpu/parallel.h and
// a steady-clock timer. Parameters are read in place from the file's mapping.
#pragma once
#include <memory>

#include "kernels/executor.h"

namespace ptscope::kernels {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(const BackendOptions& options = {});
  std::string name() const override { return "cpu"; }
  std::string description() const override;
  void set_threads(int n) override;

  void* allocate(size_t bytes) override;
  void free(void* ptr) override;
  void upload(const void* host, void* device, size_t bytes) override;
  void download(const void* device, void* host, size_t bytes) override;
  bool reads_host_memory() const override { return true; }

  bool supports(std::string_view op) const override;
  OutputMode output_mode(std::string_view op) const override;
  void run(const graph::OpDef& op, KernelCall& call) override;
  void synchronize() override {}
  uint64_t last_workspace_bytes() const override { return last_workspace_; }
  std::unique_ptr<Timer> make_timer() override;

 private:
  uint64_t last_workspace_ = 0;
};

}  // namespace ptscope::kernels
