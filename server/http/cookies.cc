#include "server/http/cookies.h"

#include <cstddef>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "server/http/utf8.h"

namespace corouter::http {
namespace {

bool IsOctalEscape(std::string_view s, size_t i) {
  return i + 3 < s.size() && s[i] == '\\' && s[i + 1] >= '0' && s[i + 1] <= '3' &&
         s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7';
}

// Python's str.strip(): whitespace as str.isspace() knows it, for the ASCII
// and Latin-1 characters a Latin-1-decoded header can hold.
std::string_view StripPython(std::string_view s) {
  auto space = [](std::string_view t, size_t i, size_t* width) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    *width = 1;
    if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) return true;
    // U+0085 and U+00A0 are C2 85 and C2 A0 in UTF-8.
    if (c == 0xC2 && i + 1 < t.size() &&
        (static_cast<unsigned char>(t[i + 1]) == 0x85 ||
         static_cast<unsigned char>(t[i + 1]) == 0xA0)) {
      *width = 2;
      return true;
    }
    return false;
  };
  size_t width = 1;
  while (!s.empty() && space(s, 0, &width)) s.remove_prefix(width);
  while (!s.empty()) {
    // Trailing: a one-byte space, or a two-byte C2 85 / C2 A0.
    if (s.size() >= 2 && space(s, s.size() - 2, &width) && width == 2) {
      s.remove_suffix(2);
    } else if (space(s, s.size() - 1, &width) && width == 1) {
      s.remove_suffix(1);
    } else {
      break;
    }
  }
  return s;
}

}  // namespace

std::string UnquoteCookieValue(std::string_view value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::string(value);
  const std::string_view s = value.substr(1, value.size() - 2);
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (IsOctalEscape(s, i)) {
      const int code = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      AppendUtf8(static_cast<char32_t>(code), &out);
      i += 4;
    } else if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] != '\n') {
      // `[\\].`: the next character as it is (a whole UTF-8 sequence; `.`
      // matches anything but a newline).
      size_t next = i + 1;
      NextCodePoint(s, &next);
      out.append(s.substr(i + 1, next - (i + 1)));
      i = next;
    } else {
      out.push_back(s[i]);
      ++i;
    }
  }
  return out;
}

std::optional<std::string> FindCookie(const Headers& headers, std::string_view name) {
  const std::optional<std::string_view> header = FindHeader(headers, "cookie");
  if (!header.has_value()) return std::nullopt;
  const std::string text = Latin1ToUtf8(*header);
  std::optional<std::string> found;
  for (absl::string_view piece : absl::StrSplit(text, ';')) {
    const std::string_view chunk(piece.data(), piece.size());
    std::string_view key, val;
    if (const size_t eq = chunk.find('='); eq != std::string_view::npos) {
      key = chunk.substr(0, eq);
      val = chunk.substr(eq + 1);
    } else {
      val = chunk;
    }
    key = StripPython(key);
    val = StripPython(val);
    if (key.empty() && val.empty()) continue;
    if (key == name) found = UnquoteCookieValue(val);
  }
  return found;
}

}  // namespace corouter::http
