// Unit tests of the Trace Event Format writer (client/chrome_trace.h).
#include "client/chrome_trace.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "client/output_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/client/timeline_events.h"

namespace corouter::client {
namespace {

using ::corouter::client::testing::Events;
using ::corouter::client::testing::Seed003;
using ::corouter::client::testing::SyncWait;
using ::nlohmann::json;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::vector<json> Phase(const json& trace, const std::string& ph) {
  std::vector<json> out;
  for (const json& e : trace["traceEvents"]) {
    if (e["ph"] == ph) out.push_back(e);
  }
  return out;
}

// A ts or dur as a viewer reads it: microseconds truncated to nanoseconds.
int64_t Nanos(const json& micros) { return static_cast<int64_t>(micros.get<double>() * 1000.0); }

// tid -> thread name, from the metadata.
std::map<int, std::string> ThreadNames(const json& trace) {
  std::map<int, std::string> names;
  for (const json& e : Phase(trace, "M")) {
    if (e["name"] == "thread_name") names[e["tid"].get<int>()] = e["args"]["name"];
  }
  return names;
}

TEST(ChromeTraceTest, NamesTheProcessAndOneThreadTrackPerLane) {
  const json trace = ToChromeTrace(BuildTimeline(Seed003()), "127.0.0.1:50051");
  EXPECT_EQ(trace["displayTimeUnit"], "ms");
  bool named = false;
  for (const json& e : Phase(trace, "M")) {
    if (e["name"] == "process_name") {
      EXPECT_EQ(e["args"]["name"], "127.0.0.1:50051");
      named = true;
    }
  }
  EXPECT_TRUE(named);
  EXPECT_EQ(ThreadNames(trace), (std::map<int, std::string>{{1, "loop-0"}}));
}

TEST(ChromeTraceTest, TheBlockingSliceStandsOutAndNothingElseRunsOnTheLoopMeanwhile) {
  const json trace = ToChromeTrace(BuildTimeline(Seed003()), "server");
  std::vector<json> blocked;
  for (const json& e : Phase(trace, "X")) {
    if (e["cat"] == "blocked") blocked.push_back(e);
  }
  ASSERT_THAT(blocked, SizeIs(1));
  EXPECT_EQ(blocked[0]["name"], "BLOCKED loop-0: C GET /blocking");
  EXPECT_EQ(blocked[0]["tid"], 1);
  // Microseconds since B's RECEIVED, exact once truncated to nanoseconds.
  EXPECT_EQ(Nanos(blocked[0]["ts"]), 6'500'000);
  EXPECT_EQ(Nanos(blocked[0]["dur"]), 200'200'000);
  EXPECT_EQ(blocked[0]["args"]["detail"], "blocking call sleep(200ms) holds loop 0");
  // Slices on one thread track never overlap, as a viewer reads them.
  std::map<int, std::vector<std::pair<int64_t, int64_t>>> by_tid;
  for (const json& e : Phase(trace, "X")) {
    by_tid[e["tid"].get<int>()].push_back({Nanos(e["ts"]), Nanos(e["ts"]) + Nanos(e["dur"])});
  }
  for (auto& [tid, slices] : by_tid) {
    std::sort(slices.begin(), slices.end());
    for (std::size_t i = 1; i < slices.size(); ++i) {
      EXPECT_LE(slices[i - 1].second, slices[i].first) << "tid " << tid << " slice " << i;
    }
  }
}

TEST(ChromeTraceTest, EveryRequestIsAnAsyncTrackWithItsStatesNestedAndAnInstantPerStep) {
  const Timeline timeline = BuildTimeline(Seed003());
  const json trace = ToChromeTrace(timeline, "server");
  std::map<std::string, std::vector<std::string>> stacks;  // by id
  std::map<std::string, std::vector<std::string>> outer;   // first-level names by id
  std::map<std::string, int> instants;
  for (const json& e : trace["traceEvents"]) {
    if (e["ph"] != "b" && e["ph"] != "e" && e["ph"] != "n") continue;
    EXPECT_EQ(e["cat"], "request");
    const std::string id = e["id"];
    std::vector<std::string>& stack = stacks[id];
    if (e["ph"] == "b") {
      if (stack.empty()) outer[id].push_back(e["name"]);
      stack.push_back(e["name"]);
    } else if (e["ph"] == "e") {
      ASSERT_FALSE(stack.empty()) << e;
      EXPECT_EQ(stack.back(), e["name"]);
      stack.pop_back();
    } else {
      EXPECT_FALSE(stack.empty()) << "an instant outside its request: " << e;
      ++instants[id];
    }
  }
  for (const auto& [id, stack] : stacks) EXPECT_TRUE(stack.empty()) << id;
  EXPECT_EQ(outer["0-4"], std::vector<std::string>{"A GET /wait"});
  EXPECT_EQ(outer["0-3"], std::vector<std::string>{"C GET /blocking"});
  EXPECT_EQ(instants["0-4"], 7);
  EXPECT_EQ(instants["0-3"], 6);
  // B's states, in order, nested in its request.
  std::vector<std::string> b_states;
  for (const json& e : Phase(trace, "b")) {
    if (e["id"] == "0-1" && e["name"] != "B GET /wait") b_states.push_back(e["name"]);
  }
  EXPECT_EQ(b_states,
            (std::vector<std::string>{"running on loop-0", "awaiting", "running on loop-0"}));
  // An instant carries its step and detail.
  bool seen = false;
  for (const json& e : Phase(trace, "n")) {
    if (e["id"] == "0-3" && e["name"] == "BLOCKING_CALL") {
      EXPECT_EQ(e["args"]["detail"], "blocking call sleep(200ms) holds loop 0");
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

// Background tasks after RESPONSE_SENT: their steps are instants of the
// request, their stretches nest in it, and a sync task runs on its executor
// thread's track.
TEST(ChromeTraceTest, BackgroundTasksAfterTheResponseStayInsideTheirRequest) {
  namespace v1 = corouter::v1;
  const Timeline timeline =
      BuildTimeline({Events("0-1", "A")
                         .Add(v1::STEP_RECEIVED, 0, "POST /signup")
                         .Add(v1::STEP_RESPONSE_SENT, 40, "")
                         .Add(v1::STEP_BACKGROUND_STARTED, 100, "send_email")
                         .Add(v1::STEP_AWAIT_STARTED, 110, "sleep(1s)")
                         .Add(v1::STEP_AWAIT_RESUMED, 1110, "sleep(1s) completed")
                         .Add(v1::STEP_BACKGROUND_FINISHED, 1120, "send_email")
                         .Add(v1::STEP_BACKGROUND_STARTED, 1200, "write_log", "executor-0")
                         .Add(v1::STEP_BACKGROUND_FINISHED, 1500, "write_log", "executor-0")
                         .Build()});
  const json trace = ToChromeTrace(timeline, "server");
  std::vector<std::string> stack;
  std::vector<std::string> instants;
  for (const json& e : trace["traceEvents"]) {
    if (e["ph"] == "b") stack.push_back(e["name"]);
    if (e["ph"] == "e") {
      ASSERT_FALSE(stack.empty()) << e;
      EXPECT_EQ(stack.back(), e["name"]);
      stack.pop_back();
    }
    if (e["ph"] == "n") {
      EXPECT_FALSE(stack.empty()) << "an instant outside its request: " << e;
      instants.push_back(e["name"]);
    }
  }
  EXPECT_TRUE(stack.empty());
  EXPECT_EQ(instants,
            (std::vector<std::string>{"RECEIVED", "RESPONSE_SENT", "BACKGROUND_STARTED",
                                      "AWAIT_STARTED", "AWAIT_RESUMED", "BACKGROUND_FINISHED",
                                      "BACKGROUND_STARTED", "BACKGROUND_FINISHED"}));
  const std::map<int, std::string> names = ThreadNames(trace);
  bool on_executor = false;
  for (const json& e : Phase(trace, "X")) {
    if (names.at(e["tid"].get<int>()) == "executor-0") {
      EXPECT_EQ(Nanos(e["dur"]), 300'000);
      on_executor = true;
    }
  }
  EXPECT_TRUE(on_executor);
}

// The slice of `tid` that strictly contains `ts`, or nullptr.
const json* Enclosing(const json& trace, int tid, double ts) {
  for (const json& e : trace["traceEvents"]) {
    if (e["ph"] == "X" && e["tid"] == tid && e["ts"].get<double>() < ts &&
        ts < e["ts"].get<double>() + e["dur"].get<double>()) {
      return &e;
    }
  }
  return nullptr;
}

TEST(ChromeTraceTest, FlowsGoFromTheLoopToTheExecutorThreadAndBack) {
  const json trace = ToChromeTrace(BuildTimeline({SyncWait()}), "server");
  EXPECT_EQ(ThreadNames(trace), (std::map<int, std::string>{{1, "loop-0"}, {2, "executor-0"}}));
  const std::vector<json> starts = Phase(trace, "s");
  const std::vector<json> ends = Phase(trace, "f");
  ASSERT_THAT(starts, SizeIs(2));
  ASSERT_THAT(ends, SizeIs(2));
  // To the executor: from the loop's slice before OFFLOAD_QUEUED (0..120 us)
  // to the executor's slice from OFFLOAD_STARTED (500 us).
  EXPECT_EQ(starts[0]["tid"], 1);
  EXPECT_EQ(ends[0]["tid"], 2);
  EXPECT_EQ(starts[0]["id"], ends[0]["id"]);
  EXPECT_EQ(starts[0]["cat"], ends[0]["cat"]);
  EXPECT_EQ(starts[0]["name"], ends[0]["name"]);
  EXPECT_EQ(ends[0]["bp"], "e");
  const json* from = Enclosing(trace, 1, starts[0]["ts"].get<double>());
  const json* to = Enclosing(trace, 2, ends[0]["ts"].get<double>());
  ASSERT_NE(from, nullptr);
  ASSERT_NE(to, nullptr);
  EXPECT_EQ(Nanos((*from)["ts"]), 0);
  EXPECT_EQ(Nanos((*to)["ts"]), 500'000);
  // And back: executor-0 at OFFLOAD_FINISHED to the loop at AWAIT_RESUMED.
  EXPECT_EQ(starts[1]["tid"], 2);
  EXPECT_EQ(ends[1]["tid"], 1);
  EXPECT_NE(starts[1]["id"], starts[0]["id"]);
  ASSERT_NE(Enclosing(trace, 2, starts[1]["ts"].get<double>()), nullptr);
  const json* back = Enclosing(trace, 1, ends[1]["ts"].get<double>());
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(Nanos((*back)["ts"]), 201'200'000);
}

TEST(ChromeTraceTest, WritesAFileThatParsesBackToTheSameTrace) {
  const Timeline timeline = BuildTimeline(Seed003());
  const std::string path =
      ::testing::TempDir() + "/chrome_trace_test_" + std::to_string(getpid()) + ".json";
  ASSERT_TRUE(WriteChromeTrace(timeline, "server", path).ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(json::parse(text.str()), ToChromeTrace(timeline, "server"));
  std::remove(path.c_str());
}

TEST(ChromeTraceTest, AnUnwritablePathIsAnErrorNamingIt) {
  const absl::Status status =
      WriteChromeTrace(BuildTimeline(Seed003()), "server", "/nonexistent-dir/trace.json");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent-dir/trace.json"));
  EXPECT_THAT(status.message(), HasSubstr("No such file or directory"));
  EXPECT_FALSE(CheckWritable("/nonexistent-dir/trace.json").ok());
  EXPECT_FALSE(CheckWritable("").ok());
  const std::string fresh = ::testing::TempDir() + "/check_writable_" + std::to_string(getpid());
  EXPECT_TRUE(CheckWritable(fresh).ok());
  EXPECT_NE(access(fresh.c_str(), F_OK), 0) << "CheckWritable left a file behind";
}

TEST(ChromeTraceTest, AnEmptyTimelineIsAValidTrace) {
  const json trace = ToChromeTrace(Timeline{}, "server");
  EXPECT_THAT(trace["traceEvents"], SizeIs(1));  // the process name
}

}  // namespace
}  // namespace corouter::client
