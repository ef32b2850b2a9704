// The C entry points of libptscope_cuda.so (kernels/backend_plugin.h): the
// program opens this module only when a run asks for --device cuda.
#include <cstdio>
#include <exception>

#include "core/error.h"
#include "kernels/cuda/cuda_executor.h"

namespace {

void report(int* code, char* message, size_t size, int c, const char* what) {
  if (code) *code = c;
  if (message && size) std::snprintf(message, size, "%s", what);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const char* ptscope_backend_plugin_version_v1() {
  return PTSCOPE_VERSION;
}

extern "C" __attribute__((visibility("default"))) ptscope::kernels::Backend* ptscope_backend_create_v1(
    const ptscope::kernels::BackendOptions* options, int* code, char* message, size_t size) {
  try {
    return ptscope::kernels::make_cuda_backend(options ? *options : ptscope::kernels::BackendOptions{}).release();
  } catch (const ptscope::Error& e) {
    report(code, message, size, int(e.code()), e.what());
  } catch (const std::exception& e) {
    report(code, message, size, int(ptscope::ErrorCode::unsupported), e.what());
  }
  return nullptr;
}
