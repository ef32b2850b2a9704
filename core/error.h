// Errors raised by the library. Every failure the user can cause (bad file, bad
// argument) is an ptscope::Error with a category; anything else is a bug.
#pragma once
#include <cstdint>
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

// The conditions that code catching an error branches on, apart from the
// category above (which decides the exit status and stays what it was):
// callers test `condition()` instead of searching the message text.
enum class ErrorCondition : uint8_t {
  none,
  data_dependent,       // control flow or a shape depends on tensor values: run with real data
  unknown_op,           // the op registry has no op of that name
  unsupported_builtin,  // a TorchScript `builtins::` function the interpreter does not implement
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message, ErrorCondition condition = ErrorCondition::none)
      : std::runtime_error(message), code_(code), condition_(condition) {}
  // The same failure told with more context: code and condition carried over.
  Error(const Error& cause, const std::string& message)
      : std::runtime_error(message), code_(cause.code_), condition_(cause.condition_) {}
  ErrorCode code() const { return code_; }
  ErrorCondition condition() const { return condition_; }

 private:
  ErrorCode code_;
  ErrorCondition condition_;
};

}  // namespace ptscope
