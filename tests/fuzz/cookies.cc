// tests/fuzz/cookies.cc
//
// FindCookie and UnquoteCookieValue (server/http/cookies.h) against a model
// of Starlette 0.26's cookie_parser and CPython 3.11's http.cookies._unquote
// written on code points (the header value decoded as Latin-1):
//   for chunk in cookie_string.split(";"):
//       key, val = chunk.split("=", 1) if "=" in chunk else ("", chunk)
//       key, val = key.strip(), val.strip()
//       if key or val: cookie_dict[key] = _unquote(val)
//   _unquote: only a value of 2+ characters wrapped in '"'; inside,
//   re.sub(r'\\(?:([0-3][0-7][0-7])|(.))', chr(int(octal, 8)) or the char)
//   ('.' matches anything but '\n'). str.strip() strips str.isspace():
//   U+0009..U+000D, U+001C..U+001F, U+0020, U+0085, U+00A0.
// The input is the value of the first `cookie` field; a second one must be
// ignored (Headers.get). The first and last eight keys the model finds (all
// of them when there are at most 16), and a few others, are looked up.
#include "server/http/cookies.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "server/http/utf8.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace http = corouter::http;
using corouter::fuzz::Quote;

bool IsSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x20 || c == 0x85 ||
         c == 0xA0;
}

std::u32string Strip(std::u32string s) {
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::u32string Unquote(const std::u32string& v) {
  if (v.size() < 2 || v.front() != U'"' || v.back() != U'"') return v;
  const std::u32string s = v.substr(1, v.size() - 2);
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == U'\\' && i + 3 < s.size() && s[i + 1] >= U'0' && s[i + 1] <= U'3' &&
        s[i + 2] >= U'0' && s[i + 2] <= U'7' && s[i + 3] >= U'0' && s[i + 3] <= U'7') {
      out.push_back((s[i + 1] - U'0') * 64 + (s[i + 2] - U'0') * 8 + (s[i + 3] - U'0'));
      i += 4;
    } else if (s[i] == U'\\' && i + 1 < s.size() && s[i + 1] != U'\n') {
      out.push_back(s[i + 1]);
      i += 2;
    } else {
      out.push_back(s[i]);
      ++i;
    }
  }
  return out;
}

std::string Utf8(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) http::AppendUtf8(c, &out);
  return out;
}

std::map<std::string, std::string> ModelCookies(std::string_view header) {
  std::u32string text;
  for (char c : header) text.push_back(static_cast<unsigned char>(c));  // Latin-1
  std::map<std::string, std::string> cookies;
  size_t start = 0;
  while (true) {
    const size_t semi = text.find(U';', start);
    const std::u32string chunk =
        text.substr(start, semi == std::u32string::npos ? std::u32string::npos : semi - start);
    std::u32string key, val;
    if (const size_t eq = chunk.find(U'='); eq != std::u32string::npos) {
      key = chunk.substr(0, eq);
      val = chunk.substr(eq + 1);
    } else {
      val = chunk;
    }
    key = Strip(key);
    val = Strip(val);
    if (!key.empty() || !val.empty()) cookies[Utf8(key)] = Utf8(Unquote(val));
    if (semi == std::u32string::npos) break;
    start = semi + 1;
  }
  return cookies;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view header = corouter::fuzz::AsView(data, size);
  const http::Headers headers = {
      {"x-other", "a=decoy"}, {"Cookie", std::string(header)}, {"cookie", "a=second; b=second"}};
  const std::map<std::string, std::string> model = ModelCookies(header);
  // Each FindCookie parses the whole header, so looking up every one of a
  // 4 KB header's hundreds of cookies made runs quadratic (1,000/s instead of
  // 19,000/s once the corpus held long inputs): look up the first and last
  // eight names, in the map's order.
  size_t index = 0;
  for (const auto& [name, value] : model) {
    if (const size_t i = index++; i >= 8 && i + 8 < model.size()) continue;
    const std::optional<std::string> found = http::FindCookie(headers, name);
    FUZZ_CHECK(found.has_value() && *found == value)
        << "cookie " << Quote(header) << ", name " << Quote(name) << ": "
        << (found ? Quote(*found) : "none") << ", cookie_parser gives " << Quote(value);
  }
  for (const char* name : {"a", "b", "", "session", " a"}) {
    if (model.count(name) != 0) continue;
    const std::optional<std::string> found = http::FindCookie(headers, name);
    FUZZ_CHECK(!found.has_value()) << "cookie " << Quote(header) << ", name " << Quote(name) << ": "
                                   << Quote(*found) << ", cookie_parser has none";
  }
  // UnquoteCookieValue alone, on the text as Latin-1 decodes it.
  std::u32string text;
  for (char c : header) text.push_back(static_cast<unsigned char>(c));
  const std::string unquoted = http::UnquoteCookieValue(http::Latin1ToUtf8(header));
  FUZZ_CHECK(unquoted == Utf8(Unquote(text)))
      << "UnquoteCookieValue(" << Quote(header) << ") = " << Quote(unquoted);
  // And on raw bytes (invalid UTF-8 included): no crash, no UB.
  (void)http::UnquoteCookieValue(header);
  return 0;
}
