// tests/unit/http/request_target_test.cc
//
// Expected paths are Python 3.11's `urllib.parse.unquote` of the raw path, as
// uvicorn 0.17 computes `scope["path"]` (fastapi-semantics.md sections 0, 3).
#include "server/http/request_target.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::http {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

RequestTarget MustParse(std::string_view target) {
  absl::StatusOr<RequestTarget> parsed = ParseRequestTarget(target);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : RequestTarget{};
}

TEST(ParseRequestTarget, SplitsAtTheFirstQuestionMark) {
  const RequestTarget target = MustParse("/withslash?x=1?y=2");
  EXPECT_EQ(target.raw_path, "/withslash");
  EXPECT_EQ(target.path, "/withslash");
  EXPECT_EQ(target.query, "x=1?y=2");
}

TEST(ParseRequestTarget, KeepsTheQueryRaw) {
  EXPECT_EQ(MustParse("/q?a=%2B+b&c=%ZZ").query, "a=%2B+b&c=%ZZ");
}

TEST(ParseRequestTarget, GivesAnEmptyQueryWhenThereIsNone) {
  EXPECT_EQ(MustParse("/users/me").query, "");
  EXPECT_EQ(MustParse("/users/me?").query, "");
}

TEST(ParseRequestTarget, PercentDecodesThePathBeforeRouting) {
  // Section 3, "Percent-encoded path".
  EXPECT_EQ(MustParse("/user%73/me").path, "/users/me");
  EXPECT_EQ(MustParse("/users/a%20b").path, "/users/a b");
  EXPECT_EQ(MustParse("/users/a%2Fb").path, "/users/a/b");
  EXPECT_EQ(MustParse("/slash%2F").path, "/slash/");
  EXPECT_EQ(MustParse("/conv/path/a%2Fb%3Fc").path, "/conv/path/a/b?c");
  EXPECT_EQ(MustParse("/items/%207").path, "/items/ 7");
}

TEST(ParseRequestTarget, KeepsTheRawPathEncoded) {
  EXPECT_EQ(MustParse("/users/a%20b?x=1").raw_path, "/users/a%20b");
}

TEST(ParseRequestTarget, KeepsPlusLiteralInThePath) {
  EXPECT_EQ(MustParse("/users/a+b").path, "/users/a+b");
}

TEST(ParseRequestTarget, DecodesATrailingEncodedNewline) {
  EXPECT_EQ(MustParse("/users/me%0A").path, "/users/me\n");
  EXPECT_EQ(MustParse("/users/me%0A%0A").path, "/users/me\n\n");
}

TEST(ParseRequestTarget, DoesNotNormaliseThePath) {
  for (const std::string_view raw :
       {"//users/me", "/users//me", "/users/./me", "/users/../users/me", "//"}) {
    EXPECT_EQ(MustParse(raw).path, raw);
  }
}

TEST(ParseRequestTarget, ReplacesInvalidUtf8InThePath) {
  EXPECT_EQ(MustParse("/x/%FF").path, "/x/" + std::string(kFffd));
}

TEST(ParseRequestTarget, RejectsAnEmptyTarget) {
  const absl::StatusOr<RequestTarget> parsed = ParseRequestTarget("");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("target"));
}

TEST(ParseRequestTarget, RejectsATargetThatIsNotOriginForm) {
  for (const std::string_view raw : {"users/me", "*", "http://host/users/me", "?a=1"}) {
    const absl::StatusOr<RequestTarget> parsed = ParseRequestTarget(raw);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << raw;
    EXPECT_THAT(parsed.status().message(), HasSubstr("target")) << raw;
  }
}

TEST(ParseRequestTarget, RejectsRawNonAsciiBytesAsH11Does) {
  // Section 2: raw non-ASCII bytes in the target -> h11 answers 400.
  for (const std::string_view raw : {"/caf\xC3\xA9", "/q?e=\xC3\xA9", "/\x80"}) {
    EXPECT_EQ(ParseRequestTarget(raw).status().code(), absl::StatusCode::kInvalidArgument) << raw;
  }
}

TEST(ParseRequestTarget, RejectsControlCharactersSpaceAndDel) {
  for (const std::string_view raw :
       {std::string_view("/a b"), std::string_view("/a\tb"), std::string_view("/a\x7F"),
        std::string_view("/a\nb"), std::string_view("/a\0b", 4)}) {
    EXPECT_EQ(ParseRequestTarget(raw).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(ParseRequestTarget, AcceptsEveryVisibleAsciiCharacter) {
  std::string raw = "/";
  for (char c = 0x21; c <= 0x7E; ++c) raw.push_back(c);
  EXPECT_TRUE(ParseRequestTarget(raw).ok());
}

TEST(PercentDecode, DecodesEscapesInEitherCase) {
  EXPECT_EQ(PercentDecode("%2f%2F%41%61"), "//Aa");
}

TEST(PercentDecode, DecodesEscapedBytesAsUtf8) {
  EXPECT_EQ(PercentDecode("%C3%A9"), "\xC3\xA9");
  EXPECT_EQ(PercentDecode("%F0%9F%98%80"), "\xF0\x9F\x98\x80");
}

TEST(PercentDecode, KeepsInvalidEscapesLiterally) {
  EXPECT_EQ(PercentDecode("%ZZ"), "%ZZ");
  EXPECT_EQ(PercentDecode("%"), "%");
  EXPECT_EQ(PercentDecode("%2"), "%2");
  EXPECT_EQ(PercentDecode("a%2"), "a%2");
  EXPECT_EQ(PercentDecode("%G1"), "%G1");
}

TEST(PercentDecode, RetriesAtTheNextPercentAfterAnInvalidEscape) {
  // unquote("%%41") == "%A"
  EXPECT_EQ(PercentDecode("%%41"), "%A");
}

TEST(PercentDecode, KeepsPlusAsPlus) { EXPECT_EQ(PercentDecode("a+b%2B"), "a+b+"); }

TEST(PercentDecode, ReplacesAnInvalidByteWithOneReplacementCharacter) {
  EXPECT_EQ(PercentDecode("%ff"), kFffd);
  EXPECT_EQ(PercentDecode("%e9"), kFffd);
}

TEST(PercentDecode, ReplacesATruncatedSequenceWithOneReplacementCharacter) {
  EXPECT_EQ(PercentDecode("%E2%82"), kFffd);
  EXPECT_EQ(PercentDecode("%E2%82x"), std::string(kFffd) + "x");
}

TEST(PercentDecode, ReplacesEachMaximalSubpartSeparately) {
  EXPECT_EQ(PercentDecode("%ED%A0%80"),
            std::string(kFffd) + std::string(kFffd) + std::string(kFffd));
  EXPECT_EQ(PercentDecode("%c0%af"), std::string(kFffd) + std::string(kFffd));
}

TEST(PercentDecode, ReturnsTextWithoutEscapesUnchanged) {
  EXPECT_EQ(PercentDecode(""), "");
  EXPECT_EQ(PercentDecode("/users/me"), "/users/me");
}

TEST(PercentDecodeToBytes, DoesNotDecodeUtf8) {
  EXPECT_EQ(PercentDecodeToBytes("%FF%e2%82"), "\xFF\xE2\x82");
  EXPECT_EQ(PercentDecodeToBytes("%%41%ZZ"), "%A%ZZ");
}

TEST(IsHttpToken, AcceptsMethodNames) {
  for (const std::string_view method :
       {"GET", "POST", "get", "M-SEARCH", "X_Y", "!#$%&'*+-.^_`|~09az"}) {
    EXPECT_TRUE(IsHttpToken(method)) << method;
  }
}

TEST(IsHttpToken, RejectsEmptyAndNonTokenCharacters) {
  for (const std::string_view method :
       {"",   "GE T", "GET/", "G(ET", "G\"", "G,", "G;", "G:",    "G=",  "G?",       "G@",
        "G[", "G]",   "G{",   "G}",   "G\\", "G<", "G>", "G\x7F", "G\t", "G\xC3\xA9"}) {
    EXPECT_FALSE(IsHttpToken(method)) << method;
  }
}

}  // namespace
}  // namespace corouter::http
