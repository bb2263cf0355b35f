// client/watch_view.h
//
// What `corouter watch` shows, built from the WatchTraces stream and the
// server's GetStats, independent of the terminal: the requests in flight
// (id, route, current step, elapsed time, loop and thread), the most recent
// completions (status and duration), each loop's busy ratio and blocking
// slices, the latest blocking warnings, and this subscriber's drop count.
// The ncurses screen (watch_command.cc) only draws Render()'s lines, so the
// view is tested without a terminal.
//
// A request leaves the in-flight list at RESPONSE_SENT or CANCELLED and
// never comes back: the events it still sends afterwards (background tasks,
// BACKGROUND_STARTED/FINISHED and their awaits, with the same request id)
// only mark its line in the recent list ("background running", "background
// done", "background failed"). Ended ids are remembered, up to
// kRememberedEnded of them, for that.
//
// Several servers (`corouter watch --server A --server B`) share one view:
// the caller relabels each event's request id as "SERVER/ID" (LabelEvent),
// so ids of different servers never collide, and gives each server's
// counters with SetStats(server, ...); the loops line then names each.
//
// Also the one-line and JSON forms of an event, for --plain and --json.
//
// Thread safety: none; the caller serialises Apply/SetStats/Render.
#ifndef COROUTER_CLIENT_WATCH_VIEW_H_
#define COROUTER_CLIENT_WATCH_VIEW_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client {

class WatchView {
 public:
  /// Completions kept for the "recent" list.
  static constexpr size_t kRecent = 10;
  /// Blocking warnings kept.
  static constexpr size_t kWarnings = 5;
  /// Ended request ids remembered, so that their later events (background
  /// tasks) do not bring them back as in flight.
  static constexpr size_t kRememberedEnded = 10000;

  /// `server` names the server (or the servers, comma-separated) in the
  /// header line.
  explicit WatchView(std::string server) : server_(std::move(server)) {}

  /// Takes in one response's events and its drop and loss reports.
  void Apply(const corouter::v1::WatchTracesResponse& response);
  /// The latest server counters (per-loop busy ratio, blocking slices).
  void SetStats(const corouter::v1::GetStatsResponse& stats) { stats_[""] = stats; }
  /// The same for one of several servers, named `server` on the loops line;
  /// servers are listed in name order.
  void SetStats(const std::string& server, const corouter::v1::GetStatsResponse& stats) {
    stats_[server] = stats;
  }

  /// The screen as at most `height` lines of at most `width` columns.
  /// `now` is the wall-clock time elapsed times are measured to.
  std::vector<std::string> Render(absl::Time now, size_t width, size_t height) const;

  size_t in_flight() const { return in_flight_.size(); }
  uint64_t dropped() const { return dropped_; }
  uint64_t completed() const { return completed_; }

 private:
  struct Running {
    std::string route;  // the path template once matched, else "GET /target"
    std::string step;
    uint32_t loop = 0;
    std::string thread;
    int64_t received_unix_nanos = 0;
    uint64_t order = 0;  // arrival order, for a stable listing
  };
  struct Done {
    std::string id;
    std::string route;
    std::string outcome;  // "200", "cancelled"
    int64_t duration_nanos = 0;
    std::string background;  // "", "running", "done", "failed"
  };

  std::string server_;
  std::map<std::string, Running> in_flight_;
  std::deque<Done> recent_;
  std::deque<std::string> warnings_;
  std::set<std::string> ended_;
  std::deque<std::string> ended_order_;                          // ended_ in end order, to bound it
  std::map<std::string, corouter::v1::GetStatsResponse> stats_;  // "" for the one server
  uint64_t dropped_ = 0;
  uint64_t lost_ = 0;
  uint64_t completed_ = 0;
  uint64_t arrivals_ = 0;
};

/// "21:49:06.123 0-17 loop-0 ROUTE_MATCHED GET /slow_task/{item_id}": one
/// event for --plain (UTC time of the step). With a non-empty `server`, the
/// line starts with it: "127.0.0.1:50051 21:49:06.123 0-17 ...".
std::string PlainLine(const corouter::v1::TraceEvent& event, absl::string_view server = "");

/// The proto3 JSON mapping of `event` on one line, for --json. With a
/// non-empty `server`, the object's first member is "server": that name
/// (JSON-escaped), before the TraceEvent's own fields.
std::string JsonLine(const corouter::v1::TraceEvent& event, absl::string_view server = "");

/// `event` with its request id made "SERVER/ID": how events of several
/// servers are told apart in one view or recording.
corouter::v1::TraceEvent LabelEvent(const corouter::v1::TraceEvent& event,
                                    absl::string_view server);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_WATCH_VIEW_H_
