// client/app_command.h
//
// `corouter app`: the server's AdminService (corouter-server --admin).
//   corouter app                 prints the served app's version, where it
//                                came from, its route count and load time,
//                                then its route file (if it has one)
//   corouter app --load FILE     replaces the served app with FILE's routes
//                                (LoadApp; requests running finish on the
//                                old app) and prints the new version
// A file the server refuses is said on one stderr line with the server's
// "FILE:LINE: problem" message: exit 1, and the served app is unchanged. A
// server without --admin answers FAILED_PRECONDITION, said likewise.
#ifndef COROUTER_CLIENT_APP_COMMAND_H_
#define COROUTER_CLIENT_APP_COMMAND_H_

#include <ostream>
#include <string>

#include "client/connection.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client {

struct AppOptions {
  ConnectionOptions connection;
  /// The route file to load; empty: only show the served app.
  std::string load_path;
};

/// "app version 3 (LoadApp), 5 routes, loaded 2026-12-04 18:50:01 UTC": one
/// line for `corouter app` and `corouter stats`. Pure.
std::string FormatAppVersion(const corouter::v1::AppVersion& app);

/// Runs `corouter app`. Returns kExitOk, kExitUsage when --load's file
/// cannot be read, or kExitRpcFailure after one line on `err` (the call
/// failed or was refused). Blocks at most about the timeout.
int RunApp(const AppOptions& options, std::ostream& out, std::ostream& err);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_APP_COMMAND_H_
