// CheckSendable: Starlette's Latin-1 encoding of response header fields, and
// the fields HTTP forbids.
#include "server/http/sendable_headers.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::http {
namespace {

using ::testing::HasSubstr;

TEST(CheckSendable, AsciiAndLatin1ValuesGoOut) {
  EXPECT_TRUE(CheckSendable({{"x-a", "plain, text; q=1"}, {"x-b", "\tcaf\xc3\xa9 \xc3\xbf"}}).ok());
  EXPECT_TRUE(CheckSendable({}).ok());
  EXPECT_TRUE(CheckSendable({{"x-empty", ""}}).ok());
}

TEST(CheckSendable, ACharacterBeyondLatin1IsPythonsUnicodeEncodeError) {
  const absl::Status euro = CheckSendable({{"x-ok", "1"}, {"x-price", "5 \xe2\x82\xac"}});
  EXPECT_EQ(euro.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(euro.message(),
            "header x-price: 'latin-1' codec can't encode character '\\u20ac' in position 2: "
            "ordinal not in range(256)");
  // The position counts code points, not bytes; astral ones as Python writes them.
  EXPECT_EQ(CheckSendable({{"x", "\xc3\xa9\xf0\x9f\x98\x80"}}).message(),
            "header x: 'latin-1' codec can't encode character '\\U0001f600' in position 1: "
            "ordinal not in range(256)");
  EXPECT_THAT(CheckSendable({{"x", "\xc4\x80"}}).message(), HasSubstr("'\\u0100'"));
}

TEST(CheckSendable, ControlCharactersAreRefused) {
  for (const char* value : {"a\r\nset-cookie: x", "a\nb", "\x7f", "\x01"}) {
    SCOPED_TRACE(value);
    EXPECT_EQ(CheckSendable({{"x-a", value}}).code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(CheckSendable({{"x-a", std::string("a\0b", 3)}}).message(),
            "header x-a: control character U+0000 at position 1 is not allowed in a field value "
            "(RFC 9110 5.5)");
  EXPECT_TRUE(CheckSendable({{"x-a", "tab\tinside"}}).ok());
}

TEST(CheckSendable, ANameMustBeAToken) {
  EXPECT_EQ(CheckSendable({{"x a", "1"}}).message(),
            "header name \"x a\" is not a token (RFC 9110 5.1)");
  EXPECT_FALSE(CheckSendable({{"", "1"}}).ok());
  EXPECT_FALSE(CheckSendable({{"x:y", "1"}}).ok());
}

TEST(CheckSendable, IllFormedUtf8IsRefused) {
  EXPECT_THAT(CheckSendable({{"x", "a\xff"}}).message(),
              HasSubstr("header x: 'utf-8' codec can't decode byte 0xff in position 1"));
}

}  // namespace
}  // namespace corouter::http
