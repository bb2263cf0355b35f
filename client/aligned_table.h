// client/aligned_table.h
//
// An aligned text table: a header row, a rule of dashes under each column,
// then the rows; each column as wide as its widest cell, two spaces between
// columns, no trailing spaces. Used by `corouter routes` and `corouter stats`,
// whose rows are all known before printing (the live trace table is not:
// see trace_table.h).
//
// Pure and thread-safe. Cells should already be one line (SanitizeCell).
#ifndef COROUTER_CLIENT_ALIGNED_TABLE_H_
#define COROUTER_CLIENT_ALIGNED_TABLE_H_

#include <string>
#include <vector>

namespace corouter::client {

/// `rows[0]` is the header; every row has the header's number of cells
/// (missing cells are empty). Returns the lines, without newlines.
std::vector<std::string> RenderAlignedTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_ALIGNED_TABLE_H_
