// tests/integration/async_client.h
//
// Many concurrent Execute calls from one test thread, with the async client
// API: every call is started at once on one channel and the results are
// collected from a completion queue, each with its completion time. Every
// call carries a deadline, and collection stops at it.
#ifndef COROUTER_TESTS_INTEGRATION_ASYNC_CLIENT_H_
#define COROUTER_TESTS_INTEGRATION_ASYNC_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace corouter::testing {

struct AsyncResult {
  grpc::Status status;
  corouter::v1::ExecuteResponse response;
  std::chrono::steady_clock::duration done_after{};  // since the calls started
  bool finished = false;
};

/// Starts one GET `target` per entry of `targets` concurrently and waits for
/// all (at most `deadline`, which is also each call's gRPC deadline).
inline std::vector<AsyncResult> ExecuteConcurrently(corouter::v1::ExecutionService::Stub& stub,
                                                    const std::vector<std::string>& targets,
                                                    std::chrono::milliseconds deadline) {
  struct Call {
    grpc::ClientContext ctx;
    corouter::v1::ExecuteRequest request;
    std::unique_ptr<grpc::ClientAsyncResponseReader<corouter::v1::ExecuteResponse>> reader;
    AsyncResult result;
  };
  grpc::CompletionQueue cq;
  std::vector<std::unique_ptr<Call>> calls;
  calls.reserve(targets.size());
  const auto start = std::chrono::steady_clock::now();
  const auto until = std::chrono::system_clock::now() + deadline;
  for (size_t i = 0; i < targets.size(); ++i) {
    auto call = std::make_unique<Call>();
    call->ctx.set_deadline(until);
    call->request.mutable_request()->set_method("GET");
    call->request.mutable_request()->set_target(targets[i]);
    call->reader = stub.AsyncExecute(&call->ctx, call->request, &cq);
    call->reader->Finish(&call->result.response, &call->result.status, reinterpret_cast<void*>(i));
    calls.push_back(std::move(call));
  }
  size_t remaining = calls.size();
  while (remaining > 0) {
    void* tag = nullptr;
    bool ok = false;
    // The calls' own deadline ends them; one more second is for delivery.
    if (cq.AsyncNext(&tag, &ok, until + std::chrono::seconds(1)) !=
        grpc::CompletionQueue::GOT_EVENT) {
      break;
    }
    Call& call = *calls[reinterpret_cast<size_t>(tag)];
    call.result.finished = true;
    call.result.done_after = std::chrono::steady_clock::now() - start;
    --remaining;
  }
  for (auto& call : calls) call->ctx.TryCancel();
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
  std::vector<AsyncResult> results;
  results.reserve(calls.size());
  for (auto& call : calls) results.push_back(std::move(call->result));
  return results;
}

}  // namespace corouter::testing

#endif  // COROUTER_TESTS_INTEGRATION_ASYNC_CLIENT_H_
