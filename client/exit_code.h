// Process exit codes of the corouter command-line client, shared by main and
// the subcommands.
#ifndef COROUTER_CLIENT_EXIT_CODE_H_
#define COROUTER_CLIENT_EXIT_CODE_H_

namespace corouter::client {

// Every call got an HTTP response, whatever its status (404 and 500 included).
inline constexpr int kExitOk = 0;
// At least one RPC failed: server unreachable, deadline exceeded, a gRPC error
// status, or an internal client error.
inline constexpr int kExitRpcFailure = 1;
// The command line was wrong: unknown flag, bad value, missing or odd
// METHOD TARGET arguments. Nothing was sent.
inline constexpr int kExitUsage = 2;

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_EXIT_CODE_H_
