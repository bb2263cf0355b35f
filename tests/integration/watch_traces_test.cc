// rpc WatchTraces end to end: a real server on loopback, subscribers on
// their own channels, every wait bounded.
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/grpc/watch_traces_call.h"
#include "tests/integration/seed_server.h"
#include "tests/integration/watch_client.h"

namespace corouter::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace v1 = corouter::v1;

v1::GetStatsResponse Stats(TestServer& server) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::GetStatsResponse stats;
  EXPECT_TRUE(server.stub().GetStats(&ctx, v1::GetStatsRequest(), &stats).ok());
  return stats;
}

// Waits until the server has `n` subscribers, so that what follows is live.
void AwaitSubscribers(TestServer& server, uint32_t n) {
  ASSERT_TRUE(Eventually([&] { return Stats(server).watch().subscribers() == n; }))
      << "subscribers: " << Stats(server).watch().subscribers();
}

// rpc Execute with a request id of our choosing.
v1::ExecuteResponse Send(TestServer& server, const std::string& id, const std::string& target,
                         const std::string& method = "GET") {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ExecuteRequest request;
  request.mutable_request()->set_method(method);
  request.mutable_request()->set_target(target);
  request.set_request_id(id);
  v1::ExecuteResponse response;
  grpc::Status status = server.stub().Execute(&ctx, request, &response);
  EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
  return response;
}

v1::WatchTracesRequest Live() {
  v1::WatchTracesRequest r;
  r.set_mode(v1::WATCH_MODE_LIVE);
  return r;
}
v1::WatchTracesRequest Completed() {
  v1::WatchTracesRequest r;
  r.set_mode(v1::WATCH_MODE_COMPLETED);
  return r;
}

std::set<std::string> Ids(const std::vector<v1::TraceEvent>& events) {
  std::set<std::string> ids;
  for (const auto& e : events) ids.insert(e.request_id());
  return ids;
}

// A whole trace: sequence 1, 2, 3... from RECEIVED to RESPONSE_SENT.
void ExpectWhole(const std::vector<v1::TraceEvent>& trace, const std::string& id) {
  ASSERT_FALSE(trace.empty()) << id;
  EXPECT_EQ(trace.front().step(), v1::STEP_RECEIVED) << id;
  EXPECT_EQ(trace.back().step(), v1::STEP_RESPONSE_SENT) << id;
  for (size_t i = 0; i < trace.size(); ++i) EXPECT_EQ(trace[i].sequence(), i + 1) << id;
}

TEST(WatchTraces, SeesSeed004Live) {
  // /slow_task sleeps 5 s, as in the seed: a margin no loaded or sanitized
  // build comes near (1 s was not enough under ASan on 2 busy cores).
  SeedServer server(1.0);
  WatchClient watch(server, Live());
  AwaitSubscribers(server, 1);
  auto slow =
      std::async(std::launch::async, [&] { return Send(server, "A", "/slow_task/1?q=test"); });
  // RECEIVED of the slow task arrives before its RESPONSE_SENT exists.
  ASSERT_TRUE(watch.WaitFor([](const auto& e) { return Has(e, "A", v1::STEP_AWAIT_STARTED); }))
      << watch.Events().size() << " " << Stats(server).watch().DebugString();
  EXPECT_TRUE(Has(watch.Events(), "A", v1::STEP_RECEIVED));
  EXPECT_FALSE(Has(watch.Events(), "A", v1::STEP_RESPONSE_SENT));
  const auto b_sent = steady_clock::now();
  Send(server, "B", "/fast_task/");
  const auto b_answered = steady_clock::now();
  ASSERT_TRUE(watch.WaitFor([](const auto& e) { return Has(e, "B", v1::STEP_RESPONSE_SENT); }));
  const auto b_seen = steady_clock::now();
  // B's whole trace came while A was still asleep. Should it not, say
  // whether B was served late (its RECEIVED long after A's, its call slow)
  // or delivered late (answered at once, seen in the feed much later).
  EXPECT_FALSE(Has(watch.Events(), "A", v1::STEP_RESPONSE_SENT))
      << "Execute B took " << std::chrono::duration_cast<milliseconds>(b_answered - b_sent).count()
      << " ms; B's RESPONSE_SENT reached the feed "
      << std::chrono::duration_cast<milliseconds>(b_seen - b_answered).count()
      << " ms after its answer; the feed, with times since A's RECEIVED:\n"
      <<
      [&] {
        std::string out;
        const auto all = watch.Events();
        const uint64_t t0 = all.empty() ? 0 : Of(all, "A").front().time_unix_nano();
        for (const auto& e : all) {
          out +=
              e.request_id() + " " + v1::Step_Name(e.step()) + " +" +
              std::to_string((static_cast<int64_t>(e.time_unix_nano()) - static_cast<int64_t>(t0)) /
                             1000000) +
              " ms\n";
        }
        return out;
      }();
  ExpectWhole(Of(watch.Events(), "B"), "B");
  EXPECT_EQ(slow.get().response().status_code(), 200);
  ASSERT_TRUE(watch.WaitFor([](const auto& e) { return Has(e, "A", v1::STEP_RESPONSE_SENT); }));
  const auto a = Of(watch.Events(), "A");
  ExpectWhole(a, "A");
  // In the feed's order (one loop), all of B lies between A's await and
  // its resumption.
  const auto all = watch.Events();
  auto position = [&](const std::string& id, v1::Step step) {
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].request_id() == id && all[i].step() == step) return i;
    }
    return all.size();
  };
  EXPECT_LT(position("A", v1::STEP_AWAIT_STARTED), position("B", v1::STEP_RECEIVED));
  EXPECT_LT(position("B", v1::STEP_RESPONSE_SENT), position("A", v1::STEP_AWAIT_RESUMED));
  EXPECT_EQ(a.back().response().status_code(), 200);
  EXPECT_TRUE(a.back().response().body().empty());  // the feed leaves bodies out
  EXPECT_EQ(a[1].route().path_template(), "/slow_task/{item_id}");
}

TEST(WatchTraces, SeesExecuteTracedAndOffloadsFromExecutorThreads) {
  SeedServer server(0.01);
  WatchClient watch(server, Live());
  AwaitSubscribers(server, 1);
  const auto own = server.Traced("GET", "/sync-task");
  ASSERT_FALSE(own.empty());
  const std::string id = own.front().request_id();
  ASSERT_TRUE(watch.WaitFor([&](const auto& e) { return Has(e, id, v1::STEP_RESPONSE_SENT); }));
  const auto seen = Of(watch.Events(), id);
  ASSERT_EQ(seen.size(), own.size());
  for (size_t i = 0; i < own.size(); ++i) {
    EXPECT_EQ(seen[i].step(), own[i].step());
    EXPECT_EQ(seen[i].thread(), own[i].thread());
  }
  EXPECT_TRUE(Has(seen, id, v1::STEP_OFFLOAD_STARTED));
}

TEST(WatchTraces, PathTemplateFilterHoldsEventsUntilTheRouteIsKnown) {
  SeedServer server(0.01);
  v1::WatchTracesRequest request = Live();
  request.mutable_filter()->add_path_templates("/fast_task/");
  WatchClient watch(server, request);
  AwaitSubscribers(server, 1);
  Send(server, "out", "/hello");
  Send(server, "404", "/nowhere");
  Send(server, "in", "/fast_task/");
  ASSERT_TRUE(watch.WaitFor([](const auto& e) { return Has(e, "in", v1::STEP_RESPONSE_SENT); }));
  EXPECT_EQ(Ids(watch.Events()), std::set<std::string>{"in"});
  ExpectWhole(watch.Events(), "in");
}

TEST(WatchTraces, MethodAndEndpointFiltersCombine) {
  SeedServer server(0.01);
  v1::WatchTracesRequest request = Live();
  request.mutable_filter()->add_methods("GET");
  request.mutable_filter()->add_endpoints("read_root");
  request.mutable_filter()->add_endpoints("say_hello");
  WatchClient watch(server, request);
  AwaitSubscribers(server, 1);
  Send(server, "post", "/fast_task/", "POST");  // 405: wrong method, and no route
  Send(server, "ping", "/ping");                // endpoint simple_ping
  Send(server, "hello", "/hello");
  Send(server, "fast", "/fast_task/");
  ASSERT_TRUE(watch.WaitFor([](const auto& e) { return Has(e, "fast", v1::STEP_RESPONSE_SENT); }));
  EXPECT_EQ(Ids(watch.Events()), (std::set<std::string>{"hello", "fast"}));
}

TEST(WatchTraces, CompletedModeFiltersOnStatusOutcomeAndDuration) {
  SeedServer server(0.1);  // /items sleeps 10 ms, /wait 200 ms
  v1::WatchTracesRequest status = Completed();
  status.mutable_filter()->add_status("4xx");
  WatchClient by_status(server, status);
  v1::WatchTracesRequest failed = Completed();
  failed.mutable_filter()->add_outcomes(v1::OUTCOME_FAILED);
  WatchClient by_outcome(server, failed);
  v1::WatchTracesRequest slow = Completed();
  slow.mutable_filter()->set_min_duration_nanos(100'000'000);
  WatchClient by_duration(server, slow);
  v1::WatchTracesRequest exact = Completed();
  exact.mutable_filter()->add_status("200");
  exact.mutable_filter()->add_path_templates("/items");
  WatchClient by_code(server, exact);
  AwaitSubscribers(server, 4);
  Send(server, "ok", "/fast_task/");
  Send(server, "items", "/items");
  Send(server, "422", "/slow_task/x");
  Send(server, "wait", "/wait");
  ASSERT_TRUE(
      by_status.WaitFor([](const auto& e) { return Has(e, "422", v1::STEP_RESPONSE_SENT); }));
  ASSERT_TRUE(
      by_outcome.WaitFor([](const auto& e) { return Has(e, "422", v1::STEP_RESPONSE_SENT); }));
  ASSERT_TRUE(
      by_duration.WaitFor([](const auto& e) { return Has(e, "wait", v1::STEP_RESPONSE_SENT); }));
  ASSERT_TRUE(
      by_code.WaitFor([](const auto& e) { return Has(e, "items", v1::STEP_RESPONSE_SENT); }));
  // One loop: every earlier request's trace would have arrived first.
  ASSERT_TRUE(Eventually([&] { return Stats(server).in_flight() == 0; }));
  EXPECT_EQ(Ids(by_status.Events()), std::set<std::string>{"422"});
  EXPECT_EQ(Ids(by_outcome.Events()), std::set<std::string>{"422"});
  EXPECT_EQ(Ids(by_duration.Events()), std::set<std::string>{"wait"});
  EXPECT_EQ(Ids(by_code.Events()), std::set<std::string>{"items"});
  // A COMPLETED trace arrives whole, in one response.
  for (const auto& r : by_status.Responses()) {
    if (r.events_size() > 0) {
      EXPECT_EQ(r.events(r.events_size() - 1).step(), v1::STEP_RESPONSE_SENT);
    }
  }
  ExpectWhole(by_status.Events(), "422");
}

TEST(WatchTraces, SamplingSendsWholeRequestsAndIsTheSameForEverySubscriber) {
  SeedServer server(0.01);
  v1::WatchTracesRequest half = Live();
  half.mutable_filter()->set_sample_rate(0.5);
  WatchClient live(server, half);
  AwaitSubscribers(server, 1);
  constexpr int kRequests = 60;
  // absl::StrCat, here and below, not "r" + std::to_string(i): GCC 12 at
  // -O2/-O3 reports a false -Wrestrict in libstdc++'s operator+ (GCC bug 105651).
  for (int i = 0; i < kRequests; ++i) Send(server, absl::StrCat("r", i), "/fast_task/");
  // Two replays of the history with the same rate, taken after every request
  // ended: each comes whole in the first response (60 x 5 events < 512).
  v1::WatchTracesRequest replay = Completed();
  replay.set_replay(kRequests);
  replay.mutable_filter()->set_sample_rate(0.5);
  WatchClient first(server, replay);
  WatchClient second(server, replay);
  ASSERT_TRUE(first.WaitFor([](const auto& e) { return !e.empty(); }));
  ASSERT_TRUE(second.WaitFor([](const auto& e) { return !e.empty(); }));
  const v1::WatchTracesResponse front = first.Responses().front();
  const std::set<std::string> sampled =
      Ids(std::vector<v1::TraceEvent>(front.events().begin(), front.events().end()));
  EXPECT_EQ(Ids(first.Events()), sampled);  // nothing came after the replay
  EXPECT_GT(sampled.size(), 10u);
  EXPECT_LT(sampled.size(), 50u);
  EXPECT_EQ(Ids(second.Events()), sampled);
  for (const std::string& id : sampled) ExpectWhole(Of(first.Events(), id), id);
  // The live subscriber with the same rate got exactly these, each whole.
  ASSERT_TRUE(Eventually([&] { return Ids(live.Events()) == sampled; }))
      << Ids(live.Events()).size() << " of " << sampled.size();
  for (const std::string& id : sampled) ExpectWhole(Of(live.Events(), id), id);
}

TEST(WatchTraces, ReplayThenLiveWithNoGapAndNoDuplicate) {
  SeedServer server(0.01);
  for (int i = 0; i < 5; ++i) Send(server, absl::StrCat("old", i), "/fast_task/");
  v1::WatchTracesRequest request = Completed();
  request.set_replay(3);
  WatchClient watch(server, request);
  AwaitSubscribers(server, 1);
  Send(server, "new", "/fast_task/");
  ASSERT_TRUE(watch.WaitFor([](const auto& e) { return Has(e, "new", v1::STEP_RESPONSE_SENT); }));
  std::vector<std::string> order;
  for (const auto& e : watch.Events()) {
    if (e.step() == v1::STEP_RECEIVED) order.push_back(e.request_id());
  }
  EXPECT_THAT(order, ElementsAre("old2", "old3", "old4", "new"));
  for (const std::string& id : order) ExpectWhole(Of(watch.Events(), id), id);
}

TEST(WatchTraces, LiveSubscriberGetsInFlightRequestsWhole) {
  SeedServer server(1.0);  // /wait sleeps 2 s: time enough to subscribe meanwhile
  auto waiting = std::async(std::launch::async, [&] { return Send(server, "W", "/wait"); });
  ASSERT_TRUE(Eventually([&] { return Stats(server).in_flight() == 1; }));
  WatchClient watch(server, Live());
  ASSERT_TRUE(watch.WaitFor([](const auto& e) { return Has(e, "W", v1::STEP_RESPONSE_SENT); }));
  waiting.get();
  ExpectWhole(Of(watch.Events(), "W"), "W");
}

TEST(WatchTraces, ResumesFromACursorAndReportsLosses) {
  grpc_front::ServerOptions options;
  options.trace_history = 3;
  SeedServer server(0.01, options);
  std::string cursor;
  {
    WatchClient watch(server, Completed());
    AwaitSubscribers(server, 1);
    Send(server, "a", "/fast_task/");
    ASSERT_TRUE(watch.WaitFor([](const auto& e) { return Has(e, "a", v1::STEP_RESPONSE_SENT); }));
    cursor = watch.Responses().back().cursor();
  }
  ASSERT_TRUE(Eventually([&] { return Stats(server).watch().subscribers() == 0; }));
  Send(server, "b", "/fast_task/");
  Send(server, "c", "/fast_task/");
  {
    v1::WatchTracesRequest resume = Completed();
    resume.set_resume_cursor(cursor);
    WatchClient watch(server, resume);
    ASSERT_TRUE(watch.WaitFor([](const auto& e) { return Has(e, "c", v1::STEP_RESPONSE_SENT); }));
    EXPECT_EQ(Ids(watch.Events()), (std::set<std::string>{"b", "c"}));
    EXPECT_FALSE(watch.Responses().front().has_lost());
  }
  // The ring keeps 3: after d and e, b is gone too.
  Send(server, "d", "/fast_task/");
  Send(server, "e", "/fast_task/");
  {
    v1::WatchTracesRequest resume = Live();
    resume.set_resume_cursor(cursor);
    WatchClient watch(server, resume);
    ASSERT_TRUE(watch.WaitFor([](const auto& e) { return Has(e, "e", v1::STEP_RESPONSE_SENT); }));
    EXPECT_EQ(Ids(watch.Events()), (std::set<std::string>{"c", "d", "e"}));
    ASSERT_TRUE(watch.Responses().front().has_lost());
    EXPECT_EQ(watch.Responses().front().lost().traces(), 1u);
    EXPECT_FALSE(watch.Responses().front().lost().earlier_run());
  }
  // A cursor of another run (another server) is a loss, not an error.
  SeedServer other(0.01, options);
  {
    v1::WatchTracesRequest resume = Completed();
    resume.set_resume_cursor(cursor);
    WatchClient watch(other, resume);
    ASSERT_TRUE(watch.WaitFor([&](const auto&) { return !watch.Responses().empty(); }));
    ASSERT_TRUE(watch.Responses().front().has_lost());
    EXPECT_TRUE(watch.Responses().front().lost().earlier_run());
  }
}

TEST(WatchTraces, BadRequestsAreRefusedNamingTheFieldAndTheServerGoesOn) {
  SeedServer server(0.01);
  struct Case {
    v1::WatchTracesRequest request;
    std::string field;
  };
  std::vector<Case> cases;
  {
    v1::WatchTracesRequest r = Completed();
    r.mutable_filter()->add_status("6xx");
    cases.push_back({r, "filter.status"});
  }
  {
    v1::WatchTracesRequest r = Completed();
    r.mutable_filter()->add_status("20");
    cases.push_back({r, "filter.status"});
  }
  {
    v1::WatchTracesRequest r = Live();
    r.mutable_filter()->set_sample_rate(1.5);
    cases.push_back({r, "filter.sample_rate"});
  }
  {
    v1::WatchTracesRequest r = Live();
    r.mutable_filter()->set_sample_rate(-0.1);
    cases.push_back({r, "filter.sample_rate"});
  }
  {
    v1::WatchTracesRequest r = Completed();
    r.mutable_filter()->set_min_duration_nanos(-1);
    cases.push_back({r, "filter.min_duration_nanos"});
  }
  {
    v1::WatchTracesRequest r = Live();
    r.mutable_filter()->add_status("5xx");
    cases.push_back({r, "filter.status"});
  }
  {
    v1::WatchTracesRequest r = Live();
    r.mutable_filter()->add_outcomes(v1::OUTCOME_FAILED);
    cases.push_back({r, "filter.outcomes"});
  }
  {
    v1::WatchTracesRequest r = Live();
    r.mutable_filter()->set_min_duration_nanos(5);
    cases.push_back({r, "filter.min_duration_nanos"});
  }
  {
    v1::WatchTracesRequest r = Completed();
    r.mutable_filter()->add_outcomes(static_cast<v1::Outcome>(42));
    cases.push_back({r, "filter.outcomes"});
  }
  {
    v1::WatchTracesRequest r = Live();
    r.set_mode(static_cast<v1::WatchMode>(9));
    cases.push_back({r, "mode"});
  }
  for (const char* bad : {"nonsense", "c1.xyz.3", "c1.0000000000000000"}) {
    v1::WatchTracesRequest r = Live();
    r.set_resume_cursor(bad);
    cases.push_back({r, "resume_cursor"});
  }
  for (const Case& c : cases) {
    WatchClient watch(server, c.request);
    const grpc::Status status = watch.WaitEnded();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_THAT(status.error_message(), HasSubstr(c.field));
  }
  EXPECT_EQ(Send(server, "after", "/fast_task/").response().status_code(), 200);
  EXPECT_EQ(Stats(server).watch().subscribers(), 0u);
}

TEST(WatchTraces, ASubscriberThatNeverReadsLosesEventsNotRequests) {
  grpc_front::ServerOptions options;
  options.watch_buffer = 256;
  SeedServer server(0.01, options);
  // A raw stream nobody reads, on its own channel with a fixed 64 KiB
  // flow-control window (no BDP probing, which would grow it to megabytes):
  // the window fills, then the subscriber's queue.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  auto stuck_channel =
      grpc::CreateCustomChannel(server.address(), grpc::InsecureChannelCredentials(), args);
  auto stuck_stub = v1::ExecutionService::NewStub(stuck_channel);
  grpc::ClientContext stuck_ctx;
  stuck_ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  auto stuck = stuck_stub->WatchTraces(&stuck_ctx, Live());
  AwaitSubscribers(server, 1);
  constexpr int kRequests = 3000;
  for (int i = 0; i < kRequests; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    v1::ExecuteRequest request;
    request.mutable_request()->set_method("GET");
    request.mutable_request()->set_target("/fast_task/");
    v1::ExecuteResponse response;
    ASSERT_TRUE(server.stub().Execute(&ctx, request, &response).ok()) << i;
  }
  const v1::GetStatsResponse stats = Stats(server);
  // 5 events a request; what was not written or queued was dropped, counted.
  const uint64_t published = 5 * kRequests;
  EXPECT_GT(stats.watch().events_dropped(), 0u);
  EXPECT_GE(stats.watch().events_dropped() + stats.watch().events_sent() + options.watch_buffer +
                grpc_front::WatchTracesCall::kMaxBatchEvents,
            published);
  EXPECT_EQ(stats.loops(0).completed(), static_cast<uint64_t>(kRequests));
  stuck_ctx.TryCancel();
  ASSERT_TRUE(Eventually([&] { return Stats(server).watch().subscribers() == 0; }));
}

TEST(WatchTraces, DeadlineAndCancelFreeTheSubscriber) {
  SeedServer server(0.01);
  {
    WatchClient short_lived(server, Live(), milliseconds(300));
    EXPECT_EQ(short_lived.WaitEnded().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  ASSERT_TRUE(Eventually([&] { return Stats(server).watch().subscribers() == 0; }));
  WatchClient cancelled(server, Live());
  AwaitSubscribers(server, 1);
  cancelled.Cancel();
  EXPECT_EQ(cancelled.WaitEnded().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(Eventually([&] { return Stats(server).watch().subscribers() == 0; }));
}

TEST(WatchTraces, ShutdownEndsWatchesWithinTheGrace) {
  auto server = std::make_unique<SeedServer>(0.01);
  WatchClient reading(*server, Live());
  grpc::ClientContext stuck_ctx;
  stuck_ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  auto stuck = server->stub().WatchTraces(&stuck_ctx, Live());
  AwaitSubscribers(*server, 2);
  for (int i = 0; i < 200; ++i) Send(*server, absl::StrCat("s", i), "/fast_task/");
  const auto start = steady_clock::now();
  server->server().Shutdown(absl::Seconds(2));
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(8));
  EXPECT_TRUE(reading.WaitEnded().ok());
  stuck_ctx.TryCancel();
}

TEST(ExecuteTraced, CoalescesEventsAndEndsWithResponseSent) {
  SeedServer server(0.01);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ExecuteTracedRequest request;
  request.mutable_request()->set_method("GET");
  request.mutable_request()->set_target("/sync-task");
  auto reader = server.stub().ExecuteTraced(&ctx, request);
  v1::ExecuteTracedResponse message;
  std::vector<v1::TraceEvent> events;
  int messages = 0;
  v1::ExecuteTracedResponse last;
  while (reader->Read(&message)) {
    ++messages;
    EXPECT_GT(message.events_size(), 0);
    events.insert(events.end(), message.events().begin(), message.events().end());
    last = message;
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_LE(messages, static_cast<int>(events.size()));
  ASSERT_GT(last.events_size(), 0);
  EXPECT_EQ(last.events(last.events_size() - 1).step(), v1::STEP_RESPONSE_SENT);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].sequence(), i + 1);
}

}  // namespace
}  // namespace corouter::testing

namespace corouter::testing {
namespace {

// An async path operation without an await runs in one slice of loop work:
// all its steps leave in one message, with the status.
TEST(ExecuteTraced, OneSliceOfStepsIsOneMessage) {
  SeedServer server(0.01);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ExecuteTracedRequest request;
  request.mutable_request()->set_method("GET");
  request.mutable_request()->set_target("/fast_task/");
  auto reader = server.stub().ExecuteTraced(&ctx, request);
  std::vector<v1::ExecuteTracedResponse> messages;
  v1::ExecuteTracedResponse message;
  while (reader->Read(&message)) messages.push_back(message);
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_EQ(messages.size(), 1u);
  ASSERT_EQ(messages[0].events_size(), 5);
  EXPECT_EQ(messages[0].events(4).step(), v1::STEP_RESPONSE_SENT);
}

}  // namespace
}  // namespace corouter::testing
