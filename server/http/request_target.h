// server/http/request_target.h
//
// Splitting an origin-form request target (RFC 9112 section 3.2.1) into the
// path the router matches and the raw query string, as uvicorn does before
// Starlette routes (uvicorn/protocols/http/h11_impl.py): the target is split
// at the first '?', the path is percent-decoded (`urllib.parse.unquote`), and
// the query string is kept raw for the query parser.
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_HTTP_REQUEST_TARGET_H_
#define COROUTER_SERVER_HTTP_REQUEST_TARGET_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace corouter::http {

/// The longest request target accepted, in bytes: 16 KiB, the limit uvicorn
/// runs h11 with for a whole request head (h11 0.14
/// DEFAULT_MAX_INCOMPLETE_EVENT_SIZE; request_headers.h says more), so no
/// target that uvicorn would take whole is refused. Checked by
/// app::Engine::Validate, not by ParseRequestTarget.
inline constexpr std::size_t kMaxRequestTargetBytes = 16 * 1024;

/// A parsed request target.
struct RequestTarget {
  /// The path as sent, still percent-encoded: "/users/a%20b".
  std::string raw_path;
  /// The percent-decoded path the router matches: "/users/a b".
  std::string path;
  /// Everything after the first '?', raw (not decoded); empty when absent.
  std::string query;
};

/// Parses an origin-form request target.
///
/// Errors: INVALID_ARGUMENT, with a message naming the field `target`, when
/// the target is empty, does not start with '/', or holds a byte that cannot
/// appear on an HTTP request line (control characters, space, DEL, or any
/// non-ASCII byte: h11 answers such requests with 400).
absl::StatusOr<RequestTarget> ParseRequestTarget(std::string_view target);

/// Python's `urllib.parse.unquote(s)` (errors="replace"): each valid `%XX`
/// becomes its byte; an invalid escape (`%ZZ`, a lone `%`) is kept literally;
/// the resulting bytes are decoded as UTF-8 with each invalid sequence replaced
/// by U+FFFD, as Python's "replace" error handler does (see utf8.h). '+' stays
/// '+'. The result is always valid UTF-8.
///
/// Python unquotes a *str*; `s` is bytes. The two agree whenever `s` is valid
/// UTF-8 (in particular for every ASCII target ParseRequestTarget accepts);
/// invalid UTF-8 bytes in `s` itself are replaced like decoded ones.
std::string PercentDecode(std::string_view s);

/// Python's `urllib.parse.unquote_to_bytes(s)`: each `%XX` (either case of hex
/// digit) becomes its byte, anything else, including `%ZZ` and a lone `%`, is
/// copied. No UTF-8 decoding.
std::string PercentDecodeToBytes(std::string_view s);

/// True when `method` is a non-empty RFC 9110 `token` (section 5.6.2).
/// Methods are case-sensitive; "get" is a valid token (it simply matches no
/// route registered as "GET").
bool IsHttpToken(std::string_view method);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_REQUEST_TARGET_H_
