// server/http/request_headers.cc
#include "server/http/request_headers.h"

#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "server/http/request_target.h"

namespace corouter::http {
namespace {

// What is wrong with `value`, as CheckRequestFieldValue words it.
std::optional<std::string> ValueProblem(std::string_view value) {
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const char* name = c == '\0'   ? "NUL"
                       : c == '\r' ? "CR"
                       : c == '\n' ? "LF"
                       : c == '\v' ? "VT"
                       : c == '\f' ? "FF"
                                   : nullptr;
    if (name == nullptr) continue;
    const bool h11_only = c == '\v' || c == '\f';
    return absl::StrFormat(
        "value has %s (0x%02X) at byte %d; %s", name, static_cast<int>(c), i,
        h11_only ? "a field value's only whitespace is SP and HTAB (RFC 9110 5.5; uvicorn's h11 "
                   "refuses it too)"
                 : "a field value must not contain CR, LF or NUL (RFC 9110 5.5)");
  }
  return std::nullopt;
}

// A name as a message quotes it: C-escaped, and cut after 64 bytes so that a
// status message stays far below gRPC's metadata size limit.
std::string QuotedName(std::string_view name) {
  constexpr size_t kShown = 64;
  const bool cut = name.size() > kShown;
  return absl::StrFormat(
      "\"%s%s\"", absl::CHexEscape(absl::string_view(name.data(), cut ? kShown : name.size())),
      cut ? "..." : "");
}

}  // namespace

absl::Status CheckRequestFieldValue(std::string_view value) {
  if (std::optional<std::string> problem = ValueProblem(value)) {
    return absl::InvalidArgumentError(*problem);
  }
  return absl::OkStatus();
}

absl::Status CheckRequestHeaders(const Headers& headers) {
  if (headers.size() > kMaxRequestHeaderFields) {
    return absl::InvalidArgumentError(
        absl::StrFormat("headers has %d fields; at most %d are accepted "
                        "(http::kMaxRequestHeaderFields, Apache httpd's LimitRequestFields)",
                        headers.size(), kMaxRequestHeaderFields));
  }
  size_t bytes = 0;
  for (const Header& h : headers) bytes += h.name.size() + h.value.size() + 4;  // ": ", CRLF
  if (bytes > kMaxRequestHeaderBytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "headers take %d bytes as an HTTP/1.1 header block; at most %d are accepted "
        "(http::kMaxRequestHeaderBytes, h11's 16 KiB max_incomplete_event_size)",
        bytes, kMaxRequestHeaderBytes));
  }
  for (size_t i = 0; i < headers.size(); ++i) {
    if (!IsHttpToken(headers[i].name)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("headers[%d].name %s is not an HTTP field name token (RFC 9110 5.1)", i,
                          QuotedName(headers[i].name)));
    }
    if (std::optional<std::string> problem = ValueProblem(headers[i].value)) {
      return absl::InvalidArgumentError(absl::StrFormat("headers[%d].%s", i, *problem));
    }
  }
  return absl::OkStatus();
}

}  // namespace corouter::http
