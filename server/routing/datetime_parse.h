// server/routing/datetime_parse.h
//
// pydantic 1.10's validators for `datetime.date`, `datetime.datetime`,
// `datetime.time` and `datetime.timedelta` (pydantic/datetime_parse.py:
// parse_date, parse_datetime, parse_time, parse_duration), as FastAPI 0.92
// runs them on a path, query, header or body value, each returning what
// FastAPI's jsonable_encoder writes for the result.
//
// The rules, as pydantic 1.10.4 has them:
//   - date, datetime, time: a number (int, float, bool; for a str or bytes,
//     whatever float() reads: "1e3", " 12 ", "inf", "nan") is a Unix time:
//     beyond +-3e20 it is datetime.max / datetime.min (naive); otherwise
//     divided by 1000 while its magnitude exceeds 2e10 (milliseconds and
//     smaller units), then 1970-01-01T00:00:00 plus that many seconds
//     (rounded to the microsecond as timedelta rounds, half to even), in
//     UTC. A time takes only 0 <= n < 86400. Otherwise the str (bytes
//     decoded as UTF-8) must match, from its start, the regular expressions
//       date      YYYY-M[M]-D[D]
//       datetime  the date, 'T' or ' ', then the time
//       time      H[H]:M[M][:S[S][.ffffff[ffffff]]][Z|+HH[[:]MM]|-HH[[:]MM]]
//     then end, or end but for one "\n" (Python's `$`); every digit may be
//     any Unicode decimal digit (Python's `\d`). The fields must make a
//     valid date or time (year 1..9999, day within its month, hour < 24,
//     second < 60, a UTC offset within 24 hours); up to 6 fraction digits
//     count and 6 more are allowed.
//   - timedelta: an int or float is first written as f"{value:f}"
//     ("1.500000"); the str must match Django's "[D day[s], ][[-]H:]
//     [-]M:[-]S[.ffffff]" form or ISO 8601's "[-+]P[nD][T[nH][nM][nS]]"
//     (each n may have a fraction), whose parts are summed as timedelta()
//     sums its keyword arguments.
// Errors, with pydantic's msg and type:
//   "invalid date format" value_error.date, "invalid datetime format"
//   value_error.datetime, "invalid time format" value_error.time, "invalid
//   duration format" value_error.duration; a value of another type (a list,
//   a dict, a UUID): "invalid type; expected date, string, bytes, int or
//   float" type_error; NaN: "cannot convert float NaN to integer"
//   value_error; bytes that are not UTF-8: the UnicodeDecodeError
//   (value_error.unicodedecode); an ISO duration part float() cannot read
//   ("P1,5D"): "could not convert string to float: '1,5'" value_error.
// Where Python raises OverflowError (a time from a negative number, a
// timedelta beyond 999,999,999 days), pydantic lets it escape: these throw
// UncaughtValidatorError (coercion.h), FastAPI's 500.
//
// Output (jsonable_encoder): date.isoformat() "2020-01-02";
// datetime.isoformat() "2020-01-02T03:04:05[.ffffff][+HH:MM]"; time's
// likewise "03:04:05[.ffffff][+HH:MM]"; a timedelta's total_seconds(), a
// float (90.0).
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_ROUTING_DATETIME_PARSE_H_
#define COROUTER_SERVER_ROUTING_DATETIME_PARSE_H_

#include <cstdint>
#include <string_view>

#include "server/http/response.h"
#include "server/routing/coercion.h"

namespace corouter::routing {

/// Which of the four datetime types.
enum class Temporal { kDate, kDatetime, kTime, kTimedelta };

/// The Python value a datetime validator receives.
struct TemporalInput {
  enum class Kind {
    kInt,    // an int (a bool is one: True is 1): `integer`
    kFloat,  // a float: `real`
    kStr,    // a str (UTF-8): `text`
    kBytes,  // bytes: `text`
    kOther,  // anything else (a list, a dict, a UUID): a TypeError
  };
  Kind kind = Kind::kOther;
  int64_t integer = 0;
  double real = 0;
  std::string_view text;
};

/// Validates `value` as pydantic 1.10 validates a field of type `kind` (see
/// the file comment) and returns it as jsonable_encoder writes it: a string,
/// or for kTimedelta a float. Throws UncaughtValidatorError where Python's
/// OverflowError escapes pydantic.
Coerced<http::Json> ParseTemporal(Temporal kind, const TemporalInput& value);

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_DATETIME_PARSE_H_
