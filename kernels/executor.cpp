#include "kernels/executor.h"

#include "core/error.h"

namespace ptscope::kernels {

bool backend_built(std::string_view device) {
  if (device == "cpu") return true;
#ifdef PTSCOPE_WITH_CUDA
  if (device == "cuda") return true;
#endif
  return false;
}

std::unique_ptr<Backend> make_backend(std::string_view device, const BackendOptions& options) {
  if (device == "cpu") return make_cpu_backend(options);
  if (device == "cuda" || device.rfind("cuda:", 0) == 0) {
#ifdef PTSCOPE_WITH_CUDA
    BackendOptions o = options;
    if (device.size() > 5) o.device_index = std::stoi(std::string(device.substr(5)));
    return make_cuda_backend(o);
#else
    throw Error(ErrorCode::unsupported,
                "the CUDA executor is not built into this ptscope (configure with the CUDA toolkit and "
                "-DPTSCOPE_CUDA=ON); use --device cpu");
#endif
  }
  throw Error(ErrorCode::usage, "unknown device '" + std::string(device) + "' (expected cpu or cuda)");
}

}  // namespace ptscope::kernels
