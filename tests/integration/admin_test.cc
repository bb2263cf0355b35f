// AdminService (LoadApp, GetApp) and ExecutionServer::ReplaceApp against a
// real server on loopback: an app replaced while 100 requests run on the old
// one, a file that does not load, the service off without --admin, and the
// bearer token it needs when auth is on.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/app/route_file.h"
#include "tests/integration/seed_server.h"

namespace corouter::testing {
namespace {

namespace v1 = corouter::v1;
using ::testing::HasSubstr;

// Version 1: /slow waits 300 ms, then says {"v":1}; /old exists.
constexpr char kAppOne[] = R"(routes:
  - name: slow
    path: /slow
    kind: async
    steps:
      - sleep: 300ms
      - respond: {body: {v: 1}}
  - name: old
    path: /old
    kind: async
    steps:
      - respond: {body: {old: true}}
)";

// Version 2: /slow answers {"v":2} at once; /old is gone, /new is there.
constexpr char kAppTwo[] = R"(routes:
  - name: slow
    path: /slow
    kind: async
    steps:
      - respond: {body: {v: 2}}
  - name: new
    path: /new/{n}
    kind: async
    params: [{name: n, type: int}]
    steps:
      - respond: {body: {new: true}}
)";

app::App Parse(const std::string& yaml) {
  absl::StatusOr<app::App> app = app::ParseRouteFile(yaml, "test.yaml", {});
  EXPECT_TRUE(app.ok()) << app.status();
  return app.ok() ? *std::move(app) : app::App();
}

grpc_front::ServerOptions AdminOptions() {
  grpc_front::ServerOptions options;
  options.admin = true;
  options.app_source = {.source = "--app one.yaml", .route_file = kAppOne};
  return options;
}

class Admin {
 public:
  explicit Admin(const TestServer& server) : stub_(v1::AdminService::NewStub(server.channel())) {}

  grpc::Status Load(const std::string& text, v1::LoadAppResponse* reply,
                    const std::string& token = "") {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    v1::LoadAppRequest request;
    request.set_route_file(text);
    request.set_file_name("two.yaml");
    return stub_->LoadApp(&ctx, request, reply);
  }
  grpc::Status Get(v1::GetAppResponse* reply) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    return stub_->GetApp(&ctx, v1::GetAppRequest(), reply);
  }

 private:
  std::unique_ptr<v1::AdminService::Stub> stub_;
};

TEST(AdminService, AReloadLetsRunningRequestsFinishOnTheirAppAndNewOnesSeeTheNewOne) {
  TestServer server(Parse(kAppOne), AdminOptions());
  Admin admin(server);
  // 100 requests on version 1, all waiting in their sleep.
  constexpr int kRunning = 100;
  grpc::CompletionQueue cq;
  struct Pending {
    grpc::ClientContext ctx;
    v1::ExecuteResponse reply;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Pending>> pending;
  for (int i = 0; i < kRunning; ++i) {
    auto p = std::make_unique<Pending>();
    p->ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    v1::ExecuteRequest request;
    request.mutable_request()->set_method("GET");
    request.mutable_request()->set_target("/slow");
    server.stub().AsyncExecute(&p->ctx, request, &cq)->Finish(&p->reply, &p->status, p.get());
    pending.push_back(std::move(p));
  }
  // (EXPECT, not ASSERT, until the 100 are collected below: the completion
  // queue must outlive them.)
  EXPECT_TRUE(Eventually([&] { return server.server().in_flight() == kRunning; }))
      << server.server().in_flight() << " in flight";

  v1::LoadAppResponse loaded;
  const grpc::Status status = admin.Load(kAppTwo, &loaded);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(loaded.app().version(), 2u);
  EXPECT_EQ(loaded.app().source(), "LoadApp");
  EXPECT_EQ(loaded.app().routes(), 3u);  // /slow, /new/{n} and /openapi.json
  // The reply came while the 100 still run: they were not waited for.
  EXPECT_EQ(server.server().in_flight(), kRunning);

  // New requests run on version 2.
  EXPECT_EQ(server.Execute("GET", "/slow").response().body(), R"({"v":2})");
  EXPECT_EQ(server.Execute("GET", "/new/7").response().status_code(), 200);
  EXPECT_EQ(server.Execute("GET", "/new/x").response().status_code(), 422);
  EXPECT_EQ(server.Execute("GET", "/old").response().status_code(), 404);

  // The 100 finish on version 1.
  int v1_answers = 0;
  for (int i = 0; i < kRunning; ++i) {
    void* tag = nullptr;
    bool ok = false;
    // Every call has a deadline, so each completes (kRpcDeadline at most).
    ASSERT_EQ(cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + 2 * kRpcDeadline),
              grpc::CompletionQueue::GOT_EVENT);
    auto* p = static_cast<Pending*>(tag);
    EXPECT_TRUE(ok && p->status.ok()) << p->status.error_message();
    if (p->reply.response().body() == R"({"v":1})") ++v1_answers;
  }
  EXPECT_EQ(v1_answers, kRunning);
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }

  // GetApp, GetStats and ListRoutes name version 2.
  v1::GetAppResponse got;
  ASSERT_TRUE(admin.Get(&got).ok());
  EXPECT_EQ(got.app().version(), 2u);
  EXPECT_EQ(got.route_file(), kAppTwo);
  grpc::ClientContext stats_ctx;
  stats_ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::GetStatsResponse stats;
  ASSERT_TRUE(server.stub().GetStats(&stats_ctx, v1::GetStatsRequest(), &stats).ok());
  EXPECT_EQ(stats.app().version(), 2u);
  // The route counters are version 2's: the 100 on version 1 are not in them.
  uint64_t counted = 0;
  for (const v1::RouteStats& r : stats.routes()) counted += r.count();
  EXPECT_EQ(counted, 4u);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ListRoutesResponse routes;
  ASSERT_TRUE(server.stub().ListRoutes(&ctx, v1::ListRoutesRequest(), &routes).ok());
  EXPECT_EQ(routes.app().version(), 2u);
  std::vector<std::string> paths;
  for (const v1::Route& r : routes.routes()) paths.push_back(r.path_template());
  EXPECT_THAT(paths, ::testing::UnorderedElementsAre("/openapi.json", "/slow", "/new/{n}"));

  // The journal says which version served each request.
  grpc::ClientContext journal_ctx;
  journal_ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ListRequestsResponse journal;
  ASSERT_TRUE(v1::JournalService::NewStub(server.channel())
                  ->ListRequests(&journal_ctx, v1::ListRequestsRequest(), &journal)
                  .ok());
  int on_one = 0, on_two = 0;
  for (const v1::JournalEntry& e : journal.entries()) (e.app_version() == 1 ? on_one : on_two)++;
  EXPECT_EQ(on_one, kRunning);
  EXPECT_EQ(on_two, 4);
}

TEST(AdminService, AFileThatDoesNotLoadIsRefusedWithItsLineAndTheOldAppKeepsServing) {
  TestServer server(Parse(kAppOne), AdminOptions());
  Admin admin(server);
  v1::LoadAppResponse loaded;
  grpc::Status status = admin.Load("routes:\n  - name: x\n    path: no-slash\n", &loaded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("two.yaml:3:"));
  status = admin.Load("routes: [ {bad", &loaded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("two.yaml:1:"));
  v1::GetAppResponse got;
  ASSERT_TRUE(admin.Get(&got).ok());
  EXPECT_EQ(got.app().version(), 1u);
  EXPECT_EQ(got.app().source(), "--app one.yaml");
  EXPECT_EQ(got.route_file(), kAppOne);
  EXPECT_EQ(server.Execute("GET", "/old").response().status_code(), 200);
}

TEST(AdminService, IsOffWithoutTheAdminOption) {
  TestServer server(Parse(kAppOne));
  Admin admin(server);
  v1::LoadAppResponse loaded;
  grpc::Status status = admin.Load(kAppTwo, &loaded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("--admin"));
  v1::GetAppResponse got;
  EXPECT_EQ(admin.Get(&got).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server.Execute("GET", "/old").response().status_code(), 200);
}

TEST(AdminService, NeedsTheBearerTokenWhenAuthIsOn) {
  grpc_front::ServerOptions options = AdminOptions();
  options.auth.emplace("s3cret-token");
  TestServer server(Parse(kAppOne), options);
  Admin admin(server);
  v1::LoadAppResponse loaded;
  EXPECT_EQ(admin.Load(kAppTwo, &loaded).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(admin.Load(kAppTwo, &loaded, "wrong-token").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  const grpc::Status status = admin.Load(kAppTwo, &loaded, "s3cret-token");
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(loaded.app().version(), 2u);
}

TEST(ExecutionServer, ReplaceAppCountsVersions) {
  TestServer server(Parse(kAppOne), AdminOptions());
  EXPECT_EQ(server.server().app_version().version(), 1u);
  EXPECT_EQ(server.server().app_version().source(), "--app one.yaml");
  for (uint64_t want : {2u, 3u}) {
    absl::StatusOr<v1::AppVersion> replaced = server.server().ReplaceApp(
        std::make_shared<const app::App>(Parse(want == 2 ? kAppTwo : kAppOne)),
        {.source = absl::StrCat("test ", want)});
    ASSERT_TRUE(replaced.ok()) << replaced.status();
    EXPECT_EQ(replaced->version(), want);
    EXPECT_EQ(replaced->source(), absl::StrCat("test ", want));
  }
  // Version 3 is app one again: /slow sleeps 300 ms and answers {"v":1}.
  EXPECT_EQ(server.Execute("GET", "/old").response().status_code(), 200);
}

}  // namespace
}  // namespace corouter::testing
