// The public header compiled against the public headers alone (the view
// layer_views/public holds nothing else, tests/layering/layering.cmake): it
// must be self-contained and must not bring in nlohmann/json, which the
// public API does not expose.
#include <ptscope/ptscope.h>

#ifdef NLOHMANN_JSON_VERSION_MAJOR
#error "<ptscope/ptscope.h> includes nlohmann/json"
#endif

int ptscope_public_header_probe() {
  ptscope::graph::GraphOptions options;
  return ptscope::has_cuda() ? 1 : static_cast<int>(options.inputs.size());
}
