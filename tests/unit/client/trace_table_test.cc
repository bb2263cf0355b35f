// Unit tests of the execution trace table (client/trace_table.h).
#include "client/trace_table.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "corouter/v1/execution.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

using ::corouter::v1::HttpResponse;
using ::corouter::v1::Step;
using ::corouter::v1::TraceEvent;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// An arbitrary wall-clock origin: 2024-01-01T00:00:00Z in nanoseconds.
constexpr std::uint64_t kT0 = 1704067200ULL * 1000 * 1000 * 1000;
constexpr std::uint64_t kMillis = 1000 * 1000;

TraceEvent Event(Step step, std::uint64_t time_unix_nano, std::string detail,
                 std::string thread = "loop-0") {
  TraceEvent event;
  event.set_step(step);
  event.set_time_unix_nano(time_unix_nano);
  event.set_detail(std::move(detail));
  event.set_thread(std::move(thread));
  return event;
}

TraceEvent RouteMatched(std::uint64_t time_unix_nano, std::string path_template,
                        std::string endpoint, std::string detail) {
  TraceEvent event = Event(corouter::v1::STEP_ROUTE_MATCHED, time_unix_nano, std::move(detail));
  event.mutable_route()->set_path_template(std::move(path_template));
  event.mutable_route()->set_endpoint(std::move(endpoint));
  return event;
}

TraceEvent ResponseSent(std::uint64_t time_unix_nano, int status, std::string body) {
  TraceEvent event = Event(corouter::v1::STEP_RESPONSE_SENT, time_unix_nano, "");
  event.mutable_response()->set_status_code(status);
  event.mutable_response()->set_body(std::move(body));
  return event;
}

TEST(TraceTableTest, HeaderNamesTheSeedColumnsWithARuleUnderEach) {
  TraceTable table({"A"});
  EXPECT_THAT(
      table.HeaderRows(),
      ElementsAre("Step  Time      Req  Action                                                "
                  "Awaited?  State                                 Response",
                  "----  --------  ---  ----------------------------------------------------  "
                  "--------  ------------------------------------  --------"));
}

// Seed 003: /slow_task/1?q=test (A) awaits a 5 s sleep while /fast_task/ (B)
// runs to completion on the same loop.
TEST(TraceTableTest, RendersTheSlowAndFastRequestsOfSeed003AsInterleavedRows) {
  TraceTable table({"A", "B"});
  TraceEvent matched_a = RouteMatched(kT0 + 1 * kMillis, "/slow_task/{item_id}", "read_item",
                                      "calling async def read_item");
  (*matched_a.mutable_route()->mutable_path_params())["item_id"] = "1";

  std::vector<std::string> rows;
  rows.push_back(
      table.AddEvent(0, Event(corouter::v1::STEP_RECEIVED, kT0, "GET /slow_task/1?q=test")));
  rows.push_back(table.AddEvent(0, matched_a));
  rows.push_back(table.AddEvent(
      0, Event(corouter::v1::STEP_AWAIT_STARTED, kT0 + 1 * kMillis, "asyncio.sleep(5)")));
  rows.push_back(
      table.AddEvent(1, Event(corouter::v1::STEP_RECEIVED, kT0 + 2 * kMillis, "GET /fast_task/")));
  rows.push_back(
      table.AddEvent(1, ResponseSent(kT0 + 3 * kMillis, 200, R"({"message":"This is fast!"})")));
  rows.push_back(table.AddEvent(
      0, Event(corouter::v1::STEP_AWAIT_RESUMED, kT0 + 5004 * kMillis, "asyncio.sleep(5) done")));
  rows.push_back(
      table.AddEvent(0, ResponseSent(kT0 + 5004 * kMillis, 200, R"({"item_id":1,"q":"test"})")));

  EXPECT_THAT(
      rows,
      ElementsAre(
          "1     0.000s    A    Client sends GET /slow_task/1?q=test                  "
          "No        Received on loop 0                    -",
          "2     0.001s    A    Match /slow_task/{item_id} -> read_item (item_id=1)   "
          "No        calling async def read_item           -",
          "3     0.001s    A    await asyncio.sleep(5)                                "
          "Yes       Paused, event loop free               -",
          "4     0.002s    B    Client sends GET /fast_task/                          "
          "No        Received on loop 0                    -",
          "5     0.003s    B    Send response                                         "
          "No        Request complete                      200 {\"message\":\"This is fast!\"}",
          "6     5.004s    A    asyncio.sleep(5) done                                 "
          "No        Resumed on loop 0                     -",
          "7     5.004s    A    Send response                                         "
          "No        Request complete                      200 {\"item_id\":1,\"q\":\"test\"}"));
}

TEST(TraceTableTest, NumbersStepsGloballyInTheOrderEventsAreAdded) {
  TraceTable table({"A", "B", "C"});
  const std::string first = table.AddEvent(2, Event(corouter::v1::STEP_RECEIVED, kT0, "GET /c"));
  const std::string second = table.AddEvent(0, Event(corouter::v1::STEP_RECEIVED, kT0, "GET /a"));
  EXPECT_EQ(first.substr(0, 22), "1     0.000s    C    C");
  EXPECT_EQ(second.substr(0, 22), "2     0.000s    A    C");
}

TEST(TraceTableTest, MeasuresTimeFromTheFirstEventSeenEvenWhenALaterOneIsStampedEarlier) {
  TraceTable table({"A", "B"});
  table.AddEvent(0, Event(corouter::v1::STEP_RECEIVED, kT0 + 10 * kMillis, "GET /a"));
  const std::string row =
      table.AddEvent(1, Event(corouter::v1::STEP_RECEIVED, kT0 + 9 * kMillis, "GET /b"));
  EXPECT_EQ(row.substr(0, 16), "2     -0.001s   ");
}

TEST(TraceTableTest, ShowsADashForTimeWhenTheEventHasNoTimestampAndKeepsTheOrigin) {
  TraceTable table({"A"});
  const std::string untimed = table.AddEvent(0, Event(corouter::v1::STEP_RECEIVED, 0, "GET /a"));
  const std::string timed =
      table.AddEvent(0, Event(corouter::v1::STEP_HANDLER_STARTED, kT0, "handler"));
  EXPECT_EQ(untimed.substr(0, 16), "1     -         ");
  EXPECT_EQ(timed.substr(0, 16), "2     0.000s    ");
}

TEST(TraceTableTest, ShowsAQuestionMarkForAnUnknownRequestIndex) {
  TraceTable table({"A"});
  const std::string row = table.AddEvent(7, Event(corouter::v1::STEP_RECEIVED, kT0, "GET /a"));
  EXPECT_EQ(row.substr(16, 5), "?    ");
}

TEST(TraceTableTest, CutsALongActionWithAnEllipsisAndKeepsTheColumnsAligned) {
  TraceTable table({"A"});
  const std::string row = table.AddEvent(
      0, Event(corouter::v1::STEP_RECEIVED, kT0, "GET /" + std::string(100, 'x') + "?q=1"));
  EXPECT_EQ(row, "1     0.000s    A    Client sends GET /" + std::string(33, 'x') +
                     "\u2026  No        Received on loop 0                    -");
}

TEST(TraceTableTest, KeepsEveryRowOnOneLineWhenCellsHoldNewlinesOrTabs) {
  TraceTable table({"A"});
  const std::string row = table.AddEvent(0, ResponseSent(kT0, 500, "Internal\nServer\tError\r\n"));
  EXPECT_THAT(row, Not(HasSubstr("\n")));
  EXPECT_THAT(row, Not(HasSubstr("\t")));
  EXPECT_THAT(row, testing::EndsWith("500 Internal Server Error  "));
}

TEST(DescribeStepTest, ReceivedSaysTheClientSentTheRequestOnItsLoop) {
  TraceEvent event = Event(corouter::v1::STEP_RECEIVED, kT0, "GET /wait");
  event.set_loop(3);
  const StepDescription d = DescribeStep(event);
  EXPECT_EQ(d.action, "Client sends GET /wait");
  EXPECT_FALSE(d.awaited);
  EXPECT_EQ(d.state, "Received on loop 3");
  EXPECT_EQ(d.response, "");
}

TEST(DescribeStepTest, RouteMatchedListsPathParamsSortedByName) {
  TraceEvent event = RouteMatched(kT0, "/users/{user_id}/items/{item_id}", "read_user_item",
                                  "calling async def read_user_item");
  (*event.mutable_route()->mutable_path_params())["user_id"] = "7";
  (*event.mutable_route()->mutable_path_params())["item_id"] = "foo";
  const StepDescription d = DescribeStep(event);
  EXPECT_EQ(d.action,
            "Match /users/{user_id}/items/{item_id} -> read_user_item (item_id=foo, user_id=7)");
  EXPECT_EQ(d.state, "calling async def read_user_item");
}

TEST(DescribeStepTest, RouteMatchedWithoutRouteFallsBackToTheDetail) {
  const StepDescription d =
      DescribeStep(Event(corouter::v1::STEP_ROUTE_MATCHED, kT0, "matched something"));
  EXPECT_EQ(d.action, "matched something");
  EXPECT_EQ(d.state, "-");
}

TEST(DescribeStepTest, HandlerStartedRunsOnTheEventThread) {
  const StepDescription d = DescribeStep(
      Event(corouter::v1::STEP_HANDLER_STARTED, kT0, "read_item(item_id=1)", "executor-3"));
  EXPECT_EQ(d.action, "read_item(item_id=1)");
  EXPECT_FALSE(d.awaited);
  EXPECT_EQ(d.state, "Running on executor-3");
}

TEST(DescribeStepTest, AwaitStartedIsAwaitedAndFreesTheLoop) {
  const StepDescription d =
      DescribeStep(Event(corouter::v1::STEP_AWAIT_STARTED, kT0, "asyncio.sleep(2)"));
  EXPECT_EQ(d.action, "await asyncio.sleep(2)");
  EXPECT_TRUE(d.awaited);
  EXPECT_EQ(d.state, "Paused, event loop free");
}

TEST(DescribeStepTest, AwaitStartedDoesNotRepeatAnAwaitTheDetailAlreadySays) {
  const StepDescription d =
      DescribeStep(Event(corouter::v1::STEP_AWAIT_STARTED, kT0, "await asyncio.sleep(2)"));
  EXPECT_EQ(d.action, "await asyncio.sleep(2)");
}

TEST(DescribeStepTest, AwaitResumedIsBackOnItsLoop) {
  TraceEvent event = Event(corouter::v1::STEP_AWAIT_RESUMED, kT0, "sleep done");
  event.set_loop(1);
  const StepDescription d = DescribeStep(event);
  EXPECT_EQ(d.action, "sleep done");
  EXPECT_FALSE(d.awaited);
  EXPECT_EQ(d.state, "Resumed on loop 1");
}

TEST(DescribeStepTest, OffloadStepsAreAwaitedUntilTheExecutorFinishes) {
  const StepDescription queued =
      DescribeStep(Event(corouter::v1::STEP_OFFLOAD_QUEUED, kT0, "run sync_wait"));
  const StepDescription started =
      DescribeStep(Event(corouter::v1::STEP_OFFLOAD_STARTED, kT0, "sync_wait()", "executor-3"));
  const StepDescription finished =
      DescribeStep(Event(corouter::v1::STEP_OFFLOAD_FINISHED, kT0, "", "executor-3"));
  EXPECT_EQ(queued.action, "run sync_wait");
  EXPECT_TRUE(queued.awaited);
  EXPECT_EQ(queued.state, "Queued for executor, loop free");
  EXPECT_EQ(started.action, "sync_wait()");
  EXPECT_TRUE(started.awaited);
  EXPECT_EQ(started.state, "Running on executor-3");
  EXPECT_EQ(finished.action, "Executor work done");
  EXPECT_FALSE(finished.awaited);
  EXPECT_EQ(finished.state, "Executor done");
}

TEST(DescribeStepTest, BlockingCallOnALoopThreadBlocksTheLoop) {
  const StepDescription d = DescribeStep(Event(corouter::v1::STEP_BLOCKING_CALL, kT0,
                                               "blocking call sleep(2s) holds loop 0", "loop-0"));
  EXPECT_EQ(d.action, "blocking call sleep(2s) holds loop 0");
  EXPECT_FALSE(d.awaited);
  EXPECT_EQ(d.state, "Loop blocked");
}

TEST(DescribeStepTest, BlockingCallOnAnExecutorThreadLeavesTheLoopFree) {
  const StepDescription d =
      DescribeStep(Event(corouter::v1::STEP_BLOCKING_CALL, kT0, "time.sleep(2)", "executor-1"));
  EXPECT_EQ(d.state, "Worker blocked, loop free");
}

TEST(DescribeStepTest, HandlerReturnedHasItsResponseReady) {
  const StepDescription d =
      DescribeStep(Event(corouter::v1::STEP_HANDLER_RETURNED, kT0, "return {...}"));
  EXPECT_EQ(d.action, "return {...}");
  EXPECT_EQ(d.state, "Response ready");
}

TEST(DescribeStepTest, ResponseSentCutsTheBodyToFortyColumns) {
  const StepDescription d =
      DescribeStep(ResponseSent(kT0, 200, R"({"message":"blocked the loop for a long while"})"));
  EXPECT_EQ(d.action, "Send response");
  EXPECT_EQ(d.state, "Request complete");
  EXPECT_EQ(d.response, "200 {\"message\":\"blocked the loop for a long\u2026");
}

TEST(DescribeStepTest, ResponseSentWithAnEmptyBodyShowsOnlyTheStatus) {
  EXPECT_EQ(DescribeStep(ResponseSent(kT0, 204, "")).response, "204");
}

TEST(DescribeStepTest, ResponseSentWithoutAResponseLeavesTheResponseColumnEmpty) {
  EXPECT_EQ(DescribeStep(Event(corouter::v1::STEP_RESPONSE_SENT, kT0, "")).response, "");
}

TEST(DescribeStepTest, FailedAndCancelledSayWhatHappened) {
  const StepDescription failed =
      DescribeStep(Event(corouter::v1::STEP_FAILED, kT0, "validation error: item_id"));
  const StepDescription cancelled = DescribeStep(Event(corouter::v1::STEP_CANCELLED, kT0, ""));
  EXPECT_EQ(failed.action, "validation error: item_id");
  EXPECT_EQ(failed.state, "Failed");
  EXPECT_EQ(cancelled.action, "Request cancelled");
  EXPECT_EQ(cancelled.state, "Cancelled");
}

TEST(DescribeStepTest, AnUnknownStepFallsBackToItsDetailOrNumber) {
  TraceEvent event;
  event.set_step(static_cast<Step>(99));
  EXPECT_EQ(DescribeStep(event).action, "Step 99");
  EXPECT_EQ(DescribeStep(event).state, "-");
  event.set_detail("something new");
  EXPECT_EQ(DescribeStep(event).action, "something new");
}

TEST(FormatSecondsTest, ShowsMillisecondPrecision) {
  EXPECT_EQ(FormatSeconds(absl::ZeroDuration()), "0.000s");
  EXPECT_EQ(FormatSeconds(absl::Milliseconds(5004)), "5.004s");
  EXPECT_EQ(FormatSeconds(absl::Microseconds(1500)), "0.002s");
  EXPECT_EQ(FormatSeconds(absl::Milliseconds(-1)), "-0.001s");
}

TEST(FormatSecondsTest, NeverShowsNegativeZero) {
  EXPECT_EQ(FormatSeconds(absl::Microseconds(-400)), "0.000s");
}

TEST(TraceSummaryTest, SummarizesAResponseWithItsServerTime) {
  HttpResponse response;
  response.set_status_code(200);
  response.set_body(R"({"item_id":1,"q":"test"})");
  EXPECT_EQ(FormatTraceSummary("A", response, absl::Milliseconds(5004)),
            R"([A] 200 {"item_id":1,"q":"test"} (5.004s))");
}

TEST(TraceSummaryTest, CutsALongBodyToSixtyColumns) {
  HttpResponse response;
  response.set_status_code(200);
  response.set_body(std::string(100, 'b'));
  EXPECT_EQ(FormatTraceSummary("B", response, absl::Seconds(1)),
            "[B] 200 " + std::string(59, 'b') + "\u2026 (1.000s)");
}

TEST(TraceSummaryTest, SaysWhyARequestGotNoResponse) {
  EXPECT_EQ(FormatTraceFailureSummary("C", "DEADLINE_EXCEEDED"),
            "[C] no response (DEADLINE_EXCEEDED)");
}

// Background tasks run after RESPONSE_SENT, with the same request id; a
// missing await is a step that took no time.
TEST(TraceTableTest, DescribesBackgroundTasksAndANeverAwaitedCoroutine) {
  const StepDescription started =
      DescribeStep(Event(corouter::v1::STEP_BACKGROUND_STARTED, kT0, "send_email"));
  EXPECT_EQ(started.action, "send_email");
  EXPECT_FALSE(started.awaited);
  EXPECT_EQ(started.state, "Background task, after the response");
  const StepDescription finished =
      DescribeStep(Event(corouter::v1::STEP_BACKGROUND_FINISHED, kT0, "send_email done"));
  EXPECT_EQ(finished.action, "send_email done");
  EXPECT_EQ(finished.state, "Background task done");
  const StepDescription never = DescribeStep(
      Event(corouter::v1::STEP_NEVER_AWAITED, kT0, "coroutine 'sleep' was never awaited"));
  EXPECT_EQ(never.action, "coroutine 'sleep' was never awaited");
  EXPECT_FALSE(never.awaited);
  EXPECT_EQ(never.state, "Never awaited: nothing ran");

  // As rows after the response, numbered on.
  TraceTable table({"A"});
  table.AddEvent(0, ResponseSent(kT0, 200, "{}"));
  EXPECT_EQ(table.AddEvent(
                0, Event(corouter::v1::STEP_BACKGROUND_STARTED, kT0 + 2 * kMillis, "send_email")),
            "2     0.002s    A    send_email                                            No        "
            "Background task, after the response   -");
  EXPECT_EQ(table.AddEvent(0, Event(corouter::v1::STEP_BACKGROUND_FINISHED, kT0 + 3 * kMillis,
                                    "failed: OSError")),
            "3     0.003s    A    failed: OSError                                       No        "
            "Background task done                  -");
}

}  // namespace
}  // namespace corouter::client
