// client/stats_table.h
//
// Renders GetStats' answer for `corouter stats`: a summary line, one row per
// event loop (in flight, completed, cancelled, refused, busy %, longest
// slice, blocking slices), the executor's occupancy, and one row per route
// that served requests (count, cancelled, p50/p90/p99/max latency).
//
// With several servers (`corouter stats --server A --server B`: replicas),
// RenderMergedStats shows them side by side and summed: one row per server
// (its completed share is the spread a balancer achieved) with a total, and
// one row per route over all servers with each server's count. Merged
// percentiles come from the servers' summed DurationHistogram buckets, so
// they are shown as the bucket bound the percentile falls under ("<=5ms"):
// exact percentiles of separate servers cannot be combined.
//
// Pure (no I/O) and thread-safe. Lines carry no newline.
#ifndef COROUTER_CLIENT_STATS_TABLE_H_
#define COROUTER_CLIENT_STATS_TABLE_H_

#include <optional>
#include <string>
#include <vector>

#include "corouter/v1/execution.pb.h"

namespace corouter::client {

std::vector<std::string> RenderStats(const corouter::v1::GetStatsResponse& stats);

/// One server's GetStats answer, or why there is none.
struct ServerStats {
  /// The server as given (--server).
  std::string server;
  /// Set when the call succeeded.
  std::optional<corouter::v1::GetStatsResponse> stats;
  /// The error line when it did not (rpc_error.h's FormatRpcError).
  std::string error;
};

/// The merged view of several servers, in the order given. A server without
/// stats gets a row saying its error and counts in no total.
std::vector<std::string> RenderMergedStats(const std::vector<ServerStats>& servers);

/// The upper bound of the bucket holding the `quantile` (0 to 1) of
/// `histogram`'s durations: "<=5ms", ">10s" past the last bound, "-" when it
/// is empty.
std::string HistogramQuantile(const corouter::v1::DurationHistogram& histogram, double quantile);

/// A duration in nanoseconds as "12.3ms", "1.5s", "850us" (3 significant
/// digits at most).
std::string FormatNanos(int64_t nanos);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_STATS_TABLE_H_
