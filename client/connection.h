// Connection settings shared by every corouter subcommand: which server to
// talk to, how long each call may take, and how the channel is secured (TLS,
// mutual TLS, a bearer token), plus the helpers that turn them into a gRPC
// channel and a per-call deadline.
//
// Every RPC the client makes carries a deadline, so no command can hang on a
// silent or unreachable server longer than its timeout.
//
// Security (docs/deployment.md, "TLS and token auth"): --tls speaks TLS
// (grpc::SslCredentials), verifying the server's certificate against --ca
// (else gRPC's default roots) and the name in --server; --cert/--key present
// a client certificate (mutual TLS); --ca, --cert and --key imply --tls. A
// bearer token from --token-file, else the COROUTER_TOKEN environment
// variable, goes with every call as "authorization: Bearer <token>"
// metadata (RFC 6750 2.1), also over plaintext. The token is never printed.
#ifndef COROUTER_CLIENT_CONNECTION_H_
#define COROUTER_CLIENT_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/channel_arguments.h"

namespace corouter::client {

// The server used when neither --server nor COROUTER_SERVER is given.
inline constexpr absl::string_view kDefaultServer = "127.0.0.1:50051";
// The environment variable that names the server when --server is not given.
inline constexpr absl::string_view kServerEnvironmentVariable = "COROUTER_SERVER";
// The default --timeout, as text (what the help shows) and parsed.
inline constexpr absl::string_view kDefaultTimeoutText = "30s";
// The environment variable that holds the bearer token when --token-file is
// not given (the token itself, not a file name).
inline constexpr absl::string_view kTokenEnvironmentVariable = "COROUTER_TOKEN";

// How the channel is secured and authenticated, as read from the files.
struct ChannelSecurity {
  // Speak TLS; false: plaintext.
  bool tls = false;
  // PEM CA certificates the server's certificate must chain to; empty: gRPC's
  // default roots (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, else its roots.pem).
  std::string ca_pem{};
  // A PEM client certificate chain and its key (mutual TLS); both or none.
  std::string cert_chain_pem{};
  std::string private_key_pem{};
  // The bearer token sent with every call; empty: none. Never printed.
  std::string token{};
};

// The security flags of one subcommand, as given (file names).
struct SecurityFlagValues {
  bool tls = false;
  std::string ca_file{};
  std::string cert_file{};
  std::string key_file{};
  std::string token_file{};
};

// Reads and checks the files `flags` name (server/security/
// credential_files.h); the token comes from --token-file, else from
// `environment_token` (COROUTER_TOKEN's value; null or empty: none).
// Errors: InvalidArgument whose message starts with the flag ("--ca: cannot
// read FILE: No such file or directory", "--cert needs --key", "--key: the
// private key does not match the certificate ...", "--token-file: FILE is
// empty", "COROUTER_TOKEN: byte 3 of 9 is not allowed in a bearer token
// ..."); never quotes a token or a key. Thread-safe.
absl::StatusOr<ChannelSecurity> LoadChannelSecurity(const SecurityFlagValues& flags,
                                                    const char* environment_token);

// How a channel whose target resolves to several addresses (such as
// "ipv4:127.0.0.1:50051,127.0.0.1:50052", or a DNS name with several A
// records) spreads its calls: gRPC's load-balancing policies of the same
// names (gRPC's doc/load-balancing.md).
enum class LoadBalancing {
  // gRPC's default: connect to the first address that answers and send every
  // call there (the others are fallbacks).
  kPickFirst,
  // Connect to every address and rotate the calls over the connected ones,
  // one call each in turn.
  kRoundRobin,
};

// Parses a --lb value: "pick_first" or "round_robin" (gRPC's policy names).
// Errors: InvalidArgument naming the accepted values. Pure; thread-safe.
absl::StatusOr<LoadBalancing> ParseLoadBalancing(absl::string_view text);

// Where and how to call the server.
struct ConnectionOptions {
  // gRPC target: "HOST:PORT" (any gRPC target URI works, several addresses
  // too: "ipv4:HOST:PORT,HOST:PORT").
  std::string server = std::string(kDefaultServer);
  // How calls spread when `server` resolves to several addresses.
  LoadBalancing load_balancing = LoadBalancing::kPickFirst;
  // The deadline of each RPC, measured from the moment it starts. Positive.
  absl::Duration timeout = absl::Seconds(30);
  // TLS and the bearer token; plaintext without a token by default.
  ChannelSecurity security{};
};

// Parses a --timeout value: a positive, finite duration with units, as
// absl::ParseDuration reads them ("500ms", "2s", "1.5s", "1m", "1m30s").
// Errors: InvalidArgument for text without a unit, zero, negative or
// infinite durations. Pure; thread-safe.
absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text);

// Creates a channel to `server`, plaintext or TLS as `security` says, whose
// every call carries `security.token` (when set) as "authorization: Bearer
// <token>" metadata (a client interceptor adds it). Creating a channel does
// not connect; connection errors (a TLS handshake that fails included)
// surface on the first call as UNAVAILABLE. Channels are thread-safe and
// meant to be shared by concurrent calls.
std::shared_ptr<grpc::Channel> CreateChannel(const std::string& server,
                                             const ChannelSecurity& security,
                                             const grpc::ChannelArguments& args = {});

// CreateChannel(options.server, options.security), with the channel's
// load-balancing policy set to options.load_balancing.
std::shared_ptr<grpc::Channel> CreateChannel(const ConnectionOptions& options);

// Sets `context`'s deadline to now + `timeout`. Call just before starting
// the RPC.
void SetDeadline(grpc::ClientContext& context, absl::Duration timeout);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_CONNECTION_H_
