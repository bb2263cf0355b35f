// `corouter routes` and `corouter stats`: one unary RPC to a corouter server
// (ListRoutes, GetStats), printed as a table (see routes_table.h,
// stats_table.h).
#ifndef COROUTER_CLIENT_ROUTES_COMMAND_H_
#define COROUTER_CLIENT_ROUTES_COMMAND_H_

#include <memory>
#include <ostream>
#include <vector>

#include "client/connection.h"
#include "grpcpp/channel.h"

namespace corouter::client {

// Calls ListRoutes on options.server with options.timeout as deadline and
// prints the table to `out`. Returns kExitOk, or kExitRpcFailure after one
// error line on `err` (see rpc_error.h). Blocks at most about the timeout.
// Not synchronized: the caller owns `out` and `err` for the duration.
int RunRoutes(const ConnectionOptions& options, std::ostream& out, std::ostream& err);

// As above over an existing `channel`; options.server only names the server
// in error messages.
int RunRoutes(const std::shared_ptr<grpc::Channel>& channel, const ConnectionOptions& options,
              std::ostream& out, std::ostream& err);

// `corouter stats`: calls GetStats and prints it (see stats_table.h), with
// the same deadline, errors and exit codes as RunRoutes.
int RunStats(const ConnectionOptions& options, std::ostream& out, std::ostream& err);

// `corouter stats` with several --server (replicas): calls GetStats on all
// of them at once, each with its own deadline, and prints the merged view
// (stats_table.h's RenderMergedStats); one server is RunStats above. A
// server that fails gets an error line on `err` and a row saying so; the
// others are still printed. Returns kExitOk when every server answered,
// else kExitRpcFailure. Blocks at most about the longest timeout.
int RunStats(const std::vector<ConnectionOptions>& servers, std::ostream& out, std::ostream& err);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_ROUTES_COMMAND_H_
