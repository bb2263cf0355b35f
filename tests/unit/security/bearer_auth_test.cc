// BearerAuth (server/security/bearer_auth.h): RFC 6750 2.1's
// "authorization: Bearer <token>", checked without quoting either token.
#include "server/security/bearer_auth.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "grpcpp/support/string_ref.h"
#include "gtest/gtest.h"

namespace corouter::security {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

TEST(BearerAuth, AcceptsTheTokenWithTheSchemeInAnyCase) {
  const BearerAuth auth("s3cr3t-t0ken");
  EXPECT_TRUE(auth.CheckValue("Bearer s3cr3t-t0ken").ok());
  EXPECT_TRUE(auth.CheckValue("bearer s3cr3t-t0ken").ok());
  EXPECT_TRUE(auth.CheckValue("BEARER   s3cr3t-t0ken").ok());  // 1*SP
  EXPECT_EQ(BearerAuthorization("abc"), "Bearer abc");
}

TEST(BearerAuth, RefusesAMissingValueSayingWhatToSend) {
  const absl::Status status = BearerAuth("x").CheckValue(std::nullopt);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("authorization: Bearer <token>"));
}

TEST(BearerAuth, RefusesAnotherTokenWithoutQuotingEither) {
  const absl::Status status = BearerAuth("s3cr3t-t0ken").CheckValue("Bearer guessed-token");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(status.message(), "the bearer token is not the server's");
}

TEST(BearerAuth, RefusesPrefixesAndExtensionsOfTheToken) {
  const BearerAuth auth("s3cr3t-t0ken");
  for (const char* value : {"Bearer s3cr3t", "Bearer s3cr3t-t0ken2", "Bearer s3cr3t-t0ke",
                            "Bearer s3cr3t-t0ken ", "Bearer S3CR3T-T0KEN"}) {
    EXPECT_EQ(auth.CheckValue(value).code(), absl::StatusCode::kUnauthenticated) << value;
  }
}

TEST(BearerAuth, RefusesOtherSchemesAndAnEmptyToken) {
  const BearerAuth auth("s3cr3t-t0ken");
  for (const char* value : {"Basic czNjcjN0", "s3cr3t-t0ken", "Bearer", "Bearer ", "Bearer   ",
                            "Bearers3cr3t-t0ken", ""}) {
    const absl::Status status = auth.CheckValue(value);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << value;
    EXPECT_THAT(status.message(), HasSubstr("is not \"Bearer <token>\"")) << value;
    EXPECT_THAT(status.message(), Not(HasSubstr("s3cr3t"))) << value;
  }
}

TEST(BearerAuth, ChecksTheCallsMetadata) {
  const BearerAuth auth("tok");
  const std::string key = "authorization", good = "Bearer tok", bad = "Bearer no";
  EXPECT_TRUE(auth.Check(Metadata{{key, good}, {"x-other", "1"}}).ok());
  EXPECT_EQ(auth.Check(Metadata{{"x-other", "1"}}).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth.Check(Metadata{{key, bad}}).code(), absl::StatusCode::kUnauthenticated);
  // Two values are ambiguous: one of them might be right.
  const absl::Status two = auth.Check(Metadata{{key, good}, {key, bad}});
  EXPECT_EQ(two.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(two.message(), HasSubstr("2 authorization metadata values"));
}

}  // namespace
}  // namespace corouter::security
