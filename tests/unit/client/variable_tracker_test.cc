// Unit tests of the Variable Tracker (client/variable_tracker.h): synthetic
// events in the execution table's order, and the whole table they give.
#include "client/variable_tracker.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "client/text_cell.h"
#include "corouter/v1/execution.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

namespace v1 = corouter::v1;
using ::testing::ElementsAre;

v1::TraceEvent Event(v1::Step step, std::string detail = "", std::string thread = "loop-0") {
  v1::TraceEvent event;
  event.set_step(step);
  event.set_detail(std::move(detail));
  event.set_thread(std::move(thread));
  return event;
}

v1::TraceEvent Matched(std::string endpoint, bool is_def = false) {
  v1::TraceEvent event =
      Event(v1::STEP_ROUTE_MATCHED, (is_def ? "calling def " : "calling async def ") + endpoint);
  event.mutable_route()->set_endpoint(std::move(endpoint));
  return event;
}

v1::TraceEvent Sent(int status) {
  v1::TraceEvent event = Event(v1::STEP_RESPONSE_SENT, "");
  event.mutable_response()->set_status_code(status);
  return event;
}

// An `async def` that awaits one sleep: seed 000's path operation.
std::vector<v1::TraceEvent> AwaitingRequest(const std::string& endpoint, const std::string& sleep) {
  return {Event(v1::STEP_RECEIVED, "GET /wait"),
          Matched(endpoint),
          Event(v1::STEP_HANDLER_STARTED, "async def " + endpoint + "()"),
          Event(v1::STEP_AWAIT_STARTED, sleep),
          Event(v1::STEP_AWAIT_RESUMED, sleep + " completed"),
          Event(v1::STEP_HANDLER_RETURNED, endpoint + " returned 200"),
          Sent(200)};
}

std::vector<VariableTracker::Request> Requests(const std::vector<std::string>& lines) {
  std::vector<VariableTracker::Request> requests;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    requests.push_back({std::string(1, static_cast<char>('A' + i)), lines[i]});
  }
  return requests;
}

// Seed 003 as `corouter call --trace --stagger 10ms GET /wait GET /wait GET
// /blocking GET /fast_task/` runs it: A and B pause at their sleeps, C blocks
// the loop, A and B resume only after it, D is received last.
std::vector<std::pair<std::size_t, v1::TraceEvent>> Seed003Rows() {
  std::vector<std::pair<std::size_t, v1::TraceEvent>> rows;
  const auto add = [&](std::size_t request, v1::TraceEvent event) {
    rows.emplace_back(request, std::move(event));
  };
  for (std::size_t r : {0u, 1u}) {
    add(r, Event(v1::STEP_RECEIVED, "GET /wait"));
    add(r, Matched("wait_seconds"));
    add(r, Event(v1::STEP_HANDLER_STARTED, "async def wait_seconds()"));
    add(r, Event(v1::STEP_AWAIT_STARTED, "sleep(2s)"));
  }
  add(2, Event(v1::STEP_RECEIVED, "GET /blocking"));
  add(2, Matched("blocking_wait"));
  add(2, Event(v1::STEP_HANDLER_STARTED, "async def blocking_wait()"));
  add(2, Event(v1::STEP_BLOCKING_CALL, "blocking call sleep(2s) holds loop 0"));
  add(2, Event(v1::STEP_HANDLER_RETURNED, "blocking_wait returned 200"));
  add(2, Sent(200));
  for (std::size_t r : {0u, 1u}) {
    add(r, Event(v1::STEP_AWAIT_RESUMED, "sleep(2s) completed"));
    add(r, Event(v1::STEP_HANDLER_RETURNED, "wait_seconds returned 200"));
    add(r, Sent(200));
  }
  add(3, Event(v1::STEP_RECEIVED, "GET /fast_task/"));
  add(3, Matched("read_root"));
  add(3, Event(v1::STEP_HANDLER_STARTED, "async def read_root()"));
  add(3, Event(v1::STEP_HANDLER_RETURNED, "read_root returned 200"));
  add(3, Sent(200));
  return rows;
}

std::vector<std::string> Render(const VariableTracker& tracker, std::size_t width = kTrackerWidth) {
  return tracker.Render(width);
}

// Seed 000: one `async def` that awaits sleep(2s). Its row reads as the seed's
// "wait_seconds coroutine" row, with our step numbers.
TEST(VariableTrackerTest, Seed000TracksTheCoroutineThroughItsAwait) {
  VariableTracker tracker(Requests({"GET /wait"}));
  for (const v1::TraceEvent& event : AwaitingRequest("wait_seconds", "sleep(2s)")) {
    tracker.AddEvent(0, event);
  }
  EXPECT_THAT(Render(tracker),
              ElementsAre("Variable                Start        After Step 3  After Step 4         "
                          "      After Step 5             Final",
                          "----------------------  -----------  ------------  "
                          "-------------------------  -----------------------  ------------",
                          "wait_seconds coroutine  Not started  Running       Paused at await "
                          "sleep(2s)  Resumed after sleep(2s)  Returned 200"));
}

// Seed 003 staggered: the Server state row says when the loop was free,
// busy or blocked, and by whom.
TEST(VariableTrackerTest, Seed003ShowsTheServerFreeDuringAwaitsAndBlockedByC) {
  VariableTracker tracker(Requests({"GET /wait", "GET /wait", "GET /blocking", "GET /fast_task/"}));
  for (const auto& [request, event] : Seed003Rows()) tracker.AddEvent(request, event);
  EXPECT_THAT(
      Render(tracker),
      ElementsAre(
          "Variable                    Start        After Step 3        After Step 4               "
          "    After Step 7                  After Step 8",
          "--------------------------  -----------  ------------------  "
          "-----------------------------  ----------------------------  "
          "------------------------------------",
          "A: wait_seconds coroutine   Not started  Running             Paused at await sleep(2s)  "
          "    Paused at await sleep(2s)     Paused at await sleep(2s)",
          "B: wait_seconds coroutine   Not started  Not started         Not started                "
          "    Running                       Paused at await sleep(2s)",
          "C: blocking_wait coroutine  Not started  Not started         Not started                "
          "    Not started                   Not started",
          "D: read_root coroutine      Not started  Not started         Not started                "
          "    Not started                   Not started",
          "Server state                Idle         Handling Request A  Request A paused, server "
          "free  Handling Request B, A paused  Requests A and B paused, server free",
          "",
          "Variable                    After Step 11                       After Step 12           "
          "      After Step 14                         After Step 15",
          "--------------------------  ----------------------------------  "
          "----------------------------  ------------------------------------  "
          "----------------------------",
          "A: wait_seconds coroutine   Paused at await sleep(2s)           Paused at await "
          "sleep(2s)     Paused at await sleep(2s)             Resumed after sleep(2s)",
          "B: wait_seconds coroutine   Paused at await sleep(2s)           Paused at await "
          "sleep(2s)     Paused at await sleep(2s)             Paused at await sleep(2s)",
          "C: blocking_wait coroutine  Running                             Blocking the loop: "
          "sleep(2s)  Returned 200                          Returned 200",
          "D: read_root coroutine      Not started                         Not started             "
          "      Not started                           Not started",
          "Server state                Handling Request C, A and B paused  Server blocked by "
          "Request C   Requests A and B paused, server free  Handling Request A, B paused",
          "",
          "Variable                    After Step 17                  After Step 18            "
          "After Step 20                          After Step 23",
          "--------------------------  -----------------------------  -----------------------  "
          "-------------------------------------  ------------------",
          "A: wait_seconds coroutine   Returned 200                   Returned 200             "
          "Returned 200                           Returned 200",
          "B: wait_seconds coroutine   Paused at await sleep(2s)      Resumed after sleep(2s)  "
          "Returned 200                           Returned 200",
          "C: blocking_wait coroutine  Returned 200                   Returned 200             "
          "Returned 200                           Returned 200",
          "D: read_root coroutine      Not started                    Not started              Not "
          "started                            Running",
          "Server state                Request B paused, server free  Handling Request B       "
          "Requests A, B and C done, server free  Handling Request D",
          "", "Variable                    Final",
          "--------------------------  ---------------------------",
          "A: wait_seconds coroutine   Returned 200", "B: wait_seconds coroutine   Returned 200",
          "C: blocking_wait coroutine  Returned 200", "D: read_root coroutine      Returned 200",
          "Server state                Request D done, server free"));
}

TEST(VariableTrackerTest, WrapsIntoBlocksThatEachRepeatTheVariableColumn) {
  VariableTracker tracker(Requests({"GET /wait", "GET /wait", "GET /blocking", "GET /fast_task/"}));
  for (const auto& [request, event] : Seed003Rows()) tracker.AddEvent(request, event);
  const std::vector<std::string> lines = Render(tracker, 70);
  std::size_t blocks = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(DisplayWidth(lines[i]), 70u) << lines[i];
    if (lines[i].starts_with("Variable ")) {
      ++blocks;
      EXPECT_TRUE(i == 0 || lines[i - 1].empty()) << "a blank line between blocks";
    }
  }
  // Start, 12 changes and Final: Start shares the first block, every other
  // column has one of its own at this width.
  EXPECT_EQ(blocks, 13u);
  EXPECT_THAT(std::vector<std::string>(lines.begin(), lines.begin() + 8),
              ElementsAre("Variable                    Start        After Step 3",
                          "--------------------------  -----------  ------------------",
                          "A: wait_seconds coroutine   Not started  Running",
                          "B: wait_seconds coroutine   Not started  Not started",
                          "C: blocking_wait coroutine  Not started  Not started",
                          "D: read_root coroutine      Not started  Not started",
                          "Server state                Idle         Handling Request A", ""));
}

TEST(VariableTrackerTest, ADefRunsOnAnExecutorThread) {
  VariableTracker tracker(Requests({"GET /hello"}));
  tracker.AddEvent(0, Event(v1::STEP_RECEIVED, "GET /hello"));
  tracker.AddEvent(0, Matched("say_hello", /*is_def=*/true));
  tracker.AddEvent(0, Event(v1::STEP_OFFLOAD_QUEUED, "def say_hello -> executor"));
  tracker.AddEvent(0, Event(v1::STEP_OFFLOAD_STARTED, "def say_hello (waited 10us)", "executor-3"));
  tracker.AddEvent(0, Event(v1::STEP_HANDLER_STARTED, "def say_hello()", "executor-3"));
  tracker.AddEvent(
      0, Event(v1::STEP_BLOCKING_CALL, "blocking call sleep(2s) on executor-3; the loop stays free",
               "executor-3"));
  tracker.AddEvent(0, Event(v1::STEP_OFFLOAD_FINISHED, "def say_hello (ran 2s)", "executor-3"));
  tracker.AddEvent(0, Event(v1::STEP_AWAIT_RESUMED, "def say_hello returned, resumed on loop 0"));
  tracker.AddEvent(0, Event(v1::STEP_HANDLER_RETURNED, "say_hello returned 200"));
  tracker.AddEvent(0, Sent(200));
  EXPECT_THAT(Render(tracker),
              ElementsAre("Variable            Start        After Step 3             After Step 4  "
                          "         After Step 6                    Final",
                          "------------------  -----------  -----------------------  "
                          "---------------------  ------------------------------  ------------",
                          "say_hello function  Not started  Queued for the executor  Running on "
                          "executor-3  Blocking executor-3: sleep(2s)  Returned 200"));
}

// After the response: background tasks get a row of their own, and the
// server is busy with them; a missing await is a state of the coroutine.
TEST(VariableTrackerTest, BackgroundTasksAfterTheResponseAndANeverAwaitedSleep) {
  VariableTracker tracker(Requests({"POST /signup", "GET /nope"}));
  tracker.AddEvent(0, Event(v1::STEP_RECEIVED, "POST /signup"));
  tracker.AddEvent(0, Matched("signup"));
  tracker.AddEvent(0, Event(v1::STEP_HANDLER_STARTED, "async def signup()"));
  tracker.AddEvent(0, Event(v1::STEP_NEVER_AWAITED, "coroutine 'sleep' was never awaited"));
  tracker.AddEvent(0, Event(v1::STEP_HANDLER_RETURNED, "signup returned 200"));
  tracker.AddEvent(0, Sent(200));
  tracker.AddEvent(
      0, Event(v1::STEP_BACKGROUND_STARTED, "background task send_email (async def, on the loop)"));
  tracker.AddEvent(0, Event(v1::STEP_AWAIT_STARTED, "sleep(1s)"));
  tracker.AddEvent(1, Event(v1::STEP_RECEIVED, "GET /nope"));
  tracker.AddEvent(1, Sent(404));
  tracker.AddEvent(0, Event(v1::STEP_AWAIT_RESUMED, "sleep(1s) completed"));
  tracker.AddEvent(0, Event(v1::STEP_BACKGROUND_FINISHED, "send_email done"));
  tracker.AddEvent(
      0, Event(v1::STEP_BACKGROUND_STARTED, "background task write_log (def, on the executor)"));
  tracker.AddEvent(0, Event(v1::STEP_OFFLOAD_QUEUED, "write_log -> executor"));
  tracker.AddEvent(0, Event(v1::STEP_OFFLOAD_STARTED, "write_log (waited 10us)", "executor-0"));
  tracker.AddEvent(0, Event(v1::STEP_OFFLOAD_FINISHED, "write_log (ran 1ms)", "executor-0"));
  tracker.AddEvent(0, Event(v1::STEP_AWAIT_RESUMED, "write_log returned, resumed on loop 0"));
  tracker.AddEvent(0, Event(v1::STEP_BACKGROUND_FINISHED, "failed: OSError: disk full"));
  // An index no request has: a step that changes nothing.
  tracker.AddEvent(7, Event(v1::STEP_RECEIVED, "GET /stray"));
  EXPECT_THAT(
      Render(tracker),
      ElementsAre(
          "Variable             Start        After Step 3        After Step 4                  "
          "After Step 5        After Step 7",
          "-------------------  -----------  ------------------  ----------------------------  "
          "------------------  ----------------------------",
          "A: signup coroutine  Not started  Running             Running; sleep never awaited  "
          "Returned 200        Returned 200",
          "A: background tasks  Not started  Not started         Not started                   Not "
          "started         send_email running",
          "B: GET /nope         Not started  Not started         Not started                   Not "
          "started         Not started",
          "Server state         Idle         Handling Request A  Handling Request A            "
          "Handling Request A  Handling A's background task",
          "",
          "Variable             After Step 8                          After Step 10                "
          "         After Step 11",
          "-------------------  ------------------------------------  "
          "------------------------------------  ----------------------------------",
          "A: signup coroutine  Returned 200                          Returned 200                 "
          "         Returned 200",
          "A: background tasks  send_email paused at await sleep(1s)  send_email paused at await "
          "sleep(1s)  send_email resumed after sleep(1s)",
          "B: GET /nope         Not started                           No handler ran (404)         "
          "         No handler ran (404)",
          "Server state         Request A paused, server free         Request A paused, server "
          "free         Handling A's background task",
          "",
          "Variable             After Step 12                       After Step 13                 "
          "After Step 14                      After Step 15",
          "-------------------  ----------------------------------  ----------------------------  "
          "---------------------------------  ----------------------------------",
          "A: signup coroutine  Returned 200                        Returned 200                  "
          "Returned 200                       Returned 200",
          "A: background tasks  send_email done                     write_log running             "
          "write_log queued for the executor  write_log running on executor-0",
          "B: GET /nope         No handler ran (404)                No handler ran (404)          "
          "No handler ran (404)               No handler ran (404)",
          "Server state         Requests A and B done, server free  Handling A's background task  "
          "Request A paused, server free      Request A on executor, server free",
          "", "Variable             Final", "-------------------  ---------------------------",
          "A: signup coroutine  Returned 200", "A: background tasks  write_log failed",
          "B: GET /nope         No handler ran (404)",
          "Server state         Request A done, server free"));
}

TEST(VariableTrackerTest, NoEventsGiveStartAndFinalOnly) {
  VariableTracker tracker(Requests({"GET /wait", "GET /x"}));
  EXPECT_THAT(
      Render(tracker),
      ElementsAre("Variable      Start        Final", "------------  -----------  -----------",
                  "A: GET /wait  Not started  Not started",
                  "B: GET /x     Not started  Not started", "Server state  Idle         Idle"));
}

TEST(VariableTrackerTest, ACancelledCoroutine) {
  VariableTracker tracker(Requests({"GET /wait", "GET /x"}));
  tracker.AddEvent(0, Event(v1::STEP_RECEIVED, "GET /wait"));
  tracker.AddEvent(0, Matched("wait_seconds"));
  tracker.AddEvent(0, Event(v1::STEP_HANDLER_STARTED, "async def wait_seconds()"));
  tracker.AddEvent(0, Event(v1::STEP_AWAIT_STARTED, "sleep(2s)"));
  tracker.AddEvent(0, Event(v1::STEP_CANCELLED, "client cancelled"));
  EXPECT_THAT(Render(tracker),
              ElementsAre("Variable                   Start        After Step 3        After Step "
                          "4                   Final",
                          "-------------------------  -----------  ------------------  "
                          "-----------------------------  ---------------------------",
                          "A: wait_seconds coroutine  Not started  Running             Paused at "
                          "await sleep(2s)      Cancelled",
                          "B: GET /x                  Not started  Not started         Not started "
                          "                   Not started",
                          "Server state               Idle         Handling Request A  Request A "
                          "paused, server free  Request A done, server free"));
}

}  // namespace
}  // namespace corouter::client
