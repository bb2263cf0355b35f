// Unit tests of RPC error lines (client/rpc_error.h), --timeout parsing and
// the security flags' checks (client/connection.h).
#include "client/rpc_error.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "client/connection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

using ::testing::HasSubstr;

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

TEST(ParseLoadBalancingTest, TakesGrpcsPolicyNames) {
  EXPECT_EQ(*ParseLoadBalancing("pick_first"), LoadBalancing::kPickFirst);
  EXPECT_EQ(*ParseLoadBalancing("round_robin"), LoadBalancing::kRoundRobin);
  for (const char* text : {"", "roundrobin", "ROUND_ROBIN", "grpclb", "round_robin "}) {
    absl::StatusOr<LoadBalancing> lb = ParseLoadBalancing(text);
    EXPECT_EQ(lb.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(lb.status().message(), testing::HasSubstr("pick_first or round_robin")) << text;
  }
}

// The messages gRPC 1.51 gives (security_test.cc checks them against real
// handshakes).
grpc::Status Unavailable(const std::string& last_error) {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "failed to connect to all addresses; last error: " + last_error);
}

TEST(ExplainTlsFailureTest, SaysWhichSideSpeaksTls) {
  ChannelSecurity plaintext, tls;
  tls.tls = true;
  EXPECT_EQ(
      ExplainTlsFailure(Unavailable("UNAVAILABLE: ipv4:127.0.0.1:1: Socket closed"), plaintext),
      "the server closed the connection during the handshake (is the server using TLS? "
      "try --tls)");
  EXPECT_EQ(ExplainTlsFailure(Unavailable("UNKNOWN: ipv4:127.0.0.1:1: Ssl handshake failed: "
                                          "SSL_ERROR_SSL: error:0A00010B:SSL "
                                          "routines::wrong version number"),
                              tls),
            "TLS handshake failed: the server did not answer in TLS (is the server using TLS? "
            "try without --tls)");
}

TEST(ExplainTlsFailureTest, SaysWhichCertificateWasRefused) {
  ChannelSecurity tls, mutual;
  tls.tls = mutual.tls = true;
  mutual.cert_chain_pem = "PEM";
  EXPECT_THAT(*ExplainTlsFailure(
                  Unavailable("UNKNOWN: ipv4:127.0.0.1:1: Ssl handshake failed: SSL_ERROR_SSL: "
                              "error:0A000086:SSL routines::certificate verify failed"),
                  tls),
              HasSubstr("the server's certificate is not trusted (pass the CA"));
  EXPECT_THAT(*ExplainTlsFailure(Unavailable("UNAVAILABLE: ipv4:127.0.0.1:1: Socket closed"), tls),
              HasSubstr("pass --cert and --key"));
  EXPECT_THAT(
      *ExplainTlsFailure(Unavailable("UNAVAILABLE: ipv4:127.0.0.1:1: Socket closed"), mutual),
      HasSubstr("does it trust the client certificate of --cert?"));
  EXPECT_THAT(*ExplainTlsFailure(Unavailable("UNKNOWN: ipv4:127.0.0.1:1: Peer name x is not in "
                                             "peer certificate"),
                                 tls),
              HasSubstr("does not name the host of --server"));
}

TEST(ExplainTlsFailureTest, LeavesOtherFailuresAlone) {
  EXPECT_EQ(ExplainTlsFailure(Unavailable("UNKNOWN: ipv4:127.0.0.1:1: Failed to connect to "
                                          "remote host: Connection refused"),
                              {}),
            std::nullopt);
  EXPECT_EQ(ExplainTlsFailure(grpc::Status(grpc::StatusCode::INTERNAL, "Socket closed"), {}),
            std::nullopt);
  ConnectionOptions connection;
  connection.server = "s:1";
  EXPECT_EQ(FormatRpcError(connection, "ListRoutes",
                           grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused")),
            "corouter: cannot reach server s:1: connection refused");
}

TEST(FormatRpcErrorTest, SaysWhereATokenComesFromOnlyWhenNoneWasSent) {
  ConnectionOptions connection;
  const grpc::Status status(grpc::StatusCode::UNAUTHENTICATED, "needs a token");
  EXPECT_EQ(FormatRpcError(connection, "GetStats", status),
            "corouter: GetStats: UNAUTHENTICATED: needs a token; pass --token-file FILE or set "
            "COROUTER_TOKEN");
  connection.security.token = "t";
  EXPECT_EQ(FormatRpcError(connection, "GetStats", status),
            "corouter: GetStats: UNAUTHENTICATED: needs a token");
}

TEST(LoadChannelSecurityTest, NamesTheFlagAndNeverTheToken) {
  SecurityFlagValues flags;
  flags.cert_file = "client.pem";
  EXPECT_EQ(LoadChannelSecurity(flags, nullptr).status().message(), "--cert needs --key");
  flags = {};
  flags.key_file = "client.key";
  EXPECT_EQ(LoadChannelSecurity(flags, nullptr).status().message(), "--key needs --cert");
  flags = {};
  flags.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(LoadChannelSecurity(flags, nullptr).status().message(),
            "--ca: cannot read /nonexistent/ca.pem: No such file or directory");
  flags = {};
  flags.token_file = "/nonexistent/token";
  EXPECT_THAT(std::string(LoadChannelSecurity(flags, "env").status().message()),
              HasSubstr("--token-file: cannot read /nonexistent/token"));
  const absl::Status bad = LoadChannelSecurity({}, "sec ret").status();
  EXPECT_EQ(bad.message(),
            "COROUTER_TOKEN: byte 4 of 7 is not allowed in a bearer token (RFC 6750 2.1: letters, "
            "digits, - . _ ~ + / and trailing =)");
}

TEST(LoadChannelSecurityTest, TakesTheEnvironmentsTokenAndTlsFromTlsAlone) {
  absl::StatusOr<ChannelSecurity> security = LoadChannelSecurity({}, "t0k3n");
  ASSERT_TRUE(security.ok());
  EXPECT_EQ(security->token, "t0k3n");
  EXPECT_FALSE(security->tls);
  EXPECT_EQ(LoadChannelSecurity({}, "")->token, "");  // empty: none
  SecurityFlagValues flags;
  flags.tls = true;
  EXPECT_TRUE(LoadChannelSecurity(flags, nullptr)->tls);
}

}  // namespace
}  // namespace corouter::client
