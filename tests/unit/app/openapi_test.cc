// The OpenAPI document: byte for byte what FastAPI 0.92 generates for the
// same app (testdata/make_openapi_golden.py wrote the expected documents with
// the real FastAPI), the built-in /openapi.json route, and the pieces.
#include "server/app/openapi.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/engine.h"
#include "server/app/route_file.h"
#include "server/app/seed_app.h"
#include "tests/unit/app/run_inline.h"

namespace corouter::app {
namespace {

using http::Json;
using routing::ParamSpec;
using routing::ParamType;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string Serialized(const App& app) {
  absl::StatusOr<std::string> text = http::SerializeJson(BuildOpenApi(app));
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

TEST(OpenApi, TheSeedAppsDocumentIsFastApisByteForByte) {
  const std::string want = ReadFile(COROUTER_TESTDATA "/seed_openapi.json");
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(Serialized(BuildSeedApp()), want);
  auto from_file = LoadRouteFile(COROUTER_SEED_APP_YAML);
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  EXPECT_EQ(Serialized(*from_file), want);
}

TEST(OpenApi, ModelsEnumsListsConstraintsAndBodiesAreFastApis) {
  auto app = LoadRouteFile(COROUTER_TESTDATA "/openapi_models.yaml");
  ASSERT_TRUE(app.ok()) << app.status();
  const std::string want = ReadFile(COROUTER_TESTDATA "/models_openapi.json");
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(Serialized(*app), want);
}

// PURGE is no field of FastAPI's PathItem model: its operation stays the raw
// dict FastAPI built (parameters `name, in, required, schema`, the schema in
// pydantic's order with `ge=1` as 1), while the GET beside it is reordered.
TEST(OpenApi, AnOperationOnAnUnknownMethodKeepsFastApisRawOrder) {
  auto app = LoadRouteFile(COROUTER_TESTDATA "/openapi_methods.yaml");
  ASSERT_TRUE(app.ok()) << app.status();
  const std::string want = ReadFile(COROUTER_TESTDATA "/methods_openapi.json");
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(Serialized(*app), want);
}

TEST(OpenApi, GtAndLtAreOpenApi30sBooleanExclusiveLimits) {
  App app;
  app.Get("/n", "n", {ParamSpec::Query("n", ParamType::kInt).WithGt(0).WithLt(10)},
          [](RequestContext&) { return http::JsonResponse(nullptr); });
  const Json doc = BuildOpenApi(app);
  EXPECT_EQ(doc["paths"]["/n"]["get"]["parameters"][0]["schema"].dump(),
            R"({"title":"N","maximum":10.0,"exclusiveMaximum":true,"minimum":0.0,)"
            R"("exclusiveMinimum":true,"type":"integer"})");
}

TEST(OpenApi, ServesTheDocumentFirstShadowingAUserRoute) {
  App app(AppOptions{.title = "Shop", .version = "2.0"});
  app.Get("/openapi.json", "mine", {}, [](RequestContext&) -> loop::Task<http::Response> {
    co_return http::JsonResponse("shadowed");
  });
  app.Get("/items/{id}", "read_item", {ParamSpec::Path("id", ParamType::kInt)},
          [](RequestContext&) -> loop::Task<http::Response> { co_return http::JsonResponse(1); });
  const Engine engine(app);
  const Outcome get = RunInline(engine, WireRequest{"GET", "/openapi.json", {}, ""});
  EXPECT_EQ(get.response.status_code, 200);
  const Json doc = Json::parse(get.response.body);
  EXPECT_EQ(doc["info"].dump(), R"({"title":"Shop","version":"2.0"})");
  EXPECT_TRUE(doc["paths"].contains("/openapi.json"));  // the user's route, documented
  EXPECT_EQ(get.route->operation->endpoint, "openapi");
  const Outcome head = RunInline(engine, WireRequest{"HEAD", "/openapi.json", {}, ""});
  EXPECT_EQ(head.response.status_code, 200);
  const Outcome post = RunInline(engine, WireRequest{"POST", "/openapi.json", {}, ""});
  EXPECT_EQ(post.response.status_code, 405);
  // Built once: the same bytes again.
  EXPECT_EQ(RunInline(engine, WireRequest{"GET", "/openapi.json", {}, ""}).response.body,
            get.response.body);
}

TEST(OpenApi, NoOpenApiUrlNoRoute) {
  App app(AppOptions{.openapi_url = ""});
  const Engine engine(app);
  EXPECT_EQ(RunInline(engine, WireRequest{"GET", "/openapi.json", {}, ""}).response.status_code,
            404);
}

TEST(OpenApi, OperationIdsAndSummariesAsFastApiWritesThem) {
  PathOperation op;
  op.endpoint = "read_item";
  op.path = "/items/{item_id:int}/x-y.z";
  op.methods = {"GET", "POST"};
  EXPECT_EQ(OperationId(op), "read_item_items__item_id__x_y_z_get");
  EXPECT_EQ(OperationSummary(op), "Read Item");
}

TEST(OpenApi, PythonTitle) {
  EXPECT_EQ(PythonTitle("x-request-id"), "X-Request-Id");
  EXPECT_EQ(PythonTitle("item_id"), "Item_Id");
  EXPECT_EQ(PythonTitle("a1b"), "A1B");
  EXPECT_EQ(PythonTitle("HELLO wORLD"), "Hello World");
  EXPECT_EQ(PythonTitle("\xC3\xA9t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // "été" -> "Été"
  EXPECT_EQ(PythonTitle("\xC3\x9F"), "Ss");                          // "ß"
  EXPECT_EQ(PythonTitle(";a"), ";A");
}

TEST(OpenApi, ParameterSchemaIsWhatListRoutesCarries) {
  EXPECT_EQ(
      ParameterSchema(ParamSpec::OptionalHeader("x_tag", routing::ValueType::List(ParamType::kStr)))
          .dump(),
      R"({"title":"X-Tag","type":"array","items":{"type":"string"}})");
  EXPECT_EQ(ParameterSchema(
                ParamSpec::OptionalQuery("c", routing::ValueType::Enum("Color", {"red"}), "red"))
                .dump(),
            R"({"allOf":[{"$ref":"#/components/schemas/Color"}],"default":"red"})");
}

}  // namespace
}  // namespace corouter::app
