// Unit tests of table cell text handling (client/text_cell.h).
#include "client/text_cell.h"

#include <string>

#include "gtest/gtest.h"

namespace corouter::client {
namespace {

TEST(SanitizeCellTest, LeavesPrintableUtf8Alone) {
  EXPECT_EQ(SanitizeCell("caf\u00e9 \u2192 \U0001F600"), "caf\u00e9 \u2192 \U0001F600");
}

TEST(SanitizeCellTest, TurnsControlCharactersIntoSpaces) {
  EXPECT_EQ(SanitizeCell("a\nb\tc\rd\x7f"
                         "e"),
            "a b c d e");
  EXPECT_EQ(SanitizeCell("a\xc2\x85"
                         "b"),
            "a b");  // U+0085 NEXT LINE
}

TEST(SanitizeCellTest, ReplacesInvalidUtf8WithTheReplacementCharacter) {
  EXPECT_EQ(SanitizeCell("a\xff"
                         "b"),
            "a\uFFFD"
            "b");
  EXPECT_EQ(SanitizeCell("\xe2\x82"), "\uFFFD\uFFFD");            // Truncated sequence.
  EXPECT_EQ(SanitizeCell("\xc0\xaf"), "\uFFFD\uFFFD");            // Overlong '/'.
  EXPECT_EQ(SanitizeCell("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD");  // Surrogate.
}

TEST(DisplayWidthTest, CountsCodePointsNotBytes) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("caf\u00e9\u2026"), 5u);
}

TEST(TruncateTest, KeepsTextThatFits) {
  EXPECT_EQ(Truncate("hello", 5), "hello");
  EXPECT_EQ(Truncate("hello", 9), "hello");
}

TEST(TruncateTest, EndsCutTextWithAnEllipsisWithinTheWidth) {
  EXPECT_EQ(Truncate("hello world", 6), "hello\u2026");
  EXPECT_EQ(DisplayWidth(Truncate("hello world", 6)), 6u);
  EXPECT_EQ(Truncate("hello", 1), "\u2026");
  EXPECT_EQ(Truncate("hello", 0), "");
}

TEST(TruncateTest, NeverSplitsAMultibyteCharacter) {
  EXPECT_EQ(Truncate("\u00e9\u00e9\u00e9\u00e9", 3), "\u00e9\u00e9\u2026");
}

TEST(PadRightTest, PadsToTheWidthInColumnsAndNeverCuts) {
  EXPECT_EQ(PadRight("\u00e9", 3), "\u00e9  ");
  EXPECT_EQ(PadRight("abcd", 2), "abcd");
}

TEST(FitCellTest, MakesACellExactlyTheWidthOnOneLine) {
  EXPECT_EQ(FitCell("a\nb", 5), "a b  ");
  EXPECT_EQ(FitCell("abcdefgh", 5), "abcd\u2026");
}

}  // namespace
}  // namespace corouter::client
