#include "core/strings.h"

namespace ptscope {

std::vector<std::string> split_fields(std::string_view text, char separator) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t k = 0; k <= text.size(); ++k)
    if (k == text.size() || text[k] == separator) {
      fields.emplace_back(text.substr(start, k - start));
      start = k + 1;
    }
  return fields;
}

}  // namespace ptscope
