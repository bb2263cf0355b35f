// client/dashboard_state.h
//
// What `corouter dashboard` knows of every server it watches, and the SSE
// frames it sends the page (client/dashboard/app.js reads them):
//
//   event: hello   {"servers":["HOST:PORT",...],"now":US}            first frame of a tab
//   event: server  {"server":S,"state":"connecting|live|gone","error":E,"since":US,
//                   "run":R,"droppedEvents":N,"lostTraces":N,"now":US}
//   event: trace   {"server":S,"run":R,"events":[TraceEvent...],"now":US}
//   event: dropped {"count":N,"total":N}                             this tab's own drops
//   event: tick    {"now":US}                                        once a second when idle
//   event: synced  {"now":US}                                        the snapshot's end
//
// US is microseconds since the Unix epoch on the dashboard's clock; events
// are the proto3 JSON of corouter.v1.TraceEvent. R counts the server's
// restarts seen (a resume cursor from an earlier run): request ids start
// again in a new run, so the page keys a request by server, run and id.
//
// The state deduplicates: after a reconnect the server sends a request that
// was in flight again, whole, and the page must see each event once. It
// keeps each request in flight with its events, and the last completed
// traces, so that a tab opened mid-request gets a snapshot from which it
// draws exactly what a tab open all along draws.
//
// A request ends at RESPONSE_SENT or CANCELLED. The events a request sends
// after that (its background tasks: BACKGROUND_STARTED/FINISHED and their
// awaits, with the same id) are not forwarded: the page shows the request
// as it was answered, and it never returns to the in-flight list.
//
// Thread safety: none; the caller serialises every call (and publishes the
// frames in the order the calls returned them).
#ifndef COROUTER_CLIENT_DASHBOARD_STATE_H_
#define COROUTER_CLIENT_DASHBOARD_STATE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "client/dashboard_feed.h"
#include "client/sse_fanout.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client {

class DashboardState {
 public:
  struct Options {
    /// Completed traces kept per server for the snapshot of a new tab.
    size_t recent_traces = 50;
    /// Completed request ids remembered per server to drop the events a
    /// resumed stream sends again.
    size_t remembered_ids = 10000;
  };

  /// `servers` are the feeds' labels (their addresses), in order.
  DashboardState(std::vector<std::string> servers, Options options);

  /// Takes in one response of server `server`'s feed; returns the frames
  /// for every tab: a trace frame with the events not seen before (none
  /// when all were duplicates), and a server frame when the response
  /// reports drops or losses.
  std::vector<SseFramePtr> ApplyResponse(size_t server,
                                         const corouter::v1::WatchTracesResponse& response,
                                         absl::Time now);
  /// Records that server `server`'s feed is now in `state`; returns its
  /// server frame.
  SseFramePtr SetFeedState(size_t server, FeedState state, const std::string& error,
                           absl::Time now);
  /// The frames a new tab starts with: hello, every server's state, then
  /// per server its recent completed traces (oldest first) and the events of
  /// its requests in flight (in arrival order), then synced. A tab that
  /// connects again (after it dropped frames, or the dashboard restarted)
  /// forgets the requests it has in flight that the snapshot did not name.
  std::vector<SseFramePtr> Snapshot(absl::Time now) const;

  /// The idle heartbeat, which also gives the page the dashboard's clock.
  static SseFramePtr TickFrame(absl::Time now);
  /// A tab's own drop report: `count` since its last one, `total` overall.
  static SseFramePtr DroppedFrame(uint64_t count, uint64_t total);

  /// Requests in flight on server `server`, as far as its events tell.
  size_t in_flight(size_t server) const { return servers_.at(server).in_flight.size(); }

 private:
  struct Request {
    uint64_t arrival = 0;
    uint64_t last_sequence = 0;
    std::vector<std::string> events;  // proto3 JSON, sequence order
  };
  struct Server {
    std::string label;
    FeedState state = FeedState::kConnecting;
    std::string error;
    absl::Time since;
    uint64_t run = 0;
    uint64_t dropped_events = 0;
    uint64_t lost_traces = 0;
    uint64_t arrivals = 0;
    std::map<std::string, Request> in_flight;
    std::deque<std::vector<std::string>> recent;  // completed traces, oldest first
    std::set<std::string> done_ids;
    std::deque<std::string> done_order;  // done_ids in completion order, to bound it
  };

  SseFramePtr ServerFrame(const Server& server, absl::Time now) const;
  static SseFramePtr TraceFrame(const Server& server, const std::vector<std::string>& events,
                                absl::Time now);

  Options options_;
  std::vector<Server> servers_;
};

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_DASHBOARD_STATE_H_
