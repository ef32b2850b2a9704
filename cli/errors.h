// How commands report failures: one line on stderr, exit status 2.
#pragma once
#include <exception>
#include <iostream>
#include <string>

#include "core/error.h"

namespace ptscope::cli {

constexpr int kExitError = 2;
constexpr int kExitUsage = 64;

template <class Fn> int run_guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const ptscope::Error& e) {
    std::cerr << "ptscope: error: " << e.what() << "\n";
    return e.code() == ErrorCode::usage ? kExitUsage : kExitError;
  } catch (const std::bad_alloc&) {
    std::cerr << "ptscope: error: out of memory\n";
    return kExitError;
  } catch (const std::exception& e) {
    std::cerr << "ptscope: internal error: " << e.what() << "\n";
    return kExitError;
  }
}

}  // namespace ptscope::cli
