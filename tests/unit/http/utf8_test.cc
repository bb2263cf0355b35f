// tests/unit/http/utf8_test.cc
//
// Expected values are Python 3.11's `bytes.decode("utf-8", "replace")`.
#include "server/http/utf8.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::http {
namespace {

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(DecodeUtf8Replace, KeepsValidUtf8Unchanged) {
  const std::string valid = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xEF\xBF\xBD";
  EXPECT_EQ(DecodeUtf8Replace(valid), valid);
  EXPECT_EQ(DecodeUtf8Replace(""), "");
  EXPECT_EQ(DecodeUtf8Replace(std::string_view("\0x", 2)), std::string_view("\0x", 2));
}

TEST(DecodeUtf8Replace, ReplacesAByteThatNeverStartsASequenceWithOneReplacement) {
  EXPECT_EQ(DecodeUtf8Replace("\xFF"), kFffd);
  EXPECT_EQ(DecodeUtf8Replace("\x80"), kFffd);
  EXPECT_EQ(DecodeUtf8Replace("\xC0\xAF"), Repeat(kFffd, 2));  // overlong '/'
  EXPECT_EQ(DecodeUtf8Replace("\xF5\x80"), Repeat(kFffd, 2));
}

TEST(DecodeUtf8Replace, ReplacesATruncatedSequenceWithOneReplacement) {
  EXPECT_EQ(DecodeUtf8Replace("\xE2\x82"), kFffd);
  EXPECT_EQ(DecodeUtf8Replace("\xE2\x82x"), std::string(kFffd) + "x");
  EXPECT_EQ(DecodeUtf8Replace("\xF0\x9F\x98"), kFffd);
  // The byte that breaks the sequence starts the next one.
  EXPECT_EQ(DecodeUtf8Replace("\xE2\x82\xC3\xA9"), std::string(kFffd) + "\xC3\xA9");
}

TEST(DecodeUtf8Replace, ReplacesEachByteOfAnEncodedSurrogate) {
  EXPECT_EQ(DecodeUtf8Replace("\xED\xA0\x80"), Repeat(kFffd, 3));
}

TEST(DecodeUtf8Replace, ReplacesEachByteBeyondU10FFFF) {
  EXPECT_EQ(DecodeUtf8Replace("\xF4\x90\x80\x80"), Repeat(kFffd, 4));
}

TEST(DecodeUtf8Replace, ReplacesEachByteOfAnOverlongThreeByteForm) {
  EXPECT_EQ(DecodeUtf8Replace("\xE0\x80\xAF"), Repeat(kFffd, 3));
}

TEST(DecodeUtf8Replace, MatchesPythonOnAMixedSequence) {
  // b"\xed\xa0\x80abc\xe2\x82\xf0\x9f\x98\xff\xc0\xaf\xe0\x80\xf4\x90\x80\x80\xf0\x9f"
  //     .decode("utf-8", "replace") == "\ufffd" * 3 + "abc" + "\ufffd" * 12
  EXPECT_EQ(
      DecodeUtf8Replace("\xED\xA0\x80"
                        "abc\xE2\x82\xF0\x9F\x98\xFF\xC0\xAF\xE0\x80\xF4\x90\x80\x80\xF0\x9F"),
      Repeat(kFffd, 3) + "abc" + Repeat(kFffd, 12));
}

TEST(NextCodePoint, DecodesEachLengthAndAdvances) {
  const std::string_view text = "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  size_t pos = 0;
  EXPECT_EQ(NextCodePoint(text, &pos), U'A');
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(NextCodePoint(text, &pos), U'\u00E9');
  EXPECT_EQ(pos, 3u);
  EXPECT_EQ(NextCodePoint(text, &pos), U'\u20AC');
  EXPECT_EQ(pos, 6u);
  EXPECT_EQ(NextCodePoint(text, &pos), U'\U0001F600');
  EXPECT_EQ(pos, 10u);
}

TEST(NextCodePoint, StopsBeforeTheByteThatBreaksASequence) {
  const std::string_view text =
      "\xE2\x82"
      "A";
  size_t pos = 0;
  EXPECT_EQ(NextCodePoint(text, &pos), kReplacementCharacter);
  EXPECT_EQ(pos, 2u);
}

TEST(AppendUtf8, EncodesEachLength) {
  std::string out;
  AppendUtf8(U'A', &out);
  AppendUtf8(U'\u00E9', &out);
  AppendUtf8(U'\u20AC', &out);
  AppendUtf8(U'\U0010FFFF', &out);
  EXPECT_EQ(out, "A\xC3\xA9\xE2\x82\xAC\xF4\x8F\xBF\xBF");
}

}  // namespace
}  // namespace corouter::http
