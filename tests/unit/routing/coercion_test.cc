// tests/unit/routing/coercion_test.cc
//
// Expected values are Python 3.11's int() / float() and pydantic 1.10's
// bool_validator (fastapi-semantics.md sections 1 and 2).
#include "server/routing/coercion.h"

#include <cmath>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::routing {
namespace {

using ::testing::VariantWith;

const CoercionError kIntegerError{"value is not a valid integer", "type_error.integer"};
const CoercionError kFloatError{"value is not a valid float", "type_error.float"};
const CoercionError kBoolError{"value could not be parsed to a boolean", "type_error.bool"};

TEST(CoerceInt, AcceptsSignsAndLeadingZerosLikePythonInt) {
  // Section 1: /items/-3, /items/+3, /items/007, /items/%207.
  EXPECT_THAT(CoerceInt("-3"), VariantWith<int64_t>(-3));
  EXPECT_THAT(CoerceInt("+3"), VariantWith<int64_t>(3));
  EXPECT_THAT(CoerceInt("007"), VariantWith<int64_t>(7));
  EXPECT_THAT(CoerceInt(" 7"), VariantWith<int64_t>(7));
  EXPECT_THAT(CoerceInt("-0"), VariantWith<int64_t>(0));
}

TEST(CoerceInt, StripsSurroundingAsciiWhitespace) {
  // Section 2: " 5 " is accepted.
  EXPECT_THAT(CoerceInt(" 5 "), VariantWith<int64_t>(5));
  EXPECT_THAT(CoerceInt("\t\n\v\f\r5\r\n"), VariantWith<int64_t>(5));
}

TEST(CoerceInt, DoesNotStripInformationSeparators) {
  // int("\x1c5") raises although "\x1c".isspace(): Py_ISSPACE excludes it.
  EXPECT_THAT(CoerceInt("\x1c"
                        "5"),
              VariantWith<CoercionError>(kIntegerError));
  EXPECT_THAT(CoerceInt("5\x1f"), VariantWith<CoercionError>(kIntegerError));
}

TEST(CoerceInt, StripsUnicodeWhitespace) {
  EXPECT_THAT(CoerceInt("\xE3\x80\x80"  // U+3000 ideographic space
                        "5\xC2\xA0"),   // U+00A0 no-break space
              VariantWith<int64_t>(5));
  EXPECT_THAT(CoerceInt("\xC2\x85"
                        "5"),  // U+0085 next line
              VariantWith<int64_t>(5));
}

TEST(CoerceInt, AcceptsUnicodeDecimalDigits) {
  EXPECT_THAT(CoerceInt("\xEF\xBC\x91\xEF\xBC\x95"), VariantWith<int64_t>(15));  // fullwidth "15"
  EXPECT_THAT(CoerceInt("\xD9\xA3"), VariantWith<int64_t>(3));                   // Arabic-Indic 3
  EXPECT_THAT(CoerceInt("\xF0\x9D\x9F\x8E"), VariantWith<int64_t>(0));           // U+1D7CE
}

TEST(CoerceInt, AcceptsSingleUnderscoresBetweenDigits) {
  EXPECT_THAT(CoerceInt("5_000"), VariantWith<int64_t>(5000));
  EXPECT_THAT(CoerceInt("0_7"), VariantWith<int64_t>(7));
}

TEST(CoerceInt, RejectsMisplacedUnderscores) {
  for (const std::string_view text : {"1__0", "_1", "1_", "+_1", "1_ "}) {
    EXPECT_THAT(CoerceInt(text), VariantWith<CoercionError>(kIntegerError)) << text;
  }
}

TEST(CoerceInt, RejectsWhatPythonIntRejects) {
  // Sections 1 and 2: abc, 3.0, 1.0, 0x10, empty.
  for (const std::string_view text : {"abc", "3.0", "1.0", "0x10", "", " ", "+", "-", "- 5", "5 5",
                                      "1e3", "\xEF\xBF\xBD", "5\x7F"}) {
    EXPECT_THAT(CoerceInt(text), VariantWith<CoercionError>(kIntegerError)) << text;
  }
  EXPECT_THAT(CoerceInt(std::string_view("5\0", 2)), VariantWith<CoercionError>(kIntegerError));
}

TEST(CoerceInt, AcceptsTheInt64Range) {
  EXPECT_THAT(CoerceInt("9223372036854775807"),
              VariantWith<int64_t>(std::numeric_limits<int64_t>::max()));
  EXPECT_THAT(CoerceInt("-9223372036854775808"),
              VariantWith<int64_t>(std::numeric_limits<int64_t>::min()));
  EXPECT_THAT(CoerceInt(" -9_223_372_036_854_775_808 "),
              VariantWith<int64_t>(std::numeric_limits<int64_t>::min()));
}

TEST(CoerceInt, RejectsValuesOutsideInt64UnlikePython) {
  // Section 1: Python accepts 99999999999999999999999; corouter documents
  // int64 as its limit.
  for (const std::string_view text :
       {"9223372036854775808", "-9223372036854775809", "99999999999999999999999"}) {
    EXPECT_THAT(CoerceInt(text), VariantWith<CoercionError>(kIntegerError)) << text;
  }
}

TEST(CoerceInt, RejectsTextLongerThanPydanticsMaxStrInt) {
  EXPECT_THAT(CoerceInt(std::string(4299, ' ') + "1"), VariantWith<int64_t>(1));
  EXPECT_THAT(CoerceInt(std::string(4300, ' ') + "1"), VariantWith<CoercionError>(kIntegerError));
}

TEST(CoerceFloat, ParsesDecimalForms) {
  EXPECT_THAT(CoerceFloat("1.5"), VariantWith<double>(1.5));
  EXPECT_THAT(CoerceFloat("3"), VariantWith<double>(3.0));
  EXPECT_THAT(CoerceFloat("1e5"), VariantWith<double>(100000.0));
  EXPECT_THAT(CoerceFloat("1E5"), VariantWith<double>(100000.0));
  EXPECT_THAT(CoerceFloat(".5"), VariantWith<double>(0.5));
  EXPECT_THAT(CoerceFloat("1."), VariantWith<double>(1.0));
  EXPECT_THAT(CoerceFloat("-1.5"), VariantWith<double>(-1.5));
  EXPECT_THAT(CoerceFloat("+.5e-3"), VariantWith<double>(0.0005));
  EXPECT_THAT(CoerceFloat("00.5"), VariantWith<double>(0.5));
  EXPECT_THAT(CoerceFloat("0.1"), VariantWith<double>(0.1));
}

TEST(CoerceFloat, StripsWhitespace) {
  EXPECT_THAT(CoerceFloat(" 1.5\n"), VariantWith<double>(1.5));
  EXPECT_THAT(CoerceFloat("\xE3\x80\x80"
                          "1.5"),
              VariantWith<double>(1.5));
  EXPECT_THAT(CoerceFloat("\x1c"
                          "1.5"),
              VariantWith<CoercionError>(kFloatError));
}

TEST(CoerceFloat, AcceptsUnicodeDecimalDigits) {
  EXPECT_THAT(CoerceFloat("\xEF\xBC\x91.\xEF\xBC\x95"), VariantWith<double>(1.5));  // "１.５"
}

TEST(CoerceFloat, AcceptsUnderscoresBetweenDigitsAnywhere) {
  EXPECT_THAT(CoerceFloat("1_000.5"), VariantWith<double>(1000.5));
  EXPECT_THAT(CoerceFloat("1e1_0"), VariantWith<double>(1e10));
  for (const std::string_view text : {"1_e5", "1._5", "1_.5", "5_", "_5", "1__0"}) {
    EXPECT_THAT(CoerceFloat(text), VariantWith<CoercionError>(kFloatError)) << text;
  }
}

TEST(CoerceFloat, AcceptsInfinityAndNanInAnyCaseWithSign) {
  // Section 1: nan and inf are accepted (and fail later, at serialisation).
  EXPECT_THAT(CoerceFloat("inf"), VariantWith<double>(std::numeric_limits<double>::infinity()));
  EXPECT_THAT(CoerceFloat("-Infinity"),
              VariantWith<double>(-std::numeric_limits<double>::infinity()));
  EXPECT_THAT(CoerceFloat("+iNF"), VariantWith<double>(std::numeric_limits<double>::infinity()));
  const Coerced<double> nan = CoerceFloat(" nan ");
  ASSERT_TRUE(std::holds_alternative<double>(nan));
  EXPECT_TRUE(std::isnan(std::get<double>(nan)));
  const Coerced<double> negative_nan = CoerceFloat("-NaN");
  ASSERT_TRUE(std::holds_alternative<double>(negative_nan));
  EXPECT_TRUE(std::isnan(std::get<double>(negative_nan)));
  EXPECT_TRUE(std::signbit(std::get<double>(negative_nan)));
}

TEST(CoerceFloat, OverflowsToInfinityAndUnderflowsToZero) {
  EXPECT_THAT(CoerceFloat("1e400"), VariantWith<double>(std::numeric_limits<double>::infinity()));
  EXPECT_THAT(CoerceFloat("-1e400"), VariantWith<double>(-std::numeric_limits<double>::infinity()));
  EXPECT_THAT(CoerceFloat("1e99999999999999999999"),
              VariantWith<double>(std::numeric_limits<double>::infinity()));
  EXPECT_THAT(CoerceFloat("1" + std::string(400, '0')),
              VariantWith<double>(std::numeric_limits<double>::infinity()));
  const Coerced<double> tiny = CoerceFloat("-1e-400");
  ASSERT_TRUE(std::holds_alternative<double>(tiny));
  EXPECT_EQ(std::get<double>(tiny), 0.0);
  EXPECT_TRUE(std::signbit(std::get<double>(tiny)));
  EXPECT_THAT(CoerceFloat("0." + std::string(400, '0') + "1"), VariantWith<double>(0.0));
  EXPECT_THAT(CoerceFloat("5e-324"), VariantWith<double>(5e-324));
}

TEST(CoerceFloat, RejectsWhatPythonFloatRejects) {
  // Section 1: `v: float` with x -> 422 type_error.float.
  for (const std::string_view text : {"x", "", " ", ".", "1e", "1e+", "1.5e", "0x10", "infinit",
                                      "in f", "nan(1)", "- 1", "1,5", "1.5.5", "++1", "e5"}) {
    EXPECT_THAT(CoerceFloat(text), VariantWith<CoercionError>(kFloatError)) << text;
  }
  EXPECT_THAT(CoerceFloat(std::string_view("\0"
                                           "1",
                                           2)),
              VariantWith<CoercionError>(kFloatError));
}

TEST(CoerceBool, AcceptsTheTrueSetInAnyCase) {
  for (const std::string_view text :
       {"1", "on", "t", "true", "y", "yes", "TRUE", "TrUe", "YES", "On"}) {
    EXPECT_THAT(CoerceBool(text), VariantWith<bool>(true)) << text;
  }
}

TEST(CoerceBool, AcceptsTheFalseSetInAnyCase) {
  for (const std::string_view text : {"0", "off", "f", "false", "n", "no", "FALSE", "No", "OFF"}) {
    EXPECT_THAT(CoerceBool(text), VariantWith<bool>(false)) << text;
  }
}

TEST(CoerceBool, DoesNotStripWhitespace) {
  // Section 2: `%20true` -> 422.
  EXPECT_THAT(CoerceBool(" true"), VariantWith<CoercionError>(kBoolError));
  EXPECT_THAT(CoerceBool("true "), VariantWith<CoercionError>(kBoolError));
}

TEST(CoerceBool, RejectsEverythingElse) {
  // Section 2: 2, empty, bare `?b` (empty value).
  for (const std::string_view text : {"2", "", "tru", "yess", "01", "-1", "\xE2\x84\xAA"}) {
    EXPECT_THAT(CoerceBool(text), VariantWith<CoercionError>(kBoolError)) << text;
  }
}

const CoercionError kUuidError{"value is not a valid uuid", "type_error.uuid"};

TEST(CoerceUuid, AcceptsWhatPythonsUuidAccepts) {
  // uuid.UUID(str) in Python 3.11, which pydantic's uuid_validator calls.
  const std::string canonical = "12345678-1234-5678-1234-567812345678";
  for (const std::string_view text :
       {"12345678-1234-5678-1234-567812345678", "12345678123456781234567812345678",
        "{12345678123456781234567812345678}", "urn:uuid:12345678-1234-5678-1234-567812345678",
        "uuid:urn:12345678123456781234567812345678", "{{12345678123456781234567812345678}}}",
        "12345678-1234-5678-1234-5678123456-78", "12345678-1234-5678-1234-567812345678"}) {
    EXPECT_THAT(CoerceUuid(text), VariantWith<std::string>(canonical)) << text;
  }
  EXPECT_THAT(CoerceUuid("12345678-1234-1234-1234-123456789ABC"),
              VariantWith<std::string>("12345678-1234-1234-1234-123456789abc"));
}

TEST(CoerceUuid, ReadsTheHexLikeIntWithBase16) {
  // int(hex, 16): a sign, spaces, "0x" (and one underscore after it),
  // underscores between digits, Unicode digits.
  EXPECT_THAT(CoerceUuid("+2345678123456781234567812345678"),
              VariantWith<std::string>("02345678-1234-5678-1234-567812345678"));
  EXPECT_THAT(CoerceUuid(" 2345678123456781234567812345678"),
              VariantWith<std::string>("02345678-1234-5678-1234-567812345678"));
  EXPECT_THAT(CoerceUuid("0x345678123456781234567812345678"),
              VariantWith<std::string>("00345678-1234-5678-1234-567812345678"));
  EXPECT_THAT(CoerceUuid("0x_45678123456781234567812345678"),
              VariantWith<std::string>("00045678-1234-5678-1234-567812345678"));
  EXPECT_THAT(CoerceUuid("1_345678123456781234567812345678"),
              VariantWith<std::string>("01345678-1234-5678-1234-567812345678"));
  EXPECT_THAT(CoerceUuid("\xEF\xBC\x91"
                         "2222222222222222222222222222222"),  // fullwidth 1
              VariantWith<std::string>("12222222-2222-2222-2222-222222222222"));
}

TEST(CoerceUuid, RejectsWhatPythonRejects) {
  for (const std::string_view text :
       {"zz", "", "1234567812345678123456781234567", "-0000000000000000000000000000000",
        "1__45678123456781234567812345678", "1234567812345678123456781234567_",
        "1234567812345678123456781234567g", "123456781234567812345678123456789"}) {
    EXPECT_THAT(CoerceUuid(text), VariantWith<CoercionError>(kUuidError)) << text;
  }
}

}  // namespace
}  // namespace corouter::routing
