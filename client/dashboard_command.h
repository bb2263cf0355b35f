// client/dashboard_command.h
//
// `corouter dashboard`: subscribes with WatchTraces (LIVE mode) to one or
// more servers and serves one web page that draws their requests live: a
// timeline with one lane per loop thread, executor thread and recent
// request (running, awaiting, queued for the executor, blocked); the
// requests in flight and recent completions, filterable by route and
// status; blocking warnings; and each server's state (connecting, live,
// gone with the error). The page (client/dashboard/, compiled into the
// binary) gets its events from GET /events as Server-Sent Events (frames:
// dashboard_state.h); the corouter servers themselves stay gRPC only.
//
// A server that cannot be reached or goes away does not end the dashboard:
// its feed retries with backoff and resumes from its last cursor
// (dashboard_feed.h). Each tab has a bounded queue (sse_fanout.h): a slow
// tab loses frames, is told how many, and slows nobody. The serving itself
// is DashboardServer (dashboard_server.h); this file is the command: flags,
// signals and what it prints.
#ifndef COROUTER_CLIENT_DASHBOARD_COMMAND_H_
#define COROUTER_CLIENT_DASHBOARD_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/dashboard_server.h"

namespace corouter::client {

/// The dashboard's flags as given on the command line (main.cc fills them).
struct DashboardFlags {
  /// --server, repeatable; empty means the default server.
  std::vector<std::string> servers;
  /// --listen HOST:PORT; port 0 lets the OS pick.
  std::string listen = "127.0.0.1:8080";
  /// --port-file FILE: written with the bound port once listening.
  std::string port_file;
  /// --tab-buffer N: frames queued per browser tab before it drops.
  int64_t tab_buffer = 4096;
  /// --max-tabs N: event streams served at once; more get 503.
  int64_t max_tabs = 32;
  /// --replay N: completed traces each server sends first.
  int64_t replay = 50;
};

/// Splits "HOST:PORT" ("[::1]:8080" for IPv6; port 0 to 65535). Errors:
/// InvalidArgument saying what is wrong. Pure; thread-safe.
absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(absl::string_view text);

/// Checks `flags`. Errors: InvalidArgument whose message starts with the
/// flag's name ("--listen: ..."), for an empty or repeated --server, a bad
/// --listen, or a count out of range. Pure; thread-safe.
absl::StatusOr<DashboardOptions> ToDashboardOptions(const DashboardFlags& flags);

/// Serves the dashboard until SIGINT or SIGTERM (then returns kExitOk).
/// Prints "dashboard: http://HOST:PORT/" on `out` once listening. Returns
/// kExitRpcFailure, with one line on `err`, when it cannot listen or write
/// the port file. Blocks SIGINT and SIGTERM in the calling thread (and the
/// threads it starts) to wait for them.
int RunDashboard(const DashboardOptions& options, std::ostream& out, std::ostream& err);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_DASHBOARD_COMMAND_H_
