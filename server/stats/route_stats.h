// server/stats/route_stats.h
//
// RouteStats: per-route request counts and latency histograms of one event
// loop, recorded when a request completes (RECEIVED to the response handed
// to gRPC, or to its cancellation). Slot i is route i of the App; the last
// slot counts requests that matched no route (404, 405).
//
// Thread safety: Record (the owning loop) and Snapshot (GetStats, any loop)
// take one mutex per slot, uncontended in practice.
#ifndef COROUTER_SERVER_STATS_ROUTE_STATS_H_
#define COROUTER_SERVER_STATS_ROUTE_STATS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "server/stats/latency_histogram.h"

namespace corouter::stats {

class RouteStats {
 public:
  /// Counters for `routes` routes plus one "no route" slot.
  explicit RouteStats(size_t routes);

  struct Slot {
    uint64_t cancelled = 0;
    LatencyHistogram latency;  // count() is the number of requests
  };

  /// Records one finished request of route `route` (routes() for no route).
  void Record(size_t route, std::chrono::nanoseconds latency, bool cancelled);

  /// Adds this loop's slots into `out` (sized routes() + 1).
  void MergeInto(std::vector<Slot>* out) const;

  size_t routes() const { return slots_.size() - 1; }

 private:
  struct Guarded {
    mutable absl::Mutex mu;
    Slot slot ABSL_GUARDED_BY(mu);
  };
  std::vector<std::unique_ptr<Guarded>> slots_;
};

}  // namespace corouter::stats

#endif  // COROUTER_SERVER_STATS_ROUTE_STATS_H_
