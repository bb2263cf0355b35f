// server/stats/latency_histogram.h
//
// LatencyHistogram: counts durations in log-linear buckets (8 per power of
// two, so a reported percentile is within 12.5% of the true value, from 1 ns
// to about 18 minutes), as HdrHistogram does with fewer buckets. Recording is
// O(1) and allocation-free after the first record; percentiles are read by
// walking 320 buckets.
//
// Thread safety: not thread-safe; RouteStats guards it with a mutex.
#ifndef COROUTER_SERVER_STATS_LATENCY_HISTOGRAM_H_
#define COROUTER_SERVER_STATS_LATENCY_HISTOGRAM_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>

namespace corouter::stats {

class LatencyHistogram {
 public:
  void Record(std::chrono::nanoseconds duration);

  uint64_t count() const { return count_; }
  std::chrono::nanoseconds max() const { return max_; }

  /// The smallest bucket bound below which a fraction `q` (0..1) of the
  /// recorded durations fall (0 when empty). Clamped to max().
  std::chrono::nanoseconds Percentile(double q) const;

  /// Adds `other`'s counts to this one.
  void Merge(const LatencyHistogram& other);

 private:
  static constexpr int kSubBuckets = 8;  // per power of two
  static constexpr int kPowers = 40;     // 2^40 ns ~ 18 min
  static constexpr int kBuckets = kSubBuckets * kPowers;

  static int BucketOf(uint64_t nanos);
  static uint64_t UpperBound(int bucket);

  std::unique_ptr<std::array<uint64_t, kBuckets>> buckets_;  // allocated on first use
  uint64_t count_ = 0;
  std::chrono::nanoseconds max_{0};
};

}  // namespace corouter::stats

#endif  // COROUTER_SERVER_STATS_LATENCY_HISTOGRAM_H_
