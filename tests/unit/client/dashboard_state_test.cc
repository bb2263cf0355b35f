// Tests of client/dashboard_state.h: the page's frames, deduplication after
// a resumed stream, a server restart, and the snapshot a new tab starts with.
#include "client/dashboard_state.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace corouter::client {
namespace {

namespace v1 = corouter::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kNow = absl::FromUnixMicros(1'700'000'000'000'000);

v1::TraceEvent Event(const std::string& id, uint64_t sequence, v1::Step step) {
  v1::TraceEvent e;
  e.set_request_id(id);
  e.set_sequence(sequence);
  e.set_step(step);
  e.set_time_unix_nano(1'700'000'000'000'000'000ULL + sequence * 1000);
  e.set_thread("loop-0");
  return e;
}

v1::WatchTracesResponse Response(std::vector<v1::TraceEvent> events) {
  v1::WatchTracesResponse r;
  for (auto& e : events) *r.add_events() = std::move(e);
  r.set_cursor("c");
  return r;
}

struct Parsed {
  std::string event;
  nlohmann::json data;
};

Parsed Parse(const SseFramePtr& frame) {
  const std::string& text = *frame;
  EXPECT_EQ(text.rfind("event: ", 0), 0u) << text;
  const size_t nl = text.find('\n');
  Parsed p;
  p.event = text.substr(7, nl - 7);
  const std::string data_prefix = "data: ";
  EXPECT_EQ(text.compare(nl + 1, data_prefix.size(), data_prefix), 0) << text;
  const size_t end = text.find('\n', nl + 1);
  EXPECT_EQ(text.substr(end), "\n\n") << "one data line: " << text;
  p.data = nlohmann::json::parse(text.substr(nl + 1 + data_prefix.size(), end - nl - 1 - 6));
  return p;
}

// "id:sequence" of every event of the trace frames among `frames`.
std::vector<std::string> EventKeys(const std::vector<SseFramePtr>& frames) {
  std::vector<std::string> keys;
  for (const SseFramePtr& f : frames) {
    Parsed p = Parse(f);
    if (p.event != "trace") continue;
    for (const auto& e : p.data["events"]) {
      keys.push_back(e["requestId"].get<std::string>() + ":" + e["sequence"].get<std::string>());
    }
  }
  return keys;
}

TEST(DashboardStateTest, ATraceFrameCarriesTheServerRunAndProto3JsonEvents) {
  DashboardState state({"a:1", "b:2"}, {});
  auto frames = state.ApplyResponse(1, Response({Event("0-1", 1, v1::STEP_RECEIVED)}), kNow);
  ASSERT_EQ(frames.size(), 1u);
  Parsed p = Parse(frames[0]);
  EXPECT_EQ(p.event, "trace");
  EXPECT_EQ(p.data["server"], "b:2");
  EXPECT_EQ(p.data["run"], 0);
  EXPECT_EQ(p.data["now"], absl::ToUnixMicros(kNow));
  ASSERT_EQ(p.data["events"].size(), 1u);
  EXPECT_EQ(p.data["events"][0]["step"], "STEP_RECEIVED");
  EXPECT_EQ(p.data["events"][0]["timeUnixNano"], "1700000000000001000");
  EXPECT_EQ(state.in_flight(1), 1u);
  EXPECT_EQ(state.in_flight(0), 0u);
}

TEST(DashboardStateTest, EventsSentAgainAfterAResumeAreDropped) {
  DashboardState state({"a:1"}, {});
  state.ApplyResponse(
      0,
      Response({Event("0-1", 1, v1::STEP_RECEIVED), Event("0-1", 2, v1::STEP_HANDLER_STARTED),
                Event("0-2", 1, v1::STEP_RECEIVED), Event("0-2", 2, v1::STEP_RESPONSE_SENT)}),
      kNow);
  // The resumed stream sends 0-1 (in flight) whole again, and 0-2 (done).
  auto frames = state.ApplyResponse(
      0,
      Response({Event("0-2", 1, v1::STEP_RECEIVED), Event("0-2", 2, v1::STEP_RESPONSE_SENT),
                Event("0-1", 1, v1::STEP_RECEIVED), Event("0-1", 2, v1::STEP_HANDLER_STARTED),
                Event("0-1", 3, v1::STEP_AWAIT_STARTED)}),
      kNow);
  EXPECT_THAT(EventKeys(frames), ElementsAre("0-1:3"));
  // Nothing new at all: no frame.
  EXPECT_THAT(state.ApplyResponse(0, Response({Event("0-1", 2, v1::STEP_HANDLER_STARTED)}), kNow),
              IsEmpty());
}

TEST(DashboardStateTest, ASnapshotHasHelloServersRecentThenInFlight) {
  DashboardState state({"a:1", "b:2"}, {.recent_traces = 1});
  state.SetFeedState(0, FeedState::kLive, "", kNow);
  state.SetFeedState(1, FeedState::kGone, "the server went away (x)", kNow);
  state.ApplyResponse(0, Response({Event("0-1", 1, v1::STEP_RECEIVED)}), kNow);
  state.ApplyResponse(
      0,
      Response({Event("0-2", 1, v1::STEP_RECEIVED), Event("0-2", 2, v1::STEP_RESPONSE_SENT),
                Event("0-3", 1, v1::STEP_RECEIVED), Event("0-3", 2, v1::STEP_CANCELLED),
                Event("0-4", 1, v1::STEP_RECEIVED), Event("0-1", 2, v1::STEP_AWAIT_STARTED)}),
      kNow);
  auto frames = state.Snapshot(kNow);
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(Parse(frames.back()).event, "synced");
  Parsed hello = Parse(frames[0]);
  EXPECT_EQ(hello.event, "hello");
  EXPECT_EQ(hello.data["servers"], nlohmann::json({"a:1", "b:2"}));
  Parsed a = Parse(frames[1]), b = Parse(frames[2]);
  EXPECT_EQ(a.event, "server");
  EXPECT_EQ(a.data["state"], "live");
  EXPECT_EQ(b.data["state"], "gone");
  EXPECT_EQ(b.data["error"], "the server went away (x)");
  // Only the last completed trace is kept (recent_traces = 1): 0-3; then
  // the requests in flight in arrival order, each whole.
  EXPECT_THAT(EventKeys(frames), ElementsAre("0-3:1", "0-3:2", "0-1:1", "0-1:2", "0-4:1"));
}

TEST(DashboardStateTest, ARestartedServerStartsANewRunAndForgetsItsRequests) {
  DashboardState state({"a:1"}, {});
  state.ApplyResponse(
      0,
      Response({Event("0-1", 1, v1::STEP_RECEIVED), Event("0-2", 1, v1::STEP_RECEIVED),
                Event("0-2", 2, v1::STEP_RESPONSE_SENT)}),
      kNow);
  v1::WatchTracesResponse restarted = Response({Event("0-2", 1, v1::STEP_RECEIVED)});
  restarted.mutable_lost()->set_earlier_run(true);
  auto frames = state.ApplyResponse(0, restarted, kNow);
  ASSERT_EQ(frames.size(), 2u);
  Parsed server = Parse(frames[0]);
  EXPECT_EQ(server.event, "server");
  EXPECT_EQ(server.data["run"], 1);
  Parsed trace = Parse(frames[1]);
  EXPECT_EQ(trace.data["run"], 1);
  // The new run's 0-2 is a new request, not a duplicate.
  EXPECT_THAT(EventKeys({frames[1]}), ElementsAre("0-2:1"));
  EXPECT_EQ(state.in_flight(0), 1u);
}

TEST(DashboardStateTest, TheServersDropsAndLossesAreReported) {
  DashboardState state({"a:1"}, {});
  v1::WatchTracesResponse r = Response({});
  r.set_dropped_events(5);
  r.mutable_lost()->set_traces(3);
  auto frames = state.ApplyResponse(0, r, kNow);
  ASSERT_EQ(frames.size(), 1u);
  Parsed p = Parse(frames[0]);
  EXPECT_EQ(p.data["droppedEvents"], 5);
  EXPECT_EQ(p.data["lostTraces"], 3);
  EXPECT_EQ(p.data["run"], 0);
}

TEST(DashboardStateTest, TickAndDroppedFrames) {
  Parsed tick = Parse(DashboardState::TickFrame(kNow));
  EXPECT_EQ(tick.event, "tick");
  EXPECT_EQ(tick.data["now"], absl::ToUnixMicros(kNow));
  Parsed dropped = Parse(DashboardState::DroppedFrame(7, 9));
  EXPECT_EQ(dropped.event, "dropped");
  EXPECT_EQ(dropped.data["count"], 7);
  EXPECT_EQ(dropped.data["total"], 9);
}

// Background tasks run after RESPONSE_SENT with the same request id: the
// request stays ended, in the recent traces, and is never in flight again.
TEST(DashboardStateTest, EventsAfterTheResponseDoNotPutARequestBackInFlight) {
  DashboardState state({"a:1"}, {});
  state.ApplyResponse(
      0, Response({Event("0-1", 1, v1::STEP_RECEIVED), Event("0-1", 2, v1::STEP_RESPONSE_SENT)}),
      kNow);
  EXPECT_EQ(state.in_flight(0), 0u);
  auto frames = state.ApplyResponse(
      0,
      Response({Event("0-1", 3, v1::STEP_BACKGROUND_STARTED),
                Event("0-1", 4, v1::STEP_AWAIT_STARTED), Event("0-1", 5, v1::STEP_AWAIT_RESUMED),
                Event("0-1", 6, v1::STEP_BACKGROUND_FINISHED)}),
      kNow);
  EXPECT_THAT(frames, IsEmpty());
  EXPECT_EQ(state.in_flight(0), 0u);
  // A new tab sees the request once, as it was answered.
  EXPECT_THAT(EventKeys(state.Snapshot(kNow)), ElementsAre("0-1:1", "0-1:2"));
}

}  // namespace
}  // namespace corouter::client
