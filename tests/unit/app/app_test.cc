// tests/unit/app/app_test.cc
//
// Registration: what App::Add refuses, and the order it keeps.
#include "server/app/app.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::app {
namespace {

using routing::ParamSpec;
using routing::ParamType;
using ::testing::HasSubstr;

http::Response Ok(RequestContext&) { return http::JsonResponse(nullptr); }

// An App without FastAPI's built-in /openapi.json route.
App BareApp() { return App(AppOptions{.openapi_url = ""}); }

TEST(App, StartsWithTheOpenApiRouteAsFastApiDoes) {
  App app;
  app.Get("/a", "a", {}, Ok);
  ASSERT_TRUE(app.status().ok());
  ASSERT_EQ(app.operations().size(), 2u);
  const PathOperation& openapi = app.operations()[0];
  EXPECT_EQ(openapi.path, "/openapi.json");
  EXPECT_EQ(openapi.endpoint, "openapi");
  EXPECT_THAT(openapi.methods, ::testing::ElementsAre("GET", "HEAD"));
  EXPECT_TRUE(openapi.is_async());
  EXPECT_FALSE(openapi.include_in_schema);
  EXPECT_TRUE(BareApp().operations().empty());
  App moved(AppOptions{.openapi_url = "/api/schema.json"});
  EXPECT_EQ(moved.operations()[0].path, "/api/schema.json");
}

TEST(App, KeepsRegistrationOrderInOperationsAndRouter) {
  App app = BareApp();
  app.Get("/a", "a", {}, Ok).Get("/b/{x}", "b", {ParamSpec::Path("x", ParamType::kInt)}, Ok);
  ASSERT_TRUE(app.status().ok());
  ASSERT_EQ(app.operations().size(), 2u);
  EXPECT_EQ(app.operations()[1].endpoint, "b");
  EXPECT_EQ(app.router().size(), 2u);
  EXPECT_EQ(app.router().path_template(1).text(), "/b/{x}");
}

TEST(App, RemembersTheFirstRegistrationError) {
  App app = BareApp();
  app.Get("/q", "bad_constraint", {ParamSpec::Query("q", ParamType::kInt).WithMinLength(2)}, Ok);
  app.Get("no-slash", "later", {}, Ok);
  EXPECT_EQ(app.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(app.status().message(), HasSubstr("route bad_constraint (/q)"));
  EXPECT_THAT(app.status().message(), HasSubstr("apply to str"));
  EXPECT_TRUE(app.operations().empty());
}

TEST(App, RefusesPathParametersTheTemplateDoesNotName) {
  App app;
  app.Get("/items", "f", {ParamSpec::Path("id", ParamType::kInt)}, Ok);
  EXPECT_THAT(app.status().message(), HasSubstr("does not appear in the path template"));
}

TEST(App, AcceptsEveryKindOfParameter) {
  App app;
  app.Route({"POST"}, "/x/{id}", "f",
            {ParamSpec::Path("id", routing::ValueType::Enum("Color", {"red"})),
             ParamSpec::OptionalQuery("q", routing::ValueType::List(ParamType::kUuid)),
             ParamSpec::OptionalHeader("x_token", ParamType::kStr).WithPattern("^t"),
             ParamSpec::Body("n", ParamType::kFloat).WithGe(0).Embedded()},
            Ok);
  EXPECT_TRUE(app.status().ok()) << app.status();
}

}  // namespace
}  // namespace corouter::app
