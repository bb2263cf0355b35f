// Background tasks (Starlette's BackgroundTasks) and the missing await, end
// to end: a real server on 127.0.0.1:0, every wait bounded.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/http_exception.h"
#include "server/app/route_file.h"
#include "server/loop/offload.h"
#include "server/loop/sleep.h"
#include "server/trace/thread_name.h"
#include "tests/integration/seed_server.h"
#include "tests/integration/watch_client.h"

namespace corouter::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace v1 = corouter::v1;

// What the background tasks saw, shared with the test thread.
struct Record {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> ran;  // task, thread
  std::atomic<bool> finished{false};
  std::atomic<bool> cancelled{false};

  void Ran(const std::string& task) {
    std::lock_guard<std::mutex> lock(mu);
    ran.emplace_back(task, trace::CurrentThreadName());
  }
  std::vector<std::pair<std::string, std::string>> Ran() {
    std::lock_guard<std::mutex> lock(mu);
    return ran;
  }
};

// A gate a sync background task waits at (bounded), opened by the test.
struct Gate {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  bool Wait() const {
    return opened.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  }
};

app::App BackgroundApp(std::shared_ptr<Record> record, std::shared_ptr<Gate> gate) {
  using http::JsonResponse;
  using http::Response;
  using loop::Task;
  app::App app;
  app.Get("/order", "order", {}, [record](app::RequestContext& ctx) -> Task<Response> {
    ctx.AddBackgroundTask("first", [record](app::RequestContext&) -> Task<void> {
      co_await loop::Sleep(milliseconds(10));
      record->Ran("first");
    });
    ctx.AddBackgroundTask("second", [record](app::RequestContext&) { record->Ran("second"); });
    ctx.AddBackgroundTask("third", [record](app::RequestContext&) -> Task<void> {
      record->Ran("third");
      record->finished = true;
      co_return;
    });
    co_return JsonResponse({{"ok", true}});
  });
  // A def path operation may add tasks too (FastAPI injects BackgroundTasks
  // into either kind).
  app.Get("/sync-adds", "sync_adds", {}, [record](app::RequestContext& ctx) -> Response {
    ctx.AddBackgroundTask("from_def", [record](app::RequestContext&) -> Task<void> {
      record->Ran("from_def");
      record->finished = true;
      co_return;
    });
    return JsonResponse({{"ok", true}});
  });
  app.Get("/gated", "gated", {}, [record, gate](app::RequestContext& ctx) -> Task<Response> {
    // Finished only once the offload resumed it on the loop: were the task
    // cancelled meanwhile, that co_await would throw instead.
    ctx.AddBackgroundTask("wait_at_gate", [record, gate](app::RequestContext&) -> Task<void> {
      // A local, not a temporary in the co_await: GCC 12 frees a temporary
      // closure with non-trivial captures there twice (offload.h).
      auto wait = [gate] { return gate->Wait(); };
      const bool opened = co_await loop::Offload("gate", std::move(wait));
      if (opened) record->finished = true;
    });
    co_return JsonResponse({{"ok", true}});
  });
  app.Get("/fails", "fails", {}, [record](app::RequestContext& ctx) -> Task<Response> {
    ctx.AddBackgroundTask("boom", [](app::RequestContext&) -> Task<void> {
      throw std::runtime_error("the mail server is down");
      co_return;
    });
    ctx.AddBackgroundTask("after_boom", [record](app::RequestContext&) { record->Ran("after"); });
    co_return JsonResponse({{"sent", "yes"}}, 201);
  });
  app.Get("/raises", "raises", {}, [record](app::RequestContext& ctx) -> Task<Response> {
    ctx.AddBackgroundTask("never", [record](app::RequestContext&) { record->Ran("never"); });
    throw app::HttpException(404, "Item not found");
    co_return JsonResponse({});
  });
  app.Get("/sleeps", "sleeps", {}, [record](app::RequestContext& ctx) -> Task<Response> {
    ctx.AddBackgroundTask("nap", [record](app::RequestContext&) -> Task<void> {
      try {
        co_await loop::Sleep(milliseconds(300));
        record->finished = true;
      } catch (const loop::CancelledError&) {
        record->cancelled = true;
        throw;
      }
    });
    co_return JsonResponse({{"ok", true}});
  });
  app.Get("/endless", "endless", {}, [record](app::RequestContext& ctx) -> Task<Response> {
    ctx.AddBackgroundTask("forever", [record](app::RequestContext&) -> Task<void> {
      try {
        co_await loop::Sleep(std::chrono::seconds(600));
        record->finished = true;
      } catch (const loop::CancelledError&) {
        record->cancelled = true;
        throw;
      }
    });
    co_return JsonResponse({{"ok", true}});
  });
  app.Get("/fast", "fast", {}, [](app::RequestContext&) -> Task<Response> {
    co_return JsonResponse({{"ok", true}});
  });
  return app;
}

class BackgroundTasks : public ::testing::Test {
 protected:
  std::shared_ptr<Record> record_ = std::make_shared<Record>();
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  TestServer server_{BackgroundApp(record_, gate_)};
};

// The steps after RESPONSE_SENT, and the thread each ran on.
std::vector<v1::TraceEvent> AfterResponse(const std::vector<v1::TraceEvent>& events) {
  std::vector<v1::TraceEvent> out;
  bool sent = false;
  for (const auto& e : events) {
    if (sent) out.push_back(e);
    sent = sent || e.step() == v1::STEP_RESPONSE_SENT;
  }
  return out;
}

TEST_F(BackgroundTasks, RunAfterTheResponseInOrderAsyncOnTheLoopSyncOnTheExecutor) {
  const auto events = server_.Traced("GET", "/order");
  // ExecuteTraced ends after the tasks: they have all run by now.
  EXPECT_TRUE(record_->finished);
  const auto ran = record_->Ran();
  ASSERT_EQ(ran.size(), 3u);
  EXPECT_EQ(ran[0].first, "first");
  EXPECT_EQ(ran[0].second, "loop-0");
  EXPECT_EQ(ran[1].first, "second");
  EXPECT_TRUE(absl::StartsWith(ran[1].second, "executor-")) << ran[1].second;
  EXPECT_EQ(ran[2].first, "third");
  EXPECT_EQ(ran[2].second, "loop-0");

  const auto after = AfterResponse(events);
  EXPECT_THAT(Steps(after), ElementsAre(v1::STEP_BACKGROUND_STARTED, v1::STEP_AWAIT_STARTED,
                                        v1::STEP_AWAIT_RESUMED, v1::STEP_BACKGROUND_FINISHED,
                                        v1::STEP_BACKGROUND_STARTED, v1::STEP_OFFLOAD_QUEUED,
                                        v1::STEP_OFFLOAD_STARTED, v1::STEP_OFFLOAD_FINISHED,
                                        v1::STEP_AWAIT_RESUMED, v1::STEP_BACKGROUND_FINISHED,
                                        v1::STEP_BACKGROUND_STARTED, v1::STEP_BACKGROUND_FINISHED));
  ASSERT_EQ(after.size(), 12u);
  EXPECT_EQ(after[0].detail(), "background task first (async def, on the loop)");
  EXPECT_EQ(after[3].detail(), "first done");
  EXPECT_EQ(after[4].detail(), "background task second (def, on the executor)");
  EXPECT_EQ(after[4].thread(), "loop-0");
  EXPECT_TRUE(absl::StartsWith(after[6].thread(), "executor-")) << after[6].thread();
  // One request's trace: the sequence goes on past RESPONSE_SENT.
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].sequence(), i + 1);
}

TEST_F(BackgroundTasks, ADefPathOperationAddsThemToo) {
  const auto events = server_.Traced("GET", "/sync-adds");
  EXPECT_TRUE(record_->finished);
  EXPECT_THAT(Steps(AfterResponse(events)),
              ElementsAre(v1::STEP_BACKGROUND_STARTED, v1::STEP_BACKGROUND_FINISHED));
}

TEST_F(BackgroundTasks, ExecuteRepliesBeforeTheyRun) {
  // The task waits at a gate only the test opens, after Execute replied: had
  // Execute waited for it, the reply would come only after its 10 s bound,
  // with `finished` false.
  const auto reply = server_.Execute("GET", "/gated");
  EXPECT_EQ(reply.response().status_code(), 200);
  EXPECT_FALSE(record_->finished);
  gate_->open.set_value();
  EXPECT_TRUE(Eventually([&] { return record_->finished.load(); }));
}

TEST_F(BackgroundTasks, AFailureIsLoggedChangesNothingAndStopsTheTasksAfterIt) {
  const auto events = server_.Traced("GET", "/fails");
  ASSERT_FALSE(events.empty());
  const auto sent = std::find_if(events.begin(), events.end(),
                                 [](const auto& e) { return e.step() == v1::STEP_RESPONSE_SENT; });
  ASSERT_NE(sent, events.end());
  EXPECT_EQ(sent->response().status_code(), 201);
  EXPECT_EQ(sent->response().body(), R"({"sent":"yes"})");
  const auto after = AfterResponse(events);
  EXPECT_THAT(Steps(after), ElementsAre(v1::STEP_BACKGROUND_STARTED, v1::STEP_BACKGROUND_FINISHED));
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1].detail(), "boom failed: the mail server is down");
  EXPECT_TRUE(record_->Ran().empty());  // after_boom never ran, as in Starlette
  // And the server goes on serving.
  EXPECT_EQ(server_.Execute("GET", "/fast").response().status_code(), 200);
}

TEST_F(BackgroundTasks, AnHttpExceptionAnswersWithoutThem) {
  const auto events = server_.Traced("GET", "/raises");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().step(), v1::STEP_RESPONSE_SENT);
  EXPECT_EQ(events.back().response().status_code(), 404);
  EXPECT_TRUE(record_->Ran().empty());
}

TEST_F(BackgroundTasks, CancellingTheCallAfterTheResponseDoesNotCancelThem) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ExecuteTracedRequest request;
  request.mutable_request()->set_method("GET");
  request.mutable_request()->set_target("/gated");
  auto reader = server_.stub().ExecuteTraced(&ctx, request);
  v1::ExecuteTracedResponse message;
  bool response_sent = false;
  while (!response_sent && reader->Read(&message)) {
    for (const auto& e : message.events()) response_sent |= e.step() == v1::STEP_RESPONSE_SENT;
  }
  ASSERT_TRUE(response_sent);
  ctx.TryCancel();
  while (reader->Read(&message)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // A later call on the same connection: the server has taken in the
  // cancel (its RST_STREAM came first) by the time this is answered.
  EXPECT_EQ(server_.Execute("GET", "/fast").response().status_code(), 200);
  gate_->open.set_value();
  EXPECT_TRUE(Eventually([&] { return record_->finished.load(); }));
}

TEST_F(BackgroundTasks, ShutdownWaitsForThemWithinTheGracePeriod) {
  EXPECT_EQ(server_.Execute("GET", "/sleeps").response().status_code(), 200);
  EXPECT_FALSE(record_->finished);  // it sleeps 300 ms after the reply
  server_.server().Shutdown(absl::Seconds(20));
  EXPECT_TRUE(record_->finished);
  EXPECT_FALSE(record_->cancelled);
}

TEST_F(BackgroundTasks, ShutdownCancelsThemWhenTheGracePeriodEnds) {
  EXPECT_EQ(server_.Execute("GET", "/endless").response().status_code(), 200);
  const auto start = std::chrono::steady_clock::now();
  server_.server().Shutdown(absl::Milliseconds(200));
  // Generous: the task sleeps 600 s; the grace is 0.2 s.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  EXPECT_TRUE(record_->cancelled);
  EXPECT_FALSE(record_->finished);
}

TEST_F(BackgroundTasks, TheTraceFeedEndsTheRequestAfterThem) {
  v1::WatchTracesRequest completed;
  completed.set_mode(v1::WATCH_MODE_COMPLETED);
  WatchClient watch(server_, completed);
  ASSERT_TRUE(Eventually([&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    v1::GetStatsResponse stats;
    return server_.stub().GetStats(&ctx, v1::GetStatsRequest(), &stats).ok() &&
           stats.watch().subscribers() == 1;
  }));
  v1::ExecuteRequest request;
  request.mutable_request()->set_method("GET");
  request.mutable_request()->set_target("/order");
  request.set_request_id("bg");
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ExecuteResponse reply;
  ASSERT_TRUE(server_.stub().Execute(&ctx, request, &reply).ok());
  // COMPLETED mode sends a request whole once it ended: with its tasks.
  ASSERT_TRUE(watch.WaitFor([](const auto& e) { return Has(e, "bg", v1::STEP_RESPONSE_SENT); }));
  const auto trace = Of(watch.Events(), "bg");
  ASSERT_FALSE(trace.empty());
  EXPECT_EQ(trace.back().step(), v1::STEP_BACKGROUND_FINISHED);
  EXPECT_EQ(trace.back().detail(), "third done");
  EXPECT_TRUE(record_->finished);
}

// ---- route files ----------------------------------------------------------

app::App FromYaml(const char* yaml) {
  auto app = app::ParseRouteFile(yaml, "inline.yaml", {});
  EXPECT_TRUE(app.ok()) << app.status();
  return *std::move(app);
}

TEST(RouteFileBackground, RunsItsTasksAfterTheResponse) {
  TestServer server(FromYaml(R"(
routes:
  - name: signup
    path: /signup
    steps:
      - respond: {body: {ok: true}}
    background:
      - name: send_email
        steps: [{sleep: 10ms}]
      - name: write_log
        kind: sync
        steps: [{cpu: 1ms}]
)"));
  const auto events = server.Traced("GET", "/signup");
  const auto after = AfterResponse(events);
  EXPECT_THAT(
      Steps(after),
      ElementsAre(v1::STEP_BACKGROUND_STARTED, v1::STEP_AWAIT_STARTED, v1::STEP_AWAIT_RESUMED,
                  v1::STEP_BACKGROUND_FINISHED, v1::STEP_BACKGROUND_STARTED,
                  v1::STEP_OFFLOAD_QUEUED, v1::STEP_OFFLOAD_STARTED, v1::STEP_BLOCKING_CALL,
                  v1::STEP_OFFLOAD_FINISHED, v1::STEP_AWAIT_RESUMED, v1::STEP_BACKGROUND_FINISHED));
  ASSERT_EQ(after.size(), 11u);
  EXPECT_EQ(after[0].detail(), "background task send_email (async def, on the loop)");
  EXPECT_THAT(after[7].detail(), HasSubstr("the loop stays free"));
}

// ---- the missing await ------------------------------------------------------

TEST(MissingAwait, TheCoroutineNeverRunsTakesNoTimeAndIsReported) {
  TestServer server(FromYaml(R"(
routes:
  - name: fetch
    path: /fetch
    steps:
      - {sleep: 600s, await: false}
      - offload: {name: async_db_call, steps: [{blocking: 600s}]}
        await: false
      - gather: [[{sleep: 600s}]]
        await: false
      - respond: {body: {data: null}}
)"));
  const auto start = std::chrono::steady_clock::now();
  const auto events = server.Traced("GET", "/fetch");
  // Generous: an awaited step would take 600 s.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  EXPECT_THAT(Steps(events),
              ElementsAre(v1::STEP_RECEIVED, v1::STEP_ROUTE_MATCHED, v1::STEP_HANDLER_STARTED,
                          v1::STEP_NEVER_AWAITED, v1::STEP_NEVER_AWAITED, v1::STEP_NEVER_AWAITED,
                          v1::STEP_HANDLER_RETURNED, v1::STEP_RESPONSE_SENT));
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events[3].detail(), "coroutine 'sleep' was never awaited");
  EXPECT_EQ(events[4].detail(), "coroutine 'async_db_call' was never awaited");
  EXPECT_EQ(events[5].detail(), "coroutine 'gather' was never awaited");
  EXPECT_EQ(events[4].thread(), "loop-0");  // nothing went to the executor
  EXPECT_EQ(events.back().response().status_code(), 200);
}

TEST(MissingAwait, TheSeedAppsRouteAnswersAtOnce) {
  SeedServer server(1.0);
  const auto events = server.Traced("GET", "/missing-await");
  EXPECT_THAT(Steps(events), ElementsAre(v1::STEP_RECEIVED, v1::STEP_ROUTE_MATCHED,
                                         v1::STEP_HANDLER_STARTED, v1::STEP_NEVER_AWAITED,
                                         v1::STEP_HANDLER_RETURNED, v1::STEP_RESPONSE_SENT));
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[3].detail(), "coroutine 'async_db_call' was never awaited");
}

}  // namespace
}  // namespace corouter::testing
