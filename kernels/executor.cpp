#include "kernels/executor.h"

#include "core/error.h"
#include "kernels/backend_plugin.h"

namespace ptscope::kernels {

bool backend_built(std::string_view device) {
  if (device == "cpu") return true;
  if (device == "cuda") {
#ifdef PTSCOPE_WITH_CUDA
    return true;  // as the plugin libptscope_cuda.so
#else
    return registered_backend_factory("cuda") != nullptr;
#endif
  }
  return false;
}

std::unique_ptr<Backend> make_backend(std::string_view device, const BackendOptions& options) {
  if (device == "cpu") return make_cpu_backend(options);
  if (device == "cuda" || device.rfind("cuda:", 0) == 0) {
    BackendOptions o = options;
    if (device.size() > 5) {
      try {
        o.device_index = std::stoi(std::string(device.substr(5)));
      } catch (const std::exception&) {
        throw Error(ErrorCode::usage, "bad device '" + std::string(device) + "' (expected cuda or cuda:N)");
      }
    }
    if (const BackendFactory* f = registered_backend_factory("cuda")) return (*f)(o);
#ifdef PTSCOPE_WITH_CUDA
    return make_plugin_backend("cuda", o);
#else
    throw Error(ErrorCode::unsupported,
                "the CUDA executor is not built into this ptscope (configure with the CUDA toolkit and "
                "-DPTSCOPE_CUDA=ON); use --device cpu");
#endif
  }
  throw Error(ErrorCode::usage, "unknown device '" + std::string(device) + "' (expected cpu or cuda)");
}

}  // namespace ptscope::kernels
