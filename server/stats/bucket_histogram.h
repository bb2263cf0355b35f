// server/stats/bucket_histogram.h
//
// BucketHistogram: counts durations in fixed buckets with a sum, which is
// what a Prometheus histogram exposes (text format 0.0.4: cumulative
// `_bucket{le="..."}` series, `_sum` and `_count`). Unlike LatencyHistogram
// (log-linear, for percentiles), its bounds are the exposed `le` values, so
// every bucket count is exact.
//
// Two bound sets are used: RequestDurationBounds() (100 µs to 10 s: the
// Prometheus client's defaults, 5 ms to 10 s, with four finer buckets below,
// since most corouter requests take microseconds) and LoopLagBounds() (10 µs
// to 5 s).
//
// Thread safety: not thread-safe; its owners guard it (RouteStats' slot
// mutex, EventLoop's stats mutex).
#ifndef COROUTER_SERVER_STATS_BUCKET_HISTOGRAM_H_
#define COROUTER_SERVER_STATS_BUCKET_HISTOGRAM_H_

#include <chrono>
#include <cstdint>
#include <vector>

namespace corouter::stats {

using Bounds = std::vector<std::chrono::nanoseconds>;

/// 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5, 10 s.
const Bounds& RequestDurationBounds();
/// 10, 50, 100, 500 µs, 1, 5, 10, 50, 100, 500 ms, 1, 5 s.
const Bounds& LoopLagBounds();

class BucketHistogram {
 public:
  /// `bounds` (increasing; must outlive the histogram) are the buckets'
  /// inclusive upper bounds; a last bucket takes everything above.
  explicit BucketHistogram(const Bounds& bounds = RequestDurationBounds());

  /// Counts one duration (a negative one as zero).
  void Record(std::chrono::nanoseconds duration);
  /// Adds `other`'s counts; it must have the same bounds.
  void Merge(const BucketHistogram& other);

  const Bounds& bounds() const { return *bounds_; }
  /// Per bucket, not cumulative: counts()[i] counts durations in
  /// (bounds()[i-1], bounds()[i]]; the last entry, those above every bound.
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t count() const { return count_; }
  std::chrono::nanoseconds sum() const { return sum_; }

 private:
  const Bounds* bounds_;
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  std::chrono::nanoseconds sum_{0};
};

}  // namespace corouter::stats

#endif  // COROUTER_SERVER_STATS_BUCKET_HISTOGRAM_H_
