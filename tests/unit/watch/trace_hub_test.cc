#include "server/watch/trace_hub.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/trace/request_trace.h"
#include "server/watch/request_recorder.h"

namespace corouter::watch {
namespace {

using trace::Step;

// One request through the hub: its recorder as a RequestTrace's sink.
struct FakeRequest {
  FakeRequest(TraceHub& hub, std::string id, std::string method = "GET")
      : recorder(hub, std::move(id), RequestInfo{std::move(method), "/x", "", ""}),
        trace(0, &recorder) {}
  void Route(const std::string& path) {
    trace.EmitRouteMatched(trace::RouteData{path, "endpoint", {}}, "matched");
  }
  void Respond(int status) {
    recorder.set_response({status, {}});
    trace.Emit(Step::kResponseSent, status);
  }
  RequestRecorder recorder;
  trace::RequestTrace trace;
};

std::vector<std::string> Steps(const Batch& batch) {
  std::vector<std::string> out;
  for (const EventPtr& e : batch.events) {
    out.push_back(e->request_id + ":" + std::string(trace::StepName(e->event.step)));
  }
  return out;
}

TEST(TraceHub, LiveSubscriberGetsEventsAsTheyHappenAndIsWoken) {
  TraceHub hub({.history = 10, .watch_buffer = 100});
  int wakes = 0;
  auto sub = hub.Subscribe({}, [&] { ++wakes; });
  ASSERT_TRUE(sub.ok());
  EXPECT_TRUE(hub.TakeBatch(**sub, 100).events.empty());  // arms the waker
  FakeRequest a(hub, "a");
  a.trace.Emit(Step::kReceived, "GET /x");
  EXPECT_EQ(wakes, 1);
  a.Route("/x");
  EXPECT_EQ(wakes, 1);  // woken once until it takes again
  Batch batch = hub.TakeBatch(**sub, 100);
  EXPECT_THAT(Steps(batch), ::testing::ElementsAre("a:RECEIVED", "a:ROUTE_MATCHED"));
  a.Respond(200);
  batch = hub.TakeBatch(**sub, 100);
  ASSERT_EQ(batch.events.size(), 1u);
  EXPECT_EQ(batch.events[0]->response->status_code, 200);
  EXPECT_EQ(hub.stats().history, 1u);
}

// RequestRecorder makes events four to a block (request_recorder.h): a trace
// longer than a block is whole and in order, each event its own, and the
// events outlive the recorder (in the history and a subscriber's queue).
TEST(TraceHub, ATraceOfManyBlocksIsWholeAndOutlivesItsRecorder) {
  TraceHub hub({.history = 10, .watch_buffer = 100});
  auto live = hub.Subscribe({}, [] {});
  ASSERT_TRUE(live.ok());
  {
    FakeRequest a(hub, "a");
    a.trace.Emit(Step::kReceived, "GET /x");
    a.Route("/x");
    for (int i = 0; i < 7; ++i) a.trace.Emit(Step::kAwaitStarted, "sleep #", i);
    a.Respond(200);
  }  // the recorder and its trace are gone
  SubscribeOptions replay_one;
  replay_one.replay = 1;
  auto replay = hub.Subscribe(replay_one, [] {});
  ASSERT_TRUE(replay.ok());
  for (auto* sub : {&*live, &*replay}) {
    const Batch batch = hub.TakeBatch(**sub, 100);
    ASSERT_EQ(batch.events.size(), 10u);
    std::set<const WatchEvent*> distinct;
    for (size_t i = 0; i < batch.events.size(); ++i) {
      const WatchEvent& e = *batch.events[i];
      distinct.insert(&e);
      EXPECT_EQ(e.request_id, "a");
      EXPECT_EQ(e.event.sequence, i + 1);
      if (i >= 2 && i < 9) {
        EXPECT_EQ(e.event.detail, absl::StrCat("sleep #", i - 2));
      }
    }
    EXPECT_EQ(distinct.size(), 10u);
    EXPECT_EQ(batch.events[1]->event.route->path_template, "/x");
    EXPECT_EQ(batch.events[9]->response->status_code, 200);
  }
}

TEST(TraceHub, AFullQueueDropsAndCountsWithoutBlocking) {
  TraceHub hub({.history = 0, .watch_buffer = 4});
  auto sub = hub.Subscribe({}, [] {});
  ASSERT_TRUE(sub.ok());
  for (int i = 0; i < 3; ++i) {
    FakeRequest r(hub, absl::StrCat("r", i));
    r.trace.Emit(Step::kReceived);
    r.Respond(200);
  }
  Batch batch = hub.TakeBatch(**sub, 100);
  EXPECT_EQ(batch.events.size(), 4u);
  EXPECT_EQ(batch.dropped_events, 2u);
  EXPECT_EQ(hub.stats().events_dropped, 2u);
  EXPECT_EQ(hub.TakeBatch(**sub, 100).dropped_events, 0u);  // reported once
}

TEST(TraceHub, CompletedTracesThatDoNotFitAreDroppedWhole) {
  TraceHub hub({.history = 0, .watch_buffer = 3});
  SubscribeOptions options;
  options.completed_mode = true;
  auto sub = hub.Subscribe(std::move(options), [] {});
  ASSERT_TRUE(sub.ok());
  for (int i = 0; i < 2; ++i) {
    FakeRequest r(hub, absl::StrCat("r", i));
    r.trace.Emit(Step::kReceived);
    r.Route("/x");
    r.Respond(200);
  }
  Batch batch = hub.TakeBatch(**sub, 100);
  EXPECT_THAT(Steps(batch),
              ::testing::ElementsAre("r0:RECEIVED", "r0:ROUTE_MATCHED", "r0:RESPONSE_SENT"));
  EXPECT_EQ(batch.dropped_events, 3u);
}

TEST(TraceHub, BatchesNeverSplitATraceAndRespectTheirSize) {
  TraceHub hub({.history = 10, .watch_buffer = 100});
  for (int i = 0; i < 4; ++i) {
    FakeRequest r(hub, absl::StrCat("r", i));
    r.trace.Emit(Step::kReceived);
    r.Respond(200);
  }
  SubscribeOptions options;
  options.replay = 3;
  auto sub = hub.Subscribe(std::move(options), [] {});
  ASSERT_TRUE(sub.ok());
  EXPECT_THAT(Steps(hub.TakeBatch(**sub, 3)),
              ::testing::ElementsAre("r1:RECEIVED", "r1:RESPONSE_SENT"));
  EXPECT_THAT(
      Steps(hub.TakeBatch(**sub, 4)),
      ::testing::ElementsAre("r2:RECEIVED", "r2:RESPONSE_SENT", "r3:RECEIVED", "r3:RESPONSE_SENT"));
}

TEST(TraceHub, CursorsResumeAndReportLosses) {
  TraceHub hub({.history = 2, .watch_buffer = 100});
  auto run = [&](const std::string& id) {
    FakeRequest r(hub, id);
    r.trace.Emit(Step::kReceived);
    r.Respond(200);
  };
  run("a");
  SubscribeOptions first;
  first.completed_mode = true;
  first.replay = 1;
  auto sub = hub.Subscribe(std::move(first), [] {});
  ASSERT_TRUE(sub.ok());
  const std::string cursor = hub.TakeBatch(**sub, 100).cursor;  // after "a"
  EXPECT_EQ(cursor, hub.CursorText(1));
  run("b");
  run("c");
  run("d");
  SubscribeOptions resume;
  resume.completed_mode = true;
  resume.resume_cursor = cursor;
  auto again = hub.Subscribe(std::move(resume), [] {});
  ASSERT_TRUE(again.ok());
  Batch batch = hub.TakeBatch(**again, 100);
  ASSERT_TRUE(batch.lost.has_value());
  EXPECT_EQ(batch.lost->traces, 1u);  // b is gone; c and d are kept
  EXPECT_FALSE(batch.lost->earlier_run);
  EXPECT_THAT(Steps(batch), ::testing::ElementsAre("c:RECEIVED", "c:RESPONSE_SENT", "d:RECEIVED",
                                                   "d:RESPONSE_SENT"));
  EXPECT_EQ(batch.cursor, hub.CursorText(4));

  TraceHub other;
  SubscribeOptions foreign;
  foreign.resume_cursor = cursor;
  auto lost = other.Subscribe(std::move(foreign), [] {});
  ASSERT_TRUE(lost.ok());
  EXPECT_TRUE(other.TakeBatch(**lost, 100).lost->earlier_run);

  for (const char* bad : {"", "c1", "c2.0000000000000000.1", "c1.00000000000000zz.1", "c1.0.1",
                          "c1.0000000000000000.x"}) {
    SubscribeOptions o;
    o.resume_cursor = bad;
    EXPECT_EQ(hub.Subscribe(std::move(o), [] {}).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(hub.stats().subscribers, 2u);  // sub and again; the bad ones never subscribed
  hub.Unsubscribe(**sub);
  hub.Unsubscribe(**sub);  // idempotent
  EXPECT_EQ(hub.stats().subscribers, 1u);
}

TEST(TraceHub, ARequestDestroyedWithoutAFinalEventStillCompletes) {
  TraceHub hub({.history = 5, .watch_buffer = 100});
  {
    FakeRequest r(hub, "x");
    r.trace.Emit(Step::kReceived);
  }
  { FakeRequest r(hub, "never-ran"); }  // no event: not kept
  EXPECT_EQ(hub.stats().history, 1u);
}

}  // namespace
}  // namespace corouter::watch

namespace corouter::watch {
namespace {

TEST(TraceHub, AnExporterQueueCountsSpansWakesAtItsThresholdAndTakesWholeTraces) {
  TraceHub hub({.history = 0, .watch_buffer = 100});
  int wakes = 0;
  SubscribeOptions options;
  options.completed_mode = true;
  options.exporter = ExporterQueue{.max_spans = 5, .wake_at_spans = 3};
  auto sub = hub.Subscribe(std::move(options), [&] { ++wakes; });
  ASSERT_TRUE(sub.ok());
  // No TakeBatch first: an exporter is woken at its threshold from the start.
  auto request = [&](const std::string& id, bool offload) {
    FakeRequest r(hub, id);
    r.trace.Emit(trace::Step::kReceived, "GET /x");
    if (offload) r.trace.Emit(trace::Step::kOffloadStarted, "work");  // a second span
    r.Respond(200);
  };
  request("a", false);
  EXPECT_EQ(wakes, 0);  // 1 span queued: under the threshold
  request("b", true);   // 3 spans
  EXPECT_EQ(wakes, 1);
  request("c", true);   // 5 spans: full
  request("d", false);  // dropped whole
  request("e", true);   // dropped whole
  EXPECT_EQ(hub.Queue(**sub).queued, 5u);
  EXPECT_EQ(hub.Queue(**sub).dropped_total, 3u);
  Batch batch = hub.TakeBatch(**sub, 3);  // at most 3 spans: a and b
  ASSERT_EQ(batch.traces.size(), 2u);
  EXPECT_TRUE(batch.events.empty());
  EXPECT_EQ(batch.traces[0]->summary.offloads, 0u);
  EXPECT_EQ(batch.traces[1]->summary.offloads, 1u);
  EXPECT_EQ(hub.TakeBatch(**sub, 3).traces.size(), 1u);  // c
  EXPECT_EQ(hub.Queue(**sub).dropped_total, 3u);         // monotonic
  EXPECT_EQ(hub.stats().subscribers, 0u);                // not a WatchTraces stream
  EXPECT_EQ(hub.stats().events_dropped, 0u);
  EXPECT_TRUE(hub.enabled());
  hub.Unsubscribe(**sub);
  EXPECT_FALSE(hub.enabled());
}

// A subscriber whose writer runs on a thread of its own, as a WatchTraces
// call's writer is woken on its loop: TakeBatch until it finds nothing, then
// wait for the waker (called on the publishing thread), until Stop().
class ThreadedSubscriber {
 public:
  ThreadedSubscriber(TraceHub& hub, SubscribeOptions options) : hub_(hub) {
    auto sub = hub_.Subscribe(std::move(options), [this] { Wake(); });
    EXPECT_TRUE(sub.ok());
    sub_ = *std::move(sub);
    thread_ = std::thread([this] { Run(); });
  }
  ~ThreadedSubscriber() {
    if (thread_.joinable()) Stop();
  }

  /// Drains what is left, stops the thread and unsubscribes.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
    hub_.Unsubscribe(*sub_);
  }

  // Read after Stop().
  std::vector<EventPtr> events;
  std::string cursor;
  uint64_t dropped = 0;
  bool timed_out = false;

 private:
  void Wake() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      woken_ = true;
    }
    cv_.notify_one();
  }
  void Run() {
    while (true) {
      Batch batch = hub_.TakeBatch(*sub_, 64);
      dropped += batch.dropped_events;
      cursor = batch.cursor;
      if (!batch.events.empty()) {
        events.insert(events.end(), batch.events.begin(), batch.events.end());
        continue;
      }
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_) return;  // and nothing was left to take
      if (!cv_.wait_for(lock, std::chrono::seconds(30), [&] { return woken_ || stopping_; })) {
        timed_out = true;
        return;
      }
      woken_ = false;
    }
  }

  TraceHub& hub_;
  std::shared_ptr<TraceHub::Subscription> sub_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

// Every request's events, by request, in the order received; false if an
// event came twice or out of its request's order.
bool ByRequest(const std::vector<EventPtr>& events,
               std::map<std::string, std::vector<std::string>>* out) {
  for (const EventPtr& e : events) {
    std::vector<std::string>& steps = (*out)[e->request_id];
    if (e->event.sequence != steps.size() + 1) return false;
    steps.emplace_back(trace::StepName(e->event.step));
  }
  return true;
}

// Publishers on several threads (as loops and executor threads publish),
// LIVE and COMPLETED subscribers taking on threads of their own, one of them
// subscribing while requests are in flight, and a stats reader, all at once:
// every event arrives once, in its request's order, and no request is seen
// in part.
// Under COROUTER_SANITIZE=thread this is the hub's race check.
TEST(TraceHub, PublishersAndSubscribersOnManyThreadsAtOnce) {
  constexpr int kPublishers = 4, kRequests = 200;
  constexpr size_t kEvents = kPublishers * kRequests * 3;
  TraceHub hub({.history = 50, .watch_buffer = kEvents});
  ThreadedSubscriber live(hub, {});
  SubscribeOptions completed_options;
  completed_options.completed_mode = true;
  ThreadedSubscriber completed(hub, std::move(completed_options));
  std::atomic<bool> publishing = true;
  std::thread reader([&] {
    while (publishing.load()) {
      const HubStats stats = hub.stats();
      EXPECT_LE(stats.history, stats.history_capacity);
      EXPECT_TRUE(hub.enabled());
    }
  });
  // Halfway, each publisher stops with a request in flight (RECEIVED
  // emitted) until the late subscriber is in.
  std::atomic<int> paused = 0;
  std::atomic<bool> late_in = false;
  std::vector<std::thread> publishers;
  for (int t = 0; t < kPublishers; ++t) {
    publishers.emplace_back([&, t] {
      for (int i = 0; i < kRequests; ++i) {
        FakeRequest r(hub, absl::StrCat("p", t, "-", i));
        r.trace.Emit(Step::kReceived, "GET /x");
        if (i == kRequests / 2) {
          ++paused;
          while (!late_in.load()) std::this_thread::yield();
        }
        r.Route("/x");
        r.Respond(200);
      }
    });
  }
  while (paused.load() < kPublishers) std::this_thread::yield();
  // Gets the in-flight requests from their RECEIVED, then what follows.
  ThreadedSubscriber late(hub, {});
  late_in = true;
  for (std::thread& p : publishers) p.join();
  publishing = false;
  reader.join();
  live.Stop();
  completed.Stop();
  late.Stop();

  const std::vector<std::string> whole = {"RECEIVED", "ROUTE_MATCHED", "RESPONSE_SENT"};
  for (ThreadedSubscriber* s : {&live, &completed, &late}) {
    EXPECT_FALSE(s->timed_out);
    EXPECT_EQ(s->dropped, 0u);
    std::map<std::string, std::vector<std::string>> requests;
    ASSERT_TRUE(ByRequest(s->events, &requests));
    for (const auto& [id, steps] : requests) EXPECT_EQ(steps, whole) << id;
    EXPECT_EQ(s->events.size(), s == &late ? kEvents / 2 : kEvents);
  }
  EXPECT_EQ(completed.cursor, hub.CursorText(kPublishers * kRequests));
  EXPECT_EQ(hub.stats().history, 50u);
  EXPECT_EQ(hub.stats().subscribers, 0u);
}

TEST(TraceHub, AnExporterMustSubscribeInCompletedModeWithoutReplay) {
  TraceHub hub({.history = 10, .watch_buffer = 100});
  SubscribeOptions live;
  live.exporter = ExporterQueue{};
  EXPECT_EQ(hub.Subscribe(std::move(live), [] {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  SubscribeOptions replay;
  replay.completed_mode = true;
  replay.replay = 3;
  replay.exporter = ExporterQueue{};
  EXPECT_EQ(hub.Subscribe(std::move(replay), [] {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace corouter::watch
