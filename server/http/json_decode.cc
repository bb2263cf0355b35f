// server/http/json_decode.cc
//
// The scanner mirrors Modules/_json.c of CPython 3.11 branch for branch, with
// its index conventions (`end_idx` is the last valid index), because the
// error positions depend on them: "[1,]" fails with "Expecting value" at 3,
// "\"\\u12\"" with "Invalid \\uXXXX escape" at 2 (the 'u'), "1e+" with
// "Extra data" at 1 (the exponent is backtracked). Positions are code point
// indices of the decoded text, as Python's str indices are.
#include "server/http/json_decode.h"

#include <charconv>
#include <cstdlib>
#include <limits>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/http/utf8.h"

namespace corouter::http {
namespace {

bool IsSurrogate(char32_t c) { return c >= 0xD800 && c <= 0xDFFF; }

// Appends code points as UTF-8; a lone surrogate (which UTF-8 cannot carry)
// becomes U+FFFD, a documented difference.
void AppendText(std::u32string_view text, std::string* out) {
  for (const char32_t c : text) AppendUtf8(IsSurrogate(c) ? kReplacementCharacter : c, out);
}

std::string ToUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendText(text, &out);
  return out;
}

// ---- Lib/json/__init__.py detect_encoding and the codecs it names ----------

enum class Encoding { kUtf8, kUtf8Sig, kUtf16, kUtf16Le, kUtf16Be, kUtf32, kUtf32Le, kUtf32Be };

Encoding DetectEncoding(std::string_view b) {
  auto starts = [b](std::string_view prefix) { return b.substr(0, prefix.size()) == prefix; };
  using namespace std::string_view_literals;
  if (starts("\x00\x00\xFE\xFF"sv) || starts("\xFF\xFE\x00\x00"sv)) return Encoding::kUtf32;
  if (starts("\xFE\xFF"sv) || starts("\xFF\xFE"sv)) return Encoding::kUtf16;
  if (starts("\xEF\xBB\xBF"sv)) return Encoding::kUtf8Sig;
  if (b.size() >= 4) {
    if (b[0] == 0) return b[1] != 0 ? Encoding::kUtf16Be : Encoding::kUtf32Be;
    if (b[1] == 0) return b[2] != 0 || b[3] != 0 ? Encoding::kUtf16Le : Encoding::kUtf32Le;
  } else if (b.size() == 2) {
    if (b[0] == 0) return Encoding::kUtf16Be;
    if (b[1] == 0) return Encoding::kUtf16Le;
  }
  return Encoding::kUtf8;
}

// bytes.decode("utf-8", "surrogatepass"): strict, except that an encoded
// surrogate (ED A0..BF 80..BF) decodes to the surrogate
// (Python/codecs.c PyCodec_SurrogatePassErrors).
bool DecodeUtf8(std::string_view b, std::u32string* out) {
  size_t pos = 0;
  while (pos < b.size()) {
    const std::optional<Utf8Error> error = FindUtf8Error(b, pos);
    const size_t stop = error.has_value() ? error->start : b.size();
    while (pos < stop) out->push_back(NextCodePoint(b, &pos));
    if (!error.has_value()) break;
    const auto byte = [b](size_t i) { return static_cast<uint8_t>(b[i]); };
    if (b.size() - pos < 3 || byte(pos) != 0xED || byte(pos + 1) < 0xA0 || byte(pos + 1) > 0xBF ||
        (byte(pos + 2) & 0xC0) != 0x80) {
      return false;
    }
    out->push_back(0xD000 | ((byte(pos + 1) & 0x3F) << 6) | (byte(pos + 2) & 0x3F));
    pos += 3;
  }
  return true;
}

// UTF-16 with surrogatepass: pairs combine, lone surrogates pass; an odd
// trailing byte is "truncated data".
bool DecodeUtf16(std::string_view b, bool big_endian, std::u32string* out) {
  if (b.size() % 2 != 0) return false;
  const auto unit = [&](size_t i) -> char32_t {
    const auto hi = static_cast<uint8_t>(b[big_endian ? i : i + 1]);
    const auto lo = static_cast<uint8_t>(b[big_endian ? i + 1 : i]);
    return (char32_t{hi} << 8) | lo;
  };
  for (size_t i = 0; i < b.size(); i += 2) {
    const char32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 2 < b.size()) {
      const char32_t next = unit(i + 2);
      if (next >= 0xDC00 && next <= 0xDFFF) {
        out->push_back(0x10000 + ((u - 0xD800) << 10) + (next - 0xDC00));
        i += 2;
        continue;
      }
    }
    out->push_back(u);
  }
  return true;
}

// UTF-32 with surrogatepass: beyond U+10FFFF or a partial unit fails.
bool DecodeUtf32(std::string_view b, bool big_endian, std::u32string* out) {
  if (b.size() % 4 != 0) return false;
  for (size_t i = 0; i < b.size(); i += 4) {
    char32_t c = 0;
    for (size_t k = 0; k < 4; ++k) {
      c = (c << 8) | static_cast<uint8_t>(b[big_endian ? i + k : i + 3 - k]);
    }
    if (c > 0x10FFFF) return false;
    out->push_back(c);
  }
  return true;
}

bool DecodeText(std::string_view b, std::u32string* out) {
  switch (DetectEncoding(b)) {
    case Encoding::kUtf8:
      return DecodeUtf8(b, out);
    case Encoding::kUtf8Sig:
      return DecodeUtf8(b.substr(3), out);
    case Encoding::kUtf16:  // the BOM says which, and is dropped
      return DecodeUtf16(b.substr(2), b[0] == '\xFE', out);
    case Encoding::kUtf16Le:
      return DecodeUtf16(b, false, out);
    case Encoding::kUtf16Be:
      return DecodeUtf16(b, true, out);
    case Encoding::kUtf32:
      return DecodeUtf32(b.substr(4), b[0] == '\x00', out);
    case Encoding::kUtf32Le:
      return DecodeUtf32(b, false, out);
    case Encoding::kUtf32Be:
      return DecodeUtf32(b, true, out);
  }
  return false;
}

// ---- Modules/_json.c --------------------------------------------------------

bool IsWhitespace(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }

int HexDigit(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

// How a scan failed: a JSONDecodeError at `pos`, or a RecursionError.
struct Failure {
  std::string msg;
  int64_t pos = 0;
  bool recursion = false;
};

class Scanner {
 public:
  explicit Scanner(const std::u32string& s)
      : s_(s), length_(static_cast<int64_t>(s.size())), end_idx_(length_ - 1) {}

  // scan_once_unicode: the value starting at `idx`; `*next` is set past it.
  // A missing value is StopIteration in C, which json.decoder.raw_decode
  // turns into "Expecting value" at the same index.
  std::optional<Failure> ScanOnce(int64_t idx, int depth, Json* out, int64_t* next) {
    if (idx >= length_) return Failure{"Expecting value", idx};
    switch (s_[idx]) {
      case '"': {
        std::string text;
        if (auto failure = ScanString(idx + 1, &text, next)) return failure;
        *out = std::move(text);
        return std::nullopt;
      }
      case '{':
      case '[':
        // Py_EnterRecursiveCall(" while decoding a JSON object ...").
        if (depth >= kMaxJsonDepth) return Failure{"", idx, true};
        return s_[idx] == '{' ? ParseObject(idx + 1, depth + 1, out, next)
                              : ParseArray(idx + 1, depth + 1, out, next);
      case 'n':
        if (Literal(idx, U"null")) return Constant(nullptr, idx + 4, out, next);
        break;
      case 't':
        if (Literal(idx, U"true")) return Constant(true, idx + 4, out, next);
        break;
      case 'f':
        if (Literal(idx, U"false")) return Constant(false, idx + 5, out, next);
        break;
      case 'N':
        if (Literal(idx, U"NaN")) {
          return Constant(std::numeric_limits<double>::quiet_NaN(), idx + 3, out, next);
        }
        break;
      case 'I':
        if (Literal(idx, U"Infinity")) {
          return Constant(std::numeric_limits<double>::infinity(), idx + 8, out, next);
        }
        break;
      case '-':
        if (Literal(idx, U"-Infinity")) {
          return Constant(-std::numeric_limits<double>::infinity(), idx + 9, out, next);
        }
        break;
      default:
        break;
    }
    return MatchNumber(idx, out, next);
  }

 private:
  // The C code tests `idx + n - 1 < length` before comparing n characters.
  bool Literal(int64_t idx, std::u32string_view word) const {
    return idx + static_cast<int64_t>(word.size()) - 1 < length_ &&
           std::u32string_view(s_).substr(idx, word.size()) == word;
  }

  static std::optional<Failure> Constant(Json value, int64_t end, Json* out, int64_t* next) {
    *out = std::move(value);
    *next = end;
    return std::nullopt;
  }

  void SkipWhitespace(int64_t* idx) const {
    while (*idx <= end_idx_ && IsWhitespace(s_[*idx])) ++*idx;
  }

  // scanstring_unicode with strict=True; `end` is just past the opening quote.
  std::optional<Failure> ScanString(int64_t end, std::string* out, int64_t* next_end) {
    const int64_t begin = end - 1;
    std::u32string chunk;
    while (true) {
      int64_t next = end;
      char32_t c = 0;
      for (; next < length_; ++next) {
        c = s_[next];
        if (c == '"' || c == '\\') break;
        if (c <= 0x1F) return Failure{"Invalid control character at", next};
      }
      if (next == length_) return Failure{"Unterminated string starting at", begin};
      chunk.append(s_, end, next - end);
      ++next;
      if (c == '"') {
        end = next;
        break;
      }
      if (next == length_) return Failure{"Unterminated string starting at", begin};
      c = s_[next];
      if (c != 'u') {
        end = next + 1;
        switch (c) {
          case '"':
          case '\\':
          case '/':
            break;
          case 'b':
            c = '\b';
            break;
          case 'f':
            c = '\f';
            break;
          case 'n':
            c = '\n';
            break;
          case 'r':
            c = '\r';
            break;
          case 't':
            c = '\t';
            break;
          default:
            return Failure{"Invalid \\escape", end - 2};
        }
      } else {
        ++next;
        end = next + 4;
        if (end >= length_) return Failure{"Invalid \\uXXXX escape", next - 1};
        c = 0;
        for (; next < end; ++next) {
          const int digit = HexDigit(s_[next]);
          if (digit < 0) return Failure{"Invalid \\uXXXX escape", end - 5};
          c = (c << 4) | static_cast<char32_t>(digit);
        }
        // A high surrogate followed by "\\u" and a low one is a pair. The C
        // code advances `next` while testing; only `end` matters afterwards.
        if (c >= 0xD800 && c <= 0xDBFF && end + 6 < length_ && s_[next] == '\\' &&
            s_[next + 1] == 'u') {
          next += 2;
          char32_t c2 = 0;
          end += 6;
          for (; next < end; ++next) {
            const int digit = HexDigit(s_[next]);
            if (digit < 0) return Failure{"Invalid \\uXXXX escape", end - 5};
            c2 = (c2 << 4) | static_cast<char32_t>(digit);
          }
          if (c2 >= 0xDC00 && c2 <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
          } else {
            end -= 6;
          }
        }
      }
      chunk.push_back(c);
    }
    *out = ToUtf8(chunk);
    *next_end = end;
    return std::nullopt;
  }

  std::optional<Failure> ParseObject(int64_t idx, int depth, Json* out, int64_t* next) {
    Json object = Json::object();
    SkipWhitespace(&idx);
    if (idx > end_idx_ || s_[idx] != '}') {
      while (true) {
        if (idx > end_idx_ || s_[idx] != '"') {
          return Failure{"Expecting property name enclosed in double quotes", idx};
        }
        std::string key;
        int64_t after = 0;
        if (auto failure = ScanString(idx + 1, &key, &after)) return failure;
        idx = after;
        SkipWhitespace(&idx);
        if (idx > end_idx_ || s_[idx] != ':') return Failure{"Expecting ':' delimiter", idx};
        ++idx;
        SkipWhitespace(&idx);
        Json value;
        if (auto failure = ScanOnce(idx, depth, &value, &after)) return failure;
        // dict(pairs): a repeated key keeps its first position, last value.
        object[key] = std::move(value);
        idx = after;
        SkipWhitespace(&idx);
        if (idx <= end_idx_ && s_[idx] == '}') break;
        if (idx > end_idx_ || s_[idx] != ',') return Failure{"Expecting ',' delimiter", idx};
        ++idx;
        SkipWhitespace(&idx);
      }
    }
    *out = std::move(object);
    *next = idx + 1;
    return std::nullopt;
  }

  std::optional<Failure> ParseArray(int64_t idx, int depth, Json* out, int64_t* next) {
    Json array = Json::array();
    SkipWhitespace(&idx);
    if (idx > end_idx_ || s_[idx] != ']') {
      while (true) {
        Json value;
        int64_t after = 0;
        if (auto failure = ScanOnce(idx, depth, &value, &after)) return failure;
        array.push_back(std::move(value));
        idx = after;
        SkipWhitespace(&idx);
        if (idx <= end_idx_ && s_[idx] == ']') break;
        if (idx > end_idx_ || s_[idx] != ',') return Failure{"Expecting ',' delimiter", idx};
        ++idx;
        SkipWhitespace(&idx);
      }
    }
    *out = std::move(array);
    *next = idx + 1;
    return std::nullopt;
  }

  // _match_number_unicode: JSON's number grammar, backtracking a dangling
  // fraction or exponent; no number here is "Expecting value" at `start`.
  std::optional<Failure> MatchNumber(int64_t start, Json* out, int64_t* next) {
    int64_t idx = start;
    if (s_[idx] == '-') {
      ++idx;
      if (idx > end_idx_) return Failure{"Expecting value", start};
    }
    if (s_[idx] >= '1' && s_[idx] <= '9') {
      ++idx;
      while (idx <= end_idx_ && IsDigit(s_[idx])) ++idx;
    } else if (s_[idx] == '0') {
      ++idx;
    } else {
      return Failure{"Expecting value", start};
    }
    bool is_float = false;
    if (idx < end_idx_ && s_[idx] == '.' && IsDigit(s_[idx + 1])) {
      is_float = true;
      idx += 2;
      while (idx <= end_idx_ && IsDigit(s_[idx])) ++idx;
    }
    if (idx < end_idx_ && (s_[idx] == 'e' || s_[idx] == 'E')) {
      const int64_t e_start = idx;
      ++idx;
      if (idx < end_idx_ && (s_[idx] == '-' || s_[idx] == '+')) ++idx;
      while (idx <= end_idx_ && IsDigit(s_[idx])) ++idx;
      if (IsDigit(s_[idx - 1])) {
        is_float = true;
      } else {
        idx = e_start;
      }
    }
    std::string text;
    for (int64_t i = start; i < idx; ++i) text.push_back(static_cast<char>(s_[i]));
    *next = idx;
    if (!is_float) {
      // PyLong_FromString: unbounded in Python; int64, then uint64, then
      // (a documented difference) the nearest double.
      int64_t value = 0;
      const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
      if (result.ec == std::errc()) {
        *out = value;
        return std::nullopt;
      }
      uint64_t unsigned_value = 0;
      const auto unsigned_result =
          std::from_chars(text.data(), text.data() + text.size(), unsigned_value);
      if (unsigned_result.ec == std::errc()) {
        *out = unsigned_value;
        return std::nullopt;
      }
    }
    // PyFloat_FromString: correctly rounded; overflow is infinity (strtod
    // under the "C" locale, which corouter never changes).
    *out = std::strtod(text.c_str(), nullptr);
    return std::nullopt;
  }

  const std::u32string& s_;
  const int64_t length_;
  const int64_t end_idx_;
};

}  // namespace

std::string JsonDecodeError::Message() const {
  return absl::StrCat(msg, ": line ", lineno, " column ", colno, " (char ", pos, ")");
}

JsonLoadResult JsonLoads(std::string_view bytes) {
  std::u32string text;
  if (!DecodeText(bytes, &text)) return JsonReadError{"the body is not valid text"};

  // JSONDecoder.decode: skip whitespace, scan one value, skip whitespace,
  // and anything left is "Extra data".
  Scanner scanner(text);
  const int64_t length = static_cast<int64_t>(text.size());
  int64_t idx = 0;
  while (idx < length && IsWhitespace(text[idx])) ++idx;
  Json value;
  int64_t end = 0;
  std::optional<Failure> failure = scanner.ScanOnce(idx, 0, &value, &end);
  if (!failure.has_value()) {
    while (end < length && IsWhitespace(text[end])) ++end;
    if (end != length) failure = Failure{"Extra data", end};
  }
  if (!failure.has_value()) return value;
  if (failure->recursion) {
    return JsonReadError{"maximum recursion depth exceeded while decoding a JSON document"};
  }

  // JSONDecodeError.__init__: lineno = doc.count('\n', 0, pos) + 1,
  // colno = pos - doc.rfind('\n', 0, pos).
  JsonDecodeError error;
  error.msg = std::move(failure->msg);
  error.doc = ToUtf8(text);
  error.pos = failure->pos;
  int64_t last_newline = -1;
  for (int64_t i = 0; i < error.pos && i < length; ++i) {
    if (text[i] == '\n') {
      ++error.lineno;
      last_newline = i;
    }
  }
  error.colno = error.pos - last_newline;
  return error;
}

}  // namespace corouter::http
