// Small text helpers that several layers share.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace ptscope {

// The fields of `text` between `separator`s, empty ones kept:
// "a::b" → {"a", "", "b"}, "" → {""}.
std::vector<std::string> split_fields(std::string_view text, char separator);

}  // namespace ptscope
