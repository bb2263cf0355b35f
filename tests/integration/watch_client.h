// tests/integration/watch_client.h
//
// A WatchTraces subscriber for tests: subscribes on its own connection,
// reads the stream on its own thread and keeps every response; every wait
// has a deadline.
#ifndef COROUTER_TESTS_INTEGRATION_WATCH_CLIENT_H_
#define COROUTER_TESTS_INTEGRATION_WATCH_CLIENT_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tests/integration/seed_server.h"

namespace corouter::testing {

class WatchClient {
 public:
  // Subscribes to `server` on a connection of its own, as a dashboard in
  // another process would: not multiplexed with the test's own calls.
  WatchClient(TestServer& server, corouter::v1::WatchTracesRequest request,
              std::chrono::milliseconds deadline = std::chrono::milliseconds(20000)) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // never share a connection
    channel_ =
        grpc::CreateCustomChannel(server.address(), grpc::InsecureChannelCredentials(), args);
    stub_ = corouter::v1::ExecutionService::NewStub(channel_);
    ctx_.set_deadline(std::chrono::system_clock::now() + deadline);
    reader_ = stub_->WatchTraces(&ctx_, request);
    thread_ = std::thread([this] {
      corouter::v1::WatchTracesResponse response;
      while (reader_->Read(&response)) {
        std::lock_guard<std::mutex> lock(mu_);
        responses_.push_back(response);
        cv_.notify_all();
      }
      grpc::Status status = reader_->Finish();
      std::lock_guard<std::mutex> lock(mu_);
      status_ = status;
      ended_ = true;
      cv_.notify_all();
    });
  }
  ~WatchClient() {
    ctx_.TryCancel();
    thread_.join();
  }

  void Cancel() { ctx_.TryCancel(); }

  /// Every event received so far, in arrival order.
  std::vector<corouter::v1::TraceEvent> Events() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<corouter::v1::TraceEvent> out;
    for (const auto& r : responses_) out.insert(out.end(), r.events().begin(), r.events().end());
    return out;
  }
  std::vector<corouter::v1::WatchTracesResponse> Responses() {
    std::lock_guard<std::mutex> lock(mu_);
    return responses_;
  }

  /// Waits until `predicate(Events())` holds; false after `timeout`.
  bool WaitFor(const std::function<bool(const std::vector<corouter::v1::TraceEvent>&)>& predicate,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (predicate(Events())) return true;
      std::unique_lock<std::mutex> lock(mu_);
      if (ended_) return false;
      if (cv_.wait_until(lock, until) == std::cv_status::timeout) {
        lock.unlock();
        return predicate(Events());
      }
    }
  }

  /// Waits for the stream to end; its status, or DEADLINE_EXCEEDED.
  grpc::Status WaitEnded(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return ended_; })) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "the stream did not end");
    }
    return status_;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<corouter::v1::ExecutionService::Stub> stub_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<corouter::v1::WatchTracesResponse>> reader_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<corouter::v1::WatchTracesResponse> responses_;
  grpc::Status status_;
  bool ended_ = false;
};

/// Whether `events` hold an event of `step` for a request with `id`.
inline bool Has(const std::vector<corouter::v1::TraceEvent>& events, const std::string& id,
                corouter::v1::Step step) {
  for (const auto& e : events) {
    if (e.request_id() == id && e.step() == step) return true;
  }
  return false;
}

/// The events of request `id`, in arrival order.
inline std::vector<corouter::v1::TraceEvent> Of(const std::vector<corouter::v1::TraceEvent>& events,
                                                const std::string& id) {
  std::vector<corouter::v1::TraceEvent> out;
  for (const auto& e : events) {
    if (e.request_id() == id) out.push_back(e);
  }
  return out;
}

}  // namespace corouter::testing

#endif  // COROUTER_TESTS_INTEGRATION_WATCH_CLIENT_H_
