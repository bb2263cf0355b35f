// tests/unit/app/engine_test.cc
//
// The engine where corouter deliberately differs from FastAPI
// (docs/differences.md) and where it needs the server's help (the
// redirect's fallback address). Everything FastAPI-identical is in
// fastapi_golden_test.cc.
#include "server/app/engine.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/app.h"
#include "server/app/http_exception.h"
#include "tests/unit/app/run_inline.h"

namespace corouter::app {
namespace {

using routing::ParamSpec;
using routing::ParamType;

loop::Task<http::Response> Echo(RequestContext& ctx) {
  http::Json out = http::Json::object();
  for (const auto& [name, value] : ctx.params()) out[name] = value;
  co_return http::JsonResponse(out);
}

App TestApp() {
  App app;
  app.Route({"GET", "POST", "PATCH"}, "/api", "api", {}, Echo);
  app.Get("/users/me", "me", {}, Echo);
  app.Get("/users/{id}", "user", {ParamSpec::Path("id", ParamType::kStr)}, Echo);
  app.Get("/items/{item_id}", "item", {ParamSpec::Path("item_id", ParamType::kInt)}, Echo);
  app.Get("/slash", "slash", {}, Echo);
  EXPECT_TRUE(app.status().ok()) << app.status();
  return app;
}

Outcome Get(const Engine& engine, std::string method, std::string target,
            http::Headers headers = {}) {
  return RunInline(engine,
                   WireRequest{std::move(method), std::move(target), std::move(headers), ""});
}

std::string Header(const http::Response& r, std::string_view name) {
  auto v = http::FindHeader(r.headers, name);
  return v ? std::string(*v) : "";
}

TEST(EngineDifferences, AllowListsTheMethodsSorted) {
  // Starlette joins a set (order follows the hash seed); corouter sorts.
  const App app = TestApp();
  const Engine engine(app);
  const Outcome outcome = Get(engine, "DELETE", "/api");
  EXPECT_EQ(outcome.response.status_code, 405);
  EXPECT_EQ(Header(outcome.response, "allow"), "GET, PATCH, POST");
  EXPECT_FALSE(outcome.route.has_value());
}

TEST(EngineDifferences, NoTrailingNewlineQuirk) {
  // Starlette: /users/me%0A -> the static /users/me. corouter: {id}="me\n".
  const App app = TestApp();
  const Engine engine(app);
  EXPECT_EQ(Get(engine, "GET", "/users/me%0A").response.body, "{\"id\":\"me\\n\"}");
}

TEST(EngineDifferences, IntegersBeyond64BitsAre422) {
  // Python ints are unbounded: FastAPI echoes 99999999999999999999999.
  const App app = TestApp();
  const Engine engine(app);
  const Outcome outcome = Get(engine, "GET", "/items/99999999999999999999999");
  EXPECT_EQ(outcome.response.status_code, 422);
  EXPECT_THAT(outcome.response.body, ::testing::HasSubstr("type_error.integer"));
}

TEST(Engine, RedirectWithoutAHostUsesTheServerAuthority) {
  const App app = TestApp();
  EXPECT_EQ(Header(Get(Engine(app), "GET", "/slash/").response, "location"),
            "http://127.0.0.1:50051/slash");
  const Engine engine(app, EngineOptions{.server_authority = "10.0.0.7:8000"});
  const Outcome outcome = Get(engine, "GET", "/slash/?a=1", {{"host", "bad host"}});
  EXPECT_EQ(outcome.response.status_code, 307);
  EXPECT_EQ(Header(outcome.response, "location"), "http://10.0.0.7:8000/slash?a=1");
  EXPECT_FALSE(outcome.route.has_value());
}

TEST(Engine, ValidationFailuresStillReportTheRoute) {
  const App app = TestApp();
  const Engine engine(app);
  const Outcome outcome = Get(engine, "GET", "/items/abc");
  EXPECT_EQ(outcome.response.status_code, 422);
  ASSERT_TRUE(outcome.route.has_value());
  EXPECT_EQ(outcome.route->operation->endpoint, "item");
}

// ---- responses that cannot start: ServerErrorMiddleware's fresh 500 ----

// A path operation whose response has a header (added after the JSON body,
// as FastAPI adds the injected Response's headers) and echoes `value`.
App HeaderApp() {
  App app;
  app.Get("/h/{v}", "h", {ParamSpec::Path("v", ParamType::kStr)},
          [](RequestContext& ctx) -> loop::Task<http::Response> {
            http::Response r = http::JsonResponse({{"v", ctx.Param("v")}});
            r.headers.push_back({"x-v", ctx.Get<std::string>("v")});
            r.headers.push_back({"x-route", "h"});
            co_return r;
          });
  app.Get("/f/{x}", "f", {ParamSpec::Path("x", ParamType::kFloat)},
          [](RequestContext& ctx) -> loop::Task<http::Response> {
            http::Response r = http::JsonResponse({{"x", ctx.Param("x")}});
            r.headers.push_back({"x-route", "f"});
            co_return r;
          });
  app.Get("/raise/{x}", "raise_it", {ParamSpec::Path("x", ParamType::kFloat)},
          [](RequestContext& ctx) -> loop::Task<http::Response> {
            throw HttpException(400, ctx.Param("x"), {{"x-route", "raise"}});
            co_return http::JsonResponse(nullptr);
          });
  app.Get("/raise-h/{v}", "raise_h", {ParamSpec::Path("v", ParamType::kStr)},
          [](RequestContext& ctx) -> loop::Task<http::Response> {
            throw HttpException(418, "teapot", {{"x-v", ctx.Get<std::string>("v")}});
            co_return http::JsonResponse(nullptr);
          });
  EXPECT_TRUE(app.status().ok()) << app.status();
  return app;
}

void ExpectFresh500(const Outcome& outcome) {
  EXPECT_EQ(outcome.response, http::InternalServerError());
  EXPECT_EQ(Header(outcome.response, "x-route"), "");
  EXPECT_EQ(outcome.background, nullptr);
}

TEST(EngineResponses, AHeaderValueBeyondLatin1IsAFresh500) {
  const App app = HeaderApp();
  const Engine engine(app);
  const Outcome ok = Get(engine, "GET", "/h/caf%C3%A9");  // Latin-1: sent
  EXPECT_EQ(ok.response.status_code, 200);
  EXPECT_EQ(Header(ok.response, "x-v"), "caf\xc3\xa9");
  ExpectFresh500(Get(engine, "GET", "/h/5%E2%82%AC"));
  ExpectFresh500(Get(engine, "GET", "/h/a%0D%0Aset-cookie:%20x=1"));  // HTTP forbids it
  ExpectFresh500(Get(engine, "GET", "/raise-h/%E2%82%AC"));
  EXPECT_EQ(Get(engine, "GET", "/raise-h/ok").response.status_code, 418);
}

TEST(EngineResponses, ABodyJsonCannotHoldIsAFresh500) {
  const App app = HeaderApp();
  const Engine engine(app);
  EXPECT_EQ(Get(engine, "GET", "/f/1.5").response.body, R"({"x":1.5})");
  ExpectFresh500(Get(engine, "GET", "/f/1e400"));  // float('1e400') is inf
  ExpectFresh500(Get(engine, "GET", "/f/-1e400"));
  ExpectFresh500(Get(engine, "GET", "/raise/1e400"));  // the exception handler's JSONResponse
}

TEST(EngineResponses, HeadGetsNoBodyAndTheHeadersOfAGet) {
  App app;
  app.Route({"GET", "HEAD"}, "/gh", "gh", {}, Echo);
  app.Get("/g", "g", {}, Echo);
  const Engine engine(app);
  const Outcome get = Get(engine, "GET", "/gh");
  const Outcome head = Get(engine, "HEAD", "/gh");
  EXPECT_EQ(head.response.status_code, 200);
  EXPECT_EQ(head.response.body, "");
  EXPECT_EQ(head.response.headers, get.response.headers);  // content-length: 2 included
  EXPECT_EQ(Header(head.response, "content-length"), "2");
  // A GET-only route: 405, still no body; HEAD /openapi.json likewise.
  const Outcome not_allowed = Get(engine, "HEAD", "/g");
  EXPECT_EQ(not_allowed.response.status_code, 405);
  EXPECT_EQ(not_allowed.response.body, "");
  EXPECT_EQ(Header(not_allowed.response, "content-length"), "31");
  const Outcome doc = Get(engine, "HEAD", "/openapi.json");
  EXPECT_EQ(doc.response.body, "");
  EXPECT_EQ(Header(doc.response, "content-length"),
            Header(Get(engine, "GET", "/openapi.json").response, "content-length"));
}

}  // namespace
}  // namespace corouter::app
