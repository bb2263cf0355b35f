// RPC error reporting: turns a failed gRPC call into the one line the client
// prints on stderr.
//
//   corouter: cannot reach server 127.0.0.1:50051: failed to connect to all addresses...
//   corouter: [A] GET x: INVALID_ARGUMENT: request target must start with '/'
//   corouter: [B] GET /wait: DEADLINE_EXCEEDED: no response within 2s
//   corouter: cannot connect to 127.0.0.1:50051: the server closed the connection during the
//     handshake (is the server using TLS? try --tls)
//   corouter: ListRoutes: UNAUTHENTICATED: this server needs a bearer token: ...; pass
//     --token-file FILE or set COROUTER_TOKEN
//
// All functions are pure and thread-safe.
#ifndef COROUTER_CLIENT_RPC_ERROR_H_
#define COROUTER_CLIENT_RPC_ERROR_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/connection.h"
#include "grpcpp/support/status.h"

namespace corouter::client {

// The canonical name of a gRPC status code: "DEADLINE_EXCEEDED"; "CODE_<n>"
// for a number outside the known codes.
std::string StatusCodeName(grpc::StatusCode code);

// Whether `status` means the server could not be reached at all (UNAVAILABLE).
bool IsUnreachable(const grpc::Status& status);

// Reclassifies a DEADLINE_EXCEEDED as UNAVAILABLE ("no connection within
// <timeout>") when the channel never got `connected`: a server that drops
// packets looks like a deadline otherwise. Other statuses come back unchanged.
grpc::Status ReclassifyDeadline(const grpc::Status& status, bool connected, absl::Duration timeout);

// The stderr line (without newline) for a failed call. `what` names the call:
// "[A] GET /wait" or "ListRoutes". UNAVAILABLE reads "cannot reach server
// <server>: <message>"; DEADLINE_EXCEEDED mentions `timeout`; other codes read
// "<what>: <CODE>: <message>". The message is made one line.
std::string FormatRpcError(absl::string_view server, absl::string_view what, absl::Duration timeout,
                           const grpc::Status& status);

// What the client's side of a failed connection says about TLS: for an
// UNAVAILABLE that a TLS mismatch, a certificate that is not trusted, or a
// refused client certificate caused (as gRPC 1.51 words them: "Ssl
// handshake failed: ...", "Peer name ... is not in peer certificate", or
// "Socket closed" right after connecting), one sentence saying so and what
// to try, such as "the server closed the connection during the handshake
// (is the server using TLS? try --tls)". `security` is how the client
// connected. nullopt for any other status.
std::optional<std::string> ExplainTlsFailure(const grpc::Status& status,
                                             const ChannelSecurity& security);

// FormatRpcError knowing the connection: an UNAVAILABLE that
// ExplainTlsFailure explains reads "corouter: cannot connect to <server>:
// <sentence>"; an UNAUTHENTICATED says what to pass (--token-file or
// COROUTER_TOKEN) when the client sent no token; the rest as above.
std::string FormatRpcError(const ConnectionOptions& connection, absl::string_view what,
                           const grpc::Status& status);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_RPC_ERROR_H_
