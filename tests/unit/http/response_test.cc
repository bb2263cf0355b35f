// tests/unit/http/response_test.cc
//
// Expected JSON is Python 3.11's `json.dumps(value, ensure_ascii=False,
// allow_nan=False, separators=(",", ":"))`, as Starlette 0.26's JSONResponse
// renders it; headers follow Starlette's Response.init_headers
// (fastapi-semantics.md section 5).
#include "server/http/response.h"

#include <limits>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::http {
namespace {

using ::testing::ElementsAre;

std::string MustSerialize(const Json& value) {
  absl::StatusOr<std::string> text = SerializeJson(value);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

TEST(SerializeJson, WritesADictCompactlyInKeyOrderWithUtf8) {
  // Section 5, `dict` row.
  Json value = Json::object();
  value["a"] = 1;
  value["b"] = Json::array({1, 2});
  value["c"] = nullptr;
  value["d"] = 1.5;
  value["e"] = "\xC3\xA9";
  value["f"] = true;
  EXPECT_EQ(MustSerialize(value),
            "{\"a\":1,\"b\":[1,2],\"c\":null,\"d\":1.5,\"e\":\"\xC3\xA9\",\"f\":true}");
}

TEST(SerializeJson, KeepsInsertionOrderRatherThanSortingKeys) {
  Json value = Json::object();
  value["z"] = 1;
  value["a"] = 2;
  EXPECT_EQ(MustSerialize(value), R"({"z":1,"a":2})");
}

TEST(SerializeJson, WritesAListWithNull) {
  EXPECT_EQ(MustSerialize(Json::array({1, "two", nullptr})), R"([1,"two",null])");
}

TEST(SerializeJson, WritesScalars) {
  EXPECT_EQ(MustSerialize(nullptr), "null");
  EXPECT_EQ(MustSerialize("hello"), R"("hello")");
  EXPECT_EQ(MustSerialize(42), "42");
  EXPECT_EQ(MustSerialize(1.0), "1.0");
  EXPECT_EQ(MustSerialize(false), "false");
}

TEST(SerializeJson, WritesEmptyContainers) {
  EXPECT_EQ(MustSerialize(Json::array()), "[]");
  EXPECT_EQ(MustSerialize(Json::object()), "{}");
  EXPECT_EQ(MustSerialize(Json::array({Json::array(), Json::object()})), "[[],{}]");
}

TEST(SerializeJson, WritesNestedDetail) {
  // Section 5, HTTPException with a dict detail.
  Json detail = Json::object();
  detail["code"] = 7;
  detail["msg"] = "bad";
  Json value = Json::object();
  value["detail"] = detail;
  EXPECT_EQ(MustSerialize(value), R"({"detail":{"code":7,"msg":"bad"}})");
}

TEST(SerializeJson, WritesTheFullIntegerRange) {
  EXPECT_EQ(MustSerialize(std::numeric_limits<int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(MustSerialize(std::numeric_limits<uint64_t>::max()), "18446744073709551615");
}

TEST(SerializeJson, WritesFloatsAsPythonRepr) {
  // {value, json.dumps(value)} computed with Python 3.11.
  const std::vector<std::pair<double, std::string>> cases = {
      {1.0, "1.0"},
      {1.5, "1.5"},
      {1e100, "1e+100"},
      {0.1, "0.1"},
      {1e16, "1e+16"},
      {1e15, "1000000000000000.0"},
      {9999999999999998.0, "9999999999999998.0"},
      {1e-4, "0.0001"},
      {1e-5, "1e-05"},
      {2e-5, "2e-05"},
      {0.00012, "0.00012"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {1.5e-7, "1.5e-07"},
      {2.5e16, "2.5e+16"},
      {1e21, "1e+21"},
      {1e22, "1e+22"},
      {100.0, "100.0"},
      {-2.5, "-2.5"},
      {1.0 / 3, "0.3333333333333333"},
      {12345.678, "12345.678"},
      {0.30000000000000004, "0.30000000000000004"},
      {123456789.125, "123456789.125"},
      {-1e-300, "-1e-300"},
  };
  for (const auto& [value, expected] : cases) {
    EXPECT_EQ(MustSerialize(value), expected) << expected;
  }
}

TEST(SerializeJson, RejectsNanAndInfinity) {
  // Section 5, "NaN or inf" -> 500 (allow_nan=False raises ValueError).
  for (const double value :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(SerializeJson(value).status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(SerializeJson(Json::array({1, value})).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(SerializeJson, EscapesOnlyQuotesBackslashesAndControlCharacters) {
  // json.dumps("\x00\x01\x1f\x7f\n\r\t\b\f\"\\/é\u2028€😀", ensure_ascii=False)
  const std::string text = std::string("\x00\x01\x1f\x7f\n\r\t\b\f\"\\/", 12) +
                           "\xC3\xA9\xE2\x80\xA8\xE2\x82\xAC\xF0\x9F\x98\x80";
  EXPECT_EQ(MustSerialize(text), std::string(R"("\u0000\u0001\u001f)") + "\x7f" +
                                     R"(\n\r\t\b\f\"\\/)" +
                                     "\xC3\xA9\xE2\x80\xA8\xE2\x82\xAC\xF0\x9F\x98\x80\"");
}

TEST(SerializeJson, DoesNotEscapeApostrophes) {
  Json value = Json::object();
  value["detail"] = "I'm a teapot";
  EXPECT_EQ(MustSerialize(value), R"({"detail":"I'm a teapot"})");
}

TEST(SerializeJson, EscapesKeysLikeValues) {
  Json value = Json::object();
  value["a\"\n"] = 1;
  EXPECT_EQ(MustSerialize(value), R"({"a\"\n":1})");
}

TEST(SerializeJson, ReplacesInvalidUtf8WithReplacementCharacter) {
  Json value = Json::object();
  value["k\xFF"] = "\xE2\x82";
  EXPECT_EQ(MustSerialize(value), "{\"k\xEF\xBF\xBD\":\"\xEF\xBF\xBD\"}");
}

TEST(SerializeJson, RejectsBinaryValues) {
  EXPECT_EQ(SerializeJson(Json::binary({1, 2})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(JsonResponse, PutsContentLengthBeforeContentType) {
  Json value = Json::object();
  value["detail"] = "Not Found";
  const Response response = JsonResponse(value, 404);
  EXPECT_EQ(response.status_code, 404);
  EXPECT_EQ(response.body, R"({"detail":"Not Found"})");
  EXPECT_THAT(response.headers, ElementsAre(Header{"content-length", "22"},
                                            Header{"content-type", "application/json"}));
}

TEST(JsonResponse, DefaultsToStatus200) {
  const Response response = JsonResponse(nullptr);
  EXPECT_EQ(response.status_code, 200);
  EXPECT_EQ(response.body, "null");
  EXPECT_THAT(response.headers, ElementsAre(Header{"content-length", "4"},
                                            Header{"content-type", "application/json"}));
}

TEST(JsonResponse, UsesTheGivenStatus) {
  EXPECT_EQ(JsonResponse(42, 201).status_code, 201);
  EXPECT_EQ(JsonResponse(42, 418).body, "42");
}

TEST(JsonResponse, CountsContentLengthInBytes) {
  EXPECT_EQ(JsonResponse("\xC3\xA9").headers[0], (Header{"content-length", "4"}));
}

TEST(JsonResponse, Gives204WithContentTypeButNoBodyOrContentLength) {
  // Section 5, `status_code=204` returning None.
  const Response response = JsonResponse(nullptr, 204);
  EXPECT_EQ(response.status_code, 204);
  EXPECT_EQ(response.body, "");
  EXPECT_THAT(response.headers, ElementsAre(Header{"content-type", "application/json"}));
}

TEST(JsonResponse, OmitsBodyFor304And1xx) {
  EXPECT_EQ(JsonResponse(1, 304).body, "");
  EXPECT_EQ(JsonResponse(1, 101).headers.size(), 1u);
}

// JSONResponse.render raises ValueError: JsonResponse throws, so that the
// engine answers a fresh 500 (none of the headers a handler adds after).
TEST(JsonResponse, ThrowsForNanAndInfinity) {
  EXPECT_THROW(JsonResponse(std::numeric_limits<double>::quiet_NaN()), JsonSerializationError);
  EXPECT_THROW(JsonResponse(std::numeric_limits<double>::infinity(), 204), JsonSerializationError);
  try {
    JsonResponse(Json{{"x", -std::numeric_limits<double>::infinity()}});
    ADD_FAILURE() << "no exception";
  } catch (const JsonSerializationError& e) {
    EXPECT_STREQ(e.what(), "Out of range float values are not JSON compliant");
  }
}

TEST(PlainTextResponse, AddsUtf8CharsetToContentType) {
  const Response response = PlainTextResponse("hi", 200);
  EXPECT_EQ(response.body, "hi");
  EXPECT_THAT(response.headers, ElementsAre(Header{"content-length", "2"},
                                            Header{"content-type", "text/plain; charset=utf-8"}));
}

TEST(PlainTextResponse, OmitsBodyAndContentLengthFor204) {
  const Response response = PlainTextResponse("hi", 204);
  EXPECT_EQ(response.body, "");
  EXPECT_THAT(response.headers, ElementsAre(Header{"content-type", "text/plain; charset=utf-8"}));
}

TEST(InternalServerError, Is500PlainTextWithContentLength21) {
  const Response response = InternalServerError();
  EXPECT_EQ(response.status_code, 500);
  EXPECT_EQ(response.body, "Internal Server Error");
  EXPECT_THAT(response.headers, ElementsAre(Header{"content-length", "21"},
                                            Header{"content-type", "text/plain; charset=utf-8"}));
}

TEST(EmptyResponse, HasContentLengthZeroAndNoContentType) {
  // Section 3, redirect response (before `location` is added).
  const Response response = EmptyResponse(307);
  EXPECT_EQ(response.status_code, 307);
  EXPECT_EQ(response.body, "");
  EXPECT_THAT(response.headers, ElementsAre(Header{"content-length", "0"}));
}

TEST(EmptyResponse, HasNoHeadersFor204) {
  // Section 5, HTTPException(204): no body and no content-type.
  const Response response = EmptyResponse(204);
  EXPECT_EQ(response.status_code, 204);
  EXPECT_EQ(response.body, "");
  EXPECT_TRUE(response.headers.empty());
}

TEST(IsBodyAllowedForStatus, IsFalseOnlyFor1xx204And304) {
  EXPECT_FALSE(IsBodyAllowedForStatus(100));
  EXPECT_FALSE(IsBodyAllowedForStatus(199));
  EXPECT_FALSE(IsBodyAllowedForStatus(204));
  EXPECT_FALSE(IsBodyAllowedForStatus(304));
  EXPECT_TRUE(IsBodyAllowedForStatus(200));
  EXPECT_TRUE(IsBodyAllowedForStatus(205));
  EXPECT_TRUE(IsBodyAllowedForStatus(307));
  EXPECT_TRUE(IsBodyAllowedForStatus(500));
}

}  // namespace
}  // namespace corouter::http
