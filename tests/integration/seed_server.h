// tests/integration/seed_server.h
//
// A real corouter server on 127.0.0.1 with an OS-chosen port, serving the
// seed app at a reduced time scale, plus a client stub and helpers whose
// every call carries a deadline.
#ifndef COROUTER_TESTS_INTEGRATION_SEED_SERVER_H_
#define COROUTER_TESTS_INTEGRATION_SEED_SERVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/app/seed_app.h"
#include "server/grpc/execution_server.h"

namespace corouter::testing {

/// Every RPC in the tests is bounded by this.
inline constexpr std::chrono::seconds kRpcDeadline{20};

/// A real server for `app` on 127.0.0.1:0.
class TestServer {
 public:
  explicit TestServer(app::App app, grpc_front::ServerOptions options = {}) : app_(std::move(app)) {
    options.address = "127.0.0.1:0";
    server_ = std::make_unique<grpc_front::ExecutionServer>(app_, options);
    auto port = server_->Start();
    if (!port.ok()) {
      ADD_FAILURE() << port.status();
      return;
    }
    address_ = "127.0.0.1:" + std::to_string(*port);
    channel_ = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
    stub_ = corouter::v1::ExecutionService::NewStub(channel_);
  }
  ~TestServer() { server_->Shutdown(absl::Seconds(5)); }

  grpc_front::ExecutionServer& server() { return *server_; }

  const std::string& address() const { return address_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  corouter::v1::ExecutionService::Stub& stub() { return *stub_; }

  /// rpc Execute; the gRPC status is returned through `status`.
  corouter::v1::ExecuteResponse Execute(const std::string& method, const std::string& target,
                                        grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    corouter::v1::ExecuteRequest request;
    request.mutable_request()->set_method(method);
    request.mutable_request()->set_target(target);
    corouter::v1::ExecuteResponse response;
    grpc::Status s = stub_->Execute(&ctx, request, &response);
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();
    }
    return response;
  }

  /// rpc ExecuteTraced: every event, in arrival order. The gRPC status is
  /// returned through `status` (else it must be OK); `headers` are sent as
  /// the request's header fields.
  std::vector<corouter::v1::TraceEvent> Traced(
      const std::string& method, const std::string& target, grpc::Status* status = nullptr,
      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    corouter::v1::ExecuteTracedRequest request;
    request.mutable_request()->set_method(method);
    request.mutable_request()->set_target(target);
    for (const auto& [name, value] : headers) {
      auto* header = request.mutable_request()->add_headers();
      header->set_name(name);
      header->set_value(value);
    }
    auto reader = stub_->ExecuteTraced(&ctx, request);
    std::vector<corouter::v1::TraceEvent> events;
    corouter::v1::ExecuteTracedResponse message;
    while (reader->Read(&message)) {
      for (const auto& event : message.events()) events.push_back(event);
    }
    grpc::Status s = reader->Finish();
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();
    }
    return events;
  }

 private:
  app::App app_;
  std::unique_ptr<grpc_front::ExecutionServer> server_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<corouter::v1::ExecutionService::Stub> stub_;
};

/// The seed app with its durations multiplied by `time_scale`.
class SeedServer : public TestServer {
 public:
  explicit SeedServer(double time_scale, grpc_front::ServerOptions options = {})
      : TestServer(app::BuildSeedApp({.time_scale = time_scale}), std::move(options)) {}
};

/// Polls `predicate` every 2 ms until it holds or `deadline` passes; its
/// last value.
template <typename Predicate>
bool Eventually(Predicate predicate,
                std::chrono::milliseconds deadline = std::chrono::milliseconds(5000)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return predicate();
}

/// The steps of a trace, in order.
inline std::vector<corouter::v1::Step> Steps(const std::vector<corouter::v1::TraceEvent>& events) {
  std::vector<corouter::v1::Step> steps;
  for (const auto& e : events) steps.push_back(e.step());
  return steps;
}

/// The header named `name` in `response`, or "" if absent.
inline std::string HeaderValue(const corouter::v1::HttpResponse& response,
                               const std::string& name) {
  for (const auto& h : response.headers()) {
    if (h.name() == name) return h.value();
  }
  return "";
}

}  // namespace corouter::testing

#endif  // COROUTER_TESTS_INTEGRATION_SEED_SERVER_H_
