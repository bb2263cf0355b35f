// server/http/headers.cc
#include "server/http/headers.h"

#include "absl/strings/match.h"

namespace corouter::http {

std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name) {
  // Field names are case-insensitive (RFC 9110 section 5.1); searching from
  // the back finds the last field of that name. (Debian's absl is built with
  // ABSL_OPTION_USE_STD_STRING_VIEW 0, so std::string_view is converted.)
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (absl::EqualsIgnoreCase(it->name, absl::string_view(name.data(), name.size()))) {
      return it->value;
    }
  }
  return std::nullopt;
}

}  // namespace corouter::http
