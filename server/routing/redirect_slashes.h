// server/routing/redirect_slashes.h
//
// The response of Starlette's redirect_slashes (starlette/routing.py
// Router.__call__, then RedirectResponse in starlette/responses.py): when no
// route matches a path but one matches it with its trailing slashes removed
// (or with one added), the answer is
//   307, no body, `content-length: 0`, no content-type, and
//   `location: quote(str(URL(scope=redirect_scope)),
//                    safe=":/%#?=@[]!$&'()*+,;")`
// where the URL (starlette/datastructures.py URL.__init__) is
//   "http://" + netloc + path + ("?" + raw query, when there is one)
// and netloc is the first `host` header when it fully matches Debian's
// _HOST_RE `^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::[0-9]+)?$`
// (case-insensitive), else the server's own address. Everything outside the
// safe set and [A-Za-z0-9_.~-] is percent-encoded as UTF-8 ("/a b" ->
// "/a%20b"); '%' is safe, so the query and any '%' of the decoded path stay
// as they are.
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_ROUTING_REDIRECT_SLASHES_H_
#define COROUTER_SERVER_ROUTING_REDIRECT_SLASHES_H_

#include <string>
#include <string_view>

#include "server/http/headers.h"
#include "server/http/response.h"

namespace corouter::routing {

/// Whether a Host header value (its bytes) fully matches Starlette's
/// (Debian-patched) _HOST_RE: a name of letters, digits, '.' and '-', or a
/// bracketed IPv6 literal, then an optional ":port".
bool IsValidHostHeader(std::string_view host);

/// Python's `urllib.parse.quote(text, safe=":/%#?=@[]!$&'()*+,;")` on UTF-8
/// text: unreserved and safe characters are kept, every other byte becomes
/// %XX (uppercase hex).
std::string QuoteLocation(std::string_view text);

/// The 307 response for a redirect to `redirect_path` (percent-decoded).
/// `raw_query` is the query string as sent (empty: none). `server_authority`
/// is the server's address as Starlette writes scope["server"]: "host:port",
/// or just "host" when the port is 80; it is used when `headers` hold no
/// valid `host` field.
http::Response RedirectSlashesResponse(std::string_view redirect_path, std::string_view raw_query,
                                       const http::Headers& headers,
                                       std::string_view server_authority);

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_REDIRECT_SLASHES_H_
