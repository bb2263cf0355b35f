// server/routing/redirect_slashes.cc
#include "server/routing/redirect_slashes.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace corouter::routing {
namespace {

bool IsHex(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }
bool IsDigit(char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }

// `(?::[0-9]+)?$`: nothing, or ':' and at least one digit.
bool IsPortSuffix(std::string_view s) {
  if (s.empty()) return true;
  return s.size() >= 2 && s.front() == ':' && std::all_of(s.begin() + 1, s.end(), IsDigit);
}

}  // namespace

bool IsValidHostHeader(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    // \[[a-f0-9]*:[a-f0-9.:]+\] : hex digits, the first ':', then at least
    // one of hex digits, '.' and ':'.
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view inside = host.substr(1, close - 1);
    const size_t colon = std::find_if_not(inside.begin(), inside.end(), IsHex) - inside.begin();
    if (colon == inside.size() || inside[colon] != ':' || colon + 1 == inside.size()) return false;
    for (const char c : inside.substr(colon + 1)) {
      if (!IsHex(c) && c != '.' && c != ':') return false;
    }
    return IsPortSuffix(host.substr(close + 1));
  }
  // [a-z0-9.-]+ cannot hold ':', so the name ends at the first ':'.
  const size_t colon = std::min(host.find(':'), host.size());
  if (colon == 0) return false;
  for (const char c : host.substr(0, colon)) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return false;
  }
  return IsPortSuffix(host.substr(colon));
}

std::string QuoteLocation(std::string_view text) {
  // Lib/urllib/parse.py: _ALWAYS_SAFE plus the `safe` argument.
  constexpr std::string_view kSafe = "_.-~:/%#?=@[]!$&'()*+,;";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
        kSafe.find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      out += absl::StrFormat("%%%02X", static_cast<unsigned char>(c));
    }
  }
  return out;
}

http::Response RedirectSlashesResponse(std::string_view redirect_path, std::string_view raw_query,
                                       const http::Headers& headers,
                                       std::string_view server_authority) {
  // URL(scope=redirect_scope): the first `host` field if _HOST_RE accepts
  // it, else scope["server"]; then SplitResult(...).geturl().
  const std::optional<std::string_view> host = http::FindHeader(headers, "host");
  const std::string_view netloc =
      host.has_value() && IsValidHostHeader(*host) ? *host : server_authority;
  std::string url = "http://";
  url.append(netloc);
  url.append(redirect_path);
  if (!raw_query.empty()) {
    url.push_back('?');
    url.append(raw_query);
  }
  http::Response response = http::EmptyResponse(307);
  response.headers.push_back({"location", QuoteLocation(url)});
  return response;
}

}  // namespace corouter::routing
