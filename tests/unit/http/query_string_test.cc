// tests/unit/http/query_string_test.cc
//
// Expected pairs are Python 3.11's `urllib.parse.parse_qsl(qs.decode("latin-1"),
// keep_blank_values=True)` (fastapi-semantics.md section 2).
#include "server/http/query_string.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::http {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::Pair;

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

TEST(QueryParamsParse, SplitsOnlyOnAmpersand) {
  EXPECT_THAT(QueryParams::Parse(";a=1;b=2").pairs(), ElementsAre(Pair(";a", "1;b=2")));
  EXPECT_THAT(QueryParams::Parse("a=1&b=2").pairs(), ElementsAre(Pair("a", "1"), Pair("b", "2")));
}

TEST(QueryParamsParse, TurnsPlusIntoSpaceInNamesAndValues) {
  EXPECT_THAT(QueryParams::Parse("a=1+2").pairs(), ElementsAre(Pair("a", "1 2")));
  EXPECT_THAT(QueryParams::Parse("a+b=c+d").pairs(), ElementsAre(Pair("a b", "c d")));
}

TEST(QueryParamsParse, DecodesEscapedPlusAndAmpersandLiterally) {
  EXPECT_THAT(QueryParams::Parse("a=%2B").pairs(), ElementsAre(Pair("a", "+")));
  EXPECT_THAT(QueryParams::Parse("a=%26").pairs(), ElementsAre(Pair("a", "&")));
}

TEST(QueryParamsParse, DecodesEscapesAsUtf8InNamesAndValues) {
  EXPECT_THAT(QueryParams::Parse("%C3%A9=%E2%82%AC").pairs(),
              ElementsAre(Pair("\xC3\xA9", "\xE2\x82\xAC")));
  EXPECT_THAT(QueryParams::Parse("%20a=b").pairs(), ElementsAre(Pair(" a", "b")));
}

TEST(QueryParamsParse, ReplacesInvalidUtf8WithReplacementCharacter) {
  EXPECT_THAT(QueryParams::Parse("a=%FF").pairs(), ElementsAre(Pair("a", kFffd)));
  EXPECT_THAT(QueryParams::Parse("a=%E2%82").pairs(), ElementsAre(Pair("a", kFffd)));
}

TEST(QueryParamsParse, KeepsInvalidEscapesLiterally) {
  EXPECT_THAT(QueryParams::Parse("a=%ZZ").pairs(), ElementsAre(Pair("a", "%ZZ")));
  EXPECT_THAT(QueryParams::Parse("a=%").pairs(), ElementsAre(Pair("a", "%")));
}

TEST(QueryParamsParse, GivesAnEmptyValueWithoutEqualsOrAfterIt) {
  EXPECT_THAT(QueryParams::Parse("e").pairs(), ElementsAre(Pair("e", "")));
  EXPECT_THAT(QueryParams::Parse("f=").pairs(), ElementsAre(Pair("f", "")));
  EXPECT_THAT(QueryParams::Parse("=").pairs(), ElementsAre(Pair("", "")));
  EXPECT_THAT(QueryParams::Parse("=x").pairs(), ElementsAre(Pair("", "x")));
}

TEST(QueryParamsParse, SplitsAtTheFirstEquals) {
  EXPECT_THAT(QueryParams::Parse("j==x").pairs(), ElementsAre(Pair("j", "=x")));
  EXPECT_THAT(QueryParams::Parse("k=a=b").pairs(), ElementsAre(Pair("k", "a=b")));
}

TEST(QueryParamsParse, SkipsEmptyPieces) {
  EXPECT_THAT(QueryParams::Parse("a=1&&b=2&").pairs(), ElementsAre(Pair("a", "1"), Pair("b", "2")));
  EXPECT_THAT(QueryParams::Parse("").pairs(), IsEmpty());
  EXPECT_THAT(QueryParams::Parse("&").pairs(), IsEmpty());
}

TEST(QueryParamsParse, DecodesRawHighBytesAsLatin1) {
  // Starlette decodes the raw query as latin-1 before parse_qsl, so the raw
  // byte 0xE9 is "é" while "%E9" is an invalid UTF-8 byte; a raw character
  // also ends a truncated escaped sequence before it.
  EXPECT_THAT(QueryParams::Parse("a=\xE9").pairs(), ElementsAre(Pair("a", "\xC3\xA9")));
  EXPECT_THAT(QueryParams::Parse("a=%E9").pairs(), ElementsAre(Pair("a", kFffd)));
  EXPECT_THAT(QueryParams::Parse("a=%C3\xA9").pairs(),
              ElementsAre(Pair("a", std::string(kFffd) + "\xC2\xA9")));
}

TEST(QueryParamsLast, ReturnsTheLastValueOfARepeatedKey) {
  EXPECT_THAT(QueryParams::Parse("q=a&q=b").Last("q"), Optional(std::string_view("b")));
}

TEST(QueryParamsLast, ComparesKeysCaseSensitively) {
  EXPECT_EQ(QueryParams::Parse("Q=b").Last("q"), std::nullopt);
}

TEST(QueryParamsLast, ReturnsAnEmptyValueAsPresent) {
  EXPECT_THAT(QueryParams::Parse("q=").Last("q"), Optional(std::string_view("")));
  EXPECT_THAT(QueryParams::Parse("q").Last("q"), Optional(std::string_view("")));
}

TEST(QueryParamsLast, DoesNotRecognisePhpStyleBrackets) {
  EXPECT_EQ(QueryParams::Parse("q[]=a").Last("q"), std::nullopt);
}

TEST(QueryParamsAll, ReturnsEveryValueInOrder) {
  EXPECT_THAT(QueryParams::Parse("q=a&x=1&q=b&q=c").All("q"), ElementsAre("a", "b", "c"));
}

TEST(QueryParamsAll, DoesNotSplitOnCommas) {
  EXPECT_THAT(QueryParams::Parse("q=a,b").All("q"), ElementsAre("a,b"));
}

TEST(QueryParamsAll, KeepsAnEmptyValue) {
  EXPECT_THAT(QueryParams::Parse("q=").All("q"), ElementsAre(""));
}

TEST(QueryParamsAll, ReturnsNothingForAMissingKey) {
  EXPECT_THAT(QueryParams::Parse("q[]=a").All("q"), IsEmpty());
}

}  // namespace
}  // namespace corouter::http
