// CheckRequestHeaders / CheckRequestFieldValue: the request header fields an
// HTTP server would have received (RFC 9110 5.1, 5.5; h11's field-value).
// Values are octets, as the engine reads them.
#include "server/http/request_headers.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CheckRequestHeaders, OrdinaryFieldsAreAccepted) {
  EXPECT_TRUE(CheckRequestHeaders({}).ok());
  EXPECT_TRUE(CheckRequestHeaders({{"Host", "example.com:8000"},
                                   {"content-type", "application/json; charset=utf-8"},
                                   {"x-empty", ""},
                                   {"cookie", " n = 5 ; session=x y "},
                                   {"!#$%&'*+-.^_`|~09azAZ", "tab\tinside"}})
                  .ok());
}

TEST(CheckRequestHeaders, ANameThatIsNotATokenIsRefusedByIndex) {
  const absl::Status colon = CheckRequestHeaders({{"a", "1"}, {"b", "2"}, {"x:y", "3"}});
  EXPECT_EQ(colon.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(colon.message(),
            "headers[2].name \"x:y\" is not an HTTP field name token (RFC 9110 5.1)");
  EXPECT_EQ(CheckRequestHeaders({{"", "v"}}).message(),
            "headers[0].name \"\" is not an HTTP field name token (RFC 9110 5.1)");
  for (const char* name : {"a b", "a\tb", "(x)", "a/b", "a=b", "\"q\"", "a,b", "a;b", "a@b", "[x]",
                           "{x}", "a\\b", "a?b", "caf\xc3\xa9", ":authority"}) {
    SCOPED_TRACE(name);
    const absl::Status status = CheckRequestHeaders({{name, "v"}});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("headers[0].name"));
  }
}

TEST(CheckRequestHeaders, ANameIsQuotedEscapedAndCut) {
  EXPECT_EQ(CheckRequestHeaders({{"x\r\ny", "v"}}).message(),
            "headers[0].name \"x\\r\\ny\" is not an HTTP field name token (RFC 9110 5.1)");
  EXPECT_EQ(CheckRequestHeaders({{std::string("a\0z", 3), "v"}}).message(),
            "headers[0].name \"a\\x00z\" is not an HTTP field name token (RFC 9110 5.1)");
  const std::string long_name = std::string(100, 'n') + " ";
  EXPECT_EQ(CheckRequestHeaders({{long_name, "v"}}).message(),
            "headers[0].name \"" + std::string(64, 'n') +
                "...\" is not an HTTP field name token (RFC 9110 5.1)");
}

TEST(CheckRequestHeaders, CrLfAndNulInAValueAreRefusedByIndexAndOffset) {
  const absl::Status crlf =
      CheckRequestHeaders({{"x-a", "ok"}, {"x-b", "abc\r\nset-cookie: evil=1"}});
  EXPECT_EQ(crlf.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(crlf.message(),
            "headers[1].value has CR (0x0D) at byte 3; a field value must not contain CR, LF or "
            "NUL (RFC 9110 5.5)");
  EXPECT_THAT(CheckRequestHeaders({{"x", "a\nb"}}).message(),
              HasSubstr("headers[0].value has LF (0x0A) at byte 1;"));
  EXPECT_THAT(CheckRequestHeaders({{"x", std::string("ab\0", 3)}}).message(),
              HasSubstr("headers[0].value has NUL (0x00) at byte 2;"));
  // Values are octets: offsets count bytes.
  EXPECT_THAT(CheckRequestHeaders({{"x", "caf\xc3\xa9\n"}}).message(), HasSubstr("at byte 5;"));
  // The value itself is never quoted (it may be a credential).
  EXPECT_THAT(CheckRequestHeaders({{"authorization", "Bearer s3cret\r\n"}}).message(),
              Not(HasSubstr("s3cret")));
}

TEST(CheckRequestHeaders, VerticalTabAndFormFeedAreRefusedAsH11RefusesThem) {
  EXPECT_EQ(CheckRequestHeaders({{"x", "a\vb"}}).message(),
            "headers[0].value has VT (0x0B) at byte 1; a field value's only whitespace is SP and "
            "HTAB (RFC 9110 5.5; uvicorn's h11 refuses it too)");
  EXPECT_THAT(CheckRequestHeaders({{"x", "\f"}}).message(),
              HasSubstr("headers[0].value has FF (0x0C) at byte 0;"));
}

TEST(CheckRequestHeaders, OtherControlsAndObsTextAreAcceptedAsH11AcceptsThem) {
  // h11 issue #57: cookies with \x01 exist; DEL and obs-text (0x80..0xFF)
  // match h11's [^\x00\s] too. Values are octets: a raw Latin-1 byte (0xE9),
  // UTF-8 beyond Latin-1 and bytes that are not UTF-8 are all obs-text.
  for (const char* value :
       {"\x01", "a\x08z", "\x0e\x1f", "\x7f", "\x80", "caf\xe9", "\xff", "caf\xc3\xa9",
        "5 \xe2\x82\xac", "\xf0\x9f\x98\x80", " leading and trailing\t"}) {
    SCOPED_TRACE(value);
    EXPECT_TRUE(CheckRequestHeaders({{"x", value}}).ok());
  }
}

TEST(CheckRequestHeaders, AtMostMaxFieldsAreAccepted) {
  Headers headers(kMaxRequestHeaderFields, Header{"x", "1"});
  EXPECT_TRUE(CheckRequestHeaders(headers).ok());
  headers.push_back({"x", "1"});
  const absl::Status status = CheckRequestHeaders(headers);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "headers has 101 fields; at most 100 are accepted (http::kMaxRequestHeaderFields, "
            "Apache httpd's LimitRequestFields)");
}

TEST(CheckRequestHeaders, AtMostMaxBytesAreAcceptedCountedAsHeaderLines) {
  // One field of exactly the limit: "x: " + value + CRLF.
  const size_t value_size = kMaxRequestHeaderBytes - 1 - 4;
  EXPECT_TRUE(CheckRequestHeaders({{"x", std::string(value_size, 'v')}}).ok());
  const absl::Status status = CheckRequestHeaders({{"x", std::string(value_size + 1, 'v')}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "headers take 16385 bytes as an HTTP/1.1 header block; at most 16384 are accepted "
            "(http::kMaxRequestHeaderBytes, h11's 16 KiB max_incomplete_event_size)");
  // Spread over fields: each line costs 4 more than its name and value.
  Headers headers(kMaxRequestHeaderFields, Header{"name", std::string(160, 'v')});
  EXPECT_THAT(CheckRequestHeaders(headers).message(), HasSubstr("headers take 16800 bytes"));
}

TEST(CheckRequestHeaders, LimitsAreCheckedBeforeTheFields) {
  Headers headers(kMaxRequestHeaderFields + 1, Header{"bad name", "1"});
  EXPECT_THAT(CheckRequestHeaders(headers).message(), HasSubstr("headers has 101 fields"));
}

TEST(CheckRequestFieldValue, WordsTheProblemForTheCallerToPrefix) {
  EXPECT_TRUE(CheckRequestFieldValue("").ok());
  EXPECT_TRUE(CheckRequestFieldValue("caf\xe9").ok());
  const absl::Status status = CheckRequestFieldValue("a\r\nb");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "value has CR (0x0D) at byte 1; a field value must not contain CR, LF or NUL (RFC "
            "9110 5.5)");
}

}  // namespace
}  // namespace corouter::http
