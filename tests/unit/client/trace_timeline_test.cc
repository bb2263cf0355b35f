// Unit tests of the timeline model (client/trace_timeline.h) and the
// recording that collects its events (client/trace_recording.h).
#include "client/trace_timeline.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "client/trace_recording.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/client/timeline_events.h"

namespace corouter::client {
namespace {

namespace v1 = corouter::v1;
using ::corouter::client::testing::At;
using ::corouter::client::testing::Events;
using ::corouter::client::testing::Seed003;
using ::corouter::client::testing::SyncWait;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// A span as (state, thread, start us, end us), for readable expectations.
struct SpanView {
  TimelineState state;
  std::string thread;
  double start;
  double end;
  friend bool operator==(const SpanView&, const SpanView&) = default;
  friend void PrintTo(const SpanView& s, std::ostream* os) {
    *os << TimelineStateName(s.state) << " " << s.thread << " [" << s.start << ", " << s.end << "]";
  }
};

double Micros(absl::Time t) { return absl::ToDoubleMicroseconds(t - testing::kT0); }

std::vector<SpanView> Spans(const RequestTimeline& request) {
  std::vector<SpanView> out;
  for (const TimelineSpan& s : request.spans) {
    out.push_back({s.state, s.thread, Micros(s.start), Micros(s.end)});
  }
  return out;
}

struct SliceView {
  TimelineState state;
  std::size_t request;
  double start;
  double end;
  friend bool operator==(const SliceView&, const SliceView&) = default;
  friend void PrintTo(const SliceView& s, std::ostream* os) {
    *os << TimelineStateName(s.state) << " request " << s.request << " [" << s.start << ", "
        << s.end << "]";
  }
};

std::vector<SliceView> Slices(const ThreadTimeline& lane) {
  std::vector<SliceView> out;
  for (const ThreadSlice& s : lane.slices) {
    out.push_back({s.state, s.request, Micros(s.start), Micros(s.end)});
  }
  return out;
}

constexpr TimelineState kRunning = TimelineState::kRunning;
constexpr TimelineState kAwaiting = TimelineState::kAwaiting;
constexpr TimelineState kQueued = TimelineState::kQueued;
constexpr TimelineState kBlocked = TimelineState::kBlocked;

TEST(TraceTimelineTest, AnAwaitFreesTheLoopBetweenTwoRunningStretches) {
  const Timeline timeline = BuildTimeline(Seed003());
  ASSERT_THAT(timeline.requests, SizeIs(4));
  const RequestTimeline& b = timeline.requests[1];
  EXPECT_EQ(b.label, "B");
  EXPECT_EQ(b.request_id, "0-1");
  EXPECT_EQ(b.request_line, "GET /wait");
  EXPECT_EQ(b.loop_thread, "loop-0");
  EXPECT_TRUE(b.finished);
  EXPECT_EQ(b.status_code, 200);
  EXPECT_THAT(Spans(b), ElementsAre(SpanView{kRunning, "loop-0", 0, 150},
                                    SpanView{kAwaiting, "loop-0", 150, 207000},
                                    SpanView{kRunning, "loop-0", 207000, 207200}));
}

TEST(TraceTimelineTest, AnAnnouncedBlockingCallHoldsTheLoopUntilTheNextEvent) {
  const Timeline timeline = BuildTimeline(Seed003());
  const RequestTimeline& c = timeline.requests[2];
  EXPECT_THAT(Spans(c), ElementsAre(SpanView{kRunning, "loop-0", 6000, 6500},
                                    SpanView{kBlocked, "loop-0", 6500, 206700},
                                    SpanView{kRunning, "loop-0", 206700, 206800}));
  EXPECT_EQ(c.spans[1].detail, "blocking call sleep(200ms) holds loop 0");
}

TEST(TraceTimelineTest, TheLoopLaneIsTheUnionOfEveryRequestsWorkOnIt) {
  const Timeline timeline = BuildTimeline(Seed003());
  ASSERT_THAT(timeline.threads, SizeIs(1));
  EXPECT_EQ(timeline.threads[0].thread, "loop-0");
  // Requests: 0 A, 1 B, 2 C, 3 D. Nothing runs on the loop while C blocks it.
  EXPECT_THAT(
      Slices(timeline.threads[0]),
      ElementsAre(SliceView{kRunning, 1, 0, 150}, SliceView{kRunning, 2, 6000, 6500},
                  SliceView{kBlocked, 2, 6500, 206700}, SliceView{kRunning, 2, 206700, 206800},
                  SliceView{kRunning, 1, 207000, 207200}, SliceView{kRunning, 3, 207300, 207420},
                  SliceView{kRunning, 0, 207500, 207570}, SliceView{kRunning, 0, 408000, 408200}));
  EXPECT_EQ(timeline.start, At(0));
  EXPECT_EQ(timeline.end, At(408200));
  EXPECT_THAT(timeline.flows, IsEmpty());
}

TEST(TraceTimelineTest, ADetectedBlockingCallTurnsThePrecedingStretchBlocked) {
  const Timeline timeline =
      BuildTimeline({Events("0-1", "A")
                         .Add(v1::STEP_RECEIVED, 0, "GET /crunch")
                         .Add(v1::STEP_HANDLER_STARTED, 10, "async def crunch()")
                         .Add(v1::STEP_AWAIT_STARTED, 20, "sleep(1ms)")
                         .Add(v1::STEP_AWAIT_RESUMED, 1020, "sleep(1ms) completed")
                         .Add(v1::STEP_BLOCKING_CALL, 2001020,
                              "loop 0 held for 2.000001s without an await "
                              "(over the 100ms slow-callback threshold)")
                         .Add(v1::STEP_HANDLER_RETURNED, 2001030, "crunch returned 200")
                         .Add(v1::STEP_RESPONSE_SENT, 2001040, "200 2 bytes")
                         .Build()});
  ASSERT_THAT(timeline.requests, SizeIs(1));
  EXPECT_THAT(
      Spans(timeline.requests[0]),
      ElementsAre(SpanView{kRunning, "loop-0", 0, 20}, SpanView{kAwaiting, "loop-0", 20, 1020},
                  SpanView{kBlocked, "loop-0", 1020, 2001020},
                  SpanView{kRunning, "loop-0", 2001020, 2001040}));
  EXPECT_THAT(timeline.requests[0].spans[2].detail, ::testing::HasSubstr("held for 2.000001s"));
}

TEST(TraceTimelineTest, ADefIsQueuedThenRunsOnItsExecutorThreadAndTheLoopStaysFree) {
  const Timeline timeline = BuildTimeline({SyncWait()});
  ASSERT_THAT(timeline.requests, SizeIs(1));
  // The BLOCKING_CALL on executor-0 holds only that worker: still "running" there.
  EXPECT_THAT(
      Spans(timeline.requests[0]),
      ElementsAre(SpanView{kRunning, "loop-0", 0, 120}, SpanView{kQueued, "loop-0", 120, 500},
                  SpanView{kRunning, "executor-0", 500, 200700},
                  SpanView{kAwaiting, "loop-0", 200700, 201200},
                  SpanView{kRunning, "loop-0", 201200, 201300}));
  ASSERT_THAT(timeline.threads, SizeIs(2));
  EXPECT_EQ(timeline.threads[0].thread, "loop-0");
  EXPECT_EQ(timeline.threads[1].thread, "executor-0");
  EXPECT_THAT(Slices(timeline.threads[1]), ElementsAre(SliceView{kRunning, 0, 500, 200700}));
  ASSERT_THAT(timeline.flows, SizeIs(2));
  EXPECT_EQ(timeline.flows[0].kind, TimelineFlow::Kind::kToExecutor);
  EXPECT_EQ(timeline.flows[0].from_thread, "loop-0");
  EXPECT_EQ(timeline.flows[0].from, At(120));
  EXPECT_EQ(timeline.flows[0].to_thread, "executor-0");
  EXPECT_EQ(timeline.flows[0].to, At(500));
  EXPECT_EQ(timeline.flows[1].kind, TimelineFlow::Kind::kToLoop);
  EXPECT_EQ(timeline.flows[1].from_thread, "executor-0");
  EXPECT_EQ(timeline.flows[1].from, At(200700));
  EXPECT_EQ(timeline.flows[1].to_thread, "loop-0");
  EXPECT_EQ(timeline.flows[1].to, At(201200));
}

TEST(TraceTimelineTest, ARequestInFlightKeepsItsLastStateUntilTheRecordingEnds) {
  const std::vector<RequestEvents> input = {Events("0-1", "A")
                                                .Add(v1::STEP_RECEIVED, 0, "GET /wait")
                                                .Add(v1::STEP_HANDLER_STARTED, 10, "async def w()")
                                                .Add(v1::STEP_AWAIT_STARTED, 20, "sleep(2s)")
                                                .Build()};
  const Timeline timeline = BuildTimeline(input, At(5000));
  ASSERT_THAT(timeline.requests, SizeIs(1));
  EXPECT_FALSE(timeline.requests[0].finished);
  EXPECT_EQ(timeline.requests[0].end, At(5000));
  EXPECT_THAT(Spans(timeline.requests[0]), ElementsAre(SpanView{kRunning, "loop-0", 0, 20},
                                                       SpanView{kAwaiting, "loop-0", 20, 5000}));
  // Without a recording end, it ends at its last event.
  EXPECT_THAT(Spans(BuildTimeline(input).requests[0]),
              ElementsAre(SpanView{kRunning, "loop-0", 0, 20}));
}

TEST(TraceTimelineTest, CancelledEndsTheRequest) {
  const Timeline timeline = BuildTimeline({Events("0-1", "A")
                                               .Add(v1::STEP_RECEIVED, 0, "GET /wait")
                                               .Add(v1::STEP_AWAIT_STARTED, 20, "sleep(2s)")
                                               .Add(v1::STEP_CANCELLED, 900, "the client cancelled")
                                               .Build()},
                                          At(5000));
  EXPECT_TRUE(timeline.requests[0].finished);
  EXPECT_EQ(timeline.requests[0].end, At(900));
  EXPECT_THAT(Spans(timeline.requests[0]), ElementsAre(SpanView{kRunning, "loop-0", 0, 20},
                                                       SpanView{kAwaiting, "loop-0", 20, 900}));
}

TEST(TraceTimelineTest, EventsAreTakenInSequenceOrderWhateverOrderTheyCameIn) {
  RequestEvents request = Seed003()[1];
  std::reverse(request.events.begin(), request.events.end());
  EXPECT_THAT(
      Spans(BuildTimeline({request}).requests[0]),
      ElementsAre(SpanView{kRunning, "loop-0", 0, 150}, SpanView{kAwaiting, "loop-0", 150, 207000},
                  SpanView{kRunning, "loop-0", 207000, 207200}));
}

TEST(TraceTimelineTest, OverlapsOnOneThreadGoToTheStretchThatStartedLater) {
  const Timeline timeline = BuildTimeline({Events("0-1", "A")
                                               .Add(v1::STEP_RECEIVED, 0, "GET /a")
                                               .Add(v1::STEP_RESPONSE_SENT, 10, "200")
                                               .Build(),
                                           Events("0-2", "B")
                                               .Add(v1::STEP_RECEIVED, 4, "GET /b")
                                               .Add(v1::STEP_RESPONSE_SENT, 6, "200")
                                               .Build()});
  ASSERT_THAT(timeline.threads, SizeIs(1));
  EXPECT_THAT(Slices(timeline.threads[0]),
              ElementsAre(SliceView{kRunning, 0, 0, 4}, SliceView{kRunning, 1, 4, 6},
                          SliceView{kRunning, 0, 6, 10}));
}

TEST(TraceTimelineTest, LanesAreLoopsByIndexThenExecutorThreadsByIndex) {
  std::vector<RequestEvents> input;
  int n = 0;
  for (const char* thread : {"executor-10", "loop-1", "executor-2", "loop-0", "worker"}) {
    input.push_back(Events(std::to_string(++n), "X")
                        .Add(v1::STEP_RECEIVED, 0, "GET /")
                        .Add(v1::STEP_HANDLER_STARTED, 1, "h", thread)
                        .Add(v1::STEP_RESPONSE_SENT, 2, "200")
                        .Build());
  }
  std::vector<std::string> lanes;
  for (const ThreadTimeline& lane : BuildTimeline(input).threads) lanes.push_back(lane.thread);
  EXPECT_THAT(lanes, ElementsAre("loop-0", "loop-1", "executor-2", "executor-10", "worker"));
}

TEST(TraceTimelineTest, NoEventsNoTimeline) {
  const Timeline timeline = BuildTimeline({RequestEvents{"A", {}}});
  EXPECT_THAT(timeline.requests, IsEmpty());
  EXPECT_THAT(timeline.threads, IsEmpty());
  EXPECT_EQ(timeline.start, absl::InfinitePast());
}

TEST(TraceTimelineTest, TellsTheTwoFormsOfBlockingCallApart) {
  EXPECT_FALSE(IsDetectedBlockingCall("blocking call sleep(2s) holds loop 0"));
  EXPECT_TRUE(IsDetectedBlockingCall(
      "loop 0 held for 2.001s without an await (over the 100ms slow-callback threshold)"));
  EXPECT_TRUE(IsLoopThread("loop-3"));
  EXPECT_FALSE(IsLoopThread("executor-3"));
  EXPECT_EQ(StepName(v1::STEP_AWAIT_STARTED), "AWAIT_STARTED");
}

TEST(TraceRecordingTest, GroupsByRequestInTheGivenOrderAndKeepsItsBound) {
  TraceRecording recording(/*max_events=*/9);
  const std::vector<RequestEvents> seed = Seed003();
  // C's events arrive first, but A, B, C is the order asked for.
  for (const v1::TraceEvent& event : seed[2].events) recording.Add(event, "C", 2);
  for (const v1::TraceEvent& event : seed[0].events) recording.Add(event, "A", 0);
  EXPECT_EQ(recording.events(), 9u);  // 6 of C, then 3 of A's 7
  EXPECT_EQ(recording.dropped_events(), 4u);
  EXPECT_EQ(recording.requests(), 2u);
  const Timeline timeline = recording.Build();
  ASSERT_THAT(timeline.requests, SizeIs(2));
  EXPECT_EQ(timeline.requests[0].label, "A");
  EXPECT_EQ(timeline.requests[1].label, "C");
}

TEST(TraceRecordingTest, WithoutALabelTheRequestIdNamesIt) {
  TraceRecording recording;
  const std::vector<RequestEvents> seed = Seed003();
  for (const v1::TraceEvent& event : seed[1].events) recording.Add(event);
  EXPECT_THAT(recording.Build().requests, ElementsAre(Field(&RequestTimeline::label, "0-1")));
}

// After RESPONSE_SENT: nothing until the background task starts, then the
// task's stretches by the same rules (an async one on the loop, awaiting at
// its await; a sync one on its executor thread), nothing after it finished.
TEST(TraceTimelineTest, BackgroundTasksAfterTheResponseAreStretchesOfTheirOwn) {
  const Timeline timeline =
      BuildTimeline({Events("0-1", "A")
                         .Add(v1::STEP_RECEIVED, 0, "POST /signup")
                         .Add(v1::STEP_HANDLER_STARTED, 10, "async def signup()")
                         .Add(v1::STEP_NEVER_AWAITED, 20, "coroutine 'sleep' was never awaited")
                         .Add(v1::STEP_HANDLER_RETURNED, 30, "signup returned 200")
                         .Add(v1::STEP_RESPONSE_SENT, 40, "")
                         .Add(v1::STEP_BACKGROUND_STARTED, 100, "send_email")
                         .Add(v1::STEP_AWAIT_STARTED, 110, "sleep(1s)")
                         .Add(v1::STEP_AWAIT_RESUMED, 1110, "sleep(1s) completed")
                         .Add(v1::STEP_BACKGROUND_FINISHED, 1120, "send_email")
                         .Add(v1::STEP_BACKGROUND_STARTED, 1200, "write_log", "executor-0")
                         .Add(v1::STEP_BACKGROUND_FINISHED, 1500, "write_log", "executor-0")
                         .Build()},
                    At(9000));
  ASSERT_THAT(timeline.requests, SizeIs(1));
  const RequestTimeline& a = timeline.requests[0];
  EXPECT_TRUE(a.finished);
  EXPECT_EQ(a.status_code, 200);
  // Everything finished: the request ends with its last event, not the
  // recording.
  EXPECT_EQ(a.end, At(1500));
  EXPECT_THAT(Spans(a), ElementsAre(SpanView{kRunning, "loop-0", 0, 40},
                                    SpanView{kRunning, "loop-0", 100, 110},
                                    SpanView{kAwaiting, "loop-0", 110, 1110},
                                    SpanView{kRunning, "loop-0", 1110, 1120},
                                    SpanView{kRunning, "executor-0", 1200, 1500}));
  ASSERT_THAT(timeline.threads, SizeIs(2));
  EXPECT_EQ(timeline.threads[1].thread, "executor-0");
}

TEST(TraceTimelineTest, ABackgroundTaskStillRunningLastsUntilTheRecordingEnds) {
  const Timeline timeline = BuildTimeline({Events("0-1", "A")
                                               .Add(v1::STEP_RECEIVED, 0, "POST /signup")
                                               .Add(v1::STEP_RESPONSE_SENT, 40, "")
                                               .Add(v1::STEP_BACKGROUND_STARTED, 100, "send_email")
                                               .Build()},
                                          At(500));
  const RequestTimeline& a = timeline.requests[0];
  EXPECT_EQ(a.end, At(500));
  EXPECT_THAT(Spans(a), ElementsAre(SpanView{kRunning, "loop-0", 0, 40},
                                    SpanView{kRunning, "loop-0", 100, 500}));
}

}  // namespace
}  // namespace corouter::client
