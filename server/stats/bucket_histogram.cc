#include "server/stats/bucket_histogram.h"

#include <algorithm>

namespace corouter::stats {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

}  // namespace

const Bounds& RequestDurationBounds() {
  static const Bounds* const kBounds =
      new Bounds{microseconds(100),  microseconds(250),  microseconds(500), milliseconds(1),
                 microseconds(2500), milliseconds(5),    milliseconds(10),  milliseconds(25),
                 milliseconds(50),   milliseconds(100),  milliseconds(250), milliseconds(500),
                 seconds(1),         milliseconds(2500), seconds(5),        seconds(10)};
  return *kBounds;
}

const Bounds& LoopLagBounds() {
  static const Bounds* const kBounds =
      new Bounds{microseconds(10),  microseconds(50),  microseconds(100), microseconds(500),
                 milliseconds(1),   milliseconds(5),   milliseconds(10),  milliseconds(50),
                 milliseconds(100), milliseconds(500), seconds(1),        seconds(5)};
  return *kBounds;
}

BucketHistogram::BucketHistogram(const Bounds& bounds)
    : bounds_(&bounds), counts_(bounds.size() + 1, 0) {}

void BucketHistogram::Record(nanoseconds duration) {
  duration = std::max(duration, nanoseconds(0));
  // The first bound >= duration: bounds are inclusive upper limits (le).
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(bounds_->begin(), bounds_->end(), duration) - bounds_->begin());
  ++counts_[bucket];
  ++count_;
  sum_ += duration;
}

void BucketHistogram::Merge(const BucketHistogram& other) {
  for (size_t i = 0; i < counts_.size() && i < other.counts_.size(); ++i) {
    counts_[i] += other.counts_[i];
  }
  count_ += other.count_;
  sum_ += other.sum_;
}

}  // namespace corouter::stats
