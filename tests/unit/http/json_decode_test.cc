// tests/unit/http/json_decode_test.cc
//
// Expected messages and positions are Python 3.11's `json.loads(bytes)`
// (Debian bookworm's /usr/bin/python3), as FastAPI 0.92 reports them in a
// 422 `value_error.jsondecode` (fastapi-semantics.md section 6).
#include "server/http/json_decode.h"

#include <cmath>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::http {
namespace {

struct ErrorCase {
  std::string doc;
  std::string msg;
  int64_t pos;
  int64_t lineno;
  int64_t colno;
};

class JsonDecodeErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(JsonDecodeErrors, MatchPythonsJsonDecodeError) {
  const ErrorCase& c = GetParam();
  JsonLoadResult result = JsonLoads(c.doc);
  const auto* error = std::get_if<JsonDecodeError>(&result);
  ASSERT_NE(error, nullptr) << c.doc;
  EXPECT_EQ(error->msg, c.msg);
  EXPECT_EQ(error->pos, c.pos);
  EXPECT_EQ(error->lineno, c.lineno);
  EXPECT_EQ(error->colno, c.colno);
  EXPECT_EQ(error->doc, c.doc);
}

INSTANTIATE_TEST_SUITE_P(
    Python311, JsonDecodeErrors,
    ::testing::Values(
        ErrorCase{"not json", "Expecting value", 0, 1, 1},
        ErrorCase{"{\"name\":\"x\",\"price\":1", "Expecting ',' delimiter", 21, 1, 22},
        ErrorCase{"{\"a\":1,}", "Expecting property name enclosed in double quotes", 7, 1, 8},
        ErrorCase{"[1,]", "Expecting value", 3, 1, 4},
        ErrorCase{"{", "Expecting property name enclosed in double quotes", 1, 1, 2},
        ErrorCase{"[", "Expecting value", 1, 1, 2},
        ErrorCase{"{\"a\"", "Expecting ':' delimiter", 4, 1, 5},
        ErrorCase{"{\"a\":", "Expecting value", 5, 1, 6},
        ErrorCase{"\"abc", "Unterminated string starting at", 0, 1, 1},
        ErrorCase{"\"a\\x\"", "Invalid \\escape", 2, 1, 3},
        ErrorCase{"\"\\u12\"", "Invalid \\uXXXX escape", 2, 1, 3},
        ErrorCase{"\"\\u1234", "Invalid \\uXXXX escape", 2, 1, 3},
        ErrorCase{"1.", "Extra data", 1, 1, 2}, ErrorCase{"01", "Extra data", 1, 1, 2},
        ErrorCase{"-", "Expecting value", 0, 1, 1}, ErrorCase{"1e+", "Extra data", 1, 1, 2},
        ErrorCase{"-Inf", "Expecting value", 0, 1, 1}, ErrorCase{"nul", "Expecting value", 0, 1, 1},
        ErrorCase{"tru", "Expecting value", 0, 1, 1},
        ErrorCase{"{\"a\" 1}", "Expecting ':' delimiter", 5, 1, 6},
        ErrorCase{"[1 2]", "Expecting ',' delimiter", 3, 1, 4},
        ErrorCase{"\"a\tb\"", "Invalid control character at", 2, 1, 3},
        ErrorCase{"{\"a\":1} x", "Extra data", 8, 1, 9},
        ErrorCase{"  ", "Expecting value", 2, 1, 3},
        ErrorCase{"\n\n  x", "Expecting value", 4, 3, 3},
        ErrorCase{"{1:2}", "Expecting property name enclosed in double quotes", 1, 1, 2},
        ErrorCase{"[1,\n2,\n,3]", "Expecting value", 7, 3, 1},
        ErrorCase{"\"\\ud800\\udc0x\"", "Invalid \\uXXXX escape", 8, 1, 9},
        ErrorCase{"\"\\ud800\\u12", "Invalid \\uXXXX escape", 8, 1, 9},
        // Positions count characters, not bytes: "é€" is two.
        ErrorCase{"\"\xC3\xA9\xE2\x82\xAC\"x", "Extra data", 4, 1, 5},
        ErrorCase{"[1,2", "Expecting ',' delimiter", 4, 1, 5},
        ErrorCase{"{\"a\":1", "Expecting ',' delimiter", 6, 1, 7}));

TEST(JsonDecodeError, MessageIsStrOfTheError) {
  JsonLoadResult result = JsonLoads("{\"name\":\"x\",\"price\":1");
  EXPECT_EQ(std::get<JsonDecodeError>(result).Message(),
            "Expecting ',' delimiter: line 1 column 22 (char 21)");
}

Json Loads(std::string_view text) {
  JsonLoadResult result = JsonLoads(text);
  EXPECT_TRUE(std::holds_alternative<Json>(result)) << text;
  return std::holds_alternative<Json>(result) ? std::get<Json>(result) : Json();
}

TEST(JsonLoads, ParsesNumbersAsPythonDoes) {
  EXPECT_TRUE(std::isinf(Loads("1e400").get<double>()));
  EXPECT_EQ(Loads("1E2"), Json(100.0));
  EXPECT_TRUE(Loads("1E2").is_number_float());
  EXPECT_TRUE(Loads("-0").is_number_integer());
  EXPECT_TRUE(std::signbit(Loads("-0.0").get<double>()));
  EXPECT_EQ(Loads("1.5e-3").get<double>(), 0.0015);
  EXPECT_EQ(Loads("12345678901234567890").get<uint64_t>(), 12345678901234567890u);
  // Beyond 64 bits Python keeps an int; corouter a float (docs/differences.md).
  EXPECT_TRUE(Loads("123456789012345678901234567890").is_number_float());
}

TEST(JsonLoads, AcceptsPythonsConstants) {
  EXPECT_TRUE(std::isnan(Loads("NaN").get<double>()));
  EXPECT_EQ(Loads("-Infinity").get<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Loads(" Infinity ").get<double>(), std::numeric_limits<double>::infinity());
}

TEST(JsonLoads, DecodesEscapesAndSurrogatePairs) {
  EXPECT_EQ(Loads(R"("\/\b\f\n\r\t\"\\")"), Json("/\b\f\n\r\t\"\\"));
  EXPECT_EQ(Loads(R"("\ud83d\ude00")"), Json("\xF0\x9F\x98\x80"));
  // A lone surrogate becomes U+FFFD (Python keeps it in the str; docs/differences.md).
  EXPECT_EQ(Loads(R"("\ud800x")"), Json("\xEF\xBF\xBDx"));
}

TEST(JsonLoads, RepeatedKeysKeepTheFirstPositionAndTheLastValue) {
  EXPECT_EQ(Loads(R"({"a":1,"b":3,"a":2})").dump(), R"({"a":2,"b":3})");
}

TEST(JsonLoads, DetectsTheEncodingAsJsonDetectEncodingDoes) {
  EXPECT_EQ(Loads("\xEF\xBB\xBF[1]"), Json::array({1}));  // UTF-8 BOM skipped
  using namespace std::string_literals;
  EXPECT_EQ(Loads("\xFF\xFE[\x00"
                  "1\x00]\x00"s),
            Json::array({1}));  // UTF-16 with BOM
  EXPECT_EQ(Loads("[\x00"
                  "1\x00]\x00"s),
            Json::array({1}));  // UTF-16-LE
  EXPECT_EQ(Loads("\x00[\x00"
                  "1\x00]"s),
            Json::array({1}));                                     // UTF-16-BE
  EXPECT_EQ(Loads("[\x00\x00\x00]\x00\x00\x00"s), Json::array());  // UTF-32-LE
  // b"\x00\x00" is UTF-16-BE: one NUL character, which is no value.
  JsonLoadResult nul = JsonLoads("\x00\x00"s);
  ASSERT_TRUE(std::holds_alternative<JsonDecodeError>(nul));
  EXPECT_EQ(std::get<JsonDecodeError>(nul).doc, "\x00"s);
}

TEST(JsonLoads, UndecodableBytesAreAReadError) {
  // UnicodeDecodeError: FastAPI answers 400.
  EXPECT_TRUE(std::holds_alternative<JsonReadError>(JsonLoads("\xFF")));
  EXPECT_TRUE(std::holds_alternative<JsonReadError>(JsonLoads("\"\xC3\"")));
  using namespace std::string_literals;
  EXPECT_TRUE(
      std::holds_alternative<JsonReadError>(JsonLoads("[\x00"
                                                      "1\x00]"s)));  // odd UTF-16
  EXPECT_TRUE(
      std::holds_alternative<JsonReadError>(JsonLoads("[\x00\x00\x00"
                                                      "1"s)));  // UTF-32
  EXPECT_TRUE(                                                  // beyond U+10FFFF in UTF-32
      std::holds_alternative<JsonReadError>(JsonLoads("\xFF\xFE\x00\x00\x00\x00\x11\x00"s)));
  // An encoded surrogate passes ("surrogatepass") and becomes U+FFFD.
  EXPECT_EQ(Loads("\"\xED\xA0\x80\""), Json("\xEF\xBF\xBD"));
}

TEST(JsonLoads, NestingBeyondTheLimitIsAReadError) {
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(std::holds_alternative<Json>(JsonLoads(ok)));
  const std::string deep = "[" + ok + "]";
  EXPECT_TRUE(std::holds_alternative<JsonReadError>(JsonLoads(deep)));
  // An error before the limit is reached comes first, as in Python.
  const std::string early = "[x" + std::string(2000, '[');
  EXPECT_TRUE(std::holds_alternative<JsonDecodeError>(JsonLoads(early)));
}

}  // namespace
}  // namespace corouter::http
