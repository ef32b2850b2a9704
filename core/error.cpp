#include "core/error.h"

namespace ptscope {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::io: return "io";
    case ErrorCode::not_pytorch: return "not_pytorch";
    case ErrorCode::truncated: return "truncated";
    case ErrorCode::corrupt: return "corrupt";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::limit_exceeded: return "limit_exceeded";
    case ErrorCode::usage: return "usage";
  }
  return "unknown";
}

}  // namespace ptscope
