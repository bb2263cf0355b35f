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

/// The value of the first field named `name` (case-insensitive), or nullopt,
/// as Starlette's `Headers.get(name)` (starlette/datastructures.py) returns
/// it for FastAPI's header parameters and the content-type check.
std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name);

/// Every value of the fields named `name` (case-insensitive), in order
/// (Starlette's `Headers.getlist`).
std::vector<std::string_view> FindAllHeaders(const Headers& headers, std::string_view name);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_HEADERS_H_
