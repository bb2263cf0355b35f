// JsonTemplate: a string that is one placeholder keeps the value's type,
// placeholders in longer strings become text, names are checked when
// compiled.
#include "server/app/json_template.h"

#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::app {
namespace {

using http::Json;
using ::testing::HasSubstr;

const std::vector<std::string> kNames = {"item_id", "q", "item", "tags", "ratio"};

routing::ParamValues Values() {
  return {{"item_id", 7},
          {"q", nullptr},
          {"item", Json{{"name", "x"}, {"Al-ias", "z"}, {"child", {{"x", 1}}}}},
          {"tags", Json::array({"a", "b"})},
          {"ratio", 1.5}};
}

Json Render(const Json& value) {
  auto compiled = JsonTemplate::Compile(value, kNames);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  return compiled.ok() ? compiled->Render(Values()) : Json();
}

TEST(JsonTemplate, AWholePlaceholderKeepsTheValuesType) {
  EXPECT_EQ(Render({{"item_id", "{item_id}"}, {"q", "{q}"}}).dump(), R"({"item_id":7,"q":null})");
  EXPECT_EQ(Render("{item}"), Values()[2].second);
  EXPECT_EQ(Render("{tags}"), Json::array({"a", "b"}));
  EXPECT_EQ(Render("{ratio}"), 1.5);
}

TEST(JsonTemplate, PlaceholdersInsideTextBecomeText) {
  EXPECT_EQ(Render("item {item_id} q={q} tags={tags} r={ratio}"),
            R"(item 7 q=null tags=["a","b"] r=1.5)");
  EXPECT_EQ(Render("{item.name}-{item_id}"), "x-7");
}

TEST(JsonTemplate, DottedPathsReadIntoObjects) {
  EXPECT_EQ(Render("{item.name}"), "x");
  EXPECT_EQ(Render("{item.Al-ias}"), "z");
  EXPECT_EQ(Render("{item.child.x}"), 1);
  EXPECT_EQ(Render("{item.missing}"), nullptr);
  EXPECT_EQ(Render("{item_id.x}"), nullptr);  // not an object
}

TEST(JsonTemplate, DoubledBracesAreLiteral) {
  EXPECT_EQ(Render("{{item_id}} is {item_id}"), "{item_id} is 7");
  EXPECT_EQ(Render("}}{{"), "}{");
}

TEST(JsonTemplate, KeysAndNonStringsAreLiteral) {
  EXPECT_EQ(Render({{"{item_id}", 1}, {"b", true}, {"c", nullptr}, {"d", {1.5, "x"}}}).dump(),
            R"({"{item_id}":1,"b":true,"c":null,"d":[1.5,"x"]})");
  auto compiled = JsonTemplate::Compile({{"a", "plain"}}, kNames);
  ASSERT_TRUE(compiled.ok());
  EXPECT_TRUE(compiled->is_literal());
  EXPECT_FALSE(JsonTemplate::Compile({{"a", "{q}"}}, kNames)->is_literal());
}

TEST(JsonTemplate, NonFiniteFloatsAsPythonsJsonDumps) {
  EXPECT_EQ(TemplateText(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(TemplateText(-std::numeric_limits<double>::infinity()), "-Infinity");
  EXPECT_EQ(TemplateText(1e16), "1e+16");
  EXPECT_EQ(TemplateText("é"), "é");
}

TEST(JsonTemplate, RefusesUnknownNamesAndMalformedPlaceholders) {
  struct Case {
    Json value;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"{nope}", "{nope} names no parameter of this route (it declares: item_id, q"},
           {"{}", "{} is not a placeholder"},
           {"{1x}", "{1x} is not a placeholder"},
           {"{item.}", "has an empty or malformed key"},
           {"a {q", "'{' is not closed"},
           {"a } b", "a single '}'"},
           {Json::array({"ok", {{"k", "{bad}"}}}), "{bad} names no parameter"},
       }) {
    auto compiled = JsonTemplate::Compile(c.value, kNames);
    ASSERT_FALSE(compiled.ok()) << c.value.dump();
    EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(compiled.status().message()), HasSubstr(c.error)) << c.value.dump();
  }
  auto none = JsonTemplate::Compile("{x}", {});
  EXPECT_THAT(std::string(none.status().message()), HasSubstr("(it declares none)"));
}

TEST(JsonTemplate, RenderTextForHeaders) {
  auto compiled = JsonTemplate::Compile("{item_id}", kNames);
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(compiled->RenderText(Values()), "7");
  EXPECT_EQ(JsonTemplate().Render(Values()), nullptr);
}

}  // namespace
}  // namespace corouter::app
