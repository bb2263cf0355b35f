// server/security/bearer_auth.h
//
// BearerAuth: the server's check of a call's bearer token (--auth-token-file),
// as RFC 6750 (2.1) sends one: the call's gRPC metadata holds
//
//   authorization: Bearer <token>
//
// (the scheme compared case-insensitively, as RFC 9110 11.1 says of every
// auth-scheme). The check compares SHA-256 digests of the token sent and of
// the server's with OpenSSL's CRYPTO_memcmp, so that its time depends
// neither on where the two differ nor on their lengths; only the digest of
// the server's token is kept.
//
//   BearerAuth auth(*security::ReadTokenFile("token"));
//   if (absl::Status s = auth.Check(ctx.client_metadata()); !s.ok()) ...  // UNAUTHENTICATED
//
// The messages never quote what the client sent or the server's token.
//
// Thread safety: immutable after construction; Check is thread-safe.
#ifndef COROUTER_SERVER_SECURITY_BEARER_AUTH_H_
#define COROUTER_SERVER_SECURITY_BEARER_AUTH_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/string_ref.h"

namespace corouter::security {

/// The metadata key that carries the token (gRPC keys are lower case).
inline constexpr absl::string_view kAuthorizationKey = "authorization";

/// "Bearer <token>": what a client sends as kAuthorizationKey.
std::string BearerAuthorization(absl::string_view token);

class BearerAuth {
 public:
  /// `token` should have passed CheckBearerToken (credential_files.h).
  explicit BearerAuth(absl::string_view token);

  /// OK when `value`, the one authorization value a call carries, is
  /// "Bearer <the server's token>". Errors: UNAUTHENTICATED, with one of
  ///  - no value: "this server needs a bearer token: send the metadata
  ///    \"authorization: Bearer <token>\" (RFC 6750 2.1)";
  ///  - another scheme, or no token after it: "the authorization metadata is
  ///    not \"Bearer <token>\" (RFC 6750 2.1)";
  ///  - another token: "the bearer token is not the server's".
  absl::Status CheckValue(std::optional<absl::string_view> value) const;

  /// CheckValue on a call's client metadata (ServerContext::client_metadata).
  /// Errors: as CheckValue; also UNAUTHENTICATED "the call carries N
  /// authorization metadata values; send one" for more than one.
  absl::Status Check(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const;

 private:
  std::array<uint8_t, 32> digest_;
};

}  // namespace corouter::security

#endif  // COROUTER_SERVER_SECURITY_BEARER_AUTH_H_
