// server/routing/coercion.cc
//
// Python's int() and float() on a str first run
// _PyUnicode_TransformDecimalAndSpaceToASCII (Objects/unicodeobject.c): every
// character below U+007F is kept, every other Unicode whitespace character
// becomes ' ', every other Unicode decimal digit (category Nd) becomes its
// ASCII digit, and anything else ends the text with an invalid '?'. The ASCII
// result is then parsed by PyLong_FromString / float_from_string_inner, which
// skip only Py_ISSPACE whitespace: " \t\n\v\f\r". So int("\u30005") and
// int("\uff15") (fullwidth 5) are 5, while int("\x1c5") fails although
// "\x1c".isspace() is true (\x1c..\x1f are below U+007F and kept, and
// Py_ISSPACE does not count them). Checked against Python 3.11.2.
#include "server/routing/coercion.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "server/http/utf8.h"

namespace corouter::routing {
namespace {

const CoercionError& IntegerError() {
  static const CoercionError* const kError =
      new CoercionError{"value is not a valid integer", "type_error.integer"};
  return *kError;
}

const CoercionError& FloatError() {
  static const CoercionError* const kError =
      new CoercionError{"value is not a valid float", "type_error.float"};
  return *kError;
}

const CoercionError& UuidError() {
  static const CoercionError* const kError =
      new CoercionError{"value is not a valid uuid", "type_error.uuid"};
  return *kError;
}

const CoercionError& BoolError() {
  static const CoercionError* const kError =
      new CoercionError{"value could not be parsed to a boolean", "type_error.bool"};
  return *kError;
}

// The digit zero of every run of Unicode decimal digits outside ASCII, from
// Python 3.11's unicodedata (Unicode 14.0.0): [c for c in range(0x80,
// 0x110000) if unicodedata.decimal(chr(c), -1) == 0]. Each run holds the ten
// digits 0..9 in order, and these 650 code points are all of them.
constexpr std::array<char32_t, 65> kDecimalZeros = {
    0x0660,  0x06F0,  0x07C0,  0x0966,  0x09E6,  0x0A66,  0x0AE6,  0x0B66,  0x0BE6,  0x0C66,
    0x0CE6,  0x0D66,  0x0DE6,  0x0E50,  0x0ED0,  0x0F20,  0x1040,  0x1090,  0x17E0,  0x1810,
    0x1946,  0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,  0xA8D0,
    0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066, 0x110F0,
    0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950,
    0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC,
    0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
};

// The decimal value of a non-ASCII Nd code point, or -1.
int UnicodeDecimal(char32_t code_point) {
  auto it = std::upper_bound(kDecimalZeros.begin(), kDecimalZeros.end(), code_point);
  if (it == kDecimalZeros.begin()) return -1;
  const char32_t offset = code_point - *(it - 1);
  return offset < 10 ? static_cast<int>(offset) : -1;
}

// Py_UNICODE_ISSPACE for code points >= U+007F: [hex(c) for c in
// range(0x7f, 0x110000) if chr(c).isspace()].
bool IsUnicodeSpace(char32_t code_point) {
  switch (code_point) {
    case 0x0085:
    case 0x00A0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return code_point >= 0x2000 && code_point <= 0x200A;
  }
}

// _PyUnicode_TransformDecimalAndSpaceToASCII; see the file comment. Invalid
// UTF-8 decodes to U+FFFD, which is neither, so it fails as Python's
// replacement character would.
std::string TransformDecimalAndSpaceToAscii(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const char32_t code_point = http::NextCodePoint(text, &pos);
    if (code_point < 0x7F) {
      out.push_back(static_cast<char>(code_point));
    } else if (IsUnicodeSpace(code_point)) {
      out.push_back(' ');
    } else if (const int digit = UnicodeDecimal(code_point); digit >= 0) {
      out.push_back(static_cast<char>('0' + digit));
    } else {
      out.push_back('?');
      break;
    }
  }
  return out;
}

// Py_ISSPACE (Python/pyctype.c): the six C whitespace characters only.
bool IsPySpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view StripPySpace(std::string_view s) {
  while (!s.empty() && IsPySpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsPySpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }

// _Py_string_to_number_with_underscores (Python/pystrtod.c), which float()
// applies to the whole text: an underscore must follow a digit and be
// followed by one; the underscores are then removed. Returns false when one
// is misplaced.
bool RemoveUnderscores(std::string* s) {
  char prev = '\0';
  std::string out;
  out.reserve(s->size());
  for (const char c : *s) {
    if (c == '_') {
      if (!IsDigit(prev)) return false;
    } else {
      if (prev == '_' && !IsDigit(c)) return false;
      out.push_back(c);
    }
    prev = c;
  }
  if (prev == '_') return false;
  *s = std::move(out);
  return true;
}

// The decimal grammar _Py_dg_strtod accepts, which must cover the whole text:
// digits [ '.' digits ] [ (e|E) [+|-] digits ], at least one mantissa digit
// on either side of the point ("1.", ".5"). An exponent without digits ends
// the number before the 'e', so "1e" fails the whole-text check.
bool IsDecimalFloat(std::string_view s) {
  size_t pos = 0;
  size_t mantissa_digits = 0;
  while (pos < s.size() && IsDigit(s[pos])) ++pos, ++mantissa_digits;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
    ++pos;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) ++pos;
    const size_t exponent_start = pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == exponent_start) return false;
  }
  return pos == s.size();
}

// Whether an unsigned decimal that std::from_chars found out of range is at
// least 1 (so it overflowed to infinity) rather than below 1 (so it underflowed
// to zero, as _Py_dg_strtod rounds it).
bool MagnitudeAtLeastOne(std::string_view s) {
  const size_t e = s.find_first_of("eE");
  const std::string_view mantissa = s.substr(0, e);
  const size_t point = std::min(mantissa.find('.'), mantissa.size());
  const size_t first_nonzero = mantissa.find_first_of("123456789");
  if (first_nonzero == std::string_view::npos) return false;
  // The value lies in [10^(magnitude - 1), 10^magnitude).
  int64_t magnitude = first_nonzero < point ? static_cast<int64_t>(point - first_nonzero)
                                            : -static_cast<int64_t>(first_nonzero - point - 1);
  if (e != std::string_view::npos) {
    std::string_view exponent = s.substr(e + 1);
    bool negative = false;
    if (exponent.front() == '+' || exponent.front() == '-') {
      negative = exponent.front() == '-';
      exponent.remove_prefix(1);
    }
    int64_t value = 0;
    for (const char c : exponent) {
      value = std::min<int64_t>(value * 10 + (c - '0'), int64_t{1} << 40);  // saturate
    }
    magnitude += negative ? -value : value;
  }
  return magnitude > 0;
}

// The text after PyLong_FromString's and float()'s common prologue: Unicode
// digits and spaces transformed, Py_ISSPACE stripped, an optional sign
// taken off. `*negative` says whether it was '-'.
std::string_view StripSign(std::string_view s, bool* negative) {
  *negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    *negative = s.front() == '-';
    s.remove_prefix(1);
  }
  return s;
}

// PyLong_FromString's digit loop: digits of the base with single
// underscores between them and none at the end. Returns the digits without
// the underscores, or nullopt.
std::optional<std::string> DigitsWithUnderscores(std::string_view s, bool hex) {
  std::string digits;
  digits.reserve(s.size());
  char prev = '\0';
  for (const char c : s) {
    if (c == '_') {
      if (prev == '_') return std::nullopt;
    } else if (hex ? absl::ascii_isxdigit(static_cast<unsigned char>(c)) : IsDigit(c)) {
      digits.push_back(c);
    } else {
      return std::nullopt;
    }
    prev = c;
  }
  if (prev == '_' || digits.empty()) return std::nullopt;
  return digits;
}

}  // namespace

bool IsPythonWhitespace(char32_t code_point) {
  if (code_point < 0x7F) {
    return (code_point >= 0x09 && code_point <= 0x0D) || (code_point >= 0x1C && code_point <= 0x20);
  }
  return IsUnicodeSpace(code_point);
}

int DecimalDigitValue(char32_t code_point) {
  if (code_point >= U'0' && code_point <= U'9') return static_cast<int>(code_point - U'0');
  return UnicodeDecimal(code_point);
}

Coerced<int64_t> CoerceInt(std::string_view text) {
  // pydantic's int_validator rejects a str longer than max_str_int = 4300
  // characters before calling int() (its guard for CVE-2020-10735).
  if (http::CodePointCount(text) > 4300) return IntegerError();

  // PyLong_FromString with base 10: spaces, sign, digits with single
  // underscores between them (no leading underscore), spaces, end. Leading
  // zeros are allowed in base 10 ("007").
  const std::string ascii = TransformDecimalAndSpaceToAscii(text);
  bool negative = false;
  const std::string_view s = StripSign(StripPySpace(ascii), &negative);
  if (s.empty() || !IsDigit(s.front())) return IntegerError();
  const std::optional<std::string> digits = DigitsWithUnderscores(s, /*hex=*/false);
  if (!digits.has_value()) return IntegerError();
  // Accumulate the magnitude as unsigned so that -2^63 fits.
  const uint64_t limit = negative ? uint64_t{1} << 63 : std::numeric_limits<int64_t>::max();
  uint64_t magnitude = 0;
  for (const char c : *digits) {
    const uint64_t digit = c - '0';
    if (magnitude > (limit - digit) / 10) return IntegerError();  // beyond int64
    magnitude = magnitude * 10 + digit;
  }
  return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

Coerced<double> CoerceFloat(std::string_view text) {
  // PyFloat_FromString: transform, check and drop underscores
  // (_Py_string_to_number_with_underscores), strip Py_ISSPACE
  // (float_from_string_inner), then PyOS_string_to_double must consume the
  // rest. Overflow gives +-inf and underflow +-0.0, without error.
  std::string ascii = TransformDecimalAndSpaceToAscii(text);
  if (ascii.find('_') != std::string::npos && !RemoveUnderscores(&ascii)) return FloatError();
  bool negative = false;
  const std::string_view s = StripSign(StripPySpace(ascii), &negative);

  // _Py_parse_inf_or_nan: "inf", "infinity" or "nan" in any case, after the
  // sign.
  const std::string lower = absl::AsciiStrToLower(absl::string_view(s.data(), s.size()));
  // Negation, not multiplication, so that "-nan" keeps its sign bit as in
  // Python (x86 multiplication returns the NaN operand's sign).
  const auto apply_sign = [negative](double magnitude) {
    return negative ? -magnitude : magnitude;
  };
  if (lower == "inf" || lower == "infinity") {
    return apply_sign(std::numeric_limits<double>::infinity());
  }
  if (lower == "nan") return apply_sign(std::numeric_limits<double>::quiet_NaN());

  if (!IsDecimalFloat(s)) return FloatError();
  double value = 0.0;
  const std::from_chars_result result = std::from_chars(s.data(), s.data() + s.size(), value);
  if (result.ec == std::errc::result_out_of_range) {
    // from_chars leaves `value` alone then; _Py_dg_strtod gives inf or zero.
    value = MagnitudeAtLeastOne(s) ? std::numeric_limits<double>::infinity() : 0.0;
  } else if (result.ec != std::errc() || result.ptr != s.data() + s.size()) {
    return FloatError();  // unreachable after IsDecimalFloat; kept as a guard
  }
  return apply_sign(value);
}

Coerced<std::string> CoerceUuid(std::string_view text) {
  // Lib/uuid.py UUID.__init__(hex):
  //   hex = hex.replace('urn:', '').replace('uuid:', '')
  //   hex = hex.strip('{}').replace('-', '')
  //   if len(hex) != 32: raise ValueError(...)
  //   int = int_(hex, 16)   # then 0 <= int < 1 << 128
  std::string hex =
      absl::StrReplaceAll(absl::string_view(text.data(), text.size()), {{"urn:", ""}});
  hex = absl::StrReplaceAll(hex, {{"uuid:", ""}});
  std::string_view stripped = hex;
  while (!stripped.empty() && (stripped.front() == '{' || stripped.front() == '}')) {
    stripped.remove_prefix(1);
  }
  while (!stripped.empty() && (stripped.back() == '{' || stripped.back() == '}')) {
    stripped.remove_suffix(1);
  }
  hex = absl::StrReplaceAll(absl::string_view(stripped.data(), stripped.size()), {{"-", ""}});
  if (http::CodePointCount(hex) != 32) return UuidError();

  // PyLong_FromString with base 16 (Objects/longobject.c): spaces, sign, an
  // optional "0x" followed by at most one underscore, then hex digits with
  // single underscores between them, then spaces. (No '-' is left to make
  // the value negative.)
  const std::string ascii = TransformDecimalAndSpaceToAscii(hex);
  bool negative = false;
  std::string_view s = StripSign(StripPySpace(ascii), &negative);
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    if (!s.empty() && s.front() == '_') s.remove_prefix(1);
  }
  if (s.empty() || s.front() == '_') return UuidError();
  std::optional<std::string> digits = DigitsWithUnderscores(s, /*hex=*/true);
  if (!digits.has_value()) return UuidError();
  // At most 32 hex digits remain, so the value is below 2**128.
  std::string canonical = absl::AsciiStrToLower(*digits);
  canonical.insert(0, 32 - canonical.size(), '0');
  return absl::StrCat(canonical.substr(0, 8), "-", canonical.substr(8, 4), "-",
                      canonical.substr(12, 4), "-", canonical.substr(16, 4), "-",
                      canonical.substr(20));
}

Coerced<bool> CoerceBool(std::string_view text) {
  // pydantic 1.10 bool_validator: `v = v.lower()`, then membership in
  // BOOL_TRUE / BOOL_FALSE; no stripping. ASCII lowercasing is exact here:
  // the only non-ASCII character whose str.lower() is all ASCII is the
  // Kelvin sign (-> "k"), which no member contains.
  const std::string lower = absl::AsciiStrToLower(absl::string_view(text.data(), text.size()));
  if (lower == "1" || lower == "on" || lower == "t" || lower == "true" || lower == "y" ||
      lower == "yes") {
    return true;
  }
  if (lower == "0" || lower == "off" || lower == "f" || lower == "false" || lower == "n" ||
      lower == "no") {
    return false;
  }
  return BoolError();
}

}  // namespace corouter::routing
