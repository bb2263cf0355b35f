#include "server/security/bearer_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace corouter::security {
namespace {

std::array<uint8_t, 32> Sha256(absl::string_view bytes) {
  std::array<uint8_t, 32> digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size()) {
    // Only a broken libcrypto fails here; a check that cannot hash must not
    // let calls through.
    std::abort();
  }
  return digest;
}

}  // namespace

std::string BearerAuthorization(absl::string_view token) { return absl::StrCat("Bearer ", token); }

BearerAuth::BearerAuth(absl::string_view token) : digest_(Sha256(token)) {}

absl::Status BearerAuth::CheckValue(std::optional<absl::string_view> value) const {
  if (!value.has_value()) {
    return absl::UnauthenticatedError(
        "this server needs a bearer token: send the metadata \"authorization: Bearer <token>\" "
        "(RFC 6750 2.1)");
  }
  // credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive.
  absl::string_view rest = *value;
  constexpr absl::string_view kScheme = "bearer";
  const bool bearer = rest.size() > kScheme.size() &&
                      absl::EqualsIgnoreCase(rest.substr(0, kScheme.size()), kScheme) &&
                      rest[kScheme.size()] == ' ';
  if (bearer) {
    rest.remove_prefix(kScheme.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  if (!bearer || rest.empty()) {
    return absl::UnauthenticatedError(
        "the authorization metadata is not \"Bearer <token>\" (RFC 6750 2.1)");
  }
  const std::array<uint8_t, 32> sent = Sha256(rest);
  if (CRYPTO_memcmp(sent.data(), digest_.data(), digest_.size()) != 0) {
    return absl::UnauthenticatedError("the bearer token is not the server's");
  }
  return absl::OkStatus();
}

absl::Status BearerAuth::Check(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const {
  const auto [first, last] =
      metadata.equal_range(grpc::string_ref(kAuthorizationKey.data(), kAuthorizationKey.size()));
  const auto count = std::distance(first, last);
  if (count > 1) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the call carries ", count, " authorization metadata values; send one (RFC 6750 2.1)"));
  }
  if (count == 0) return CheckValue(std::nullopt);
  return CheckValue(absl::string_view(first->second.data(), first->second.size()));
}

}  // namespace corouter::security
