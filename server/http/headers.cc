// server/http/headers.cc
#include "server/http/headers.h"

#include "absl/strings/match.h"

namespace corouter::http {

std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name) {
  // Field names are case-insensitive (RFC 9110 section 5.1). (Debian's absl
  // is built with ABSL_OPTION_USE_STD_STRING_VIEW 0, so std::string_view is
  // converted.)
  for (const Header& header : headers) {
    if (absl::EqualsIgnoreCase(header.name, absl::string_view(name.data(), name.size()))) {
      return header.value;
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> FindAllHeaders(const Headers& headers, std::string_view name) {
  std::vector<std::string_view> values;
  for (const Header& header : headers) {
    if (absl::EqualsIgnoreCase(header.name, absl::string_view(name.data(), name.size()))) {
      values.push_back(header.value);
    }
  }
  return values;
}

}  // namespace corouter::http
