// RPC error reporting: turns a failed gRPC call into the one line the client
// prints on stderr.
//
//   corouter: cannot reach server 127.0.0.1:50051: failed to connect to all addresses...
//   corouter: [A] GET x: INVALID_ARGUMENT: request target must start with '/'
//   corouter: [B] GET /wait: DEADLINE_EXCEEDED: no response within 2s
//
// All functions are pure and thread-safe.
#ifndef COROUTER_CLIENT_RPC_ERROR_H_
#define COROUTER_CLIENT_RPC_ERROR_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
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

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_RPC_ERROR_H_
