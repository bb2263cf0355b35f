// server/watch/watch_filter.h
//
// WatchFilter: which requests one WatchTraces subscriber receives, decided on
// the server (tokio-console's InstrumentRequest has no filter at all:
// tokio-rs/console#131; Envoy's access-log filters and OpenTelemetry's
// samplers are the models for status, duration and sampling).
//
// A filter is checked against a request in two stages:
//  - Live(): while the request runs, from what is known so far (method from
//    RECEIVED, route from ROUTE_MATCHED): kPass, kReject or kHold (the route
//    is not known yet and a route field was given).
//  - Completed(): once it has ended, every field (status, outcome and
//    duration are only known then).
// The sample decision is a pure function of the request's server-wide
// serial number and the rate, so a request is sent whole or not at all and
// two subscribers with one rate see the same requests.
//
// Thread safety: immutable after construction; the checks are const.
#ifndef COROUTER_SERVER_WATCH_WATCH_FILTER_H_
#define COROUTER_SERVER_WATCH_WATCH_FILTER_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace corouter::watch {

/// What is known of a request when a filter looks at it.
struct RequestFacts {
  uint64_t serial = 0;              // server-wide, 1, 2, 3... in admission order
  absl::string_view method;         // "GET"
  bool route_known = false;         // ROUTE_MATCHED seen, or the request ended
  absl::string_view path_template;  // empty: no route (404, 405)
  absl::string_view endpoint;
  // Known once ended:
  int status_code = 0;  // 0: no response (cancelled)
  bool failed = false;
  bool cancelled = false;
  bool blocked_loop = false;
  std::chrono::nanoseconds duration{0};
};

/// The outcomes a filter can ask for (corouter.v1.Outcome).
enum class Outcome { kResponded, kFailed, kCancelled, kBlockedLoop };

/// The fields of a filter, as a subscriber gave them. Empty or zero: any.
struct WatchFilterSpec {
  std::vector<std::string> path_templates = {};
  std::vector<std::string> endpoints = {};
  std::vector<std::string> methods = {};
  /// "404" or a class "1xx".."5xx".
  std::vector<std::string> status = {};
  std::vector<Outcome> outcomes = {};
  std::chrono::nanoseconds min_duration{0};
  /// In [0, 1]; 1 sends every request.
  double sample_rate = 1.0;
  /// The subscriber receives whole traces once ended (status, outcomes and
  /// min_duration are only allowed then).
  bool completed_mode = false;
};

class WatchFilter {
 public:
  enum class Verdict { kPass, kReject, kHold };

  /// Checks `spec`. Errors: INVALID_ARGUMENT naming the wire field
  /// (`filter.status`, `filter.sample_rate`, `filter.min_duration_nanos`,
  /// or a COMPLETED-only field given in LIVE mode).
  static absl::StatusOr<WatchFilter> Create(const WatchFilterSpec& spec);

  /// Accepts everything.
  WatchFilter() = default;

  /// While the request runs (LIVE mode).
  Verdict Live(const RequestFacts& facts) const;
  /// Once it has ended (COMPLETED mode, replay): every field.
  bool Completed(const RequestFacts& facts) const;

  /// A route field was given, so LIVE events wait for ROUTE_MATCHED.
  bool needs_route() const { return !path_templates_.empty() || !endpoints_.empty(); }

 private:
  bool Sampled(uint64_t serial) const;

  absl::flat_hash_set<std::string> path_templates_;
  absl::flat_hash_set<std::string> endpoints_;
  absl::flat_hash_set<std::string> methods_;
  absl::flat_hash_set<int> status_codes_;
  std::vector<int> status_classes_;  // 1..5
  std::vector<Outcome> outcomes_;
  std::chrono::nanoseconds min_duration_{0};
  double sample_rate_ = 1.0;
};

}  // namespace corouter::watch

#endif  // COROUTER_SERVER_WATCH_WATCH_FILTER_H_
