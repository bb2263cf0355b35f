// tests/unit/routing/request_body_test.cc
//
// FastAPI's body reading (fastapi-semantics.md section 6): which
// content-types are JSON, the 422 of invalid JSON, the 400 of unreadable
// bytes.
#include "server/routing/request_body.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::routing {
namespace {

TEST(IsJsonContentType, FollowsEmailMessageParsing) {
  for (const char* json :
       {"", "application/json", "Application/JSON", " application/json ",
        "application/json; charset=utf-8", "application/vnd.api+json", "application/+json",
        "\x85"
        "application/json\xA0"}) {
    EXPECT_TRUE(IsJsonContentType(json)) << json;
  }
  for (const char* raw :
       {"text/plain", "application/json/x", "application", "json", "application/jsonx", "text/json",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
    EXPECT_FALSE(IsJsonContentType(raw)) << raw;
  }
}

TEST(ReadRequestBody, AnEmptyBodyIsNoBody) {
  BodyReadResult result = ReadRequestBody({{"content-type", "application/json"}}, "");
  EXPECT_EQ(std::get<RequestBody>(result).kind, RequestBody::Kind::kAbsent);
}

TEST(ReadRequestBody, ParsesJsonOrKeepsTheBytes) {
  BodyReadResult json = ReadRequestBody({}, "[1]");
  EXPECT_EQ(std::get<RequestBody>(json).kind, RequestBody::Kind::kJson);
  EXPECT_EQ(std::get<RequestBody>(json).value, http::Json::array({1}));
  // The first content-type field decides (Starlette's Headers.get).
  BodyReadResult raw = ReadRequestBody(
      {{"Content-Type", "text/plain"}, {"content-type", "application/json"}}, "[1]");
  EXPECT_EQ(std::get<RequestBody>(raw).kind, RequestBody::Kind::kBytes);
  EXPECT_EQ(std::get<RequestBody>(raw).value, "[1]");
}

TEST(ReadRequestBody, InvalidJsonIsOneValidationError) {
  BodyReadResult result = ReadRequestBody({}, "not json");
  const auto& error = std::get<ValidationError>(result);
  EXPECT_EQ(
      ValidationErrorResponse({error}).body,
      R"json({"detail":[{"loc":["body",0],"msg":"Expecting value: line 1 column 1 (char 0)",)json"
      R"json("type":"value_error.jsondecode","ctx":{"msg":"Expecting value","doc":"not json",)json"
      R"json("pos":0,"lineno":1,"colno":1}}]})json");
}

TEST(ReadRequestBody, UndecodableBytesAreA400) {
  BodyReadResult result = ReadRequestBody({}, "\xFF");
  EXPECT_TRUE(std::holds_alternative<http::JsonReadError>(result));
  const http::Response response = BodyParseErrorResponse();
  EXPECT_EQ(response.status_code, 400);
  EXPECT_EQ(response.body, R"({"detail":"There was an error parsing the body"})");
}

}  // namespace
}  // namespace corouter::routing
