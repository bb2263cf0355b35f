// server/http/request_target.cc
#include "server/http/request_target.h"

#include <algorithm>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "server/http/utf8.h"

namespace corouter::http {
namespace {

// h11 (h11/_abnf.py) accepts a request target of visible ASCII only,
// `request_target = r"{vchar}+"` with vchar = [\x21-\x7e]; anything else
// (controls, space, DEL, bytes >= 0x80) gets "400 Invalid HTTP request
// received.".
bool IsVisibleAscii(char c) { return c >= 0x21 && c <= 0x7E; }

bool IsHexDigit(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

}  // namespace

absl::StatusOr<RequestTarget> ParseRequestTarget(std::string_view target) {
  if (target.empty()) return absl::InvalidArgumentError("target: must not be empty");
  for (size_t i = 0; i < target.size(); ++i) {
    if (!IsVisibleAscii(target[i])) {
      return absl::InvalidArgumentError(
          absl::StrFormat("target: byte 0x%02X at offset %d cannot appear in an HTTP request line",
                          static_cast<uint8_t>(target[i]), i));
    }
  }
  // Only origin-form is routed: uvicorn with h11 treats an absolute-form
  // target ("http://host/x") as a path, which matches no route; corouter
  // rejects it, and "*" (asterisk-form), outright.
  if (target.front() != '/') {
    return absl::InvalidArgumentError("target: must start with '/' (origin-form)");
  }

  // uvicorn/protocols/http/h11_impl.py:
  //   raw_path, _, query_string = event.target.partition(b"?")
  //   "path": unquote(raw_path.decode("ascii"))
  RequestTarget result;
  const size_t question = target.find('?');
  result.raw_path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) result.query = std::string(target.substr(question + 1));
  result.path = PercentDecode(result.raw_path);
  return result;
}

std::string PercentDecodeToBytes(std::string_view s) {
  // urllib.parse.unquote_to_bytes splits at every '%' and decodes an item
  // whose first two characters are in _hexdig ("0123456789ABCDEFabcdef");
  // otherwise it keeps '%' and the item. A failed escape therefore consumes
  // only its '%': "%%41" -> "%A".
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && IsHexDigit(s[i + 1]) && IsHexDigit(s[i + 2])) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string PercentDecode(std::string_view s) {
  // urllib.parse.unquote: `unquote_to_bytes(...).decode("utf-8", "replace")`.
  return DecodeUtf8Replace(PercentDecodeToBytes(s));
}

bool IsHttpToken(std::string_view method) {
  // RFC 9110 section 5.6.2: token = 1*tchar; tchar = "!" / "#" / "$" / "%" /
  // "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT /
  // ALPHA.
  constexpr std::string_view kTokenSymbols = "!#$%&'*+-.^_`|~";
  return !method.empty() && std::all_of(method.begin(), method.end(), [&](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
           kTokenSymbols.find(c) != std::string_view::npos;
  });
}

}  // namespace corouter::http
