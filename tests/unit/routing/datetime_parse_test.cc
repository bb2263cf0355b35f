// tests/unit/routing/datetime_parse_test.cc
//
// Every expectation was produced by pydantic 1.10.4 under Python 3.11
// (`Model(field=value)`, then FastAPI 0.92's jsonable_encoder).
#include "server/routing/datetime_parse.h"

#include <cmath>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::routing {
namespace {

using http::Json;
using ::testing::VariantWith;
using Kind = TemporalInput::Kind;

TemporalInput Str(std::string_view text) { return {Kind::kStr, 0, 0, text}; }
TemporalInput Bytes(std::string_view text) { return {Kind::kBytes, 0, 0, text}; }
TemporalInput Int(int64_t n) { return {Kind::kInt, n, 0, {}}; }
TemporalInput Float(double x) { return {Kind::kFloat, 0, x, {}}; }

Json Ok(Temporal kind, const TemporalInput& input) {
  Coerced<Json> result = ParseTemporal(kind, input);
  if (auto* error = std::get_if<CoercionError>(&result)) {
    ADD_FAILURE() << error->msg << " (" << error->type << ")";
    return nullptr;
  }
  return std::get<Json>(result);
}

CoercionError Error(Temporal kind, const TemporalInput& input) {
  Coerced<Json> result = ParseTemporal(kind, input);
  if (auto* value = std::get_if<Json>(&result)) {
    ADD_FAILURE() << "accepted as " << value->dump();
    return {};
  }
  return std::get<CoercionError>(result);
}

TEST(DatetimeParse, DatesFromText) {
  EXPECT_EQ(Ok(Temporal::kDate, Str("2020-1-2")), "2020-01-02");
  EXPECT_EQ(Ok(Temporal::kDate, Str("2020-02-29")), "2020-02-29");
  EXPECT_EQ(Ok(Temporal::kDate, Str("2020-01-02\n")), "2020-01-02");     // Python's `$`
  EXPECT_EQ(Ok(Temporal::kDate, Str("\uff12020-01-02")), "2020-01-02");  // `\d` is Unicode
  const CoercionError invalid{"invalid date format", "value_error.date"};
  EXPECT_EQ(Error(Temporal::kDate, Str("2020-02-30")), invalid);
  EXPECT_EQ(Error(Temporal::kDate, Str("2021-02-29")), invalid);
  EXPECT_EQ(Error(Temporal::kDate, Str("0000-01-01")), invalid);
  EXPECT_EQ(Error(Temporal::kDate, Str("2020-01-02\n\n")), invalid);
  EXPECT_EQ(Error(Temporal::kDate, Str("2020-01-02T00:00")), invalid);
  EXPECT_EQ(Error(Temporal::kDate, Str(" 2020-01-02")), invalid);
}

TEST(DatetimeParse, NumbersAreUnixTimes) {
  EXPECT_EQ(Ok(Temporal::kDate, Float(1e3)), "1970-01-01");
  EXPECT_EQ(Ok(Temporal::kDate, Str("1e3")), "1970-01-01");  // float() first
  EXPECT_EQ(Ok(Temporal::kDatetime, Int(1600000000000)), "2020-09-13T12:26:40+00:00");  // ms
  EXPECT_EQ(Ok(Temporal::kDatetime, Str("0.0000015")), "1970-01-01T00:00:00.000002+00:00");
  EXPECT_EQ(Ok(Temporal::kDatetime, Int(1)), "1970-01-01T00:00:01+00:00");  // True
  EXPECT_EQ(Ok(Temporal::kDatetime, Float(4e20)), "9999-12-31T23:59:59.999999");
  EXPECT_EQ(Ok(Temporal::kDatetime, Float(-4e20)), "0001-01-01T00:00:00");
  EXPECT_EQ(Ok(Temporal::kDate, Float(std::numeric_limits<double>::infinity())), "9999-12-31");
  EXPECT_EQ(Error(Temporal::kDatetime, Float(std::nan(""))),
            (CoercionError{"cannot convert float NaN to integer", "value_error"}));
}

TEST(DatetimeParse, Datetimes) {
  EXPECT_EQ(Ok(Temporal::kDatetime, Str("2020-01-02T03:04:05.1234567-0800")),
            "2020-01-02T03:04:05.123456-08:00");
  EXPECT_EQ(Ok(Temporal::kDatetime, Str("2020-01-02 03:04")), "2020-01-02T03:04:00");
  EXPECT_EQ(Ok(Temporal::kDatetime, Str("2020-01-02T03:04:05Z")), "2020-01-02T03:04:05+00:00");
  EXPECT_EQ(Ok(Temporal::kDatetime, Str("2020-01-02T03:04:05+23:59")), "2020-01-02T03:04:05+23:59");
  const CoercionError invalid{"invalid datetime format", "value_error.datetime"};
  EXPECT_EQ(Error(Temporal::kDatetime, Str("2020-01-02T03:04:05+24:00")), invalid);
  EXPECT_EQ(Error(Temporal::kDatetime, Str("2020-01-02T24:00")), invalid);
  EXPECT_EQ(Error(Temporal::kDatetime, Str("2020-01-02T03:04:05.1234567891234")), invalid);
  EXPECT_EQ(Error(Temporal::kDatetime, Str("2020-01-02")), invalid);
}

TEST(DatetimeParse, Times) {
  EXPECT_EQ(Ok(Temporal::kTime, Str("3:4:5.5Z")), "03:04:05.500000+00:00");
  EXPECT_EQ(Ok(Temporal::kTime, Float(86399.9999999)), "00:00:00");
  EXPECT_EQ(Ok(Temporal::kTime, Float(3600.5)), "01:00:00.500000");
  EXPECT_EQ(Error(Temporal::kTime, Str("12:00:00-2400")),
            (CoercionError{"invalid time format", "value_error.time"}));
  EXPECT_EQ(Error(Temporal::kTime, Int(86400)),
            (CoercionError{"invalid time format", "value_error.time"}));
  // datetime.min + timedelta(seconds=-1): OverflowError, which pydantic
  // does not catch.
  EXPECT_THROW(ParseTemporal(Temporal::kTime, Int(-1)), UncaughtValidatorError);
}

TEST(DatetimeParse, Durations) {
  EXPECT_EQ(Ok(Temporal::kTimedelta, Str("1:2:3")), 3723.0);
  EXPECT_EQ(Ok(Temporal::kTimedelta, Str("-1:2:3")), -3477.0);
  EXPECT_EQ(Ok(Temporal::kTimedelta, Str("2 days, 1:02:03")), 176523.0);
  EXPECT_EQ(Ok(Temporal::kTimedelta, Str("-P1DT2H")), -93600.0);
  EXPECT_EQ(Ok(Temporal::kTimedelta, Float(-1.5)), -1.5);
  EXPECT_EQ(Ok(Temporal::kTimedelta, Str("1.0000005")), 1.0);
  EXPECT_EQ(Ok(Temporal::kTimedelta, Int(1)), 1.0);
  EXPECT_EQ(Ok(Temporal::kTimedelta, Str("-0:00:01.5")), 1.5);
  EXPECT_EQ(Error(Temporal::kTimedelta, Str("P1,5D")),
            (CoercionError{"could not convert string to float: '1,5'", "value_error"}));
  EXPECT_EQ(Error(Temporal::kTimedelta, Str("1e3")),
            (CoercionError{"invalid duration format", "value_error.duration"}));
  EXPECT_THROW(ParseTemporal(Temporal::kTimedelta, Str("9999999999 days, 0:00:00")),
               UncaughtValidatorError);
}

TEST(DatetimeParse, OtherTypesAndBytes) {
  EXPECT_EQ(
      Error(Temporal::kDate, TemporalInput{}),
      (CoercionError{"invalid type; expected date, string, bytes, int or float", "type_error"}));
  EXPECT_EQ(Error(Temporal::kTimedelta, TemporalInput{}),
            (CoercionError{"invalid type; expected timedelta, string, bytes, int or float",
                           "type_error"}));
  EXPECT_EQ(Error(Temporal::kDate, Bytes("\xff")),
            (CoercionError{"'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
                           "value_error.unicodedecode"}));
  EXPECT_EQ(Ok(Temporal::kDate, Bytes("2020-01-02")), "2020-01-02");
}

}  // namespace
}  // namespace corouter::routing
