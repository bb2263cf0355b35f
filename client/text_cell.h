// Text cells: the one-line, fixed-width pieces of text the client's tables are
// made of (the execution trace table and the route table).
//
// Cell text can come from the server (response bodies, route names, details),
// so it may hold newlines, tabs or bytes that are not UTF-8. These helpers make
// it safe to print on one terminal line and fit it to a column width counted
// in columns, not bytes. Width is approximated as one column per Unicode code
// point (no East Asian wide or combining character handling).
//
// All functions are pure and thread-safe.
#ifndef COROUTER_CLIENT_TEXT_CELL_H_
#define COROUTER_CLIENT_TEXT_CELL_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace corouter::client {

// The ellipsis that ends a truncated cell: U+2026 "…" (one column).
inline constexpr absl::string_view kEllipsis = "\xE2\x80\xA6";

// Returns `text` as valid UTF-8 on one line: each invalid or truncated UTF-8
// sequence becomes U+FFFD, and each control character (including newline, tab
// and DEL) becomes one space.
std::string SanitizeCell(absl::string_view text);

// The display width of valid UTF-8 `text`: its number of code points.
std::size_t DisplayWidth(absl::string_view text);

// Returns valid UTF-8 `text` cut to at most `width` columns. When it is cut,
// the last column is kEllipsis. Never splits a code point. A width of 0 gives
// "".
std::string Truncate(absl::string_view text, std::size_t width);

// Returns `text` followed by spaces up to `width` columns; text already that
// wide or wider is returned unchanged (never truncates).
std::string PadRight(absl::string_view text, std::size_t width);

// SanitizeCell, then Truncate to `width`, then PadRight to `width`: a cell
// exactly `width` columns wide.
std::string FitCell(absl::string_view text, std::size_t width);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_TEXT_CELL_H_
