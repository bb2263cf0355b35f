// client/watch_command.h
//
// `corouter watch`: subscribes to a server's WatchTraces stream and shows it:
//  - the default on a terminal: a live, top-like screen drawn with ncurses
//    and redrawn in place (see watch_view.h for what it shows), with the
//    server's per-loop counters polled from GetStats once a second;
//  - --plain (also the default when stdout is not a terminal): one line per
//    event (PlainLine), for pipes;
//  - --json: one proto3-JSON TraceEvent per line, for jq. Drop and loss
//    reports are lines of their own: {"droppedEvents":"N"} and
//    {"lost":{"traces":"N"}} (select events with `jq 'select(.step)'`).
//
// With --record FILE.json, every event seen is also kept (trace_recording.h)
// and written as a Perfetto trace file (chrome_trace.h) when the watch ends,
// however it ends.
//
// Several servers (--server repeated: the replicas of a deployment) are
// watched at once, one WatchTraces stream each, merged in arrival order and
// labelled: --plain lines start with the server, --json objects gain a first
// member "server", and on the screen and in --record each request id becomes
// "SERVER/ID" (request ids are per server). The screen's loops line shows
// each server's counters.
//
// Ctrl-C (SIGINT), SIGTERM or `q` on the screen end the watch: exit 0. A
// server that cannot be reached at the start is said on one stderr line:
// exit 1. A server that goes away, or refuses the request (a bad filter,
// with its message), likewise; with several servers the watch goes on with
// the others, and exits 1 once none is left.
#ifndef COROUTER_CLIENT_WATCH_COMMAND_H_
#define COROUTER_CLIENT_WATCH_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "client/connection.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client {

enum class WatchDisplay { kScreen, kPlain, kJson };

struct WatchOptions {
  /// The servers, in the order given: at least one. Each `timeout` bounds
  /// connecting and each GetStats poll; the streams themselves have no
  /// deadline.
  std::vector<ConnectionOptions> servers;
  corouter::v1::WatchTracesRequest request;
  WatchDisplay display = WatchDisplay::kScreen;
  /// When the watch ends, however it ends (Ctrl-C, SIGTERM, `q`, the server
  /// going away), write every event seen here in the Trace Event Format, for
  /// ui.perfetto.dev (see chrome_trace.h); requests still in flight keep
  /// their last state until the end. At most TraceRecording's bound of
  /// events is kept. Empty: none.
  std::string record_path;
};

/// Runs the watch until it is stopped or the stream ends. Returns kExitOk
/// when stopped by the user, kExitRpcFailure when the server refused, could
/// not be reached or went away, or the --record file could not be written
/// (see exit_code.h). Blocks SIGINT and SIGTERM
/// in the calling thread (and the threads it starts) to wait for them.
int RunWatch(const WatchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_WATCH_COMMAND_H_
