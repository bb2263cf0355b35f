// server/grpc/list_routes_call.h
//
// ListRoutesCall: one `rpc ListRoutes` call, answered on the loop at once
// with the App's route table in registration order.
//
// Thread safety: loop thread only.
#ifndef COROUTER_SERVER_GRPC_LIST_ROUTES_CALL_H_
#define COROUTER_SERVER_GRPC_LIST_ROUTES_CALL_H_

#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/support/async_unary_call.h"
#include "server/grpc/call_base.h"

namespace corouter::grpc_front {

class ListRoutesCall final : public CallBase {
 public:
  /// Requests one ListRoutes call on `services`' completion queue.
  static void Request(LoopServices& services);

 private:
  explicit ListRoutesCall(LoopServices& services) : CallBase(services) {}

  void OnArrived(bool ok);

  corouter::v1::ListRoutesRequest request_;
  corouter::v1::ListRoutesResponse reply_;
  grpc::ServerAsyncResponseWriter<corouter::v1::ListRoutesResponse> responder_{&ctx_};
  loop::MemberOperation<ListRoutesCall, &ListRoutesCall::OnArrived> arrived_op_{this};
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_LIST_ROUTES_CALL_H_
