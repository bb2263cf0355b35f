// Unit tests of `corouter stats`' rendering (client/stats_table.h): one
// server, and several merged.
#include "client/stats_table.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "corouter/v1/execution.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
namespace v1 = corouter::v1;

// Bounds 1ms, 10ms, 100ms; `counts` has one more entry (above 100ms).
v1::DurationHistogram Histogram(std::vector<uint64_t> counts) {
  v1::DurationHistogram h;
  for (int64_t bound : {1'000'000, 10'000'000, 100'000'000}) h.add_bucket_bounds_nanos(bound);
  uint64_t total = 0;
  for (uint64_t c : counts) {
    h.add_bucket_counts(c);
    total += c;
  }
  h.set_count(total);
  return h;
}

v1::GetStatsResponse Server(uint64_t completed, std::vector<uint64_t> fast_buckets) {
  v1::GetStatsResponse stats;
  stats.set_uptime_nanos(12'000'000'000);
  stats.mutable_app()->set_version(completed == 10 ? 2 : 1);  // the second replica reloaded
  stats.mutable_app()->set_source("LoadApp");
  stats.mutable_app()->set_routes(2);
  v1::LoopStats* loop = stats.add_loops();
  loop->set_completed(completed);
  loop->set_blocking_slices(1);
  stats.mutable_executor()->set_capacity(40);
  v1::RouteStats* route = stats.add_routes();
  route->set_path_template("/fast_task/");
  route->set_endpoint("fast_task");
  route->set_count(completed);
  route->set_max_nanos(static_cast<int64_t>(completed) * 1'000'000);
  *route->mutable_duration() = Histogram(std::move(fast_buckets));
  v1::RouteStats* unused = stats.add_routes();  // no requests: not shown
  unused->set_path_template("/unused");
  unused->set_endpoint("unused");
  return stats;
}

TEST(HistogramQuantileTest, GivesTheBoundOfTheBucketHoldingTheQuantile) {
  const v1::DurationHistogram h = Histogram({50, 40, 9, 1});
  EXPECT_EQ(HistogramQuantile(h, 0.5), "<=1ms");
  EXPECT_EQ(HistogramQuantile(h, 0.51), "<=10ms");
  EXPECT_EQ(HistogramQuantile(h, 0.9), "<=10ms");
  EXPECT_EQ(HistogramQuantile(h, 0.99), "<=100ms");
  EXPECT_EQ(HistogramQuantile(h, 1.0), ">100ms");
  EXPECT_EQ(HistogramQuantile(Histogram({0, 0, 0, 0}), 0.5), "-");
  EXPECT_EQ(HistogramQuantile(v1::DurationHistogram(), 0.5), "-");
}

TEST(RenderMergedStatsTest, ShowsEachServerItsShareAndTheTotal) {
  const std::vector<ServerStats> servers = {
      {"127.0.0.1:7001", Server(30, {30, 0, 0, 0}), ""},
      {"127.0.0.1:7002", Server(10, {0, 10, 0, 0}), ""},
  };
  const std::vector<std::string> lines = RenderMergedStats(servers);
  const std::string text = absl::StrJoin(lines, "\n");
  EXPECT_EQ(lines[0], "2 servers, 2 answered; 0 in flight, 40 completed");
  // Each server's app version: replicas serving different apps show it.
  EXPECT_THAT(text, ContainsRegex("127.0.0.1:7001 +v1 +12s +0 +30 +75.0% +0 +0 +1 +0/40 running"));
  EXPECT_THAT(text, ContainsRegex("127.0.0.1:7002 +v2 +12s +0 +10 +25.0% +0 +0 +1 +0/40 running"));
  EXPECT_THAT(text, ContainsRegex("\ntotal +0 +40 +100.0% +0 +0 +2"));
  // The route over both, each server's count in its own column; the merged
  // p50 falls in the first bucket (30 of 40), p90 in the second.
  EXPECT_THAT(text, ContainsRegex("PATH +ENDPOINT +COUNT +127.0.0.1:7001 +127.0.0.1:7002 +"
                                  "CANCELLED +P50 +P90 +P99 +MAX"));
  EXPECT_THAT(text, ContainsRegex("/fast_task/ +fast_task +40 +30 +10 +0 +<=1ms +<=10ms +<=10ms "
                                  "+30ms"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("/unused")));
}

TEST(RenderMergedStatsTest, AServerThatFailedGetsARowWithItsErrorAndCountsInNoTotal) {
  const std::vector<ServerStats> servers = {
      {"127.0.0.1:7001", Server(5, {5, 0, 0, 0}), ""},
      {"127.0.0.1:7002", std::nullopt, "127.0.0.1:7002: GetStats: UNAVAILABLE: no server"},
  };
  const std::string text = absl::StrJoin(RenderMergedStats(servers), "\n");
  EXPECT_THAT(text, HasSubstr("2 servers, 1 answered; 0 in flight, 5 completed"));
  EXPECT_THAT(text, ContainsRegex("127.0.0.1:7002 +127.0.0.1:7002: GetStats: UNAVAILABLE"));
  EXPECT_THAT(text, ContainsRegex("\ntotal +0 +5 +100.0%"));
  EXPECT_THAT(text, ContainsRegex("/fast_task/ +fast_task +5 +5 +0 +0 +<=1ms"));
}

TEST(RenderMergedStatsTest, HistogramsWithDifferentBoundsGiveNoMergedPercentiles) {
  v1::GetStatsResponse other = Server(10, {10, 0, 0, 0});
  other.mutable_routes(0)->mutable_duration()->set_bucket_bounds_nanos(0, 2'000'000);
  const std::vector<ServerStats> servers = {
      {"a", Server(10, {10, 0, 0, 0}), ""},
      {"b", other, ""},
  };
  const std::string text = absl::StrJoin(RenderMergedStats(servers), "\n");
  EXPECT_THAT(text, ContainsRegex("/fast_task/ +fast_task +20 +10 +10 +0 +- +- +- +10ms"));
}

TEST(RenderStatsTest, OneServerKeepsItsExactPercentiles) {
  v1::GetStatsResponse stats = Server(3, {3, 0, 0, 0});
  stats.mutable_routes(0)->set_p50_nanos(1'500'000);
  const std::string text = absl::StrJoin(RenderStats(stats), "\n");
  EXPECT_THAT(text, HasSubstr("uptime 12s, 0 in flight\napp version 1 (LoadApp), 2 routes, loaded "
                              "1970-01-01 00:00:00 UTC"));
  EXPECT_THAT(text, ContainsRegex("/fast_task/ +fast_task +3 +0 +1.5ms"));
}

}  // namespace
}  // namespace corouter::client
