// JournalService against a real server on loopback: the journal's order and
// what each entry holds (the request, route, coerced parameters, status,
// app version), WaitForRequests returning as soon as the requests came and
// timing out with the count so far, and the journal off.
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "corouter/v1/execution.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/seed_server.h"

namespace corouter::testing {
namespace {

namespace v1 = corouter::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class Journal {
 public:
  explicit Journal(const TestServer& server)
      : stub_(v1::JournalService::NewStub(server.channel())) {}

  std::vector<v1::JournalEntry> List(const v1::RequestFilter& filter = {}) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    v1::ListRequestsRequest request;
    *request.mutable_filter() = filter;
    v1::ListRequestsResponse reply;
    status_ = stub_->ListRequests(&ctx, request, &reply);
    return {reply.entries().begin(), reply.entries().end()};
  }
  grpc::Status Wait(const v1::RequestFilter& filter, uint64_t count,
                    std::chrono::milliseconds timeout, v1::WaitForRequestsResponse* reply) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    v1::WaitForRequestsRequest request;
    *request.mutable_filter() = filter;
    request.set_count(count);
    request.set_timeout_nanos(std::chrono::nanoseconds(timeout).count());
    return stub_->WaitForRequests(&ctx, request, reply);
  }
  uint64_t Clear() {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    v1::ClearRequestsResponse reply;
    status_ = stub_->ClearRequests(&ctx, v1::ClearRequestsRequest(), &reply);
    return reply.cleared();
  }
  const grpc::Status& status() const { return status_; }

 private:
  std::unique_ptr<v1::JournalService::Stub> stub_;
  grpc::Status status_;
};

std::vector<std::string> Targets(const std::vector<v1::JournalEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.request().target());
  return out;
}

TEST(JournalService, KeepsEachRequestInOrderWithItsRouteParametersAndStatus) {
  SeedServer server(0.001);
  Journal journal(server);
  server.Execute("GET", "/slow_task/7?q=test");
  server.Execute("GET", "/fast_task/");
  server.Execute("GET", "/nope");
  server.Execute("GET", "/slow_task/x");
  const std::vector<v1::JournalEntry> entries = journal.List();
  ASSERT_TRUE(journal.status().ok()) << journal.status().error_message();
  EXPECT_THAT(Targets(entries),
              ElementsAre("/slow_task/7?q=test", "/fast_task/", "/nope", "/slow_task/x"));
  ASSERT_EQ(entries.size(), 4u);
  const v1::JournalEntry& slow = entries[0];
  EXPECT_EQ(slow.sequence(), 1u);
  EXPECT_EQ(slow.request().method(), "GET");
  EXPECT_EQ(slow.path_template(), "/slow_task/{item_id}");
  EXPECT_EQ(slow.endpoint(), "read_item");
  ASSERT_EQ(slow.parameters_size(), 2);
  // After coercion: item_id is the int 7, q the string "test".
  EXPECT_EQ(slow.parameters(0).name(), "item_id");
  EXPECT_EQ(slow.parameters(0).value_json(), "7");
  EXPECT_EQ(slow.parameters(1).name(), "q");
  EXPECT_EQ(slow.parameters(1).value_json(), "\"test\"");
  EXPECT_EQ(slow.status_code(), 200);
  EXPECT_FALSE(slow.cancelled());
  EXPECT_GT(slow.duration_nanos(), 0);
  EXPECT_GT(slow.received_unix_nanos(), 0);
  EXPECT_EQ(slow.app_version(), 1u);
  EXPECT_FALSE(slow.request_id().empty());
  EXPECT_EQ(entries[2].path_template(), "");
  EXPECT_EQ(entries[2].status_code(), 404);
  // A 422: the route matched, the path operation was not called.
  EXPECT_EQ(entries[3].status_code(), 422);
  EXPECT_EQ(entries[3].parameters_size(), 0);

  v1::RequestFilter only_slow;
  only_slow.add_path_templates("/slow_task/{item_id}");
  only_slow.add_status("2xx");
  EXPECT_THAT(Targets(journal.List(only_slow)), ElementsAre("/slow_task/7?q=test"));
  EXPECT_EQ(journal.Clear(), 4u);
  EXPECT_TRUE(journal.List().empty());
}

TEST(JournalService, WaitForRequestsReturnsAsSoonAsTheyCameAndTimesOutWithTheCount) {
  SeedServer server(0.001);
  Journal journal(server);
  server.Execute("GET", "/hello");  // already there: counts
  v1::RequestFilter hello;
  hello.add_path_templates("/hello");
  // Waits for 3; the other 2 come while it waits.
  std::future<grpc::Status> waited = std::async(std::launch::async, [&] {
    v1::WaitForRequestsResponse reply;
    grpc::Status status = journal.Wait(hello, 3, std::chrono::seconds(30), &reply);
    if (status.ok()) {
      EXPECT_EQ(reply.entries_size(), 3);
    }
    return status;
  });
  server.Execute("GET", "/fast_task/");  // does not match
  server.Execute("GET", "/hello");
  server.Execute("GET", "/hello");
  // Bounded: far less than the 30 s it was allowed, but no speed is asserted.
  ASSERT_EQ(waited.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  const grpc::Status status = waited.get();
  EXPECT_TRUE(status.ok()) << status.error_message();

  v1::WaitForRequestsResponse reply;
  const grpc::Status timed_out = journal.Wait(hello, 5, std::chrono::milliseconds(50), &reply);
  EXPECT_EQ(timed_out.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_THAT(timed_out.error_message(), HasSubstr("3 of the 5 matching requests"));

  EXPECT_EQ(journal.Wait(hello, 0, std::chrono::seconds(1), &reply).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(journal.Wait(hello, 1, std::chrono::milliseconds(0), &reply).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::RequestFilter bad;
  bad.set_target_regex("(");
  const grpc::Status refused = journal.Wait(bad, 1, std::chrono::seconds(1), &reply);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("filter.target_regex"));
}

TEST(JournalService, IsOffWithAZeroJournal) {
  grpc_front::ServerOptions options;
  options.journal = 0;
  SeedServer server(0.001, options);
  Journal journal(server);
  EXPECT_EQ(server.Execute("GET", "/hello").response().status_code(), 200);
  journal.List();
  EXPECT_EQ(journal.status().error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(journal.status().error_message(), HasSubstr("--journal"));
}

TEST(JournalService, KeepsOnlyTheNewestAndSaysHowManyLeft) {
  grpc_front::ServerOptions options;
  options.journal = 2;
  SeedServer server(0.001, options);
  Journal journal(server);
  for (const char* target : {"/hello", "/ping", "/fast_task/"}) server.Execute("GET", target);
  EXPECT_THAT(Targets(journal.List()), ElementsAre("/ping", "/fast_task/"));
}

}  // namespace
}  // namespace corouter::testing
