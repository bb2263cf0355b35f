// tests/unit/routing/path_template_test.cc
//
// Starlette's compile_path and convertors (fastapi-semantics.md section 1).
#include "server/routing/path_template.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::routing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

PathParams MatchOrDie(std::string_view text, std::string_view path) {
  auto compiled = PathTemplate::Compile(text);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  PathParams params;
  EXPECT_TRUE(compiled->Match(path, &params)) << text << " vs " << path;
  return params;
}

bool Matches(std::string_view text, std::string_view path) {
  auto compiled = PathTemplate::Compile(text);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  PathParams params;
  return compiled->Match(path, &params);
}

TEST(PathTemplateCompile, RejectsWhatStarletteAndFastApiReject) {
  auto relative = PathTemplate::Compile("items");
  EXPECT_EQ(relative.status().code(), absl::StatusCode::kInvalidArgument);
  auto unknown = PathTemplate::Compile("/x/{v:Int}");
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown converter 'Int'"));
  auto duplicated = PathTemplate::Compile("/{x}/{x:int}");
  EXPECT_THAT(duplicated.status().message(), HasSubstr("duplicated parameter name 'x'"));
}

TEST(PathTemplateCompile, BracesThatAreNoParameterAreLiteral) {
  // PARAM_REGEX needs an identifier, and a converter name after ':'.
  EXPECT_TRUE(Matches("/a{", "/a{"));
  EXPECT_TRUE(Matches("/{x:}", "/{x:}"));
  EXPECT_TRUE(Matches("/{1x}", "/{1x}"));
  EXPECT_THAT(MatchOrDie("/{{x}}", "/{v}"), ElementsAre(Pair("x", "v")));
}

TEST(PathTemplate, ListsParametersAndTheirConverters) {
  auto compiled = PathTemplate::Compile("/a/{x}/{y:int}-{z:path}");
  ASSERT_TRUE(compiled.ok());
  const auto params = compiled->parameters();
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[1].name, "y");
  EXPECT_EQ(params[1].converter, Converter::kInt);
  EXPECT_EQ(compiled->ConverterOf("z"), Converter::kPath);
  EXPECT_EQ(compiled->ConverterOf("w"), std::nullopt);
  EXPECT_EQ(ConverterName(Converter::kUuid), "uuid");
}

TEST(PathTemplate, StrIsNonEmptyAndStopsAtSlashButNotAtNewline) {
  EXPECT_FALSE(Matches("/u/{x}", "/u/"));
  EXPECT_FALSE(Matches("/u/{x}", "/u/a/b"));
  EXPECT_THAT(MatchOrDie("/u/{x}", "/u/a\nb"), ElementsAre(Pair("x", "a\nb")));
}

TEST(PathTemplate, IntConverterIsDigitsOnlyAndDropsLeadingZeros) {
  EXPECT_THAT(MatchOrDie("/c/{v:int}", "/c/007"), ElementsAre(Pair("v", "7")));
  EXPECT_THAT(MatchOrDie("/c/{v:int}", "/c/000"), ElementsAre(Pair("v", "0")));
  EXPECT_THAT(MatchOrDie("/c/{v:int}", "/c/99999999999999999999999"),
              ElementsAre(Pair("v", "99999999999999999999999")));
  EXPECT_FALSE(Matches("/c/{v:int}", "/c/-42"));
  EXPECT_FALSE(Matches("/c/{v:int}", "/c/+3"));
}

TEST(PathTemplate, FloatConverterIsDecimalAndWritesPythonsStr) {
  EXPECT_THAT(MatchOrDie("/c/{v:float}", "/c/1.5"), ElementsAre(Pair("v", "1.5")));
  EXPECT_THAT(MatchOrDie("/c/{v:float}", "/c/3"), ElementsAre(Pair("v", "3.0")));
  EXPECT_THAT(MatchOrDie("/c/{v:float}", "/c/01.50"), ElementsAre(Pair("v", "1.5")));
  // str(float("11111111111111111")) and str(float("9" * 400)).
  EXPECT_THAT(MatchOrDie("/c/{v:float}", "/c/11111111111111111"),
              ElementsAre(Pair("v", "1.1111111111111112e+16")));
  EXPECT_THAT(MatchOrDie("/c/{v:float}", "/c/" + std::string(400, '9')),
              ElementsAre(Pair("v", "inf")));
  for (const char* path : {"/c/1e5", "/c/.5", "/c/-1.5", "/c/1.", "/c/nan"}) {
    EXPECT_FALSE(Matches("/c/{v:float}", path)) << path;
  }
}

TEST(PathTemplate, UuidConverterIsLowercaseCanonicalOnly) {
  EXPECT_TRUE(Matches("/c/{u:uuid}", "/c/12345678-1234-1234-1234-123456789abc"));
  EXPECT_FALSE(Matches("/c/{u:uuid}", "/c/12345678-1234-1234-1234-123456789ABC"));
  EXPECT_FALSE(Matches("/c/{u:uuid}", "/c/12345678123412341234123456789abc"));
}

TEST(PathTemplate, PathConverterMayBeEmptyAndCrossesSlashes) {
  EXPECT_THAT(MatchOrDie("/c/{p:path}", "/c/a/b/c.txt"), ElementsAre(Pair("p", "a/b/c.txt")));
  EXPECT_THAT(MatchOrDie("/c/{p:path}", "/c/"), ElementsAre(Pair("p", "")));
  EXPECT_FALSE(Matches("/c/{p:path}", "/c"));
  EXPECT_THAT(MatchOrDie("/{p:path}/tail", "/x/y/tail"), ElementsAre(Pair("p", "x/y")));
  EXPECT_FALSE(Matches("/c/{p:path}", "/c/a\n"));  // no DOTALL
}

TEST(PathTemplate, ParametersInsideASegmentTakeTheLongestText) {
  EXPECT_THAT(MatchOrDie("/prefix-{name}.txt", "/prefix-a.b.txt"),
              ElementsAre(Pair("name", "a.b")));
  EXPECT_THAT(MatchOrDie("/{a}-{b}", "/x-y-z"), ElementsAre(Pair("a", "x-y"), Pair("b", "z")));
  EXPECT_THAT(MatchOrDie("/{a:int}{b:int}", "/1234"),
              ElementsAre(Pair("a", "123"), Pair("b", "4")));
  EXPECT_THAT(MatchOrDie("/{a:float}{b}", "/1.5x"), ElementsAre(Pair("a", "1.5"), Pair("b", "x")));
}

TEST(PathTemplate, LiteralsAreExactAndCaseSensitive) {
  EXPECT_TRUE(Matches("/a.b", "/a.b"));
  EXPECT_FALSE(Matches("/a.b", "/axb"));  // re.escape: '.' is no wildcard
  EXPECT_FALSE(Matches("/Case", "/case"));
}

TEST(ConverterMatches, AnchorsTheConvertersPatterns) {
  EXPECT_TRUE(ConverterMatches(Converter::kFloat, "1.5"));
  EXPECT_FALSE(ConverterMatches(Converter::kFloat, "1."));
  EXPECT_TRUE(ConverterMatches(Converter::kPath, ""));
  EXPECT_FALSE(ConverterMatches(Converter::kStr, ""));
  EXPECT_FALSE(ConverterMatches(Converter::kInt, "1a"));
  EXPECT_EQ(ConvertPathValue(Converter::kInt, "0042"), "42");
}

}  // namespace
}  // namespace corouter::routing
