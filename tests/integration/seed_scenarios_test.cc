// The seeds' scenarios, end to end over gRPC against a real server: each test
// asserts the ordering and interleaving the seed's execution table shows.
// Durations are the seed's times the scale; timings are asserted as
// orderings and generous ratios, never as absolute speeds.
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/seed_server.h"

namespace corouter::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using ::testing::ElementsAre;
namespace v1 = corouter::v1;

// /wait sleeps 500 ms, /slow_task 1.25 s, /blocking and /sync-wait 500 ms:
// long enough that a loaded 2-core machine's scheduling noise stays well
// inside every margin below.
constexpr double kScale = 0.25;
constexpr auto kWait = milliseconds(500);
constexpr auto kBlocking = milliseconds(500);

TEST(Seed000, WaitTraceIsTheSeedsExecutionTable) {
  SeedServer server(kScale);
  auto events = server.Traced("GET", "/wait");
  // Client sends GET /wait; FastAPI matches; calls wait_seconds; await
  // sleep(2) pauses it; sleep completes and it resumes; returns the JSON;
  // the response is sent.
  ASSERT_THAT(Steps(events),
              ElementsAre(v1::STEP_RECEIVED, v1::STEP_ROUTE_MATCHED, v1::STEP_HANDLER_STARTED,
                          v1::STEP_AWAIT_STARTED, v1::STEP_AWAIT_RESUMED, v1::STEP_HANDLER_RETURNED,
                          v1::STEP_RESPONSE_SENT));
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence(), i + 1);
    EXPECT_EQ(events[i].request_id(), events[0].request_id());
    EXPECT_EQ(events[i].loop(), 0u);
    EXPECT_EQ(events[i].thread(), "loop-0");
  }
  EXPECT_EQ(events[0].detail(), "GET /wait");
  EXPECT_EQ(events[1].route().path_template(), "/wait");
  EXPECT_EQ(events[1].route().endpoint(), "wait_seconds");
  EXPECT_EQ(events[3].detail(), "sleep(500ms)");
  const auto awaited =
      std::chrono::nanoseconds(events[4].elapsed_nanos() - events[3].elapsed_nanos());
  EXPECT_GE(awaited, kWait);
  EXPECT_LT(awaited, kWait * 5);
  const auto& response = events.back().response();
  EXPECT_EQ(response.status_code(), 200);
  EXPECT_EQ(response.body(), R"({"message":"Waited 2 seconds"})");
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_GE(events[i].elapsed_nanos(), events[i - 1].elapsed_nanos());
  }
}

TEST(Seed004, FastTaskAnswersWhileSlowTaskSleeps) {
  SeedServer server(kScale);
  const auto start = steady_clock::now();
  auto slow = std::async(std::launch::async, [&] {
    auto response = server.Execute("GET", "/slow_task/1?q=test");
    return std::make_pair(response, steady_clock::now() - start);
  });
  // Send /fast_task/ once /slow_task is surely asleep on the loop.
  std::this_thread::sleep_for(milliseconds(100));
  auto fast_response = server.Execute("GET", "/fast_task/");
  const auto fast_done = steady_clock::now() - start;
  ASSERT_EQ(slow.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  auto [slow_response, slow_done] = slow.get();

  EXPECT_EQ(fast_response.response().body(), R"({"message":"This is fast!"})");
  EXPECT_EQ(slow_response.response().body(), R"({"item_id":1,"q":"test"})");
  EXPECT_EQ(slow_response.route().path_template(), "/slow_task/{item_id}");
  EXPECT_EQ(slow_response.route().path_params().at("item_id"), "1");
  EXPECT_LT(fast_done, slow_done);           // fast finished first...
  EXPECT_GE(slow_done, milliseconds(1250));  // ...while slow slept its 5 s x scale
}

TEST(Seed003, TwoAsyncSleepsOverlapInAboutOneSleep) {
  SeedServer server(kScale);
  const auto start = steady_clock::now();
  auto a = std::async(std::launch::async, [&] { return server.Execute("GET", "/wait"); });
  auto b = std::async(std::launch::async, [&] { return server.Execute("GET", "/wait"); });
  ASSERT_EQ(a.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  ASSERT_EQ(b.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(a.get().response().status_code(), 200);
  EXPECT_EQ(b.get().response().status_code(), 200);
  const auto took = steady_clock::now() - start;
  EXPECT_GE(took, kWait);
  EXPECT_LT(took, kWait * 1.9);  // two sleeps in series would take 2x
}

TEST(Seed003, BlockingCallInAsyncHandlerDelaysEveryOtherRequest) {
  SeedServer server(kScale);
  const auto start = steady_clock::now();
  auto blocking = std::async(std::launch::async, [&] {
    auto events = server.Traced("GET", "/blocking");
    return std::make_pair(events, steady_clock::now() - start);
  });
  std::this_thread::sleep_for(milliseconds(100));  // C is blocking the loop now
  auto fast = server.Execute("GET", "/fast_task/");
  const auto fast_done = steady_clock::now() - start;
  ASSERT_EQ(blocking.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  auto [events, blocking_done] = blocking.get();

  EXPECT_EQ(fast.response().status_code(), 200);
  // /fast_task/ could not even be received until the loop was released.
  EXPECT_GE(fast_done, kBlocking);
  ASSERT_THAT(Steps(events), ElementsAre(v1::STEP_RECEIVED, v1::STEP_ROUTE_MATCHED,
                                         v1::STEP_HANDLER_STARTED, v1::STEP_BLOCKING_CALL,
                                         v1::STEP_HANDLER_RETURNED, v1::STEP_RESPONSE_SENT));
  EXPECT_EQ(events[3].detail(), "blocking call sleep(500ms) holds loop 0");
  EXPECT_EQ(events[3].thread(), "loop-0");
}

TEST(Seed003, SyncSleepOnTheExecutorLeavesTheLoopFree) {
  SeedServer server(kScale);
  const auto start = steady_clock::now();
  auto sync_wait = std::async(std::launch::async, [&] {
    auto events = server.Traced("GET", "/sync-wait");
    return std::make_pair(events, steady_clock::now() - start);
  });
  std::this_thread::sleep_for(milliseconds(100));
  auto fast = server.Execute("GET", "/fast_task/");
  const auto fast_done = steady_clock::now() - start;
  ASSERT_EQ(sync_wait.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  auto [events, sync_done] = sync_wait.get();

  EXPECT_EQ(fast.response().status_code(), 200);
  EXPECT_LT(fast_done, sync_done);  // answered while the def still slept
  ASSERT_THAT(Steps(events),
              ElementsAre(v1::STEP_RECEIVED, v1::STEP_ROUTE_MATCHED, v1::STEP_OFFLOAD_QUEUED,
                          v1::STEP_OFFLOAD_STARTED, v1::STEP_HANDLER_STARTED,
                          v1::STEP_BLOCKING_CALL, v1::STEP_OFFLOAD_FINISHED, v1::STEP_AWAIT_RESUMED,
                          v1::STEP_HANDLER_RETURNED, v1::STEP_RESPONSE_SENT));
  EXPECT_THAT(events[5].thread(), ::testing::StartsWith("executor-"));
  EXPECT_THAT(events[5].detail(), ::testing::EndsWith("the loop stays free"));
}

TEST(Seed001, SyncTaskOffloadsTheBlockingFunctionAndResumesOnTheLoop) {
  SeedServer server(kScale);
  auto events = server.Traced("GET", "/sync-task");
  ASSERT_THAT(
      Steps(events),
      ElementsAre(v1::STEP_RECEIVED, v1::STEP_ROUTE_MATCHED, v1::STEP_HANDLER_STARTED,
                  v1::STEP_OFFLOAD_QUEUED, v1::STEP_OFFLOAD_STARTED, v1::STEP_OFFLOAD_FINISHED,
                  v1::STEP_AWAIT_RESUMED, v1::STEP_HANDLER_RETURNED, v1::STEP_RESPONSE_SENT));
  EXPECT_EQ(events[3].thread(), "loop-0");
  EXPECT_THAT(events[4].thread(), ::testing::StartsWith("executor-"));
  EXPECT_EQ(events[6].thread(), "loop-0");
  EXPECT_EQ(events.back().response().body(), R"({"result":"blocking_function done"})");
}

TEST(Seed001, EveryPathOperationAnswersWithItsBody) {
  SeedServer server(0.01);
  struct Case {
    std::string target, body;
  };
  for (const Case& c : std::vector<Case>{
           {"/hello", R"({"message":"Hello"})"},
           {"/ping", R"({"ping":"pong"})"},
           {"/wait", R"({"message":"Waited 2 seconds"})"},
           {"/slow_task/7", R"({"item_id":7,"q":null})"},
           {"/fast_task/", R"({"message":"This is fast!"})"},
           {"/sync-task", R"({"result":"blocking_function done"})"},
           {"/items", R"([{"id":1,"name":"Foo"},{"id":2,"name":"Bar"}])"},
           {"/blocking", R"({"message":"done"})"},
           {"/sync-wait", R"({"message":"done"})"},
       }) {
    auto response = server.Execute("GET", c.target);
    EXPECT_EQ(response.response().status_code(), 200) << c.target;
    EXPECT_EQ(response.response().body(), c.body) << c.target;
    EXPECT_EQ(HeaderValue(response.response(), "content-type"), "application/json") << c.target;
    EXPECT_EQ(HeaderValue(response.response(), "content-length"), std::to_string(c.body.size()))
        << c.target;
  }
}

}  // namespace
}  // namespace corouter::testing
