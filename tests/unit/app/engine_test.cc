// tests/unit/app/engine_test.cc
//
// The engine where corouter deliberately differs from FastAPI (README.md
// "Differences from FastAPI") and where it needs the server's help (the
// redirect's fallback address). Everything FastAPI-identical is in
// fastapi_golden_test.cc.
#include "server/app/engine.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/app.h"
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

}  // namespace
}  // namespace corouter::app
