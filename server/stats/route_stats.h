// server/stats/route_stats.h
//
// RouteStats: per-route request counts and latency histograms of one event
// loop, recorded when a request completes (RECEIVED to the response handed
// to gRPC, or to its cancellation). Slot i is route i of the App; the last
// slot counts requests that matched no route (404, 405). Each slot also
// counts responses by method and status code (Prometheus'
// corouter_requests_total{route,method,status}) and keeps the durations in
// fixed buckets (corouter_request_duration_seconds).
//
// Thread safety: Record (the owning loop) and MergeInto (GetStats, any loop)
// take one mutex per slot, uncontended in practice (a sync::Mutex, std::mutex,
// so that ThreadSanitizer sees it: server/sync/mutex.h).
#ifndef COROUTER_SERVER_STATS_ROUTE_STATS_H_
#define COROUTER_SERVER_STATS_ROUTE_STATS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "server/stats/bucket_histogram.h"
#include "server/stats/latency_histogram.h"
#include "server/sync/mutex.h"

namespace corouter::stats {

class RouteStats {
 public:
  /// Counters for `routes` routes plus one "no route" slot.
  explicit RouteStats(size_t routes);

  struct Slot {
    uint64_t cancelled = 0;
    /// The cancelled requests whose deadline passed (a subset of cancelled).
    uint64_t deadline_exceeded = 0;
    LatencyHistogram latency;  // count() is the number of requests
    BucketHistogram duration;  // the same durations, in RequestDurationBounds()
    /// Requests by method, then by status code (0: cancelled, no response).
    absl::flat_hash_map<std::string, absl::flat_hash_map<int, uint64_t>> responses;
  };

  /// How a request ended, for Record.
  struct Ending {
    std::string_view method;
    int status_code = 0;  // 0 when cancelled
    bool cancelled = false;
    bool deadline_exceeded = false;
  };

  /// Records one finished request of route `route` (routes() for no route).
  void Record(size_t route, std::chrono::nanoseconds latency, const Ending& ending);

  /// Adds this loop's slots into `out` (sized routes() + 1).
  void MergeInto(std::vector<Slot>* out) const;

  size_t routes() const { return slots_.size() - 1; }

 private:
  struct Guarded {
    mutable sync::Mutex mu;
    Slot slot ABSL_GUARDED_BY(mu);
  };
  std::vector<std::unique_ptr<Guarded>> slots_;
};

}  // namespace corouter::stats

#endif  // COROUTER_SERVER_STATS_ROUTE_STATS_H_
