// JSON from a file, parsed only after its size is checked and with a nesting
// cap enforced while parsing, so that a hostile member can cost neither
// unbounded memory nor unbounded recursion.
#pragma once
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bytes.h"

namespace ptscope {

struct JsonLimits {
  size_t max_bytes = size_t(256) << 20;
  int max_depth = 64;
};

// Parses `bytes` as JSON. Throws Error(limit_exceeded) over the limits and
// Error(corrupt) on malformed or truncated text, naming `what` and the byte
// position.
nlohmann::json parse_json_limited(ByteSpan bytes, const std::string& what, const JsonLimits& limits = {});

}  // namespace ptscope
