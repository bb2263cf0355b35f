#include "client/connection.h"

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace corouter::client {

absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text) {
  absl::Duration duration;
  if (!absl::ParseDuration(text, &duration) || duration == absl::InfiniteDuration() ||
      duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a positive duration with a unit (such as 500ms, 2s, ", "1.5s, 1m)"));
  }
  return duration;
}

std::shared_ptr<grpc::Channel> CreateChannel(const std::string& server) {
  return grpc::CreateChannel(server, grpc::InsecureChannelCredentials());
}

void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
}

}  // namespace corouter::client
