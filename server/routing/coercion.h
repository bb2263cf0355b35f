// server/routing/coercion.h
//
// Turning the text of a path, query or header parameter into a typed value
// with pydantic v1's rules (pydantic 1.10 validators.py), as FastAPI 0.92
// does after routing. Each function returns the value or the pydantic error
// that FastAPI would put in its 422 body.
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_ROUTING_COERCION_H_
#define COROUTER_SERVER_ROUTING_COERCION_H_

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace corouter::routing {

/// A pydantic error without its location: `msg` and `type` as in FastAPI's
/// 422 body ("value is not a valid integer", "type_error.integer").
struct CoercionError {
  std::string msg;
  std::string type;

  friend bool operator==(const CoercionError&, const CoercionError&) = default;
};

template <typename T>
using Coerced = std::variant<T, CoercionError>;

/// Python's `int(str)`: surrounding whitespace allowed, optional sign, ASCII
/// digits with single underscores between digits ("5_000"), leading zeros
/// allowed ("007"). Rejects "", "1.0", "0x10", "1__0", "_1", "- 5".
/// `text` is UTF-8. As in Python, whitespace is " \t\n\v\f\r" plus the
/// non-ASCII Unicode whitespace (U+00A0, U+3000, ...), but not \x1c..\x1f
/// (int("\x1c5") raises although "\x1c".isspace()); any Unicode decimal digit
/// counts as its digit (fullwidth "５" is 5). Text longer than 4300 characters
/// is rejected (pydantic's max_str_int).
/// Values outside int64 are rejected too (Python's ints are unbounded; this
/// is a documented difference).
/// Error: {"value is not a valid integer", "type_error.integer"}.
Coerced<int64_t> CoerceInt(std::string_view text);

/// Python's `float(str)`: the same whitespace and digits as CoerceInt, sign,
/// digits with single underscores between digits (also in the exponent),
/// optional fraction (".5" and "1." are fine), exponent,
/// "inf"/"infinity"/"nan" in any case. Overflow gives +-infinity and
/// underflow +-0.0, as in Python; NaN and infinities are returned, not
/// rejected (pydantic 1.10 accepts them; JSON serialisation fails later).
/// Error: {"value is not a valid float", "type_error.float"}.
Coerced<double> CoerceFloat(std::string_view text);

/// pydantic's bool parsing: lowercased but not stripped; true set
/// {1,on,t,true,y,yes}, false set {0,off,f,false,n,no}. ASCII lowercasing
/// gives the same answers as Python's str.lower() for every input.
/// Error: {"value could not be parsed to a boolean", "type_error.bool"}.
Coerced<bool> CoerceBool(std::string_view text);

/// Python's `uuid.UUID(text)`, which pydantic's uuid_validator calls on a
/// str: every "urn:" and "uuid:" is removed, then '{' and '}' from both ends,
/// then every '-'; 32 characters must remain, read by `int(hex, 16)` (so
/// surrounding whitespace, a sign, a "0x" prefix, single underscores between
/// digits and Unicode decimal digits are all accepted, as in Python) into a
/// value in [0, 2**128). Returns the canonical lowercase form
/// "12345678-1234-5678-1234-567812345678".
/// Error: {"value is not a valid uuid", "type_error.uuid"}.
Coerced<std::string> CoerceUuid(std::string_view text);

/// The value of a Unicode decimal digit (category Nd, what Python's `\d`
/// matches in a str pattern and int() reads): 0..9 for '0'..'9' and for
/// the other 640 Nd code points of Python 3.11's Unicode 14.0.0 ("\u0663"
/// is 3), else -1.
int DecimalDigitValue(char32_t code_point);

/// Py_UNICODE_ISSPACE, what str.isspace() and str.strip() test: " \t\n\v\f\r",
/// \x1c..\x1f and the Unicode whitespace (U+0085, U+00A0, U+3000...).
bool IsPythonWhitespace(char32_t code_point);

/// A Python exception that a pydantic validator lets escape, one that is
/// not a ValueError, TypeError or AssertionError (OverflowError: a
/// timedelta beyond 999,999,999 days). pydantic does not turn it into a
/// validation error, so it leaves FastAPI's request handler and
/// ServerErrorMiddleware answers 500 (the engine catches it). what() is
/// Python's message, "OverflowError: date value out of range".
class UncaughtValidatorError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_COERCION_H_
