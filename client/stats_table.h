// client/stats_table.h
//
// Renders GetStats' answer for `corouter stats`: a summary line, one row per
// event loop (in flight, completed, cancelled, refused, busy %, longest
// slice, blocking slices), the executor's occupancy, and one row per route
// that served requests (count, cancelled, p50/p90/p99/max latency).
//
// Pure (no I/O) and thread-safe. Lines carry no newline.
#ifndef COROUTER_CLIENT_STATS_TABLE_H_
#define COROUTER_CLIENT_STATS_TABLE_H_

#include <string>
#include <vector>

#include "corouter/v1/execution.pb.h"

namespace corouter::client {

std::vector<std::string> RenderStats(const corouter::v1::GetStatsResponse& stats);

/// A duration in nanoseconds as "12.3ms", "1.5s", "850us" (3 significant
/// digits at most).
std::string FormatNanos(int64_t nanos);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_STATS_TABLE_H_
