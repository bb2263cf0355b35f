// `corouter call`: sends one or more path requests to a corouter server and
// prints what comes back.
//
// All requests of one invocation run concurrently, one thread each, over ONE
// shared gRPC channel, each with its own deadline (the --timeout). They are
// sent at once, so they may reach the server in any order, unless `stagger`
// is set: then the channel is connected first and each request is sent that
// long after the previous one was sent (with --trace, once ExecuteTraced has
// written the request; without, when Execute starts on the connected
// channel), not answered, so the server receives them in argument order.
// Without
// --trace each request is an Execute RPC and its response is printed as soon
// as it completes (see response_printer.h). With --trace each request is an
// ExecuteTraced RPC: the execution table (see trace_table.h) is printed row by
// row as events arrive (held at most `reorder_window` to restore the server's
// order across streams), stdout flushed after every row, then one summary
// line per request. With `tracker`, the Variable Tracker of the rows (see
// variable_tracker.h) is printed between the table and the summaries.
//
// With --record and --timeline the events are also collected (see
// trace_recording.h) and, once every request has ended, written as a Perfetto
// trace file and drawn as a picture; a file that cannot be written is one
// line on the error stream and makes the exit code kExitRpcFailure.
//
// Output is written under one lock so blocks and rows never interleave
// mid-line. Errors are one line each on the error stream; "cannot reach
// server" is reported once per invocation however many requests hit it.
#ifndef COROUTER_CLIENT_CALL_COMMAND_H_
#define COROUTER_CLIENT_CALL_COMMAND_H_

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "client/connection.h"
#include "client/request_spec.h"
#include "grpcpp/channel.h"

namespace corouter::client {

// What `corouter call` was asked to do.
struct CallOptions {
  ConnectionOptions connection;
  // At least one; labels unique (BuildRequests makes them so).
  std::vector<RequestSpec> requests;
  // true: ExecuteTraced and the execution table; false: Execute.
  bool trace = false;
  // With trace: how long rows are held to print them in the server's order
  // across streams (see event_orderer.h); zero prints in arrival order.
  absl::Duration reorder_window = absl::Milliseconds(30);
  // With trace: when every request has ended, write the requests' timeline
  // here in the Trace Event Format, for ui.perfetto.dev (see chrome_trace.h).
  // Empty: none.
  std::string record_path;
  // With trace: when every request has ended, draw the timeline picture to
  // each of these files, SVG or PNG by the extension (see
  // timeline_picture.h).
  std::vector<std::string> timeline_paths;
  // The gaps between sends (see above): request i+1 is sent stagger[i]
  // after request i was sent; when there are fewer gaps than requests, the
  // last one repeats. Empty, or all zero, sends them all at once. Never
  // negative. One gap (`--stagger 10ms`) spaces every request alike; a list
  // (`--stagger 10ms,2.1s,10ms`) gives each its own, so that seed 003's C
  // can be sent once A and B have finished their 2 s awaits.
  std::vector<absl::Duration> stagger;
  // With trace: print the Variable Tracker after the execution table.
  bool tracker = false;
};

// Runs the call command against options.connection.server. Blocks until every
// request has finished or hit its deadline. Returns kExitOk when every request
// got an HTTP response, kExitRpcFailure otherwise (see exit_code.h).
// Thread-safe as long as `out` and `err` are not written by others meanwhile.
int RunCall(const CallOptions& options, std::ostream& out, std::ostream& err);

// As above over an existing `channel` (options.connection.server then only
// names the server in error messages). For tests and for callers that reuse
// a channel.
int RunCall(const std::shared_ptr<grpc::Channel>& channel, const CallOptions& options,
            std::ostream& out, std::ostream& err);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_CALL_COMMAND_H_
