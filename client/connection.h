// Connection settings shared by every corouter subcommand: which server to
// talk to and how long each call may take, plus the helpers that turn them
// into a gRPC channel and a per-call deadline.
//
// Every RPC the client makes carries a deadline, so no command can hang on a
// silent or unreachable server longer than its timeout.
#ifndef COROUTER_CLIENT_CONNECTION_H_
#define COROUTER_CLIENT_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace corouter::client {

// The server used when neither --server nor COROUTER_SERVER is given.
inline constexpr absl::string_view kDefaultServer = "127.0.0.1:50051";
// The environment variable that names the server when --server is not given.
inline constexpr absl::string_view kServerEnvironmentVariable = "COROUTER_SERVER";
// The default --timeout, as text (what the help shows) and parsed.
inline constexpr absl::string_view kDefaultTimeoutText = "30s";

// Where and how to call the server.
struct ConnectionOptions {
  // gRPC target: "HOST:PORT" (any gRPC target URI works).
  std::string server = std::string(kDefaultServer);
  // The deadline of each RPC, measured from the moment it starts. Positive.
  absl::Duration timeout = absl::Seconds(30);
};

// Parses a --timeout value: a positive, finite duration with units, as
// absl::ParseDuration reads them ("500ms", "2s", "1.5s", "1m", "1m30s").
// Errors: InvalidArgument for text without a unit, zero, negative or
// infinite durations. Pure; thread-safe.
absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text);

// Creates an insecure (plaintext) channel to `server`. Creating a channel does
// not connect; connection errors surface on the first call as UNAVAILABLE.
// Channels are thread-safe and meant to be shared by concurrent calls.
std::shared_ptr<grpc::Channel> CreateChannel(const std::string& server);

// Sets `context`'s deadline to now + `timeout`. Call just before starting
// the RPC.
void SetDeadline(grpc::ClientContext& context, absl::Duration timeout);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_CONNECTION_H_
