// Backends whose vendor libraries are heavy to load live in plugins, opened
// only when a run asks for that device. Linking cuBLAS, cuDNN and cudart into
// the program itself costs every process ~80 ms and ~200 MB of touched pages
// at start (their relocations), `ptscope info` and `ptscope audit` included.
//
// A plugin is a shared module exporting two C symbols:
//   const char* ptscope_backend_plugin_version_v1(void);   // PTSCOPE_VERSION it was built from
//   ptscope::kernels::Backend* ptscope_backend_create_v1(
//       const ptscope::kernels::BackendOptions* options,
//       int* error_code, char* message, size_t message_size);  // nullptr + message on failure
// The Backend crosses the boundary as a C++ object, so the versions must match
// exactly. The CUDA plugin (libptscope_cuda.so) carries its own copy of the
// library code it uses, so it loads into the CLI, into programs linking
// libptscope.a, and beside libptscope.so alike.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/executor.h"

namespace ptscope::kernels {

using BackendFactory = std::function<std::unique_ptr<Backend>(const BackendOptions&)>;

// A factory linked into this process (the test binary links the CUDA backend
// directly); make_backend prefers it to loading a plugin.
void register_backend_factory(const std::string& device, BackendFactory factory);
const BackendFactory* registered_backend_factory(std::string_view device);

// Where a device's plugin is looked for, in order: beside the running
// executable, in <executable>/../<libdir>/ptscope/ (an installed program),
// beside (and in ptscope/ under) the directory of the library holding this
// code, the configured install directory, and finally the bare file name (the
// loader's search path). $PTSCOPE_<DEVICE>_PLUGIN, when set, is the only candidate.
std::vector<std::string> backend_plugin_candidates(std::string_view device);

// Opens the plugin at `path` (once per path; never closed: its backends and
// the vendor libraries must stay loaded) and creates a backend. Throws
// Error(unsupported) when it cannot be opened or does not match this build,
// and the plugin's own error when the backend cannot start (no device).
std::unique_ptr<Backend> load_backend_plugin(const std::string& path, const BackendOptions& options);

// The first candidate that exists, loaded; Error(unsupported) listing where it
// looked when none does.
std::unique_ptr<Backend> make_plugin_backend(std::string_view device, const BackendOptions& options);

}  // namespace ptscope::kernels
