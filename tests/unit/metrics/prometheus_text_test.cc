#include "server/metrics/prometheus_text.h"

#include <chrono>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/stats/bucket_histogram.h"

namespace corouter::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(BucketHistogram, BoundsAreInclusiveAndTheLastBucketTakesTheRest) {
  using std::chrono::milliseconds;
  stats::BucketHistogram h(stats::RequestDurationBounds());
  h.Record(std::chrono::microseconds(100));  // exactly the first bound: its bucket
  h.Record(std::chrono::microseconds(101));
  h.Record(std::chrono::seconds(60));
  h.Record(std::chrono::nanoseconds(-5));  // as zero
  EXPECT_EQ(h.counts()[0], 2u);
  EXPECT_EQ(h.counts()[1], 1u);
  EXPECT_EQ(h.counts().back(), 1u);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.sum(), std::chrono::seconds(60) + std::chrono::microseconds(201));
  stats::BucketHistogram other(stats::RequestDurationBounds());
  other.Merge(h);
  other.Merge(h);
  EXPECT_EQ(other.count(), 8u);
  EXPECT_EQ(other.counts()[0], 4u);
}

TEST(RenderMetrics, WritesFamiliesSamplesAndCumulativeBuckets) {
  corouter::v1::GetStatsResponse stats;
  stats.set_in_flight(3);
  stats.set_uptime_nanos(2'500'000'000);
  corouter::v1::RouteStats* route = stats.add_routes();
  route->set_path_template("/items/{id}");
  route->set_count(3);
  auto* c = route->add_responses();
  c->set_method("GET");
  c->set_status_code(200);
  c->set_count(2);
  c = route->add_responses();
  c->set_method("GET");
  c->set_status_code(0);
  c->set_count(1);
  route->mutable_duration()->add_bucket_bounds_nanos(1'000'000);
  route->mutable_duration()->add_bucket_bounds_nanos(5'000'000);
  for (uint64_t n : {1u, 0u, 2u}) route->mutable_duration()->add_bucket_counts(n);
  route->mutable_duration()->set_count(3);
  route->mutable_duration()->set_sum_nanos(1'500'000'000);
  stats.add_routes();  // no route
  corouter::v1::LoopStats* loop = stats.add_loops();
  loop->set_loop(0);
  loop->set_blocking_slices(4);
  loop->set_busy_ratio(0.25);
  const std::string text = RenderMetrics(stats);
  EXPECT_THAT(text, HasSubstr("# TYPE corouter_requests_total counter\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "corouter_requests_total{route=\"/items/{id}\",method=\"GET\",status=\"200\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("status=\"cancelled\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "corouter_request_duration_seconds_bucket{route=\"/items/{id}\",le=\"0.001\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "corouter_request_duration_seconds_bucket{route=\"/items/{id}\",le=\"0.005\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr("corouter_request_duration_seconds_bucket{route=\"/items/{id}\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("corouter_request_duration_seconds_sum{route=\"/items/{id}\"} 1.5\n"));
  EXPECT_THAT(text, HasSubstr("corouter_request_duration_seconds_count{route=\"none\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("corouter_requests_in_flight 3\n"));
  EXPECT_THAT(text, HasSubstr("corouter_loop_blocking_slices_total{loop=\"0\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("corouter_loop_busy_ratio{loop=\"0\"} 0.25\n"));
  EXPECT_THAT(text, HasSubstr("corouter_uptime_seconds 2.5\n"));
  EXPECT_THAT(text, Not(HasSubstr("corouter_otlp")));
  stats.mutable_otlp()->set_spans_dropped(7);
  EXPECT_THAT(RenderMetrics(stats), HasSubstr("corouter_otlp_spans_dropped_total 7\n"));
}

TEST(EscapeLabelValue, EscapesBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeLabelValue("/items/{id}"), "/items/{id}");
}

}  // namespace
}  // namespace corouter::metrics
