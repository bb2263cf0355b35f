// server/routing/validation.cc
//
// The coercions below cite pydantic/validators.py (1.10.4) function by
// function; Python behaviour they rely on (str(1.5) == "1.5", int(1.9) == 1,
// dict(["ab"]) == {"a": "b"}) was checked against Python 3.11 through FastAPI
// 0.92's TestClient.
#include "server/routing/validation.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <utility>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "server/http/utf8.h"
#include "server/routing/coercion.h"
#include "server/routing/datetime_parse.h"

namespace corouter::routing {
namespace {

using http::Json;
using Kind = PyValue::Kind;

// A pydantic error before it gets its loc.
struct Failure {
  std::string msg;
  std::string type;
  Json ctx = nullptr;
};

template <typename T>
using Result = std::variant<T, Failure>;

Failure FromCoercion(const CoercionError& error) { return Failure{error.msg, error.type}; }

template <typename T>
Result<T> Lift(Coerced<T> coerced) {
  if (auto* error = std::get_if<CoercionError>(&coerced)) return FromCoercion(*error);
  return std::get<T>(std::move(coerced));
}

Failure StrError() { return {"str type expected", "type_error.str"}; }
Failure IntegerError() { return {"value is not a valid integer", "type_error.integer"}; }
Failure FloatError() { return {"value is not a valid float", "type_error.float"}; }
Failure BoolError() { return {"value could not be parsed to a boolean", "type_error.bool"}; }
Failure UuidError() { return {"value is not a valid uuid", "type_error.uuid"}; }
Failure ListError() { return {"value is not a valid list", "type_error.list"}; }
Failure DictError() { return {"value is not a valid dict", "type_error.dict"}; }
Failure NoneError() { return {"none is not an allowed value", "type_error.none.not_allowed"}; }

bool IsAscii(std::string_view bytes) {
  for (const char c : bytes) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// bytes.decode(): strict UTF-8; the UnicodeDecodeError becomes the error
// (pydantic's get_exc_type: "value_error." + "unicodedecode").
Result<std::string> DecodeBytes(std::string_view bytes) {
  if (auto error = http::FindUtf8Error(bytes)) {
    return Failure{http::Utf8ErrorMessage(bytes, *error), "value_error.unicodedecode"};
  }
  return std::string(bytes);
}

// str(float): repr, with Python's spellings of the non-finite values.
std::string PyFloatStr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return *http::SerializeJson(Json(value));
}

// Python's str() of a number limit in a message ("0", "0.5").
std::string NumberStr(const Json& number) {
  if (number.is_number_float()) return PyFloatStr(number.get<double>());
  return number.dump();
}

// str_validator.
Result<std::string> ToStr(const PyValue& value) {
  switch (value.kind) {
    case Kind::kBytes:
      return DecodeBytes(value.json.get_ref<const std::string&>());
    case Kind::kBigInt:
      return value.json.get<std::string>();
    case Kind::kUuid:
    case Kind::kUploadFile:
      return StrError();
    case Kind::kJson:
      break;
  }
  const Json& v = value.json;
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "True" : "False");  // bool is an int
  if (v.is_number_float()) return PyFloatStr(v.get<double>());
  if (v.is_number()) return v.dump();
  return StrError();
}

// int(UUID): the 128-bit value, kept only when it fits int64.
Result<int64_t> UuidToInt(std::string_view canonical) {
  std::string hex;
  for (const char c : canonical) {
    if (c != '-') hex.push_back(c);
  }
  if (hex.find_first_not_of('0') < 16 || hex[16] >= '8') return IntegerError();
  return static_cast<int64_t>(std::strtoull(hex.c_str() + 16, nullptr, 16));
}

// int_validator.
Result<int64_t> ToInt(const PyValue& value) {
  switch (value.kind) {
    case Kind::kBytes: {
      // int(bytes) reads ASCII only; pydantic first rejects more than
      // max_str_int (4300) bytes.
      const std::string& bytes = value.json.get_ref<const std::string&>();
      if (bytes.size() > 4300 || !IsAscii(bytes)) return IntegerError();
      return Lift(CoerceInt(bytes));
    }
    case Kind::kUuid:
      return UuidToInt(value.json.get_ref<const std::string&>());
    case Kind::kBigInt:
      return IntegerError();  // beyond int64: a documented difference
    case Kind::kUploadFile:
      return IntegerError();  // int(UploadFile): TypeError
    case Kind::kJson:
      break;
  }
  const Json& v = value.json;
  if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<int64_t>();
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return IntegerError();
    return static_cast<int64_t>(u);
  }
  if (v.is_boolean()) return int64_t{v.get<bool>() ? 1 : 0};
  if (v.is_number_float()) {
    // int(float) truncates; nan is ValueError and inf OverflowError.
    const double truncated = std::trunc(v.get<double>());
    if (!std::isfinite(truncated) || truncated < -9223372036854775808.0 ||
        truncated >= 9223372036854775808.0) {
      return IntegerError();
    }
    return static_cast<int64_t>(truncated);
  }
  if (v.is_string()) return Lift(CoerceInt(v.get_ref<const std::string&>()));
  return IntegerError();
}

// float_validator.
Result<double> ToFloat(const PyValue& value) {
  switch (value.kind) {
    case Kind::kBytes: {
      const std::string& bytes = value.json.get_ref<const std::string&>();
      if (!IsAscii(bytes)) return FloatError();
      return Lift(CoerceFloat(bytes));
    }
    case Kind::kUuid:
    case Kind::kUploadFile:
      return FloatError();
    case Kind::kBigInt:
      // float(int) rounds correctly, as strtod does. (Python raises
      // OverflowError beyond 1.8e308; strtod gives infinity.)
      return std::strtod(value.json.get_ref<const std::string&>().c_str(), nullptr);
    case Kind::kJson:
      break;
  }
  const Json& v = value.json;
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_string()) return Lift(CoerceFloat(v.get_ref<const std::string&>()));
  return FloatError();
}

// bool_validator: `v in BOOL_TRUE` compares numbers by value (1 == 1.0).
Result<bool> ToBool(const PyValue& value) {
  switch (value.kind) {
    case Kind::kBytes: {
      Result<std::string> text = DecodeBytes(value.json.get_ref<const std::string&>());
      if (auto* failure = std::get_if<Failure>(&text)) return *failure;
      return Lift(CoerceBool(std::get<std::string>(text)));
    }
    case Kind::kUuid:
    case Kind::kBigInt:
    case Kind::kUploadFile:
      return BoolError();
    case Kind::kJson:
      break;
  }
  const Json& v = value.json;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) {
    const double number = v.get<double>();
    if (number == 1.0) return true;
    if (number == 0.0) return false;
    return BoolError();
  }
  if (v.is_string()) return Lift(CoerceBool(v.get_ref<const std::string&>()));
  return BoolError();
}

// UUID(bytes=v): 16 raw bytes, big-endian.
std::string UuidFromBytes(std::string_view bytes) {
  std::string hex;
  for (const char c : bytes)
    absl::StrAppend(&hex, absl::Hex(static_cast<uint8_t>(c), absl::kZeroPad2));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20));
}

// uuid_validator.
Result<std::string> ToUuid(const PyValue& value) {
  switch (value.kind) {
    case Kind::kUuid:
      return value.json.get<std::string>();
    case Kind::kBytes: {
      // try: UUID(v.decode()) except ValueError: UUID(bytes=v)
      const std::string& bytes = value.json.get_ref<const std::string&>();
      if (!http::FindUtf8Error(bytes).has_value()) {
        Coerced<std::string> parsed = CoerceUuid(bytes);
        if (auto* text = std::get_if<std::string>(&parsed)) return *text;
      }
      if (bytes.size() == 16) return UuidFromBytes(bytes);
      return UuidError();
    }
    case Kind::kBigInt:
    case Kind::kUploadFile:
      return UuidError();
    case Kind::kJson:
      break;
  }
  if (value.json.is_string()) return Lift(CoerceUuid(value.json.get_ref<const std::string&>()));
  return UuidError();
}

// parse_date, parse_datetime, parse_time, parse_duration
// (datetime_parse.h) on the Python value.
Result<Json> ToTemporal(Temporal temporal, const PyValue& value) {
  TemporalInput input;
  const Json& v = value.json;
  switch (value.kind) {
    case Kind::kBytes:
      input.kind = TemporalInput::Kind::kBytes;
      input.text = v.get_ref<const std::string&>();
      break;
    case Kind::kBigInt:
      // An int beyond 64 bits: as a float (for a Unix time, far beyond the
      // 3e20 that means datetime.max; for a timedelta, an overflow).
      input.kind = TemporalInput::Kind::kFloat;
      input.real = std::strtod(v.get_ref<const std::string&>().c_str(), nullptr);
      break;
    case Kind::kUuid:
    case Kind::kUploadFile:
      input.kind = TemporalInput::Kind::kOther;
      break;
    case Kind::kJson:
      if (v.is_boolean()) {
        input.kind = TemporalInput::Kind::kInt;
        input.integer = v.get<bool>() ? 1 : 0;
      } else if (v.is_number_integer() && !v.is_number_unsigned()) {
        input.kind = TemporalInput::Kind::kInt;
        input.integer = v.get<int64_t>();
      } else if (v.is_number()) {
        input.kind = TemporalInput::Kind::kFloat;  // a float, or a uint64 beyond int64
        input.real = v.get<double>();
      } else if (v.is_string()) {
        input.kind = TemporalInput::Kind::kStr;
        input.text = v.get_ref<const std::string&>();
      }
      break;
  }
  return Lift(ParseTemporal(temporal, input));
}

// decimal_validator: `Decimal(str(v).strip())`, refused unless finite, then
// jsonable_encoder's decimal_encoder: int(d) when its exponent is >= 0,
// else float(d). Decimal() drops every '_', reads any Unicode decimal digit
// and strips Unicode whitespace; "inf", "Infinity", "nan" and "sNaN" (any
// case, NaN with a payload) parse but are not finite. An integral value
// beyond 64 bits becomes a float, as JsonLoads makes such integers
// (docs/differences.md).
Result<Json> ToDecimal(const PyValue& value) {
  const Failure invalid{"value is not a valid decimal", "type_error.decimal"};
  std::string text;
  switch (value.kind) {
    case Kind::kBytes: {
      Result<std::string> decoded = DecodeBytes(value.json.get_ref<const std::string&>());
      if (auto* failure = std::get_if<Failure>(&decoded)) return *failure;
      text = std::get<std::string>(std::move(decoded));
      break;
    }
    case Kind::kUuid:
    case Kind::kUploadFile:
      return invalid;  // str(UUID) has dashes; str(UploadFile) is its repr
    case Kind::kBigInt:
    case Kind::kJson: {
      Result<std::string> str = ToStr(value);                    // str(v)
      if (std::holds_alternative<Failure>(str)) return invalid;  // a list, a dict
      text = std::get<std::string>(std::move(str));
      break;
    }
  }
  // numeric_as_ascii (Modules/_decimal/_decimal.c): strip, drop '_', map
  // digits to ASCII; anything else non-ASCII is a syntax error.
  std::vector<char32_t> points;
  for (size_t pos = 0; pos < text.size();) points.push_back(http::NextCodePoint(text, &pos));
  size_t begin = 0, end = points.size();
  while (begin < end && IsPythonWhitespace(points[begin])) ++begin;
  while (end > begin && IsPythonWhitespace(points[end - 1])) --end;
  std::string ascii;
  for (size_t i = begin; i < end; ++i) {
    const char32_t c = points[i];
    if (c == U'_') continue;
    if (c > 0 && c < 0x80) {
      ascii.push_back(static_cast<char>(c));
      continue;
    }
    const int digit = DecimalDigitValue(c);
    if (digit < 0) return invalid;
    ascii.push_back(static_cast<char>('0' + digit));
  }
  // The numeric-string grammar of the decimal module's documentation.
  std::string_view s = ascii;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const std::string lower = absl::AsciiStrToLower(absl::string_view(s.data(), s.size()));
  if (lower == "inf" || lower == "infinity") {
    return Failure{"value is not a valid decimal", "value_error.decimal.not_finite"};
  }
  for (const absl::string_view nan : {"snan", "nan"}) {
    if (absl::StartsWith(lower, nan) &&
        std::all_of(lower.begin() + static_cast<std::ptrdiff_t>(nan.size()), lower.end(),
                    [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); })) {
      return Failure{"value is not a valid decimal", "value_error.decimal.not_finite"};
    }
  }
  std::string digits;  // the coefficient's
  int64_t fraction_digits = 0;
  size_t i = 0;
  while (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) digits += s[i++];
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
      digits += s[i++];
      ++fraction_digits;
    }
  }
  if (digits.empty()) return invalid;
  int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exponent_negative = s[i++] == '-';
    const size_t first = i;
    while (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
      if (exponent < 1'000'000'000'000) exponent = exponent * 10 + (s[i] - '0');
      ++i;
    }
    if (i == first) return invalid;
    if (exponent_negative) exponent = -exponent;
  }
  if (i != s.size()) return invalid;
  const std::string literal =
      absl::StrCat(negative ? "-" : "", digits, "e", exponent - fraction_digits);
  if (exponent - fraction_digits >= 0) {
    // int(d): exact when it fits 64 bits.
    const size_t nonzero = digits.find_first_not_of('0');
    if (nonzero == std::string::npos) return Json(0);
    const std::string_view significant = std::string_view(digits).substr(nonzero);
    const int64_t zeros = exponent - fraction_digits;
    if (static_cast<int64_t>(significant.size()) + zeros <= 18) {
      int64_t n = 0;
      for (const char c : significant) n = n * 10 + (c - '0');
      for (int64_t z = 0; z < zeros; ++z) n *= 10;
      return Json(negative ? -n : n);
    }
  }
  return Json(std::strtod(literal.c_str(), nullptr));  // float(d), correctly rounded
}

// enum_member_validator: Color(v), else EnumMemberError.
// Whether int() reads `value` as an integer corouter's 64 bits cannot hold:
// a big path capture, or decimal digits (after optional whitespace and sign).
bool IsBigIntegerText(const PyValue& value) {
  if (value.kind == Kind::kBigInt) return true;
  if (!value.json.is_string()) return false;
  const absl::string_view text =
      absl::StripAsciiWhitespace(value.json.get_ref<const std::string&>());
  const absl::string_view digits =
      !text.empty() && (text[0] == '+' || text[0] == '-') ? text.substr(1) : text;
  return digits.size() > 18 && digits.size() <= 4300 &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// bytes_validator: bytes as they are; str -> v.encode(); int, float (and
// bool, an int) -> str(v).encode(); else type_error.bytes.
Result<std::string> ToBytes(const PyValue& value) {
  const Failure invalid{"byte type expected", "type_error.bytes"};
  switch (value.kind) {
    case Kind::kBytes:
    case Kind::kBigInt:
      return value.json.get<std::string>();
    case Kind::kUuid:
    case Kind::kUploadFile:
      return invalid;
    case Kind::kJson:
      break;
  }
  if (value.json.is_array() || value.json.is_object()) return invalid;
  return ToStr(value);  // a str, or str() of a number
}

// fastapi.datastructures.UploadFile.validate: an UploadFile, else
// ValueError(f"Expected UploadFile, received: {type(v)}").
Result<Json> ToUploadFile(const PyValue& value) {
  std::string_view python_type = "str";
  switch (value.kind) {
    case Kind::kUploadFile:
      return value.json;
    case Kind::kBytes:
      python_type = "bytes";
      break;
    case Kind::kBigInt:
      python_type = "int";
      break;
    case Kind::kUuid:
      python_type = "uuid.UUID";
      break;
    case Kind::kJson: {
      const Json& v = value.json;
      python_type = v.is_boolean()          ? "bool"
                    : v.is_number_integer() ? "int"
                    : v.is_number()         ? "float"
                    : v.is_array()          ? "list"
                    : v.is_object()         ? "dict"
                                            : "str";
      break;
    }
  }
  return Failure{absl::StrCat("Expected UploadFile, received: <class '",
                              absl::string_view(python_type.data(), python_type.size()), "'>"),
                 "value_error"};
}

// enum_member_validator for a number enum: IntEnum's int_validator first;
// then `Enum(value)`, a member whose value equals it (1 == 1.0 == True).
Result<Json> ToNumberEnum(const ValueType& type, const PyValue& value) {
  std::optional<double> number;
  if (type.enum_base() == ParamType::kInt) {
    Result<int64_t> coerced = ToInt(value);
    if (auto* failure = std::get_if<Failure>(&coerced)) {
      // An integer beyond 64 bits is still an int to Python, just no member.
      if (!IsBigIntegerText(value)) return *failure;
    } else {
      number = static_cast<double>(std::get<int64_t>(coerced));
    }
  } else if (value.kind == Kind::kJson && (value.json.is_number() || value.json.is_boolean())) {
    number =
        value.json.is_boolean() ? (value.json.get<bool>() ? 1.0 : 0.0) : value.json.get<double>();
  }
  if (number.has_value()) {
    for (const Json& member : type.enum_members()) {
      if (member.get<double>() == *number) return member;
    }
  }
  std::vector<std::string> reprs;
  for (const Json& member : type.enum_members()) reprs.push_back(NumberStr(member));
  return Failure{absl::StrCat("value is not a valid enumeration member; permitted: ",
                              absl::StrJoin(reprs, ", ")),
                 "type_error.enum", Json{{"enum_values", type.enum_members()}}};
}

Result<std::string> ToEnum(const ValueType& type, const PyValue& value) {
  if (value.kind == Kind::kJson && value.json.is_string()) {
    for (const std::string& member : type.enum_values()) {
      if (member == value.json.get_ref<const std::string&>()) return member;
    }
  }
  std::vector<std::string> reprs;
  for (const std::string& member : type.enum_values()) reprs.push_back(PythonStrRepr(member));
  return Failure{absl::StrCat("value is not a valid enumeration member; permitted: ",
                              absl::StrJoin(reprs, ", ")),
                 "type_error.enum", Json{{"enum_values", type.enum_values()}}};
}

// constr_length_validator, then ConstrainedStr.validate's regex check.
std::optional<Failure> CheckStr(const std::string& text, const Constraints& c) {
  if (!c.has_string_constraints()) return std::nullopt;
  const auto length = static_cast<int64_t>(http::CodePointCount(text));  // len(str)
  if (c.min_length.has_value() && length < *c.min_length) {
    return Failure{absl::StrCat("ensure this value has at least ", *c.min_length, " characters"),
                   "value_error.any_str.min_length", Json{{"limit_value", *c.min_length}}};
  }
  if (c.max_length.has_value() && length > *c.max_length) {
    return Failure{absl::StrCat("ensure this value has at most ", *c.max_length, " characters"),
                   "value_error.any_str.max_length", Json{{"limit_value", *c.max_length}}};
  }
  if (c.pattern.has_value() && !c.pattern->MatchesAtStart(text)) {
    return Failure{absl::StrCat("string does not match regex \"", c.pattern->text(), "\""),
                   "value_error.str.regex", Json{{"pattern", c.pattern->text()}}};
  }
  return std::nullopt;
}

// Python's exact comparison of an int or float with an int or float:
// negative, zero or positive; nullopt when either is NaN.
std::optional<int> Compare(const Json& a, const Json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    const long double x = a.is_number_unsigned()  ? a.get<uint64_t>()
                          : a.is_number_integer() ? a.get<int64_t>()
                                                  : a.get<double>();
    const long double y = b.is_number_unsigned()  ? b.get<uint64_t>()
                          : b.is_number_integer() ? b.get<int64_t>()
                                                  : b.get<double>();
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_number_unsigned() || b.is_number_unsigned()) {
    // A negative int64 is below any unsigned; otherwise both fit uint64.
    const bool a_neg = !a.is_number_unsigned() && a.get<int64_t>() < 0;
    const bool b_neg = !b.is_number_unsigned() && b.get<int64_t>() < 0;
    if (a_neg != b_neg) return a_neg ? -1 : 1;
    const uint64_t x = a.get<uint64_t>(), y = b.get<uint64_t>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  const int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
  return x < y ? -1 : (x > y ? 1 : 0);
}

// number_size_validator: gt or ge, then lt, then le; `not v > gt` is also
// true for NaN.
std::optional<Failure> CheckNumber(const Json& number, const Constraints& c) {
  if (!c.has_number_constraints()) return std::nullopt;
  auto fails = [&number](const std::optional<Json>& limit, auto holds) {
    if (!limit.has_value()) return false;
    const std::optional<int> order = Compare(number, *limit);
    return !order.has_value() || !holds(*order);
  };
  auto failure = [](const char* what, const char* code, const Json& limit) {
    return Failure{absl::StrCat("ensure this value is ", what, " ", NumberStr(limit)),
                   absl::StrCat("value_error.number.", code), Json{{"limit_value", limit}}};
  };
  if (fails(c.gt, [](int o) { return o > 0; })) return failure("greater than", "not_gt", *c.gt);
  if (fails(c.ge, [](int o) { return o >= 0; })) {
    return failure("greater than or equal to", "not_ge", *c.ge);
  }
  if (fails(c.lt, [](int o) { return o < 0; })) return failure("less than", "not_lt", *c.lt);
  if (fails(c.le, [](int o) { return o <= 0; })) {
    return failure("less than or equal to", "not_le", *c.le);
  }
  return std::nullopt;
}

// BaseModel.validate's `dict(value)` for what is not a dict already. Python
// builds the dict pair by pair; keys that are not str then fail in
// `cls(**value)` with TypeError "keywords must be strings".
Result<Json> ToDict(const PyValue& value) {
  if (value.kind != Kind::kJson) return DictError();
  const Json& v = value.json;
  if (v.is_object()) return v;
  if (v.is_string()) {
    // dict("") == {}; any character is a 1-character sequence: ValueError.
    if (v.get_ref<const std::string&>().empty()) return Json::object();
    return DictError();
  }
  if (!v.is_array()) return DictError();
  std::vector<std::pair<Json, Json>> pairs;
  for (const Json& element : v) {
    // Each element must be an iterable of exactly two items: a list, a str
    // of two characters, or a dict of two keys (iterating a dict gives keys).
    std::vector<Json> items;
    if (element.is_array()) {
      items.assign(element.begin(), element.end());
    } else if (element.is_object()) {
      for (const auto& [key, unused] : element.items()) items.emplace_back(key);
    } else if (element.is_string()) {
      const std::string& text = element.get_ref<const std::string&>();
      for (size_t pos = 0; pos < text.size() && items.size() <= 2;) {
        const size_t start = pos;
        http::NextCodePoint(text, &pos);
        items.emplace_back(text.substr(start, pos - start));
      }
    } else {
      return DictError();  // not iterable: TypeError
    }
    if (items.size() != 2) return DictError();                            // ValueError
    if (items[0].is_array() || items[0].is_object()) return DictError();  // unhashable
    pairs.emplace_back(std::move(items[0]), std::move(items[1]));
  }
  Json dict = Json::object();
  for (auto& [key, item] : pairs) {
    if (!key.is_string()) return Failure{"keywords must be strings", "type_error"};
    dict[key.get<std::string>()] = std::move(item);  // a repeated key keeps its place
  }
  return dict;
}

Json Extend(const Json& loc, const Json& part) {
  Json out = loc;
  out.push_back(part);
  return out;
}

void Report(Failure failure, const Json& loc, std::vector<ValidationError>* errors) {
  errors->push_back(ValidationError{loc, std::move(failure.msg), std::move(failure.type),
                                    std::move(failure.ctx)});
}

// A scalar's coercion followed by its constraints.
template <typename T>
std::optional<Json> Finish(Result<T> result, const Constraints& constraints, const Json& loc,
                           std::vector<ValidationError>* errors) {
  if (auto* failure = std::get_if<Failure>(&result)) {
    Report(std::move(*failure), loc, errors);
    return std::nullopt;
  }
  Json out(std::get<T>(std::move(result)));
  std::optional<Failure> failure;
  if constexpr (std::is_same_v<T, std::string>) {
    failure = CheckStr(out.template get_ref<const std::string&>(), constraints);
  } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
    failure = CheckNumber(out, constraints);
  }
  if (failure.has_value()) {
    Report(std::move(*failure), loc, errors);
    return std::nullopt;
  }
  return out;
}

// validate_model: every field in declaration order.
std::optional<Json> ValidateModel(const ModelSpec& model, const Json& dict, const Json& loc,
                                  std::vector<ValidationError>* errors) {
  Json out = Json::object();
  bool ok = true;
  for (const FieldSpec& field : model.fields) {
    const std::string& key = field.key();
    const Json field_loc = Extend(loc, key);
    auto it = dict.find(key);
    if (it == dict.end()) {
      if (field.required) {
        Report({"field required", "value_error.missing"}, field_loc, errors);
        ok = false;
      } else {
        out[key] = field.default_value;  // a copy, not validated (pydantic)
      }
      continue;
    }
    std::optional<Json> validated =
        ValidateValue(field.type, field.constraints, PyValue{*it}, field_loc, errors);
    if (validated.has_value()) {
      out[key] = std::move(*validated);
    } else {
      ok = false;
    }
  }
  if (model.forbid_extra && dict.is_object()) {
    // `extra = input_data.keys() - names_used`: a set, iterated in hash
    // order in Python; here in the input's order (docs/differences.md).
    for (const auto& [key, unused] : dict.items()) {
      const bool declared =
          std::any_of(model.fields.begin(), model.fields.end(),
                      [&key = key](const FieldSpec& f) { return f.key() == key; });
      if (!declared) {
        Report({"extra fields not permitted", "value_error.extra"}, Extend(loc, key), errors);
        ok = false;
      }
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace

std::optional<Json> ValidateValue(const ValueType& type, const Constraints& constraints,
                                  const PyValue& value, const Json& loc,
                                  std::vector<ValidationError>* errors) {
  if (value.kind == Kind::kJson && value.json.is_null()) {
    if (type.nullable()) return Json(nullptr);
    Report(NoneError(), loc, errors);
    return std::nullopt;
  }
  switch (type.kind()) {
    case ParamType::kStr:
      return Finish(ToStr(value), constraints, loc, errors);
    case ParamType::kInt:
      return Finish(ToInt(value), constraints, loc, errors);
    case ParamType::kFloat:
      return Finish(ToFloat(value), constraints, loc, errors);
    case ParamType::kBool:
      return Finish(ToBool(value), constraints, loc, errors);
    case ParamType::kUuid:
      return Finish(ToUuid(value), constraints, loc, errors);
    case ParamType::kDate:
      return Finish(ToTemporal(Temporal::kDate, value), constraints, loc, errors);
    case ParamType::kDatetime:
      return Finish(ToTemporal(Temporal::kDatetime, value), constraints, loc, errors);
    case ParamType::kTime:
      return Finish(ToTemporal(Temporal::kTime, value), constraints, loc, errors);
    case ParamType::kTimedelta:
      return Finish(ToTemporal(Temporal::kTimedelta, value), constraints, loc, errors);
    case ParamType::kDecimal:
      return Finish(ToDecimal(value), constraints, loc, errors);
    case ParamType::kBytes:
      return Finish(ToBytes(value), constraints, loc, errors);
    case ParamType::kUploadFile:
      return Finish(ToUploadFile(value), constraints, loc, errors);
    case ParamType::kEnum:
      if (type.enum_base() != ParamType::kStr) {
        return Finish(ToNumberEnum(type, value), constraints, loc, errors);
      }
      return Finish(ToEnum(type, value), constraints, loc, errors);
    case ParamType::kUnion: {
      // ModelField._validate_singleton with sub_fields: the first member
      // that validates wins; otherwise every member's errors, in order.
      std::vector<ValidationError> member_errors;
      for (const ValueType& member : type.members()) {
        std::optional<Json> validated =
            ValidateValue(member, Constraints{}, value, loc, &member_errors);
        if (validated.has_value()) return validated;
      }
      errors->insert(errors->end(), std::make_move_iterator(member_errors.begin()),
                     std::make_move_iterator(member_errors.end()));
      return std::nullopt;
    }
    case ParamType::kList: {
      // _validate_sequence_like: a list (tuple, set...) item by item.
      if (value.kind != Kind::kJson || !value.json.is_array()) {
        Report(ListError(), loc, errors);
        return std::nullopt;
      }
      // ConstrainedList.list_length_validator, a pre validator: the items
      // are not validated when the length is wrong.
      const auto size = static_cast<int64_t>(value.json.size());
      if (constraints.min_items && size < *constraints.min_items) {
        Report({absl::StrCat("ensure this value has at least ", *constraints.min_items, " items"),
                "value_error.list.min_items", Json{{"limit_value", *constraints.min_items}}},
               loc, errors);
        return std::nullopt;
      }
      if (constraints.max_items && size > *constraints.max_items) {
        Report({absl::StrCat("ensure this value has at most ", *constraints.max_items, " items"),
                "value_error.list.max_items", Json{{"limit_value", *constraints.max_items}}},
               loc, errors);
        return std::nullopt;
      }
      Json out = Json::array();
      bool ok = true;
      for (size_t i = 0; i < value.json.size(); ++i) {
        const Kind item_kind = value.item_kinds != nullptr && i < value.item_kinds->size()
                                   ? (*value.item_kinds)[i]
                                   : Kind::kJson;
        std::optional<Json> item = ValidateValue(
            type.item(), constraints, PyValue{value.json[i], item_kind}, Extend(loc, i), errors);
        if (item.has_value()) {
          out.push_back(std::move(*item));
        } else {
          ok = false;
        }
      }
      if (!ok) return std::nullopt;
      return out;
    }
    case ParamType::kDict: {
      // _validate_mapping_like: dict(value), then each value at loc + key
      // (a str key always validates); an invalid value is left out.
      Result<Json> dict = ToDict(value);
      if (auto* failure = std::get_if<Failure>(&dict)) {
        Report(std::move(*failure), loc, errors);
        return std::nullopt;
      }
      Json out = Json::object();
      bool ok = true;
      for (const auto& [key, item] : std::get<Json>(dict).items()) {
        std::optional<Json> validated =
            ValidateValue(type.item(), constraints, PyValue{item}, Extend(loc, key), errors);
        if (validated.has_value()) {
          out[key] = std::move(*validated);
        } else {
          ok = false;
        }
      }
      if (!ok) return std::nullopt;
      return out;
    }
    case ParamType::kModel: {
      Result<Json> dict = ToDict(value);
      if (auto* failure = std::get_if<Failure>(&dict)) {
        Report(std::move(*failure), loc, errors);
        return std::nullopt;
      }
      return ValidateModel(type.model(), std::get<Json>(dict), loc, errors);
    }
  }
  return std::nullopt;
}

std::string PythonStrRepr(std::string_view text) {
  // Objects/unicodeobject.c unicode_repr.
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  auto printable = [](char32_t c) {
    if (c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD) return false;
    if (c == 0x061C || c == 0x1680 || c == 0x180E || c == 0x3000 || c == 0xFEFF) return false;
    if ((c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
        (c >= 0x205F && c <= 0x206F) || (c >= 0xD800 && c <= 0xF8FF) ||
        (c >= 0xFFF9 && c <= 0xFFFB) || c == 0xFFFE || c == 0xFFFF || c >= 0xE0000) {
      return false;
    }
    return true;
  };
  std::string out(1, quote);
  size_t pos = 0;
  while (pos < text.size()) {
    const char32_t c = http::NextCodePoint(text, &pos);
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (printable(c)) {
      http::AppendUtf8(c, &out);
    } else if (c < 0x100) {
      absl::StrAppend(&out, absl::StrFormat("\\x%02x", static_cast<uint32_t>(c)));
    } else if (c < 0x10000) {
      absl::StrAppend(&out, absl::StrFormat("\\u%04x", static_cast<uint32_t>(c)));
    } else {
      absl::StrAppend(&out, absl::StrFormat("\\U%08x", static_cast<uint32_t>(c)));
    }
  }
  out.push_back(quote);
  return out;
}

}  // namespace corouter::routing
