// Errors raised by the library. Every failure the user can cause (bad file, bad
// argument) is an ptscope::Error with a category; anything else is a bug.
#pragma once
#include <stdexcept>
#include <string>

namespace ptscope {

enum class ErrorCode {
  io,              // the file could not be opened or mapped
  not_pytorch,     // the bytes are not any PyTorch format we know
  truncated,       // a structure runs past the end of its container
  corrupt,         // a structure is internally inconsistent
  unsupported,     // a recognised format or feature we do not read
  limit_exceeded,  // a hard resource limit (depth, size, count) was hit
  usage,           // the caller passed something invalid
};

const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace ptscope
