#include "client/aligned_table.h"

#include <algorithm>
#include <cstddef>

#include "client/text_cell.h"

namespace corouter::client {
namespace {

std::string JoinRow(const std::vector<std::string>& cells, const std::vector<std::size_t>& widths) {
  std::string line;
  for (std::size_t i = 0; i < widths.size(); ++i) {
    if (i > 0) line.append("  ");
    const std::string cell = i < cells.size() ? cells[i] : std::string();
    line.append(i + 1 < widths.size() ? PadRight(cell, widths[i]) : cell);
  }
  // The last cells may be empty: drop the padding before them.
  line.erase(line.find_last_not_of(' ') + 1);
  return line;
}

}  // namespace

std::vector<std::string> RenderAlignedTable(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return {};
  std::vector<std::size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < widths.size() && i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  std::vector<std::string> rule;
  for (std::size_t w : widths) rule.push_back(std::string(w, '-'));
  std::vector<std::string> lines;
  lines.push_back(JoinRow(rows[0], widths));
  lines.push_back(JoinRow(rule, widths));
  for (std::size_t r = 1; r < rows.size(); ++r) lines.push_back(JoinRow(rows[r], widths));
  return lines;
}

}  // namespace corouter::client
