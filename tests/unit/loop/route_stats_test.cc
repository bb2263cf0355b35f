// RouteStats: a loop records while GetStats, on another loop, merges; every
// request is counted once, by route, method and status.
#include "server/stats/route_stats.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace corouter::stats {
namespace {

using std::chrono::microseconds;

TEST(RouteStats, CountsByRouteMethodAndStatusAndTheNoRouteSlot) {
  RouteStats stats(2);
  EXPECT_EQ(stats.routes(), 2u);
  stats.Record(0, microseconds(10), {.method = "GET", .status_code = 200});
  stats.Record(0, microseconds(20), {.method = "GET", .status_code = 404});
  stats.Record(1, microseconds(30), {.method = "POST", .cancelled = true});
  stats.Record(7, microseconds(40), {.method = "GET", .status_code = 404});  // no route
  std::vector<RouteStats::Slot> slots;
  stats.MergeInto(&slots);
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[0].latency.count(), 2u);
  EXPECT_EQ(slots[0].responses["GET"][200], 1u);
  EXPECT_EQ(slots[0].responses["GET"][404], 1u);
  EXPECT_EQ(slots[1].cancelled, 1u);
  EXPECT_EQ(slots[1].responses["POST"][0], 1u);
  EXPECT_EQ(slots[2].duration.count(), 1u);
}

// Under COROUTER_SANITIZE=thread this is the per-slot mutex's race check.
TEST(RouteStats, RecordOnTheLoopWhileAnotherThreadMerges) {
  constexpr int kRecorders = 2, kRequests = 2000;
  RouteStats stats(1);
  std::atomic<bool> recording = true;
  std::thread merger([&] {
    uint64_t last = 0;
    while (recording.load()) {
      std::vector<RouteStats::Slot> slots;
      stats.MergeInto(&slots);
      const uint64_t now = slots[0].latency.count() + slots[1].latency.count();
      EXPECT_GE(now, last);  // counts only grow
      last = now;
    }
  });
  std::vector<std::thread> recorders;
  for (int t = 0; t < kRecorders; ++t) {
    recorders.emplace_back([&, t] {
      for (int i = 0; i < kRequests; ++i) {
        stats.Record(static_cast<size_t>(i % 2), microseconds(i),
                     {.method = t == 0 ? "GET" : "POST", .status_code = 200});
      }
    });
  }
  for (std::thread& r : recorders) r.join();
  recording = false;
  merger.join();
  std::vector<RouteStats::Slot> slots;
  stats.MergeInto(&slots);
  EXPECT_EQ(slots[0].latency.count(), uint64_t{kRecorders * kRequests / 2});
  EXPECT_EQ(slots[1].responses["GET"][200], uint64_t{kRequests / 2});
  EXPECT_EQ(slots[1].responses["POST"][200], uint64_t{kRequests / 2});
}

}  // namespace
}  // namespace corouter::stats
