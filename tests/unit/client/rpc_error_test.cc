// Unit tests of RPC error lines (client/rpc_error.h) and --timeout parsing
// (client/connection.h).
#include "client/rpc_error.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "client/connection.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

TEST(FormatRpcErrorTest, SaysTheServerCannotBeReachedOnUnavailable) {
  EXPECT_EQ(FormatRpcError("127.0.0.1:50051", "[A] GET /", absl::Seconds(30),
                           grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused")),
            "corouter: cannot reach server 127.0.0.1:50051: connection refused");
}

TEST(FormatRpcErrorTest, NamesTheRequestAndCodeForOtherErrors) {
  EXPECT_EQ(FormatRpcError("s:1", "[A] GET x", absl::Seconds(30),
                           grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad target")),
            "corouter: [A] GET x: INVALID_ARGUMENT: bad target");
}

TEST(FormatRpcErrorTest, MentionsTheTimeoutOnDeadlineExceeded) {
  EXPECT_EQ(FormatRpcError("s:1", "[B] GET /wait", absl::Milliseconds(1500),
                           grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded")),
            "corouter: [B] GET /wait: DEADLINE_EXCEEDED: no response within 1.5s (Deadline "
            "Exceeded)");
}

TEST(FormatRpcErrorTest, KeepsAMultilineMessageOnOneLine) {
  EXPECT_EQ(FormatRpcError("s:1", "ListRoutes", absl::Seconds(1),
                           grpc::Status(grpc::StatusCode::INTERNAL, "a\nb")),
            "corouter: ListRoutes: INTERNAL: a b");
}

TEST(ReclassifyDeadlineTest, TurnsADeadlineWithoutAConnectionIntoUnreachable) {
  const grpc::Status status =
      ReclassifyDeadline(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"),
                         false, absl::Seconds(2));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "no connection within 2s");
}

TEST(ReclassifyDeadlineTest, KeepsADeadlineOnAConnectedChannelAndOtherCodes) {
  EXPECT_EQ(ReclassifyDeadline(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""), true,
                               absl::Seconds(2))
                .error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(
      ReclassifyDeadline(grpc::Status(grpc::StatusCode::INTERNAL, ""), false, absl::Seconds(2))
          .error_code(),
      grpc::StatusCode::INTERNAL);
}

TEST(StatusCodeNameTest, UsesTheCanonicalNames) {
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(StatusCodeName(static_cast<grpc::StatusCode>(42)), "CODE_42");
}

TEST(ParseTimeoutTest, AcceptsDurationsWithUnits) {
  EXPECT_EQ(*ParseTimeout("500ms"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseTimeout("2s"), absl::Seconds(2));
  EXPECT_EQ(*ParseTimeout("1.5s"), absl::Milliseconds(1500));
  EXPECT_EQ(*ParseTimeout("1m"), absl::Minutes(1));
}

TEST(ParseTimeoutTest, RejectsMissingUnitsZeroNegativeAndInfinite) {
  for (const char* text : {"5", "", "0s", "0", "-1s", "inf", "soon"}) {
    absl::StatusOr<absl::Duration> timeout = ParseTimeout(text);
    EXPECT_EQ(timeout.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace corouter::client
