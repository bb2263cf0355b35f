// LatencyHistogram: percentiles within one bucket (12.5%) of the truth.
#include "server/stats/latency_histogram.h"

#include <chrono>

#include "gtest/gtest.h"

namespace corouter::stats {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

TEST(LatencyHistogram, PercentilesAreWithinOneBucketOfTheTruth) {
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.Record(microseconds(i));  // 1 us .. 1 ms
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.max(), microseconds(1000));
  for (double q : {0.5, 0.9, 0.99}) {
    const double truth = q * 1000 * 1000;  // ns
    const double got = static_cast<double>(h.Percentile(q).count());
    EXPECT_GE(got, truth * 0.999) << q;
    EXPECT_LE(got, truth * 1.125) << q;
  }
}

TEST(LatencyHistogram, EmptyIsZeroAndMergeAddsCounts) {
  LatencyHistogram a, b;
  EXPECT_EQ(a.Percentile(0.5), nanoseconds(0));
  a.Record(nanoseconds(5));
  b.Record(std::chrono::seconds(3));
  a.Merge(b);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(a.max(), std::chrono::seconds(3));
  EXPECT_EQ(a.Percentile(0.5), nanoseconds(5));  // exact below 8 ns
}

}  // namespace
}  // namespace corouter::stats
