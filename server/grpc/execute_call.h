// server/grpc/execute_call.h
//
// ExecuteCall: one `rpc Execute` call. Requested ahead of time on its loop's
// completion queue; when it arrives it first requests its successor (so the
// number of calls waiting to be filled stays constant: shared/design/
// architecture.md, decision 4), then validates the request, runs it through
// the Engine as a coroutine on the loop and finishes with the response.
//
// Thread safety: loop thread only.
#ifndef COROUTER_SERVER_GRPC_EXECUTE_CALL_H_
#define COROUTER_SERVER_GRPC_EXECUTE_CALL_H_

#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/support/async_unary_call.h"
#include "server/grpc/call_base.h"
#include "server/loop/task.h"

namespace corouter::grpc_front {

class ExecuteCall final : public CallBase {
 public:
  /// Requests one Execute call on `services`' completion queue.
  static void Request(LoopServices& services);

 private:
  explicit ExecuteCall(LoopServices& services) : CallBase(services) {}

  void OnArrived(bool ok);
  loop::Task<void> Run();

  corouter::v1::ExecuteRequest request_;
  corouter::v1::ExecuteResponse reply_;
  grpc::ServerAsyncResponseWriter<corouter::v1::ExecuteResponse> responder_{&ctx_};
  loop::MemberOperation<ExecuteCall, &ExecuteCall::OnArrived> arrived_op_{this};
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_EXECUTE_CALL_H_
