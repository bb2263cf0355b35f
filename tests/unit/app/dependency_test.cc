// tests/unit/app/dependency_test.cc
//
// Dependencies through the C++ API, as FastAPI 0.92's solve_dependencies
// runs them: order, the per-request cache, one 422 for every dependant, an
// HTTPException from a dependency, and when yield dependencies' teardowns
// run. (The route-file form is compared with the real FastAPI in
// tests/conformance/apps/dependencies.yaml; routers are in
// api_router_test.cc.)
#include "server/app/dependency.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/app.h"
#include "server/app/engine.h"
#include "server/app/http_exception.h"
#include "server/loop/spawn.h"
#include "server/trace/trace_event.h"

namespace corouter::app {
namespace {

using routing::ParamSpec;
using routing::ParamType;
using ::testing::ElementsAre;

struct Recorder : trace::TraceSink {
  void OnEvent(trace::TraceEvent event) override {
    lines.push_back(std::string(trace::StepName(event.step)) + " " + event.detail);
  }
  std::vector<std::string> lines;
};

// Runs a request whose handlers never suspend, with a recorded trace; the
// background work (tasks, teardowns after the response) is run right after.
struct Ran {
  Outcome outcome;
  std::vector<std::string> trace;
};

Ran RunRequest(const App& app, std::string target, http::Headers headers = {}) {
  Engine engine(app);
  Recorder recorder;
  trace::RequestTrace trace(0, &recorder);
  loop::TaskContext context(nullptr, nullptr, &trace);
  std::optional<Outcome> outcome;
  auto run = [](const Engine& e, WireRequest r, loop::TaskContext& c,
                std::optional<Outcome>& out) -> loop::Task<void> {
    out = co_await e.Run(std::move(r), c);
    if (out->background != nullptr) {
      c.trace->Emit(trace::Step::kResponseSent, "");
      co_await RunBackgroundTasks(std::move(*out->background), c);
    }
  };
  loop::Spawn(&context, run(engine, WireRequest{"GET", std::move(target), std::move(headers), ""},
                            context, outcome));
  EXPECT_TRUE(outcome.has_value()) << "the request suspended";
  return Ran{outcome.has_value() ? std::move(*outcome) : Outcome{}, recorder.lines};
}

std::shared_ptr<Dependency> Returning(std::string name, std::vector<ParamSpec> params,
                                      std::vector<std::string>* calls) {
  auto dep = std::make_shared<Dependency>();
  dep->name = name;
  dep->params = std::move(params);
  dep->async_handler = [calls, name](RequestContext& ctx) -> loop::Task<http::Json> {
    calls->push_back(name);
    http::Json out = http::Json::object();
    for (const auto& [key, value] : ctx.params()) out[key] = value;
    co_return out;
  };
  return dep;
}

loop::Task<http::Response> Echo(RequestContext& ctx) {
  http::Json out = http::Json::object();
  for (const auto& [name, value] : ctx.params()) out[name] = value;
  co_return http::JsonResponse(out);
}

TEST(Dependencies, SolvedDepthFirstInOrderAndPassedByName) {
  std::vector<std::string> calls;
  auto key = Returning("verify_key", {ParamSpec::Header("x_key", ParamType::kStr)}, &calls);
  auto user = Returning("current_user", {ParamSpec::OptionalQuery("user", ParamType::kStr, "anon")},
                        &calls);
  user->dependencies = {Depends::Named("key", key)};
  auto audit = Returning("audit", {}, &calls);
  App app;
  PathOperation op;
  op.methods = {"GET"};
  op.path = "/me";
  op.endpoint = "me";
  op.params = {ParamSpec::OptionalQuery("n", ParamType::kInt, 1)};
  op.dependencies = {Depends::Parameterless(audit), Depends::Named("current", user)};
  op.async_handler = Echo;
  app.Add(std::move(op));
  ASSERT_TRUE(app.status().ok()) << app.status();

  const Ran run = RunRequest(app, "/me?user=ann&n=2", {{"x-key", "k1"}});
  EXPECT_EQ(run.outcome.response.status_code, 200);
  EXPECT_EQ(run.outcome.response.body, R"({"current":{"key":{"x_key":"k1"},"user":"ann"},"n":2})");
  EXPECT_THAT(calls, ElementsAre("audit", "verify_key", "current_user"));
  EXPECT_THAT(run.trace,
              ::testing::Contains("DEPENDENCY_STARTED async def verify_key(x_key=\"k1\")"));
  EXPECT_THAT(run.trace, ::testing::Contains("DEPENDENCY_FINISHED current_user returned"));
}

TEST(Dependencies, CachedPerRequestUnlessUseCacheIsOff) {
  std::vector<std::string> calls;
  auto key = Returning("verify_key", {}, &calls);
  App app;
  PathOperation op;
  op.methods = {"GET"};
  op.path = "/twice";
  op.endpoint = "twice";
  op.dependencies = {Depends::Named("a", key), Depends::Named("b", key),
                     Depends::Named("c", key, /*use_cache=*/false)};
  op.async_handler = Echo;
  app.Add(std::move(op));
  ASSERT_TRUE(app.status().ok()) << app.status();
  EXPECT_EQ(RunRequest(app, "/twice").outcome.response.status_code, 200);
  EXPECT_EQ(calls.size(), 2u);  // a, then c: b is a's value
  RunRequest(app, "/twice");
  EXPECT_EQ(calls.size(), 4u);  // the cache is the request's
}

TEST(Dependencies, EveryDependantsErrorsInOneResponseAndAFailedOneIsNotCalled) {
  std::vector<std::string> calls;
  auto key = Returning("verify_key", {ParamSpec::Header("x_key", ParamType::kStr)}, &calls);
  auto user = Returning("current_user", {ParamSpec::Query("user", ParamType::kInt)}, &calls);
  user->dependencies = {Depends::Named("key", key)};
  auto other = Returning("other", {}, &calls);
  App app;
  PathOperation op;
  op.methods = {"GET"};
  op.path = "/me";
  op.endpoint = "me";
  op.params = {ParamSpec::Query("n", ParamType::kInt)};
  op.dependencies = {Depends::Named("user", user), Depends::Named("other", other)};
  op.async_handler = Echo;
  app.Add(std::move(op));
  const Ran run = RunRequest(app, "/me?user=x&n=y");
  EXPECT_EQ(run.outcome.response.status_code, 422);
  // The sub-dependency's header, then the dependency's query, then the
  // path operation's own: solve_dependencies' order.
  EXPECT_EQ(
      run.outcome.response.body,
      R"({"detail":[{"loc":["header","x-key"],"msg":"field required","type":"value_error.missing"},)"
      R"({"loc":["query","user"],"msg":"value is not a valid integer","type":"type_error.integer"},)"
      R"({"loc":["query","n"],"msg":"value is not a valid integer","type":"type_error.integer"}]})");
  // Only `other` ran: it was reached, and had nothing wrong.
  EXPECT_THAT(calls, ElementsAre("other"));
}

TEST(Dependencies, AnHttpExceptionInADependencyIsTheResponse) {
  bool handler_ran = false;
  App app;
  auto deny_async = std::make_shared<Dependency>();
  deny_async->name = "deny";
  deny_async->async_handler = [](RequestContext&) -> loop::Task<http::Json> {
    throw HttpException(403, "Not allowed");
    co_return nullptr;
  };
  PathOperation op;
  op.methods = {"GET"};
  op.path = "/denied";
  op.endpoint = "denied";
  op.dependencies = {Depends::Parameterless(deny_async)};
  op.async_handler = [&handler_ran](RequestContext&) -> loop::Task<http::Response> {
    handler_ran = true;
    co_return http::JsonResponse(nullptr);
  };
  app.Add(std::move(op));
  const Ran run = RunRequest(app, "/denied");
  EXPECT_EQ(run.outcome.response.status_code, 403);
  EXPECT_EQ(run.outcome.response.body, R"({"detail":"Not allowed"})");
  EXPECT_FALSE(handler_ran);
}

std::shared_ptr<Dependency> Yielding(std::string name, std::vector<std::string>* log) {
  auto dep = std::make_shared<Dependency>();
  dep->name = name;
  dep->async_handler = [log, name](RequestContext&) -> loop::Task<http::Json> {
    log->push_back("enter " + name);
    co_return name;
  };
  dep->async_teardown = [log, name](RequestContext&) -> loop::Task<void> {
    log->push_back("exit " + name);
    co_return;
  };
  return dep;
}

TEST(Dependencies, TeardownsRunAfterTheResponseAndItsBackgroundTasksLastInFirstOut) {
  std::vector<std::string> log;
  App app;
  PathOperation op;
  op.methods = {"GET"};
  op.path = "/db";
  op.endpoint = "db";
  op.dependencies = {Depends::Named("a", Yielding("a", &log)),
                     Depends::Named("b", Yielding("b", &log))};
  op.async_handler = [&log](RequestContext& ctx) -> loop::Task<http::Response> {
    log.push_back("endpoint");
    ctx.AddBackgroundTask("task", [&log](RequestContext&) -> loop::Task<void> {
      log.push_back("background task");
      co_return;
    });
    co_return http::JsonResponse(nullptr);
  };
  app.Add(std::move(op));
  const Ran run = RunRequest(app, "/db");
  EXPECT_EQ(run.outcome.response.status_code, 200);
  EXPECT_THAT(log,
              ElementsAre("enter a", "enter b", "endpoint", "background task", "exit b", "exit a"));
  // The teardowns come after RESPONSE_SENT in the trace.
  auto at = [&run](const std::string& line) {
    return std::find(run.trace.begin(), run.trace.end(), line) - run.trace.begin();
  };
  EXPECT_LT(at("RESPONSE_SENT "), at("DEPENDENCY_STARTED teardown of b"));
  EXPECT_LT(at("DEPENDENCY_FINISHED b teardown done"), at("DEPENDENCY_STARTED teardown of a"));
}

TEST(Dependencies, OnAnErrorTheTeardownsRunBeforeTheResponse) {
  std::vector<std::string> log;
  App app;
  PathOperation op;
  op.methods = {"GET"};
  op.path = "/db";
  op.endpoint = "db";
  op.params = {ParamSpec::Query("n", ParamType::kInt)};
  op.dependencies = {Depends::Named("a", Yielding("a", &log))};
  op.async_handler = [](RequestContext&) -> loop::Task<http::Response> {
    throw HttpException(409, "conflict");
    co_return http::JsonResponse(nullptr);
  };
  app.Add(std::move(op));
  Ran run = RunRequest(app, "/db?n=1");
  EXPECT_EQ(run.outcome.response.status_code, 409);
  EXPECT_EQ(run.outcome.background, nullptr);
  EXPECT_THAT(log, ElementsAre("enter a", "exit a"));
  log.clear();
  // A 422 after the dependency ran: it is torn down too.
  run = RunRequest(app, "/db?n=x");
  EXPECT_EQ(run.outcome.response.status_code, 422);
  EXPECT_THAT(log, ElementsAre("enter a", "exit a"));
}

TEST(Dependencies, RegistrationErrors) {
  auto no_handler = std::make_shared<Dependency>();
  no_handler->name = "broken";
  App app;
  PathOperation op;
  op.methods = {"GET"};
  op.path = "/x";
  op.endpoint = "x";
  op.dependencies = {Depends::Parameterless(no_handler)};
  op.async_handler = Echo;
  app.Add(op);
  EXPECT_THAT(std::string(app.status().message()),
              ::testing::HasSubstr("dependency broken: needs exactly one handler"));

  std::vector<std::string> calls;
  App clash;
  op.dependencies = {Depends::Named("n", Returning("d", {}, &calls))};
  op.params = {ParamSpec::Query("n", ParamType::kInt)};
  clash.Add(op);
  EXPECT_THAT(std::string(clash.status().message()),
              ::testing::HasSubstr("parameter 'n' is declared twice"));

  App path;
  op.params = {};
  op.dependencies = {Depends::Parameterless(
      Returning("d", {ParamSpec::Path("item_id", ParamType::kInt)}, &calls))};
  path.Add(op);
  EXPECT_THAT(std::string(path.status().message()),
              ::testing::HasSubstr("path parameter 'item_id' does not appear"));
}

TEST(Dependencies, FlatParamsAndTheBodyDecision) {
  std::vector<std::string> calls;
  auto user = Returning("user_body", {ParamSpec::Body("user", ParamType::kStr)}, &calls);
  std::vector<ParamSpec> own = {ParamSpec::Query("q", ParamType::kStr)};
  const std::vector<Depends> uses = {Depends::Named("a", user), Depends::Named("b", user)};
  EXPECT_EQ(FlatParams(own, uses, /*skip_repeats=*/false).size(), 3u);
  EXPECT_EQ(FlatParams(own, uses, /*skip_repeats=*/true).size(), 2u);
  // One distinct body name: the whole body, even used twice.
  EXPECT_FALSE(FlatBodyEmbedded(FlatParams(own, uses, false)));
  own.push_back(ParamSpec::Body("item", ParamType::kStr));
  EXPECT_TRUE(FlatBodyEmbedded(FlatParams(own, uses, false)));
}

}  // namespace
}  // namespace corouter::app
