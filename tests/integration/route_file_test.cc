// Route files end to end over gRPC: examples/seed_app.yaml is the embedded
// seed app (same answers, same trace steps, same route table), and the steps
// that need a real loop and executor (sleep, gather, offload, cpu, timeout)
// behave as their Python counterparts.
#include "server/app/route_file.h"

#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <utility>
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

app::App LoadFile(const std::string& path, double time_scale) {
  auto app = app::LoadRouteFile(path, {.time_scale = time_scale});
  EXPECT_TRUE(app.ok()) << app.status();
  return app.ok() ? *std::move(app) : app::App();
}

app::App LoadText(const std::string& yaml, double time_scale = 1.0) {
  auto app = app::ParseRouteFile(yaml, "test.yaml", {.time_scale = time_scale});
  EXPECT_TRUE(app.ok()) << app.status();
  return app.ok() ? *std::move(app) : app::App();
}

std::vector<std::pair<std::string, std::string>> Headers(const v1::HttpResponse& response) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& h : response.headers()) out.emplace_back(h.name(), h.value());
  return out;
}

// Traced with a `host` header, so that redirect locations do not name the
// two servers' different ports.
std::vector<v1::TraceEvent> Traced(TestServer& server, const std::string& method,
                                   const std::string& target) {
  return server.Traced(method, target, nullptr, {{"host", "testserver"}});
}

v1::ListRoutesResponse Routes(TestServer& server) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ListRoutesResponse response;
  EXPECT_TRUE(server.stub().ListRoutes(&ctx, v1::ListRoutesRequest(), &response).ok());
  return response;
}

TEST(SeedAppYaml, AnswersEverySeedRouteAsTheEmbeddedAppWithTheSameTraceSteps) {
  constexpr double kScale = 0.01;
  SeedServer embedded(kScale);
  TestServer from_file(LoadFile(COROUTER_SEED_APP_YAML, kScale));
  for (const std::string target :
       {"/hello", "/ping", "/wait", "/slow_task/7?q=x", "/slow_task/7", "/slow_task/x",
        "/fast_task/", "/fast_task", "/sync-task", "/items", "/missing-await", "/blocking",
        "/sync-wait", "/nope"}) {
    SCOPED_TRACE(target);
    const auto want = Traced(embedded, "GET", target);
    const auto got = Traced(from_file, "GET", target);
    EXPECT_EQ(Steps(got), Steps(want));
    ASSERT_FALSE(want.empty());
    ASSERT_FALSE(got.empty());
    const v1::HttpResponse& a = want.back().response();
    const v1::HttpResponse& b = got.back().response();
    EXPECT_EQ(b.status_code(), a.status_code());
    EXPECT_EQ(Headers(b), Headers(a));
    EXPECT_EQ(b.body(), a.body());
    if (want.size() > 1 && want[1].step() == v1::STEP_ROUTE_MATCHED) {
      EXPECT_EQ(got[1].route().endpoint(), want[1].route().endpoint());
    }
  }
  // A POST whose background tasks run after the response: the same steps.
  EXPECT_EQ(Steps(Traced(from_file, "POST", "/send-notification/a@b.c")),
            Steps(Traced(embedded, "POST", "/send-notification/a@b.c")));
  // Other methods too: 405 with the same allow.
  const auto want = Traced(embedded, "POST", "/hello");
  const auto got = Traced(from_file, "POST", "/hello");
  EXPECT_EQ(Headers(got.back().response()), Headers(want.back().response()));
  EXPECT_EQ(got.back().response().body(), want.back().response().body());
}

TEST(SeedAppYaml, ListsTheSameRouteTable) {
  SeedServer embedded(0.01);
  TestServer from_file(LoadFile(COROUTER_SEED_APP_YAML, 0.01));
  v1::ListRoutesResponse want = Routes(embedded);
  v1::ListRoutesResponse got = Routes(from_file);
  // The route tables, not when each app was loaded.
  EXPECT_EQ(got.app().version(), 1u);
  EXPECT_EQ(got.app().routes(), want.app().routes());
  want.clear_app();
  got.clear_app();
  EXPECT_EQ(got.SerializeAsString(), want.SerializeAsString()) << "want:\n"
                                                               << want.DebugString() << "got:\n"
                                                               << got.DebugString();
}

constexpr char kSteps[] = R"(
routes:
  - name: both
    path: /gather
    steps:
      - gather:
          - [{sleep: 400ms}]
          - [{sleep: 200ms}, {offload: {name: work, steps: [{blocking: 100ms}]}}]
      - respond: {body: {done: true}}
  - name: gather_raise
    path: /gather-raise
    steps:
      - gather:
          - [{sleep: 300ms}]
          - [{sleep: 50ms}, {raise: {status: 409, detail: conflict}}]
  - name: cpu_bound
    path: /cpu
    steps:
      - cpu: 400ms
      - respond: {body: {done: true}}
  - name: fast
    path: /fast
    steps:
      - respond: {body: {fast: true}}
  - name: too_slow
    path: /too-slow
    timeout: 100ms
    steps:
      - sleep: 10s
  - name: too_slow_gather
    path: /too-slow-gather
    timeout: 100ms
    steps:
      - gather: [[{sleep: 10s}], [{sleep: 10s}]]
  - name: in_time
    path: /in-time
    timeout: 5s
    steps:
      - sleep: 10ms
      - respond: {body: {ok: true}}
  - name: sync_cpu
    path: /sync-cpu
    kind: sync
    steps:
      - cpu: 10ms
      - raise: {status: 400, detail: "{n}", headers: {X-N: "n={n}"}}
    params: [{name: n, type: int, default: 3}]
)";

TEST(RouteFileSteps, GatherRunsItsBranchesConcurrently) {
  TestServer server(LoadText(kSteps));
  const auto start = steady_clock::now();
  const auto events = server.Traced("GET", "/gather");
  const auto took = steady_clock::now() - start;
  EXPECT_EQ(events.back().response().body(), R"({"done":true})");
  EXPECT_GE(took, milliseconds(400));
  EXPECT_LT(took, milliseconds(650));  // in series: 700 ms
  // Both branches pause before either resumes.
  EXPECT_THAT(Steps(events),
              ElementsAre(v1::STEP_RECEIVED, v1::STEP_ROUTE_MATCHED, v1::STEP_HANDLER_STARTED,
                          v1::STEP_AWAIT_STARTED, v1::STEP_AWAIT_STARTED, v1::STEP_AWAIT_RESUMED,
                          v1::STEP_OFFLOAD_QUEUED, v1::STEP_OFFLOAD_STARTED,
                          v1::STEP_OFFLOAD_FINISHED, v1::STEP_AWAIT_RESUMED, v1::STEP_AWAIT_RESUMED,
                          v1::STEP_HANDLER_RETURNED, v1::STEP_RESPONSE_SENT));
}

TEST(RouteFileSteps, AGatherBranchThatRaisesAnswersOnceEveryBranchFinished) {
  TestServer server(LoadText(kSteps));
  const auto start = steady_clock::now();
  const auto response = server.Execute("GET", "/gather-raise");
  EXPECT_GE(steady_clock::now() - start, milliseconds(300));
  EXPECT_EQ(response.response().status_code(), 409);
  EXPECT_EQ(response.response().body(), R"({"detail":"conflict"})");
}

TEST(RouteFileSteps, CpuInAnAsyncRouteHoldsTheLoop) {
  TestServer server(LoadText(kSteps));
  const auto start = steady_clock::now();
  auto cpu = std::async(std::launch::async, [&] { return server.Traced("GET", "/cpu"); });
  std::this_thread::sleep_for(milliseconds(100));
  const auto fast = server.Execute("GET", "/fast");
  const auto fast_done = steady_clock::now() - start;
  ASSERT_EQ(cpu.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  const auto events = cpu.get();
  EXPECT_EQ(fast.response().status_code(), 200);
  EXPECT_GE(fast_done, milliseconds(400));  // it waited for the computation
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events[3].step(), v1::STEP_BLOCKING_CALL);
  EXPECT_EQ(events[3].detail(), "blocking call cpu(400ms) holds loop 0");
}

TEST(RouteFileSteps, ARouteTimeoutCancelsTheRequestLikeADeadline) {
  TestServer server(LoadText(kSteps));
  for (const char* target : {"/too-slow", "/too-slow-gather"}) {
    SCOPED_TRACE(target);
    const auto start = steady_clock::now();
    grpc::Status status;
    server.Execute("GET", target, &status);
    EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
    EXPECT_EQ(status.error_message(), "route timeout 100ms");
  }
  grpc::Status status;
  const auto ok = server.Execute("GET", "/in-time", &status);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(ok.response().body(), R"({"ok":true})");
}

TEST(RouteFileSteps, ATimedOutTraceEndsCancelled) {
  TestServer server(LoadText(kSteps));
  grpc::Status status;
  const auto events = server.Traced("GET", "/too-slow", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().step(), v1::STEP_CANCELLED);
  EXPECT_EQ(events.back().detail(), "cancelled at its await: route timeout 100ms");
}

TEST(RouteFileSteps, ASyncRouteComputesAndRaisesOnTheExecutor) {
  TestServer server(LoadText(kSteps));
  const auto events = server.Traced("GET", "/sync-cpu?n=5");
  const v1::HttpResponse& response = events.back().response();
  EXPECT_EQ(response.status_code(), 400);
  EXPECT_EQ(response.body(), R"({"detail":5})");
  EXPECT_EQ(HeaderValue(response, "x-n"), "n=5");
  bool blocking_on_executor = false;
  for (const auto& e : events) {
    if (e.step() == v1::STEP_BLOCKING_CALL) {
      blocking_on_executor = e.thread().rfind("executor-", 0) == 0;
      EXPECT_THAT(e.detail(), ::testing::StartsWith("blocking call cpu(10ms) on executor-"));
    }
  }
  EXPECT_TRUE(blocking_on_executor);
}

// A route whose sleep is drawn from a distribution; --time-scale 0.001 keeps
// the real waits under a millisecond.
app::App DrawnApp(uint64_t seed) {
  auto app = app::ParseRouteFile(R"(routes:
  - name: drawn
    path: /drawn
    kind: async
    steps:
      - sleep: {lognormal: {p50: 200ms, p99: 900ms, max: 2s}}
)",
                                 "drawn.yaml", {.time_scale = 0.001, .seed = seed});
  EXPECT_TRUE(app.ok()) << app.status();
  return app.ok() ? *std::move(app) : app::App();
}

// The AWAIT_STARTED details of `n` requests to /drawn, in order.
std::vector<std::string> SleepsOf(TestServer& server, int n) {
  std::vector<std::string> sleeps;
  for (int i = 0; i < n; ++i) {
    for (const v1::TraceEvent& e : server.Traced("GET", "/drawn")) {
      if (e.step() == v1::STEP_AWAIT_STARTED) sleeps.push_back(e.detail());
    }
  }
  return sleeps;
}

TEST(RouteFileSleeps, TheSampledDurationIsInTheTraceAndASeedRepeatsIt) {
  TestServer one(DrawnApp(7));
  TestServer same(DrawnApp(7));
  TestServer other(DrawnApp(8));
  const std::vector<std::string> a = SleepsOf(one, 8);
  ASSERT_EQ(a.size(), 8u);
  EXPECT_THAT(a[0], ::testing::StartsWith("sleep("));
  EXPECT_EQ(SleepsOf(same, 8), a);
  EXPECT_NE(SleepsOf(other, 8), a);
  // Drawn, not fixed: the 8 are not all alike.
  EXPECT_GT(std::set<std::string>(a.begin(), a.end()).size(), 1u);
}

TEST(RouteFileSequence, ASyncRouteAnswersEachRequestInTurnAndRepeatsTheLast) {
  TestServer server(LoadText(R"(routes:
  - name: job
    path: /job
    kind: sync
    sequence:
      - [{respond: {status: 202, body: {state: queued}}}]
      - [{blocking: 1ms}, {respond: {body: {state: done}}}]
)"));
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) {
    statuses.push_back(server.Execute("GET", "/job").response().status_code());
  }
  EXPECT_THAT(statuses, ElementsAre(202, 200, 200, 200));
}

}  // namespace
}  // namespace corouter::testing
