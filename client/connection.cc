#include "client/connection.h"

#include <chrono>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_interceptor.h"
#include "grpcpp/support/interceptor.h"
#include "server/security/bearer_auth.h"
#include "server/security/credential_files.h"

namespace corouter::client {
namespace {

absl::Status FlagError(absl::string_view flag, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", message));
}

// Adds "authorization: Bearer <token>" to every call's initial metadata.
class BearerInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerInterceptor(std::shared_ptr<const std::string> value) : value_(std::move(value)) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(std::string(security::kAuthorizationKey), *value_);
    }
    methods->Proceed();
  }

 private:
  const std::shared_ptr<const std::string> value_;
};

class BearerInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerInterceptorFactory(const std::string& token)
      : value_(std::make_shared<const std::string>(security::BearerAuthorization(token))) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* /*info*/) override {
    return new BearerInterceptor(value_);
  }

 private:
  const std::shared_ptr<const std::string> value_;
};

}  // namespace

absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text) {
  absl::Duration duration;
  if (!absl::ParseDuration(text, &duration) || duration == absl::InfiniteDuration() ||
      duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a positive duration with a unit (such as 500ms, 2s, ", "1.5s, 1m)"));
  }
  return duration;
}

absl::StatusOr<LoadBalancing> ParseLoadBalancing(absl::string_view text) {
  if (text == "pick_first") return LoadBalancing::kPickFirst;
  if (text == "round_robin") return LoadBalancing::kRoundRobin;
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not a load-balancing policy: want pick_first or round_robin"));
}

absl::StatusOr<ChannelSecurity> LoadChannelSecurity(const SecurityFlagValues& flags,
                                                    const char* environment_token) {
  ChannelSecurity security;
  security.tls =
      flags.tls || !flags.ca_file.empty() || !flags.cert_file.empty() || !flags.key_file.empty();
  if (!flags.cert_file.empty() && flags.key_file.empty()) {
    return absl::InvalidArgumentError("--cert needs --key");
  }
  if (!flags.key_file.empty() && flags.cert_file.empty()) {
    return absl::InvalidArgumentError("--key needs --cert");
  }
  if (!flags.ca_file.empty()) {
    absl::StatusOr<std::string> ca = security::ReadCertificates(flags.ca_file);
    if (!ca.ok()) return FlagError("--ca", ca.status().message());
    security.ca_pem = *std::move(ca);
  }
  if (!flags.cert_file.empty()) {
    absl::StatusOr<security::KeyPair> pair =
        security::ReadKeyPair("--cert", flags.cert_file, "--key", flags.key_file);
    if (!pair.ok()) return pair.status();
    security.cert_chain_pem = std::move(pair->cert_chain_pem);
    security.private_key_pem = std::move(pair->private_key_pem);
  }
  if (!flags.token_file.empty()) {
    absl::StatusOr<std::string> token = security::ReadTokenFile(flags.token_file);
    if (!token.ok()) return FlagError("--token-file", token.status().message());
    security.token = *std::move(token);
  } else if (environment_token != nullptr && *environment_token != '\0') {
    const std::string token = environment_token;
    if (absl::Status status = security::CheckBearerToken(token, kTokenEnvironmentVariable);
        !status.ok()) {
      return status;
    }
    security.token = token;
  }
  return security;
}

std::shared_ptr<grpc::Channel> CreateChannel(const std::string& server,
                                             const ChannelSecurity& security,
                                             const grpc::ChannelArguments& args) {
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (security.tls) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = security.ca_pem;
    ssl.pem_cert_chain = security.cert_chain_pem;
    ssl.pem_private_key = security.private_key_pem;
    credentials = grpc::SslCredentials(ssl);
  }
  if (security.token.empty()) return grpc::CreateCustomChannel(server, credentials, args);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<BearerInterceptorFactory>(security.token));
  return grpc::experimental::CreateCustomChannelWithInterceptors(server, credentials, args,
                                                                 std::move(interceptors));
}

std::shared_ptr<grpc::Channel> CreateChannel(const ConnectionOptions& options) {
  grpc::ChannelArguments args;
  if (options.load_balancing == LoadBalancing::kRoundRobin) {
    args.SetLoadBalancingPolicyName("round_robin");
  }
  return CreateChannel(options.server, options.security, args);
}

void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
}

}  // namespace corouter::client
