// Cookies as Starlette 0.26's cookie_parser and Python's
// http.cookies._unquote read them (server/http/cookies.h).
#include "server/http/cookies.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::http {
namespace {

using ::testing::Eq;
using ::testing::Optional;

TEST(FindCookie, SplitsOnSemicolonsAndStripsEachSide) {
  const Headers h = {{"Cookie", " n = 5 ; session=x y ;theme=dark"}};
  EXPECT_THAT(FindCookie(h, "n"), Optional(Eq("5")));
  EXPECT_THAT(FindCookie(h, "session"), Optional(Eq("x y")));
  EXPECT_THAT(FindCookie(h, "theme"), Optional(Eq("dark")));
  EXPECT_EQ(FindCookie(h, "none"), std::nullopt);
  EXPECT_EQ(FindCookie({}, "n"), std::nullopt);
}

TEST(FindCookie, TheLastOfARepeatedNameAndOnlyTheFirstHeaderCount) {
  EXPECT_THAT(FindCookie({{"cookie", "a=1; a=2"}}, "a"), Optional(Eq("2")));
  const Headers two = {{"cookie", "a=1"}, {"cookie", "b=2"}};
  EXPECT_THAT(FindCookie(two, "a"), Optional(Eq("1")));
  EXPECT_EQ(FindCookie(two, "b"), std::nullopt);
}

TEST(FindCookie, AChunkWithoutEqualsIsAValueWithNoNameAndEmptyChunksAreSkipped) {
  const Headers h = {{"cookie", "abc;; =; session="}};
  // " =" has neither a name nor a value: skipped, so "" keeps "abc".
  EXPECT_THAT(FindCookie(h, ""), Optional(Eq("abc")));
  EXPECT_THAT(FindCookie(h, "session"), Optional(Eq("")));
  EXPECT_THAT(FindCookie({{"cookie", "abc"}}, ""), Optional(Eq("abc")));
  EXPECT_THAT(FindCookie({{"cookie", "k==x=y"}}, "k"), Optional(Eq("=x=y")));
}

TEST(FindCookie, TheHeaderIsLatin1) {
  EXPECT_THAT(FindCookie({{"cookie", "s=caf\xe9"}}, "s"), Optional(Eq("caf\xc3\xa9")));
}

TEST(UnquoteCookieValue, OnlyAQuotedValueIsUnescaped) {
  EXPECT_EQ(UnquoteCookieValue("plain\\x"), "plain\\x");
  EXPECT_EQ(UnquoteCookieValue("\""), "\"");
  EXPECT_EQ(UnquoteCookieValue("\"\""), "");
  EXPECT_EQ(UnquoteCookieValue("\"a\\\"b\""), "a\"b");
  EXPECT_EQ(UnquoteCookieValue("\"a\\\\b\""), "a\\b");
  // Octal escapes up to \377 are code points; \4xx is not one.
  EXPECT_EQ(UnquoteCookieValue("\"\\303\\251t\\351\""), "\xc3\x83\xc2\xa9t\xc3\xa9");
  EXPECT_EQ(UnquoteCookieValue("\"\\400\""), "400");
  EXPECT_EQ(UnquoteCookieValue("\"x\\\ny\""), "x\\\ny");  // `.` matches no newline
  EXPECT_EQ(UnquoteCookieValue("\"end\\\""), "end\\");
}

}  // namespace
}  // namespace corouter::http
