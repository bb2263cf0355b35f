// tests/unit/app/http_exception_test.cc
//
// FastAPI's http_exception_handler and Starlette's Response.init_headers
// (fastapi-semantics.md section 5).
#include "server/app/http_exception.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::app {
namespace {

using http::Header;
using ::testing::ElementsAre;

TEST(HttpException, IsJsonDetailWithGivenHeadersFirst) {
  const http::Response r =
      HttpException(400, {{"code", 7}, {"msg", "bad"}}, {{"X-Err", "1"}}).ToResponse();
  EXPECT_EQ(r.status_code, 400);
  EXPECT_EQ(r.body, R"({"detail":{"code":7,"msg":"bad"}})");
  EXPECT_THAT(r.headers, ElementsAre(Header{"x-err", "1"}, Header{"content-length", "33"},
                                     Header{"content-type", "application/json"}));
}

TEST(HttpException, DefaultsTheDetailToPythonsPhrase) {
  EXPECT_EQ(HttpException(403).ToResponse().body, R"({"detail":"Forbidden"})");
  EXPECT_EQ(HttpException(418).ToResponse().body, R"({"detail":"I'm a Teapot"})");
  EXPECT_EQ(HttpException(425).ToResponse().body, R"({"detail":"Too Early"})");
  EXPECT_EQ(ReasonPhrase(511), "Network Authentication Required");
}

TEST(HttpException, AnUnknownCodeWithoutDetailIsAnUnhandledError) {
  // http.HTTPStatus(499) raises ValueError inside HTTPException.__init__.
  const http::Response r = HttpException(499).ToResponse();
  EXPECT_EQ(r.status_code, 500);
  EXPECT_EQ(r.body, "Internal Server Error");
  EXPECT_EQ(HttpException(499, "custom").ToResponse().status_code, 499);
}

TEST(HttpException, StatusesWithoutABodyHaveNoBodyAndNoContentHeaders) {
  for (int code : {101, 204, 304}) {
    const http::Response r = HttpException(code).ToResponse();
    EXPECT_EQ(r.status_code, code);
    EXPECT_EQ(r.body, "");
    EXPECT_TRUE(r.headers.empty()) << code;
  }
  EXPECT_THAT(HttpException(204, nullptr, {{"X-A", "b"}}).ToResponse().headers,
              ElementsAre(Header{"x-a", "b"}));
}

TEST(HttpException, GivenContentHeadersReplaceStarlettesOwn) {
  const http::Response r =
      HttpException(400, "x", {{"Content-Type", "text/x"}, {"content-length", "99"}}).ToResponse();
  EXPECT_THAT(r.headers,
              ElementsAre(Header{"content-type", "text/x"}, Header{"content-length", "99"}));
}

}  // namespace
}  // namespace corouter::app
