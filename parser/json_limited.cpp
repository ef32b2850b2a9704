#include "parser/json_limited.h"

#include "core/error.h"

namespace ptscope {

nlohmann::json parse_json_limited(ByteSpan bytes, const std::string& what, const JsonLimits& limits) {
  if (bytes.size() > limits.max_bytes)
    throw Error(ErrorCode::limit_exceeded, what + " is " + std::to_string(bytes.size()) + " bytes of JSON, over the " +
                                               std::to_string(limits.max_bytes) + "-byte limit");
  // The callback sees each value's depth as the parser reaches it; refusing
  // there stops a deeply nested document before it is built.
  nlohmann::json::parser_callback_t cb = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > limits.max_depth) {
      throw Error(ErrorCode::limit_exceeded, what + " nests deeper than " + std::to_string(limits.max_depth) + " levels");
    }
    return true;
  };
  try {
    return nlohmann::json::parse(bytes.data(), bytes.data() + bytes.size(), cb, true, false);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorCode::corrupt, what + " is not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::corrupt, what + ": " + e.what());
  }
}

}  // namespace ptscope
