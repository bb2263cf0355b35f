// tests/unit/app/response_model_test.cc
//
// response_model through the C++ API: SerializeResponse's validation and
// filtering (FastAPI 0.92 serialize_response, pydantic 1.10), and the
// engine answering a response that fails it with a fresh 500. The route-file
// form is compared with the real FastAPI in
// tests/conformance/apps/response_model.yaml.
#include "server/app/response_model.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/app.h"
#include "server/app/engine.h"
#include "tests/unit/app/run_inline.h"

namespace corouter::app {
namespace {

using http::Json;
using routing::FieldSpec;
using routing::ParamType;
using routing::ValueType;

ValueType ItemType() {
  auto tag = std::make_shared<routing::ModelSpec>();
  tag->name = "Tag";
  tag->fields = {FieldSpec::Required("label", ParamType::kStr),
                 FieldSpec::Optional("weight", ParamType::kInt, 1)};
  auto item = std::make_shared<routing::ModelSpec>();
  item->name = "Item";
  FieldSpec sku = FieldSpec::Optional("sku", ValueType(ParamType::kStr).AsNullable());
  sku.alias = "SKU";
  item->fields = {
      FieldSpec::Required("name", ParamType::kStr), FieldSpec::Required("price", ParamType::kFloat),
      FieldSpec::Optional("description", ValueType(ParamType::kStr).AsNullable()),
      FieldSpec::Optional("tags", ValueType::List(ValueType::Model(tag)), Json::array()), sku};
  return ValueType::Model(item);
}

TEST(ResponseModel, DropsExtrasCoercesAndFillsDefaults) {
  const auto out = SerializeResponse({ItemType()}, Json::parse(R"({"name":"pen","price":"2",
      "secret":"x","tags":[{"label":"a","extra":1}]})"));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(
      out->dump(),
      R"({"name":"pen","price":2.0,"description":null,"tags":[{"label":"a","weight":1}],"SKU":null})");
}

TEST(ResponseModel, ExcludeUnsetKeepsWhatWasGivenAtEveryLevel) {
  const auto out =
      SerializeResponse({ItemType(), /*exclude_unset=*/true},
                        Json::parse(R"({"name":"pen","price":1,"tags":[{"label":"a"}]})"));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->dump(), R"({"name":"pen","price":1.0,"tags":[{"label":"a"}]})");
}

TEST(ResponseModel, ExcludeNoneDropsNulls) {
  const auto out = SerializeResponse({ItemType(), false, /*exclude_none=*/true},
                                     Json::parse(R"({"name":"pen","price":1,"SKU":null})"));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->dump(), R"({"name":"pen","price":1.0,"tags":[]})");
}

TEST(ResponseModel, AnInvalidValueIsPydanticsError) {
  const auto out = SerializeResponse({ItemType()}, Json::parse(R"({"price":"abc"})"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "2 validation errors for Item\nresponse -> name\n  field required "
            "(type=value_error.missing)\nresponse -> price\n  value is not a valid float "
            "(type=type_error.float)");
}

TEST(ResponseModel, TheEngineFiltersTheBodyAndAnswersAFailureWithAFresh500) {
  App app;
  PathOperation op;
  op.methods = {"GET"};
  op.path = "/item";
  op.endpoint = "item";
  op.params = {routing::ParamSpec::OptionalQuery("price", ParamType::kStr, "1")};
  op.response_model = ResponseModel{ItemType()};
  op.async_handler = [](RequestContext& ctx) -> loop::Task<http::Response> {
    http::Response response =
        http::JsonResponse({{"name", "pen"}, {"price", ctx.Param("price")}, {"x", 1}});
    response.headers.push_back({"x-route", "set"});
    co_return response;
  };
  app.Add(std::move(op));
  ASSERT_TRUE(app.status().ok()) << app.status();
  Engine engine(app);
  const Outcome ok = RunInline(engine, WireRequest{"GET", "/item?price=2", {}, ""});
  EXPECT_EQ(ok.response.body,
            R"({"name":"pen","price":2.0,"description":null,"tags":[],"SKU":null})");
  EXPECT_EQ(http::FindHeader(ok.response.headers, "content-length"),
            std::to_string(ok.response.body.size()));
  EXPECT_EQ(http::FindHeader(ok.response.headers, "x-route"), "set");
  const Outcome bad = RunInline(engine, WireRequest{"GET", "/item?price=abc", {}, ""});
  EXPECT_EQ(bad.response.status_code, 500);
  EXPECT_EQ(bad.response.body, "Internal Server Error");
  EXPECT_EQ(http::FindHeader(bad.response.headers, "x-route"), std::nullopt);
}

}  // namespace
}  // namespace corouter::app
