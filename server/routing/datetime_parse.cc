// server/routing/datetime_parse.cc
//
// The regular expressions are pydantic 1.10.4's (datetime_parse.py), run by
// RE2 with two rewrites that keep their meaning: Python's `\d` (a Unicode
// decimal digit) is `\p{Nd}`, and a trailing `$` (the end, or the end but
// for one "\n") is `\n?` under FullMatch. standard_duration_re's lookahead,
// which RE2 lacks, becomes an alternation (see kStandardDuration).
#include "server/routing/datetime_parse.h"

#include <cmath>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "re2/re2.h"
#include "server/http/utf8.h"
#include "server/routing/validation.h"

namespace corouter::routing {
namespace {

using Json = http::Json;

#define COROUTER_DIGIT "\\p{Nd}"
constexpr const char kTimeExpr[] =
    "(" COROUTER_DIGIT "{1,2}):(" COROUTER_DIGIT "{1,2})(?::(" COROUTER_DIGIT
    "{1,2})(?:\\.(" COROUTER_DIGIT "{1,6})" COROUTER_DIGIT "{0,6})?)?(Z|[+-]" COROUTER_DIGIT
    "{2}(?::?" COROUTER_DIGIT "{2})?)?\\n?";
constexpr const char kDateExpr[] =
    "(" COROUTER_DIGIT "{4})-(" COROUTER_DIGIT "{1,2})-(" COROUTER_DIGIT "{1,2})";
// standard_duration_re:
//   (?:(?P<days>-?\d+) (days?, )?)?
//   ((?:(?P<hours>-?\d+):)(?=\d+:\d+))?
//   (?:(?P<minutes>-?\d+):)?
//   (?P<seconds>-?\d+)
//   (?:\.(?P<microseconds>\d{1,6})\d{0,6})?$
// The hours group is taken only when `\d+:\d+` follows; the minutes group
// then always matches those digits and the seconds begin with a digit. So it
// is the alternation of "hours:minutes:seconds" (no sign on the last two)
// and "[minutes:]seconds", tried in that order as Python's backtracking does.
constexpr const char kStandardDuration[] =
    "(?:(-?" COROUTER_DIGIT
    "+) (?:days?, )?)?"
    "(?:(-?" COROUTER_DIGIT "+):(" COROUTER_DIGIT "+):(" COROUTER_DIGIT
    "+)"
    "|(?:(-?" COROUTER_DIGIT "+):)?(-?" COROUTER_DIGIT
    "+))"
    "(?:\\.(" COROUTER_DIGIT "{1,6})" COROUTER_DIGIT "{0,6})?\\n?";
constexpr const char kIsoDuration[] =
    "([-+]?)P(?:(" COROUTER_DIGIT "+(?:." COROUTER_DIGIT "+)?)D)?(?:T(?:(" COROUTER_DIGIT
    "+(?:." COROUTER_DIGIT "+)?)H)?(?:(" COROUTER_DIGIT "+(?:." COROUTER_DIGIT
    "+)?)M)?(?:(" COROUTER_DIGIT "+(?:." COROUTER_DIGIT "+)?)S)?)?\\n?";
#undef COROUTER_DIGIT

const RE2& Compiled(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto* re = new RE2(pattern, options);  // one per pattern, for the process
  return *re;
}
const RE2& DateRe() {
  static const RE2& re = Compiled(absl::StrCat(kDateExpr, "\\n?"));
  return re;
}
const RE2& TimeRe() {
  static const RE2& re = Compiled(kTimeExpr);
  return re;
}
const RE2& DatetimeRe() {
  static const RE2& re = Compiled(absl::StrCat(kDateExpr, "[T ]", kTimeExpr));
  return re;
}
const RE2& StandardDurationRe() {
  static const RE2& re = Compiled(kStandardDuration);
  return re;
}
const RE2& IsoDurationRe() {
  static const RE2& re = Compiled(kIsoDuration);
  return re;
}

// FullMatch with `n` optional groups; an unmatched group is nullopt.
std::optional<std::vector<std::optional<std::string_view>>> Match(const RE2& re,
                                                                  std::string_view text) {
  const int n = re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(static_cast<size_t>(n) + 1);
  if (!re.Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::ANCHOR_BOTH,
                groups.data(), n + 1)) {
    return std::nullopt;
  }
  std::vector<std::optional<std::string_view>> out;
  for (int i = 1; i <= n; ++i) {
    const re2::StringPiece g = groups[static_cast<size_t>(i)];
    if (g.data() == nullptr) {
      out.emplace_back(std::nullopt);
    } else {
      out.emplace_back(std::string_view(g.data(), g.size()));
    }
  }
  return out;
}

std::vector<char32_t> CodePoints(std::string_view text) {
  std::vector<char32_t> out;
  for (size_t pos = 0; pos < text.size();) out.push_back(http::NextCodePoint(text, &pos));
  return out;
}

// int() of a run of decimal digits (what `\d+` matched); nullopt if RE2's
// idea of a digit is not Python's.
std::optional<int64_t> DigitsValue(const std::vector<char32_t>& digits) {
  int64_t value = 0;
  for (const char32_t c : digits) {
    const int d = DecimalDigitValue(c);
    if (d < 0 || value > 1'000'000'000'000'000) return std::nullopt;
    value = value * 10 + d;
  }
  return value;
}
std::optional<int64_t> DigitsValue(std::string_view digits) {
  return DigitsValue(CodePoints(digits));
}

CoercionError FormatError(Temporal kind) {
  switch (kind) {
    case Temporal::kDate:
      return {"invalid date format", "value_error.date"};
    case Temporal::kDatetime:
      return {"invalid datetime format", "value_error.datetime"};
    case Temporal::kTime:
      return {"invalid time format", "value_error.time"};
    case Temporal::kTimedelta:
      break;
  }
  return {"invalid duration format", "value_error.duration"};
}

CoercionError TypeError(Temporal kind) {
  static constexpr const char* kNames[] = {"date", "datetime", "time", "timedelta"};
  return {absl::StrCat("invalid type; expected ", kNames[static_cast<int>(kind)],
                       ", string, bytes, int or float"),
          "type_error"};
}

[[noreturn]] void Overflow(std::string_view message) {
  throw UncaughtValidatorError(absl::StrCat("OverflowError: ", std::string(message)));
}

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// What delta_new (CPython Modules/_datetimemodule.c) sums its keyword
// arguments into: the integer microseconds so far, and the fractions of a
// microsecond left over, rounded at the end (Finish).
struct Micros {
  absl::int128 whole = 0;
  double leftover = 0;

  // accum() for a float argument times `factor` microseconds. NaN is
  // ValueError, infinity OverflowError (PyLong_FromDouble).
  std::optional<CoercionError> AddFloat(double value, int64_t factor) {
    if (std::isnan(value))
      return CoercionError{"cannot convert float NaN to integer", "value_error"};
    if (std::isinf(value)) Overflow("cannot convert float infinity to integer");
    double intpart = 0;
    double fracpart = std::modf(value, &intpart);
    // Beyond this no sum of the few arguments here fits a timedelta.
    if (std::fabs(intpart) > 1e24) Overflow("Python int too large to convert to C int");
    whole += static_cast<absl::int128>(intpart) * factor;
    if (fracpart == 0.0) return std::nullopt;
    fracpart = std::modf(static_cast<double>(factor) * fracpart, &intpart);
    whole += static_cast<absl::int128>(intpart);
    leftover += fracpart;
    return std::nullopt;
  }

  // The leftover rounded to the nearest microsecond, half to even.
  absl::int128 Finish() const {
    if (leftover == 0.0) return whole;
    double whole_us = std::round(leftover);
    if (std::fabs(whole_us - leftover) == 0.5) {
      const int odd = static_cast<int>(whole & 1) != 0 ? 1 : 0;
      whole_us = 2.0 * std::round((leftover + odd) * 0.5) - odd;
    }
    return whole + static_cast<absl::int128>(whole_us);
  }
};

// timedelta's range: -999999999 days to 999999999 days 23:59:59.999999.
int64_t CheckTimedelta(absl::int128 micros) {
  const absl::int128 limit = static_cast<absl::int128>(999'999'999) * kMicrosPerDay;
  if (micros < -limit || micros >= limit + kMicrosPerDay) {
    Overflow("days must have magnitude <= 999999999");
  }
  return static_cast<int64_t>(micros);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// A UTC offset in minutes, or none (naive).
struct Clock {
  int hour = 0, minute = 0, second = 0, microsecond = 0;
  std::optional<int> offset_minutes;
};

std::string FormatClock(const Clock& c) {
  std::string out = absl::StrFormat("%02d:%02d:%02d", c.hour, c.minute, c.second);
  if (c.microsecond != 0) absl::StrAppendFormat(&out, ".%06d", c.microsecond);
  if (c.offset_minutes.has_value()) {
    const int off = *c.offset_minutes;
    absl::StrAppendFormat(&out, "%c%02d:%02d", off < 0 ? '-' : '+', std::abs(off) / 60,
                          std::abs(off) % 60);
  }
  return out;
}

std::string FormatDate(int64_t year, int month, int day) {
  return absl::StrFormat("%04d-%02d-%02d", year, month, day);
}

bool ValidDate(int64_t year, int64_t month, int64_t day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int64_t days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= days;
}

// The groups hour, minute, second, microsecond, tzinfo of time_expr (from
// `first`) as time(...) takes them, or nullopt where Python raises
// ValueError (the caller's format error).
std::optional<Clock> ReadClock(const std::vector<std::optional<std::string_view>>& g,
                               size_t first) {
  Clock c;
  const std::optional<int64_t> hour = DigitsValue(*g[first]);
  const std::optional<int64_t> minute = DigitsValue(*g[first + 1]);
  if (!hour || !minute) return std::nullopt;
  int64_t second = 0, micro = 0;
  if (g[first + 2].has_value()) {
    const std::optional<int64_t> s = DigitsValue(*g[first + 2]);
    if (!s) return std::nullopt;
    second = *s;
  }
  if (g[first + 3].has_value()) {  // kw['microsecond'].ljust(6, '0')
    std::vector<char32_t> digits = CodePoints(*g[first + 3]);
    while (digits.size() < 6) digits.push_back(U'0');
    const std::optional<int64_t> us = DigitsValue(digits);
    if (!us) return std::nullopt;
    micro = *us;
  }
  if (*hour > 23 || *minute > 59 || second > 59) return std::nullopt;
  c.hour = static_cast<int>(*hour);
  c.minute = static_cast<int>(*minute);
  c.second = static_cast<int>(second);
  c.microsecond = static_cast<int>(micro);
  if (g[first + 4].has_value()) {
    // _parse_timezone: 'Z' is UTC; else minutes from the last two
    // characters if there are more than three, hours from [1:3].
    const std::vector<char32_t> tz = CodePoints(*g[first + 4]);
    if (tz.size() == 1) {
      c.offset_minutes = 0;
    } else {
      std::optional<int64_t> minutes = int64_t{0};
      if (tz.size() > 3) minutes = DigitsValue(std::vector<char32_t>(tz.end() - 2, tz.end()));
      const std::optional<int64_t> hours =
          DigitsValue(std::vector<char32_t>(tz.begin() + 1, tz.begin() + 3));
      if (!minutes || !hours) return std::nullopt;
      int64_t offset = 60 * *hours + *minutes;
      if (tz[0] == U'-') offset = -offset;
      // timezone(): strictly between -24 h and 24 h.
      if (offset <= -1440 || offset >= 1440) return std::nullopt;
      c.offset_minutes = static_cast<int>(offset);
    }
  }
  return c;
}

// The number a date, datetime or time validator reads (get_numeric): an
// int, a float, or what float() makes of a str (bytes: ASCII only).
struct Number {
  bool is_int = false;
  int64_t integer = 0;
  double real = 0;
};

std::optional<Number> GetNumeric(const TemporalInput& value) {
  switch (value.kind) {
    case TemporalInput::Kind::kInt:
      return Number{true, value.integer, 0};
    case TemporalInput::Kind::kFloat:
      return Number{false, 0, value.real};
    case TemporalInput::Kind::kStr:
    case TemporalInput::Kind::kBytes: {
      if (value.kind == TemporalInput::Kind::kBytes) {
        for (const char c : value.text) {
          if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
        }
      }
      Coerced<double> f = CoerceFloat(value.text);
      if (const double* d = std::get_if<double>(&f)) return Number{false, 0, *d};
      return std::nullopt;
    }
    case TemporalInput::Kind::kOther:
      break;
  }
  return std::nullopt;
}

// A datetime as (days since 1970-01-01, microseconds into the day), or
// datetime.max / datetime.min (naive).
struct Instant {
  enum class Kind { kUtc, kMax, kMin } kind = Kind::kUtc;
  int64_t micros = 0;  // since the epoch
};

// from_unix_seconds.
Coerced<Instant> FromUnixSeconds(const Number& n) {
  constexpr double kMaxNumber = 3e20;
  constexpr double kMsWatershed = 2e10;
  if (n.is_int) {
    int64_t s = n.integer;
    if (s <= static_cast<int64_t>(kMsWatershed) && s >= -static_cast<int64_t>(kMsWatershed)) {
      return Instant{Instant::Kind::kUtc, s * kMicrosPerSecond};
    }
    // seconds /= 1000: a float from then on (int / int is correctly rounded;
    // long double holds an int64 exactly).
    double real = static_cast<double>(static_cast<long double>(s) / 1000.0L);
    while (std::fabs(real) > kMsWatershed) real /= 1000;
    Micros us;
    us.AddFloat(real, kMicrosPerSecond);
    return Instant{Instant::Kind::kUtc, static_cast<int64_t>(us.Finish())};
  }
  double real = n.real;
  if (real > kMaxNumber) return Instant{Instant::Kind::kMax, 0};
  if (real < -kMaxNumber) return Instant{Instant::Kind::kMin, 0};
  while (std::fabs(real) > kMsWatershed) real /= 1000;
  Micros us;
  if (std::optional<CoercionError> error = us.AddFloat(real, kMicrosPerSecond)) return *error;
  return Instant{Instant::Kind::kUtc, static_cast<int64_t>(us.Finish())};
}

std::string FormatInstant(const Instant& t, bool date_only) {
  if (t.kind == Instant::Kind::kMax) {
    return date_only ? "9999-12-31" : "9999-12-31T23:59:59.999999";
  }
  if (t.kind == Instant::Kind::kMin) return date_only ? "0001-01-01" : "0001-01-01T00:00:00";
  const int64_t days = FloorDiv(t.micros, kMicrosPerDay);
  const int64_t in_day = t.micros - days * kMicrosPerDay;
  const absl::CivilDay day = absl::CivilDay(1970, 1, 1) + days;
  const std::string date = FormatDate(day.year(), day.month(), day.day());
  if (date_only) return date;
  Clock c;
  c.hour = static_cast<int>(in_day / (3600 * kMicrosPerSecond));
  c.minute = static_cast<int>(in_day / (60 * kMicrosPerSecond) % 60);
  c.second = static_cast<int>(in_day / kMicrosPerSecond % 60);
  c.microsecond = static_cast<int>(in_day % kMicrosPerSecond);
  c.offset_minutes = 0;  // .replace(tzinfo=timezone.utc)
  return absl::StrCat(date, "T", FormatClock(c));
}

// The str a date, datetime or time validator matches: the text, bytes
// decoded (a UnicodeDecodeError is the error).
Coerced<std::string_view> TextOf(const TemporalInput& value) {
  if (value.kind == TemporalInput::Kind::kBytes) {
    if (auto error = http::FindUtf8Error(value.text)) {
      return CoercionError{http::Utf8ErrorMessage(value.text, *error), "value_error.unicodedecode"};
    }
  }
  return value.text;
}

Coerced<Json> ParseDateOrTime(Temporal kind, const TemporalInput& value) {
  if (value.kind == TemporalInput::Kind::kOther) return TypeError(kind);
  if (std::optional<Number> number = GetNumeric(value)) {
    if (kind == Temporal::kTime) {
      // `if number >= 86400: raise TimeError`, then datetime.min +
      // timedelta(seconds=number): before datetime.min overflows.
      if (number->is_int ? number->integer >= 86400 : number->real >= 86400) {
        return FormatError(kind);
      }
      Micros us;
      if (number->is_int) {
        us.whole = static_cast<absl::int128>(number->integer) * kMicrosPerSecond;
      } else if (std::optional<CoercionError> error = us.AddFloat(number->real, kMicrosPerSecond)) {
        return *error;
      }
      const absl::int128 micros = us.Finish();
      if (micros < 0) Overflow("date value out of range");
      // 86399.9999999 rounds to a whole day: 00:00:00 of the next one.
      const auto in_day = static_cast<int64_t>(micros % kMicrosPerDay);
      Clock c;
      c.hour = static_cast<int>(in_day / (3600 * kMicrosPerSecond));
      c.minute = static_cast<int>(in_day / (60 * kMicrosPerSecond) % 60);
      c.second = static_cast<int>(in_day / kMicrosPerSecond % 60);
      c.microsecond = static_cast<int>(in_day % kMicrosPerSecond);
      return Json(FormatClock(c));
    }
    Coerced<Instant> instant = FromUnixSeconds(*number);
    if (auto* error = std::get_if<CoercionError>(&instant)) return *error;
    return Json(FormatInstant(std::get<Instant>(instant), kind == Temporal::kDate));
  }
  Coerced<std::string_view> text = TextOf(value);
  if (auto* error = std::get_if<CoercionError>(&text)) return *error;
  const std::string_view str = std::get<std::string_view>(text);
  switch (kind) {
    case Temporal::kDate: {
      auto g = Match(DateRe(), str);
      if (!g) return FormatError(kind);
      const auto y = DigitsValue(*(*g)[0]), m = DigitsValue(*(*g)[1]), d = DigitsValue(*(*g)[2]);
      if (!y || !m || !d || !ValidDate(*y, *m, *d)) return FormatError(kind);
      return Json(FormatDate(*y, static_cast<int>(*m), static_cast<int>(*d)));
    }
    case Temporal::kTime: {
      auto g = Match(TimeRe(), str);
      if (!g) return FormatError(kind);
      std::optional<Clock> c = ReadClock(*g, 0);
      if (!c) return FormatError(kind);
      return Json(FormatClock(*c));
    }
    default: {
      auto g = Match(DatetimeRe(), str);
      if (!g) return FormatError(kind);
      const auto y = DigitsValue(*(*g)[0]), m = DigitsValue(*(*g)[1]), d = DigitsValue(*(*g)[2]);
      std::optional<Clock> c = ReadClock(*g, 3);
      if (!y || !m || !d || !ValidDate(*y, *m, *d) || !c) return FormatError(kind);
      return Json(absl::StrCat(FormatDate(*y, static_cast<int>(*m), static_cast<int>(*d)), "T",
                               FormatClock(*c)));
    }
  }
}

// float(text) for a captured part of a duration.
Coerced<double> PartFloat(std::string_view text) {
  Coerced<double> f = CoerceFloat(text);
  if (std::holds_alternative<double>(f)) return f;
  return CoercionError{absl::StrCat("could not convert string to float: ", PythonStrRepr(text)),
                       "value_error"};
}

// parse_duration.
Coerced<Json> ParseDuration(const TemporalInput& value) {
  std::string formatted;  // f"{value:f}" for a number
  std::string_view str;
  switch (value.kind) {
    case TemporalInput::Kind::kInt:
      // format(int, "f") converts to float first.
      formatted = absl::StrFormat("%f", static_cast<double>(value.integer));
      str = formatted;
      break;
    case TemporalInput::Kind::kFloat:
      if (std::isnan(value.real)) {
        formatted = "nan";
      } else if (std::isinf(value.real)) {
        formatted = value.real > 0 ? "inf" : "-inf";
      } else {
        formatted = absl::StrFormat("%f", value.real);
      }
      str = formatted;
      break;
    case TemporalInput::Kind::kStr:
      str = value.text;
      break;
    case TemporalInput::Kind::kBytes: {
      Coerced<std::string_view> text = TextOf(value);
      if (auto* error = std::get_if<CoercionError>(&text)) return *error;
      str = std::get<std::string_view>(text);
      break;
    }
    case TemporalInput::Kind::kOther:
      return TypeError(Temporal::kTimedelta);
  }
  // The keyword arguments timedelta() gets, as strings.
  std::optional<std::string_view> days, hours, minutes, seconds;
  std::string microseconds;
  bool negative = false;
  if (auto g = Match(StandardDurationRe(), str)) {
    // Groups: days, hours, minutes (hours branch), seconds (hours branch),
    // minutes, seconds, microseconds.
    days = (*g)[0];
    if ((*g)[1].has_value()) {
      hours = (*g)[1];
      minutes = (*g)[2];
      seconds = (*g)[3];
    } else {
      minutes = (*g)[4];
      seconds = (*g)[5];
    }
    if ((*g)[6].has_value()) {
      microseconds = std::string(*(*g)[6]);
      while (http::CodePointCount(microseconds) < 6) microseconds.push_back('0');
      if (seconds.has_value() && !seconds->empty() && (*seconds)[0] == '-') {
        microseconds =
            "-" + microseconds;  // not insert(0, "-"): GCC 12 -O3 -Wrestrict false positive
      }
    }
  } else if (auto iso = Match(IsoDurationRe(), str)) {
    negative = *(*iso)[0] == "-";
    days = (*iso)[1];
    hours = (*iso)[2];
    minutes = (*iso)[3];
    seconds = (*iso)[4];
  } else {
    return FormatError(Temporal::kTimedelta);
  }
  // float() of each, then delta_new's sum: microseconds, seconds, minutes,
  // hours, days, in that order.
  Micros sum;
  const std::pair<std::optional<std::string_view>, int64_t> parts[] = {
      {microseconds.empty() ? std::nullopt : std::optional<std::string_view>(microseconds), 1},
      {seconds, kMicrosPerSecond},
      {minutes, 60 * kMicrosPerSecond},
      {hours, 3600 * kMicrosPerSecond},
      {days, kMicrosPerDay}};
  // float() runs in the groups' order (days first): the first that fails
  // is the error.
  double values[std::size(parts)] = {};
  for (size_t i = std::size(parts); i-- > 0;) {
    if (!parts[i].first.has_value()) continue;
    Coerced<double> f = PartFloat(*parts[i].first);
    if (auto* error = std::get_if<CoercionError>(&f)) return *error;
    values[i] = std::get<double>(f);
  }
  for (size_t i = 0; i < std::size(parts); ++i) {
    if (!parts[i].first.has_value()) continue;
    if (std::optional<CoercionError> error = sum.AddFloat(values[i], parts[i].second)) {
      return *error;
    }
  }
  absl::int128 micros = sum.Finish();
  // timedelta() checks its range; the negation of an ISO duration (never
  // negative itself) always stays within it.
  int64_t total = CheckTimedelta(micros);
  if (negative) total = -total;  // sign * timedelta
  // total_seconds(): the microseconds / 10**6, correctly rounded.
  double secs = 0;
  if (total > -(int64_t{1} << 53) && total < (int64_t{1} << 53)) {
    secs = static_cast<double>(total) / 1e6;
  } else {
    secs = static_cast<double>(static_cast<long double>(total) / 1e6L);
  }
  return Json(secs);
}

}  // namespace

Coerced<http::Json> ParseTemporal(Temporal kind, const TemporalInput& value) {
  if (kind == Temporal::kTimedelta) return ParseDuration(value);
  return ParseDateOrTime(kind, value);
}

}  // namespace corouter::routing
