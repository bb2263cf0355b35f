// Route-file faults against a real server (docs/route-files.md): `abort`
// ends the call with its gRPC status, `reset` cancels the stream, `hang`
// lasts until the call's deadline, and a route's `fail_rate` fails about
// that fraction of calls, the same ones for the same seed.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

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

constexpr char kFaults[] = R"(routes:
  - name: down
    path: /down
    kind: async
    steps:
      - sleep: 1ms
      - abort: {code: UNAVAILABLE, message: the database is down}
  - name: quota
    path: /quota
    kind: sync
    steps:
      - abort: RESOURCE_EXHAUSTED
  - name: dropped
    path: /dropped
    kind: async
    steps:
      - reset:
  - name: stuck
    path: /stuck
    kind: async
    steps:
      - hang:
  - name: flaky
    path: /flaky
    kind: async
    fail_rate: 0.1
    fault: {abort: {code: UNAVAILABLE, message: flaky}}
    steps:
      - respond: {body: {ok: true}}
)";

app::App Faults(uint64_t seed) {
  auto app = app::ParseRouteFile(kFaults, "faults.yaml", {.seed = seed});
  EXPECT_TRUE(app.ok()) << app.status();
  return app.ok() ? *std::move(app) : app::App();
}

grpc::Status Call(TestServer& server, const std::string& target,
                  std::chrono::milliseconds deadline = std::chrono::milliseconds(20000)) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
  v1::ExecuteRequest request;
  request.mutable_request()->set_method("GET");
  request.mutable_request()->set_target(target);
  v1::ExecuteResponse response;
  return server.stub().Execute(&ctx, request, &response);
}

TEST(Faults, AbortEndsTheCallWithItsStatusAndMessage) {
  TestServer server(Faults(1));
  grpc::Status status = Call(server, "/down");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "the database is down");
  // From a def too (the fault crosses the executor).
  status = Call(server, "/quota");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("RESOURCE_EXHAUSTED"));
  // ExecuteTraced streams the steps, then ends with the status; the trace's
  // last step says why.
  std::vector<v1::TraceEvent> events;
  grpc::Status traced;
  events = server.Traced("GET", "/down", &traced);
  EXPECT_EQ(traced.error_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().step(), v1::STEP_CANCELLED);
  EXPECT_THAT(events.back().detail(), HasSubstr("the database is down"));
  // The server goes on serving.
  EXPECT_EQ(server.Execute("GET", "/unknown").response().status_code(), 404);
}

TEST(Faults, ResetCancelsTheStreamAndHangWaitsForTheDeadline) {
  TestServer server(Faults(1));
  EXPECT_EQ(Call(server, "/dropped").error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(Call(server, "/stuck", std::chrono::milliseconds(200)).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(Eventually([&] { return server.server().in_flight() == 0; }));
  // The journal says how each ended.
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ListRequestsResponse journal;
  ASSERT_TRUE(v1::JournalService::NewStub(server.channel())
                  ->ListRequests(&ctx, v1::ListRequestsRequest(), &journal)
                  .ok());
  ASSERT_EQ(journal.entries_size(), 2);
  EXPECT_EQ(journal.entries(0).fault(), "reset");
  EXPECT_TRUE(journal.entries(1).cancelled());
  EXPECT_EQ(journal.entries(1).fault(), "");  // the deadline, not a fault
}

TEST(Faults, AFailRateFailsAboutThatFractionAndTheSameCallsForTheSameSeed) {
  TestServer one(Faults(5));
  TestServer same(Faults(5));
  constexpr int kCalls = 1000;
  std::vector<bool> failed_one, failed_same;
  for (int i = 0; i < kCalls; ++i) {
    const grpc::Status a = Call(one, "/flaky");
    const grpc::Status b = Call(same, "/flaky");
    ASSERT_TRUE(a.ok() || a.error_code() == grpc::StatusCode::UNAVAILABLE) << a.error_message();
    failed_one.push_back(!a.ok());
    failed_same.push_back(!b.ok());
  }
  const int failures = static_cast<int>(std::count(failed_one.begin(), failed_one.end(), true));
  // Binomial(1000, 0.1): mean 100, standard deviation 9.5; 4 of them either
  // side (p < 1e-4 of a false alarm).
  EXPECT_GE(failures, 62);
  EXPECT_LE(failures, 138);
  EXPECT_EQ(failed_one, failed_same);
}

}  // namespace
}  // namespace corouter::testing
