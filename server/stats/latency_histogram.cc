#include "server/stats/latency_histogram.h"

#include <algorithm>
#include <bit>

namespace corouter::stats {

int LatencyHistogram::BucketOf(uint64_t nanos) {
  if (nanos < kSubBuckets) return static_cast<int>(nanos);  // exact below 8 ns
  const int power = std::bit_width(nanos) - 1;              // 2^power <= nanos
  const int shift = power - 3;  // keep the top 3 bits after the leading one
  const int sub = static_cast<int>((nanos >> shift) & (kSubBuckets - 1));
  return std::min((power - 2) * kSubBuckets + sub, kBuckets - 1);
}

uint64_t LatencyHistogram::UpperBound(int bucket) {
  if (bucket < kSubBuckets) return static_cast<uint64_t>(bucket);
  const int power = bucket / kSubBuckets + 2;
  const int sub = bucket % kSubBuckets;
  const int shift = power - 3;
  return ((static_cast<uint64_t>(kSubBuckets + sub + 1)) << shift) - 1;
}

void LatencyHistogram::Record(std::chrono::nanoseconds duration) {
  if (!buckets_) buckets_ = std::make_unique<std::array<uint64_t, kBuckets>>();
  const uint64_t nanos = duration.count() > 0 ? static_cast<uint64_t>(duration.count()) : 0;
  ++(*buckets_)[BucketOf(nanos)];
  ++count_;
  max_ = std::max(max_, duration);
}

std::chrono::nanoseconds LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(q * count_ + 0.999999));
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += (*buckets_)[b];
    if (seen >= rank) {
      return std::min(std::chrono::nanoseconds(static_cast<int64_t>(UpperBound(b))), max_);
    }
  }
  return max_;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (!buckets_) buckets_ = std::make_unique<std::array<uint64_t, kBuckets>>();
  for (int b = 0; b < kBuckets; ++b) (*buckets_)[b] += (*other.buckets_)[b];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

}  // namespace corouter::stats
