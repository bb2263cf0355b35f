#include "server/http/sendable_headers.h"

#include <cstddef>
#include <string_view>

#include "absl/strings/str_format.h"
#include "server/http/request_target.h"
#include "server/http/utf8.h"

namespace corouter::http {
namespace {

// Python's repr of a character beyond Latin-1 in the codec's message:
// '\u20ac', or '\U0001f600' beyond the BMP.
std::string PythonEscape(char32_t c) {
  return c > 0xFFFF ? absl::StrFormat("\\U%08x", static_cast<uint32_t>(c))
                    : absl::StrFormat("\\u%04x", static_cast<uint32_t>(c));
}

absl::Status CheckValue(const Header& h) {
  const std::string_view value = h.value;
  if (std::optional<Utf8Error> error = FindUtf8Error(value); error.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("header %s: %s", h.name, Utf8ErrorMessage(value, *error)));
  }
  size_t pos = 0;
  for (size_t index = 0; pos < value.size(); ++index) {
    const char32_t c = NextCodePoint(value, &pos);
    if (c > 0xFF) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "header %s: 'latin-1' codec can't encode character '%s' in position %d: ordinal not "
          "in range(256)",
          h.name, PythonEscape(c), index));
    }
    if ((c < 0x20 && c != '\t') || c == 0x7F) {
      return absl::InvalidArgumentError(
          absl::StrFormat("header %s: control character U+%04X at position %d is not allowed in "
                          "a field value (RFC 9110 5.5)",
                          h.name, static_cast<uint32_t>(c), index));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSendable(const Headers& headers) {
  for (const Header& h : headers) {
    if (!IsHttpToken(h.name)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "header name \"%s\" is not a token (RFC 9110 5.1)", DecodeUtf8Replace(h.name)));
    }
    if (absl::Status status = CheckValue(h); !status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace corouter::http
