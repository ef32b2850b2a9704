#include "kernels/backend_plugin.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include "core/error.h"

// Set by cmake/cuda.cmake: the install location, absolute and relative to the prefix.
#ifndef PTSCOPE_PLUGIN_INSTALL_DIR
#define PTSCOPE_PLUGIN_INSTALL_DIR ""
#endif
#ifndef PTSCOPE_PLUGIN_RELATIVE_DIR
#define PTSCOPE_PLUGIN_RELATIVE_DIR "lib/ptscope"
#endif

namespace ptscope::kernels {

namespace {

using VersionFn = const char* (*)();
using CreateFn = Backend* (*)(const BackendOptions*, int*, char*, size_t);

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

std::map<std::string, BackendFactory, std::less<>>& factories() {
  static std::map<std::string, BackendFactory, std::less<>> f;
  return f;
}

std::string plugin_file(std::string_view device) { return "libptscope_" + std::string(device) + ".so"; }

std::string directory_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string() : parent.string();
}

}  // namespace

void register_backend_factory(const std::string& device, BackendFactory factory) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  factories()[device] = std::move(factory);
}

const BackendFactory* registered_backend_factory(std::string_view device) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = factories().find(device);
  return it == factories().end() ? nullptr : &it->second;
}

std::vector<std::string> backend_plugin_candidates(std::string_view device) {
  const std::string file = plugin_file(device);
  std::vector<std::string> out;
  auto add = [&](const std::string& p) {
    if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  };
  std::string env = "PTSCOPE_" + std::string(device) + "_PLUGIN";
  std::transform(env.begin(), env.end(), env.begin(), [](unsigned char c) { return char(std::toupper(c)); });
  if (const char* p = std::getenv(env.c_str()); p && *p) return {p};  // explicit: that file or nothing
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    add((exe.parent_path() / file).string());
    // An installed program: <prefix>/bin/ptscope finds <prefix>/<libdir>/ptscope/ wherever the prefix moved.
    add((exe.parent_path().parent_path() / PTSCOPE_PLUGIN_RELATIVE_DIR / file).string());
  }
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&backend_plugin_candidates), &info) && info.dli_fname) {
    const std::string dir = directory_of(std::filesystem::absolute(info.dli_fname, ec).string());
    if (!dir.empty()) {
      add(dir + "/" + file);
      add(dir + "/ptscope/" + file);
    }
  }
  if (*PTSCOPE_PLUGIN_INSTALL_DIR) add(std::string(PTSCOPE_PLUGIN_INSTALL_DIR) + "/" + file);
  add(file);
  return out;
}

std::unique_ptr<Backend> load_backend_plugin(const std::string& path, const BackendOptions& options) {
  // RTLD_LOCAL: the plugin's copy of the library stays private to it.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw Error(ErrorCode::unsupported, "cannot load the backend plugin " + path + ": " + (why ? why : "unknown error"));
  }
  auto version = reinterpret_cast<VersionFn>(dlsym(handle, "ptscope_backend_plugin_version_v1"));
  auto create = reinterpret_cast<CreateFn>(dlsym(handle, "ptscope_backend_create_v1"));
  if (!version || !create)
    throw Error(ErrorCode::unsupported, path + " is not a ptscope backend plugin (entry points missing)");
  if (std::string(version()) != PTSCOPE_VERSION)
    throw Error(ErrorCode::unsupported, path + " was built for ptscope " + version() + ", this is ptscope " +
                                            PTSCOPE_VERSION + "; install matching versions");
  int code = 0;
  char message[1024] = {0};
  Backend* b = create(&options, &code, message, sizeof message);
  if (!b) {
    const auto ec = code >= int(ErrorCode::io) && code <= int(ErrorCode::usage) ? ErrorCode(code) : ErrorCode::unsupported;
    throw Error(ec, message[0] ? message : "the backend plugin " + path + " could not create a backend");
  }
  return std::unique_ptr<Backend>(b);
}

std::unique_ptr<Backend> make_plugin_backend(std::string_view device, const BackendOptions& options) {
  std::string looked;
  for (const std::string& path : backend_plugin_candidates(device)) {
    const bool bare = path.find('/') == std::string::npos;
    if (!bare && !std::filesystem::exists(path)) {
      looked += (looked.empty() ? "" : ", ") + path;
      continue;
    }
    // A bare name exists only through the loader's search path: try it (an
    // already loaded plugin just returns its handle), noting it when absent.
    if (bare && !dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL)) {
      looked += (looked.empty() ? "" : ", ") + path + " (loader path)";
      continue;
    }
    return load_backend_plugin(path, options);
  }
  throw Error(ErrorCode::unsupported, "the " + std::string(device) + " executor plugin (" + plugin_file(device) +
                                          ") was not found; looked at " + looked);
}

}  // namespace ptscope::kernels
