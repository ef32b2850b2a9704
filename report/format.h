// The aligned plain-text table of the text reports; the number formatting
// they use lives in core/format.h.
#pragma once
#include <string>
#include <vector>

#include "core/format.h"

namespace ptscope {

// A plain-text table with aligned columns; numeric columns right-aligned.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header, std::vector<bool> right_aligned = {});
  void add_row(std::vector<std::string> row);
  std::string render(size_t max_col_width = 60) const;
  size_t rows() const { return rows_.size(); }

 private:
  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace ptscope
