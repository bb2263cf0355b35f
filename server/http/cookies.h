// server/http/cookies.h
//
// The request's cookies as Starlette reads them for FastAPI's `Cookie()`
// parameters (starlette/requests.py HTTPConnection.cookies and
// starlette/requests.py cookie_parser, Starlette 0.26):
//   - only the first `cookie` header field counts (Headers.get);
//   - its value, decoded as Latin-1, is split on ';'; a chunk with '=' is
//     `key=value` (split at the first '='), one without is a value with an
//     empty name; both are stripped of whitespace, and a chunk with neither
//     is skipped;
//   - a later chunk with the same name replaces an earlier one (a dict);
//   - the value is unquoted as Python's http.cookies._unquote does: only a
//     value wrapped in double quotes, whose `\ooo` octal escapes and `\c`
//     escapes are decoded.
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_HTTP_COOKIES_H_
#define COROUTER_SERVER_HTTP_COOKIES_H_

#include <optional>
#include <string>
#include <string_view>

#include "server/http/headers.h"

namespace corouter::http {

/// Python's http.cookies._unquote, on a UTF-8 string (an octal escape
/// yields the code point of its value, at most U+00FF).
std::string UnquoteCookieValue(std::string_view value);

/// `request.cookies.get(name)`: the value of the cookie `name` (UTF-8), or
/// nullopt when there is none.
std::optional<std::string> FindCookie(const Headers& headers, std::string_view name);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_COOKIES_H_
