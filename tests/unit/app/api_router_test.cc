// tests/unit/app/api_router_test.cc
//
// ApiRouter and IncludeRouter: what each step does to a path operation's
// path, tags, dependencies and responses, in FastAPI 0.92's order
// (fastapi/routing.py add_api_route and include_router). The same app as a
// route file is compared with the real FastAPI by the conformance suite
// (tests/conformance/apps/dependencies.yaml).
#include "server/app/api_router.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/openapi.h"

namespace corouter::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

PathOperation Op(std::string path, std::string endpoint, std::vector<std::string> tags = {}) {
  PathOperation op;
  op.methods = {"GET"};
  op.path = std::move(path);
  op.endpoint = std::move(endpoint);
  op.tags = std::move(tags);
  op.async_handler = [](RequestContext&) -> loop::Task<http::Response> {
    co_return http::JsonResponse(nullptr);
  };
  return op;
}

std::shared_ptr<Dependency> Named(std::string name) {
  auto dep = std::make_shared<Dependency>();
  dep->name = std::move(name);
  dep->async_handler = [](RequestContext&) -> loop::Task<http::Json> { co_return nullptr; };
  return dep;
}

std::vector<std::string> DependencyNames(const PathOperation& op) {
  std::vector<std::string> out;
  for (const Depends& use : op.dependencies) out.push_back(use.dependency->name);
  return out;
}

std::vector<std::string> Codes(const AdditionalResponses& responses) {
  std::vector<std::string> out;
  for (const auto& [code, response] : responses) out.push_back(code + ":" + response.dump());
  return out;
}

TEST(ApiRouter, NestedIncludesComposeAsFastApiDoes) {
  PathOperation read = Op("/{user_id}", "read_user", {"read"});
  read.dependencies = {Depends::Parameterless(Named("route_dep"))};
  read.responses = {{"404", {{"description", "No such user"}}}, {"403", http::Json::object()}};
  ApiRouter users({.prefix = "/users",
                   .tags = {"users"},
                   .dependencies = {Depends::Parameterless(Named("users_dep"))},
                   .responses = {{"404", {{"description", "User not found"}}}}});
  users.Add(std::move(read));
  ApiRouter admin({.prefix = "/admin",
                   .tags = {"admin"},
                   .dependencies = {Depends::Parameterless(Named("admin_dep"))},
                   .responses = {{"418", {{"description", "I am a teapot"}}}}});
  admin.IncludeRouter(users, {.prefix = "/people",
                              .tags = {"nested"},
                              .dependencies = {Depends::Parameterless(Named("nested_dep"))}});
  ASSERT_TRUE(admin.status().ok()) << admin.status();
  App app;
  IncludeRouter(&app, admin,
                {.prefix = "/v1",
                 .tags = {"v1"},
                 .dependencies = {Depends::Parameterless(Named("v1_dep"))},
                 .responses = {{"500", {{"description", "Boom"}}}}});
  ASSERT_TRUE(app.status().ok()) << app.status();
  const PathOperation& op = app.operations().back();
  EXPECT_EQ(op.path, "/v1/admin/people/users/{user_id}");
  // Each router's own tags come before what it was given.
  EXPECT_THAT(op.tags, ElementsAre("v1", "admin", "nested", "users", "read"));
  // Dependencies: outermost first.
  EXPECT_THAT(DependencyNames(op),
              ElementsAre("v1_dep", "admin_dep", "nested_dep", "users_dep", "route_dep"));
  // {**outer, **inner} at every step: the route's own description wins.
  EXPECT_THAT(Codes(op.responses),
              ElementsAre(R"(500:{"description":"Boom"})", R"(418:{"description":"I am a teapot"})",
                          R"(404:{"description":"No such user"})", "403:{}"));
  EXPECT_EQ(OperationId(op), "read_user_v1_admin_people_users__user_id__get");
}

TEST(ApiRouter, OpenApiListsTagsAndAdditionalResponses) {
  PathOperation op = Op("/r/{code}", "with_responses", {"t"});
  op.params = {routing::ParamSpec::Path("code", routing::ParamType::kInt)};
  op.responses = {{"4XX", {{"description", "Some client error"}}},
                  {"default", http::Json::object()},
                  {"200", {{"description", "The thing"}}},
                  {"599", http::Json::object()}};
  App app;
  app.Add(std::move(op));
  const http::Json doc = BuildOpenApi(app);
  const http::Json& get = doc["paths"]["/r/{code}"]["get"];
  EXPECT_EQ(get["tags"], http::Json::array({"t"}));
  EXPECT_EQ(
      get["responses"].dump(),
      R"({"200":{"description":"The thing","content":{"application/json":{"schema":{}}}},)"
      R"("4XX":{"description":"Some client error"},"default":{"description":"Default Response"},)"
      R"("599":{"description":"Additional Response"}})");
}

TEST(ApiRouter, PrefixRules) {
  ApiRouter slash({.prefix = "/items/"});
  EXPECT_THAT(std::string(slash.status().message()), HasSubstr("must not end with '/'"));
  ApiRouter relative({.prefix = "items"});
  EXPECT_THAT(std::string(relative.status().message()), HasSubstr("must start with '/'"));
  ApiRouter bare;
  bare.Add(Op("", "root"));
  App app;
  IncludeRouter(&app, bare);
  EXPECT_THAT(std::string(app.status().message()),
              HasSubstr("Prefix and path cannot be both empty (path operation: root)"));
  App prefixed;
  IncludeRouter(&prefixed, bare, {.prefix = "/root"});
  ASSERT_TRUE(prefixed.status().ok()) << prefixed.status();
  EXPECT_EQ(prefixed.operations().back().path, "/root");
}

}  // namespace
}  // namespace corouter::app
