// server/http/headers.h
//
// HTTP header fields as an ordered list of (name, value) pairs: the order in
// which they were given is kept, names are stored as given and compared
// case-insensitively (RFC 9110 section 5.1).
//
// Thread safety: plain values; the usual rules for const/non-const access.
#ifndef COROUTER_SERVER_HTTP_HEADERS_H_
#define COROUTER_SERVER_HTTP_HEADERS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corouter::http {

/// One header field.
struct Header {
  std::string name;
  std::string value;

  friend bool operator==(const Header&, const Header&) = default;
};

/// Header fields in order.
using Headers = std::vector<Header>;

/// The value of the last field named `name` (case-insensitive), or nullopt.
/// Starlette's `request.headers[name]` also returns one value; we take the
/// last so that a repeated field behaves like a repeated query key.
std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_HEADERS_H_
