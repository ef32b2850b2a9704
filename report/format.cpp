#include "report/format.h"

#include <algorithm>

namespace ptscope {

TextTable::TextTable(std::vector<std::string> header, std::vector<bool> right_aligned)
    : header_(std::move(header)), right_(std::move(right_aligned)) {
  right_.resize(header_.size(), false);
}

void TextTable::add_row(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

std::string TextTable::render(size_t max_col_width) const {
  std::vector<size_t> width(header_.size());
  auto clip = [&](const std::string& s) {
    return s.size() <= max_col_width ? s : s.substr(0, max_col_width - 3) + "...";
  };
  for (size_t c = 0; c < header_.size(); ++c) width[c] = header_[c].size();
  for (const auto& r : rows_)
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], clip(r[c]).size());
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t c = 0; c < cells.size(); ++c) {
      std::string cell = clip(cells[c]);
      std::string pad(width[c] - cell.size(), ' ');
      l += right_[c] ? pad + cell : cell + pad;
      if (c + 1 < cells.size()) l += "  ";
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(header_);
  std::vector<std::string> rule;
  for (size_t w : width) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& r : rows_) line(r);
  return out;
}

}  // namespace ptscope
