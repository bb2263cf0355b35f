// Unit tests of command-line request building (client/request_spec.h).
#include "client/request_spec.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

using ::testing::HasSubstr;

TEST(RequestLabelTest, LabelsRequestsLikeSpreadsheetColumns) {
  EXPECT_EQ(RequestLabel(0), "A");
  EXPECT_EQ(RequestLabel(1), "B");
  EXPECT_EQ(RequestLabel(25), "Z");
  EXPECT_EQ(RequestLabel(26), "AA");
  EXPECT_EQ(RequestLabel(27), "AB");
  EXPECT_EQ(RequestLabel(701), "ZZ");
  EXPECT_EQ(RequestLabel(702), "AAA");
}

TEST(ParseHeaderTest, SplitsAtTheFirstColonAndTrimsTheValue) {
  absl::StatusOr<corouter::v1::HttpHeader> header = ParseHeader("X-Trace:  a:b \t");
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->name(), "X-Trace");
  EXPECT_EQ(header->value(), "a:b");
}

TEST(ParseHeaderTest, AcceptsAnEmptyValue) {
  absl::StatusOr<corouter::v1::HttpHeader> header = ParseHeader("x-empty:");
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->value(), "");
}

TEST(ParseHeaderTest, RejectsAnArgumentWithoutAColon) {
  absl::StatusOr<corouter::v1::HttpHeader> header = ParseHeader("content-type json");
  EXPECT_EQ(header.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(header.status().message(), HasSubstr("'content-type json'"));
}

TEST(ParseHeaderTest, RejectsANameThatIsNotAToken) {
  EXPECT_FALSE(ParseHeader(": value").ok());
  EXPECT_FALSE(ParseHeader("bad name: value").ok());
}

TEST(ParseHeaderTest, RejectsAValueTheServerWouldRefuseBeforeSendingIt) {
  absl::StatusOr<corouter::v1::HttpHeader> crlf = ParseHeader("x-a: 1\r\nx-b: 2");
  EXPECT_EQ(crlf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(crlf.status().message(),
            "header 'x-a: 1\\r\\nx-b: 2': value has CR (0x0D) at byte 1; a field value must "
            "not contain CR, LF or NUL (RFC 9110 5.5)");
  EXPECT_THAT(ParseHeader("x-a: a\vb").status().message(), HasSubstr("value has VT (0x0B)"));
  // Any other byte is an octet the server takes as it is.
  EXPECT_TRUE(ParseHeader("x-name: caf\xc3\xa9 \xe2\x82\xac\x01").ok());
}

TEST(BuildRequestsTest, PairsArgumentsIntoLabelledRequestsInOrder) {
  absl::StatusOr<std::vector<RequestSpec>> specs =
      BuildRequests({"GET", "/slow_task/1?q=test", "GET", "/fast_task/"}, {}, "");
  ASSERT_TRUE(specs.ok()) << specs.status();
  ASSERT_EQ(specs->size(), 2u);
  EXPECT_EQ((*specs)[0].label, "A");
  EXPECT_EQ((*specs)[0].request.method(), "GET");
  EXPECT_EQ((*specs)[0].request.target(), "/slow_task/1?q=test");
  EXPECT_EQ((*specs)[1].label, "B");
  EXPECT_EQ((*specs)[1].request.target(), "/fast_task/");
}

TEST(BuildRequestsTest, GivesEveryRequestTheHeadersAndBody) {
  absl::StatusOr<std::vector<RequestSpec>> specs =
      BuildRequests({"POST", "/items/", "PUT", "/items/1"},
                    {"content-type: application/json", "x-a: 1"}, R"({"name":"x"})");
  ASSERT_TRUE(specs.ok()) << specs.status();
  for (const RequestSpec& spec : *specs) {
    ASSERT_EQ(spec.request.headers_size(), 2);
    EXPECT_EQ(spec.request.headers(0).name(), "content-type");
    EXPECT_EQ(spec.request.headers(0).value(), "application/json");
    EXPECT_EQ(spec.request.headers(1).name(), "x-a");
    EXPECT_EQ(spec.request.body(), R"({"name":"x"})");
  }
}

TEST(BuildRequestsTest, RejectsNoArguments) {
  EXPECT_EQ(BuildRequests({}, {}, "").status().message(), "expected METHOD TARGET pairs, got none");
}

TEST(BuildRequestsTest, RejectsAnOddNumberOfArguments) {
  absl::StatusOr<std::vector<RequestSpec>> specs = BuildRequests({"GET", "/a", "GET"}, {}, "");
  EXPECT_EQ(specs.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(specs.status().message(), HasSubstr("odd number of arguments (3)"));
}

TEST(BuildRequestsTest, RejectsATargetWhereAMethodShouldBe) {
  absl::StatusOr<std::vector<RequestSpec>> specs = BuildRequests({"/a", "GET"}, {}, "");
  EXPECT_THAT(specs.status().message(), HasSubstr("'/a' is not an HTTP method"));
}

TEST(BuildRequestsTest, RejectsABadHeader) {
  EXPECT_FALSE(BuildRequests({"GET", "/a"}, {"nocolon"}, "").ok());
}

}  // namespace
}  // namespace corouter::client
