// Small formatting helpers shared by text reports.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ptscope {

std::string format_bytes(uint64_t bytes);             // "1.5 MiB"
std::string format_count(double n);                   // "11.7 M"
std::string format_shape(const std::vector<int64_t>& shape);  // "[64, 3, 7, 7]"

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
